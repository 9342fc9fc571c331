"""Time `scorecard build` on generated sites of 1,000, 4,000 and 16,000 assessments.

    python bench/bench_build.py [--sizes 1000 4000 16000] [--git] [--cores 1] [--keep DIR] [--against REV]

For each size it generates a site (bench/corpus.py) and runs `scorecard build --timings` as a
user would, in a fresh process each time, in these scenarios:

  cold        no output and no cache
  no-op       again, nothing changed
  edit one    one assessment's score and a sentence of its body changed (the first build that
              replaces an output: the writer has no spare tree yet, see README)
  edit again  the same change to another assessment (as every later edit: the spare is there)
  rubric      a section weight in rubric.yml changed (every score moves)

and prints, per scenario, the whole command's wall time (interpreter start included), the build's
own time, the stages (--timings) and the peak memory of the build process and of its largest child
("worker": `RUSAGE_CHILDREN`, which counts any child, also the `git` the build runs and the process
it forks to remove the old output, each starting from the build's own memory at the fork;
bench/bench_memory.py follows each process stage by stage). Then the cold build's time per
assessment. `--git` makes each site a git repository with one commit, so the history stage reads and
scores every file once; without it the history stage is empty. `--cores 1` pins the builds to one
core (taskset) to see what the worker processes bring. `--against REV` also times the package as it
was at git revision REV (a temporary worktree), each scenario run by both in turn on copies of the
same site, so that a change is measured against what came before in one run, under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import write_corpus  # noqa: E402

RUNNER = """
import json, os, resource, sys, traceback
try:
    from scorecard.commands.cli import main
except ImportError:  # a revision from before the package had layers (--against)
    from scorecard.cli import main
code = 1
try:
    main(["build", "--timings"], standalone_mode=False)
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
except BaseException:
    traceback.print_exc()
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("PEAK " + json.dumps({"own_mb": own / 1024, "worker_mb": workers / 1024}), file=sys.stderr)
sys.exit(code)
"""


def as_installed(tree: Path | None = None) -> dict[str, str]:
    """The environment a measured command runs in: as an installed package runs, its compiled bytecode written
    once and used after (PYTHONDONTWRITEBYTECODE, set on some machines, has every run compile each module
    again: some 30 ms a command), with the package of `tree` first on the path when given."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if tree:
        env["PYTHONPATH"] = str(tree)
    return env


def run_build(site: Path, cores: int | None, tree: Path | None = None) -> dict:
    """One `scorecard build --timings` in a fresh process (of the package in `tree`, if given); what it took."""
    command = [sys.executable, "-c", RUNNER]
    if cores:
        command = ["taskset", "-c", ",".join(str(c) for c in range(cores)), *command]
    env = as_installed(tree)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=site, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    out = result.stdout + result.stderr
    if result.returncode != 0 or "Built" not in out:
        raise SystemExit(f"build failed in {site}:\n{out[-3000:]}")
    stages = {name.strip(): float(seconds) for name,
              seconds in re.findall(r"^\s*([a-z ]+?)\s+([\d.]+) s$", out, re.MULTILINE)}
    peak = json.loads(out.split("PEAK ", 1)[1].splitlines()[0])
    built = float(re.search(r"files\)?, .*?([\d.]+) s\.", out).group(1))
    reused = re.search(r"(\d+) (?:page|file)\(s\) reused", out)
    return {"wall": wall, "build": built, "stages": stages, **peak, "reused": int(reused.group(1)) if reused else 0}


def edit_one(site: Path, total: int, which: int | None = None) -> None:
    path = site / "content" / "assessments" / f"initiative-{total // 2 if which is None else which:05d}.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(  search:\s+\{score: )(\d)", lambda m: m.group(1) + str((int(m.group(2)) + 1) % 6), text, count=1)
    path.write_text(text.replace("## Risks\n", "## Risks\n\nAn edited sentence for the benchmark.\n", 1),
                    encoding="utf-8")


def edit_rubric(site: Path) -> None:
    path = site / "content" / "rubric.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("weight: 0.2", "weight: 0.3", 1), encoding="utf-8")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; "
            f"load average {' '.join(load)}")


SCENARIOS = ("cold", "no-op", "edit one", "edit again", "rubric")


def run_scenarios(sites: dict[str, tuple[Path, Path | None]], total: int,
                  cores: int | None) -> dict[str, dict[str, dict]]:
    """Every scenario on each (site, tree), in turn: by tree, then scenario, what each build took."""
    runs: dict[str, dict[str, dict]] = {name: {} for name in sites}
    for scenario in SCENARIOS:
        for name, (site, tree) in sites.items():
            if scenario == "edit one":
                edit_one(site, total)
            elif scenario == "edit again":
                edit_one(site, total, total // 3)
            elif scenario == "rubric":
                edit_rubric(site)
            runs[name][scenario] = run_build(site, cores, tree)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000])
    parser.add_argument("--git", action="store_true", help="make each site a git repository with one commit")
    parser.add_argument("--cores", type=int, default=None, help="pin the builds to this many cores")
    parser.add_argument("--keep", type=Path, default=None, help="generate the sites here and keep them")
    parser.add_argument("--against", default=None, help="also time the package at this git revision, in turn")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    trees: dict[str, Path | None] = {"this tree": HERE.parent}
    if args.against:
        before = scratch / "before"
        subprocess.run(["git", "-C", str(HERE.parent), "worktree", "add", "--detach", "-f", str(before), args.against],
                       check=True, capture_output=True)
        trees = {args.against: before, "this tree": HERE.parent}
    try:
        for total in args.sizes:
            site = scratch / f"site-{total}{'-git' if args.git else ''}"
            shutil.rmtree(site, ignore_errors=True)
            write_corpus(site, total, git=args.git)
            sites = {}
            for name, tree in trees.items():
                copy = site.with_name(f"{site.name}-{len(sites)}")
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(site, copy, symlinks=True)
                sites[name] = (copy, tree)
            runs = run_scenarios(sites, total, args.cores)
            print(f"\n{total} assessments{' (git)' if args.git else ''}:")
            for name, by_scenario in runs.items():
                if len(runs) > 1:
                    print(f" {name}:")
                for scenario, r in by_scenario.items():
                    stages = " ".join(f"{stage} {seconds:.2f}" for stage, seconds in r["stages"].items())
                    print(f"  {scenario:10s} command {r['wall']:6.2f} s  build {r['build']:6.2f} s  "
                          f"peak {r['own_mb']:5.0f} MB "
                          f"(worker {r['worker_mb']:4.0f} MB)  pages reused {r['reused']:6d}  | {stages}")
                print(f"  time per assessment, cold: {by_scenario['cold']['wall'] / total * 1000:.2f} ms (command), "
                      f"{by_scenario['cold']['build'] / total * 1000:.2f} ms (build)")
            if not args.keep:
                for copy, _ in sites.values():
                    shutil.rmtree(copy, ignore_errors=True)
                shutil.rmtree(site, ignore_errors=True)
    finally:
        if args.against:
            subprocess.run(["git", "-C", str(HERE.parent), "worktree", "remove", "--force", str(scratch / "before")],
                           capture_output=True, check=False)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
