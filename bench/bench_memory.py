"""Peak memory of a cold `scorecard build`, stage by stage, for the build process and its largest worker.

    python bench/bench_memory.py SITE [--against TREE] [--no-cache]

Builds SITE (made by bench/corpus.py) from nothing (its output, spare and cache removed first) in
a fresh process, while this process reads the resident set size (VmRSS) of the build and of each
of its child processes from /proc every 10 ms; the build says when each stage starts (the
`progress` it is handed). Prints, per stage, the largest RSS seen of the build process and of its
largest child, and the build's own `ru_maxrss`. `--against TREE` also builds with the package in
TREE (a checkout of another revision), first, on the same site.

RSS counts pages a forked worker still shares with the build process, so a worker's figure
includes what the build held when it forked. `resource.RUSAGE_CHILDREN` (what
`bench_build.py` prints as "worker") is the largest of any child, including a process forked only
to run git or remove the old output, whose RSS at the fork is the build's own at that moment.
Linux only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

RUNNER = """
import datetime as dt, resource, sys, time
from pathlib import Path
from scorecard.commands.cli_options import site_options
from scorecard.incremental.cache import reuse_for
from scorecard.pipeline.build import build

log = open(sys.argv[1], "w", buffering=1)
options = site_options(Path.cwd(), today=dt.date(2026, 12, 1), cache=False if sys.argv[2] == "off" else None)
result = build(options, reuse_for(options), lambda stage: log.write(f"{time.time()} {stage}\\n"))
log.write(f"{time.time()} (returned)\\n")
print("ok" if result.ok else "failed", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listed:
                found += [int(child) for child in listed.read().split()]
    except OSError:
        pass
    return found


def cold(site: Path) -> None:
    for path in (site / "output", site / ".scorecard-cache", site / ".output.spare"):
        shutil.rmtree(path, ignore_errors=True)


def measure(site: Path, tree: Path, cache: bool) -> None:
    cold(site)
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        build = subprocess.Popen([sys.executable, "-c", RUNNER, log.name, "on" if cache else "off"], cwd=site,
                                 env=env, stdout=subprocess.PIPE, text=True)
        samples = []
        while build.poll() is None:
            samples.append((time.time(), rss_mb(build.pid), max(map(rss_mb, children(build.pid)), default=0)))
            time.sleep(0.01)
        out = build.communicate()[0].split()
        marks = [(float(when), stage) for when, stage in (line.split(" ", 1) for line in log.read().splitlines())]
    peaks: dict[str, list[int]] = {}
    for when, own, child in samples:
        stage = next((name for start, name in reversed(marks) if start <= when), "(start)")
        peak = peaks.setdefault(stage, [0, 0])
        peak[0], peak[1] = max(peak[0], own), max(peak[1], child)
    print(f"{tree} ({'cache' if cache else '--no-cache'}): {out[0]}, ru_maxrss {out[1]} MB, children {out[2]} MB")
    for stage, (own, child) in peaks.items():
        print(f"  {stage:12s} build {own:6d} MB   largest child {child:6d} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--against", type=Path, default=None, help="also build with the package in this tree, first")
    parser.add_argument("--no-cache", action="store_true", help="build with --no-cache (no save cache stage)")
    args = parser.parse_args()
    for tree in ([args.against] if args.against else []) + [HERE.parent]:
        measure(args.site.resolve(), tree.resolve(), not args.no_cache)


if __name__ == "__main__":
    main()
