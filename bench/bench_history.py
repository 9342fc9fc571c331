"""Time the history stage of a build on a generated repository.

    python bench/bench_history.py [--assessments 1000] [--revisions 20] [--profile]

Writes a scratch git repository (with `git fast-import`, so making it is quick) holding N
assessments, each changed in every one of R commits — the SLATES scores, one trust answer and several evidence lines
move each time — then times `history.read_history` alone, as the build runs it, and prints seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scorecard.source import gitrepo
from scorecard.source.history import read_history, replay

ANSWERS = ("yes", "partly", "no", "unknown")


def assessment(number: int, revision: int) -> bytes:
    """Revision `revision` of assessment `number`: a realistic file whose scores move every time."""
    s = [(number + revision + k) % 6 for k in range(6)]
    return f"""---
title: Initiative {number}
summary: A generated initiative for the history benchmark, revision {revision}.
owner: Team {number % 17}
authors: [Author {number % 5}, Author {number % 7}]
status: pilot
date: 2026-0{1 + revision % 9}-1{revision % 10}
tags: [bench, group-{number % 13}]
trust:
  better_product: {{answer: "yes", evidence: "Answer times fell in revision {revision}."}}
  return:         {{answer: {ANSWERS[(number + revision) % 3]}, evidence: "Customers came back, per survey {revision}."}}
  recommend:      {{answer: unknown}}
  builds_trust:   {{answer: partly, evidence: "Trust went up {revision} points in the panel."}}
slates:
  search:     {{score: {s[0]}, evidence: "Search ended {revision}0% of sessions."}}
  links:      {{score: {s[1]}, evidence: "Pages link to each other."}}
  authorship: {{score: {s[2]}, evidence: "Everyone can write."}}
  tags:       {{score: {s[3]}, evidence: "Free tagging is on."}}
  extensions: {{score: n/a, reason: "No integrations are planned."}}
  signals:    {{score: {s[5]}, evidence: "Follows and digests, revision {revision}."}}
---
## Context

Initiative {number} is assessed again in revision {revision}. Lorem ipsum dolor sit amet, consectetur
adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.
""".encode()  # noqa: E501 - the file's own text: its `return:` line stays one YAML line like the others


def make_repo(repo: Path, assessments: int, revisions: int) -> None:
    """One commit per revision, each changing every assessment, streamed into `git fast-import`."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = bytearray()
    for revision in range(revisions):
        message = f"Revision {revision}\n".encode()
        when = 1767225600 + revision * 86400
        stream += b"commit refs/heads/main\n"
        stream += f"author Bench Author <bench@example.org> {when} +0000\n".encode()
        stream += f"committer Bench Author <bench@example.org> {when} +0000\n".encode()
        stream += b"data %d\n%s" % (len(message), message)
        for number in range(assessments):
            data = assessment(number, revision)
            stream += (b"M 100644 inline content/assessments/initiative-%04d.md\ndata %d\n%s\n"
                       % (number, len(data), data))
        stream += b"\n"
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=bytes(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--revisions", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "site"
        started = time.perf_counter()
        make_repo(repo, args.assessments, args.revisions)
        print(f"made {args.assessments} assessments × {args.revisions} revisions in "
              f"{time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        histories = read_history(repo, repo / "content")
        seconds = time.perf_counter() - started
        points = sum(len(h) for h in histories.values())
        print(f"history stage: {seconds:.2f} s ({len(histories)} assessments, {points} points)")

        # The same work in parts, to see which one costs what.
        t0 = time.perf_counter()
        commits = gitrepo.log(repo, "content")
        t1 = time.perf_counter()
        blobs = gitrepo.read_blobs(repo, [c.blob for commit in commits for c in commit.changes if c.status != "D"])
        t2 = time.perf_counter()
        replay(commits, blobs, "content")
        t3 = time.perf_counter()
        print(f"  in parts: git log {t1 - t0:.2f} s · cat-file {t2 - t1:.2f} s · parse and score in "
              f"one process {t3 - t2:.2f} s")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(replay, commits, blobs, "content")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
