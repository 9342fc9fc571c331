"""Time the commands that should start at once: `scorecard --help` and a build with nothing to do.

    python bench/bench_startup.py [--sizes 1000 4000] [--runs 5] [--git] [--against REV]

For each size it generates a site (bench/corpus.py), builds it once (`--today 2026-12-01`), then
runs `python -m scorecard build` again `--runs` times — nothing changed, so the build stops after
reading the content — and `python -m scorecard --help` as often, each in a fresh process, and
prints the best and median wall and CPU time (user + system) of each. It also prints what
`python -X importtime` counts for each command: the modules imported and the sum of their own
import times (one run; noisy, but the module count is exact).

`--against REV` times the package as it was at git revision REV too (a temporary worktree), on a
copy of the same site, the two trees taking turns run by run so that both see the same load.
Bytecode is written and used as an installed package would (PYTHONDONTWRITEBYTECODE is unset for
the runs): otherwise every run would compile the package's sources again.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import as_installed, machine  # noqa: E402
from corpus import write_corpus  # noqa: E402

TODAY = ["--today", "2026-12-01"]
NO_OP = ["build", "--timings", *TODAY]
"""A second build: `--timings` shows that it stopped after the load stage."""


def run(args: list[str], site: Path, tree: Path) -> tuple[float, float, str]:
    """`python -m scorecard ARGS` in `site` with the package of `tree`: wall seconds, CPU seconds, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "scorecard", *args], cwd=site, env=as_installed(tree),
                            capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"scorecard {' '.join(args)} failed in {site}:\n{(result.stdout + result.stderr)[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout + result.stderr


def import_totals(args: list[str], site: Path, tree: Path) -> tuple[int, float, bool]:
    """Modules imported by `scorecard ARGS`, the sum of their own import times (ms), and whether any
    of jinja2 and markdown_it was among them."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "scorecard", *args], cwd=site,
                            env=as_installed(tree), capture_output=True, text=True, check=False)
    rows = re.findall(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)$", result.stderr, re.MULTILINE)
    heavy = any(name.split(".")[0] in ("jinja2", "markdown_it") for _, name in rows)
    return len(rows), sum(int(us) for us, _ in rows) / 1000, heavy


def summary(times: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    return (f"wall best {min(walls):.3f} median {statistics.median(walls):.3f} s; "
            f"CPU best {min(cpus):.3f} median {statistics.median(cpus):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--git", action="store_true", help="make each site a git repository with one commit")
    parser.add_argument("--against", default=None, help="also time the package at this git revision, in turn")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch_name:
        scratch = Path(scratch_name)
        trees = {"this tree": HERE.parent}
        if args.against:
            before = scratch / "before"
            subprocess.run(["git", "-C", str(HERE.parent), "worktree", "add", "--detach", "-f", str(before),
                            args.against], check=True, capture_output=True)
            trees = {args.against: before, "this tree": HERE.parent}
        try:
            for size in args.sizes:
                source = scratch / f"site-{size}"
                write_corpus(source, size, git=args.git)
                sites = {}
                for name, tree in trees.items():
                    site = scratch / f"site-{size}-{len(sites)}"
                    shutil.copytree(source, site, symlinks=True)
                    run(["build", "-q", *TODAY], site, tree)  # the cold build; it also writes the bytecode
                    sites[name] = site
                times: dict[tuple[str, str], list[tuple[float, float]]] = {}
                for _ in range(args.runs):
                    for name, tree in trees.items():
                        for label, command in (("no-op build", NO_OP), ("--help", ["--help"])):
                            wall, cpu, out = run(command, sites[name], tree)
                            if label == "no-op build" and "render" in out:
                                raise SystemExit(f"the build in {sites[name]} was not a no-op:\n{out[-2000:]}")
                            times.setdefault((label, name), []).append((wall, cpu))
                print(f"\n{size} assessments ({args.runs} runs each, trees in turn):")
                for (label, name), measured in times.items():
                    print(f"  {label:<12} {name:<10} {summary(measured)}")
                for name, tree in trees.items():
                    for label, command in (("no-op build", NO_OP), ("--help", ["--help"])):
                        count, ms, heavy = import_totals(command, sites[name], tree)
                        print(f"  importtime {label:<12} {name:<10} {count} modules, {ms:.0f} ms"
                              f"{', jinja2/markdown_it imported' if heavy else ''}")
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(HERE.parent), "worktree", "remove", "--force",
                                str(scratch / "before")], check=False, capture_output=True)


if __name__ == "__main__":
    main()
