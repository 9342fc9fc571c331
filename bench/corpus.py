"""A deterministic synthetic site for the build benchmark.

    python bench/corpus.py DIR [--assessments 1000] [--git]

Writes DIR/content/rubric.yml (the demo's rubric: the default one extended with the "Customer
job" section) and DIR/content/assessments/initiative-NNNNN.md, about 6 KB each: full front matter
(every trust answer and every score with its evidence), a body of four sections with paragraphs,
lists, emphasis, inline code and links, three tags from a shared pool of 40 and one of 20 owners.
The same N always gives the same bytes. With --git the site is also a git repository with one
commit, so the build's history stage has something to read.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

ANSWERS = ("yes", "partly", "no", "unknown")
OWNERS = tuple(f"Team {name}" for name in (
    "Aurora", "Beacon", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbour", "Iris", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Rowan", "Summit", "Tundra"))
TAGS = tuple(f"topic-{n:02d}" for n in range(40))
AUTHORS = tuple(f"Author {chr(65 + n)}" for n in range(26))
STATUSES = ("proposed", "pilot", "adopted", "retired")
WORDS = ("customer", "community", "answer", "forum", "search", "signal", "team", "trust", "review", "support",
         "member", "moderator", "article", "thread", "question", "feedback", "product", "release", "channel",
         "survey", "metric", "quarter", "pilot", "response", "contributor", "knowledge", "notification", "digest")

RUBRIC = """\
# The demo's rubric: the default one and the customer-job parameters.
extends: default
sections:
  - id: customer_job
    title: Customer job
    description: >-
      Every single customer job is defined by three parameters: the job importance, the pain
      severity, and the gain relevance.
    weight: 0.2
    scale: {min: 0, max: 5}
    items:
      - id: importance
        title: Job importance
        prompt: How important is the job the customer is trying to get done?
        top: The job is essential to the customer, in work or in life.
      - id: pain_severity
        title: Pain severity
        prompt: How painful is getting that job done today?
        top: Doing the job today is slow, costly or frustrating, and customers say so.
      - id: gain_relevance
        title: Gain relevance
        prompt: How much does the customer gain if we help them get the job done?
        top: Helping with the job gives the customer an essential gain, not a nice-to-have.
"""


def slug(number: int) -> str:
    return f"initiative-{number:05d}"


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def evidence(rng: random.Random) -> str:
    return (f"{sentence(rng, 9)[:-1]}, measured at {rng.randint(5, 95)}% in Q{rng.randint(1, 4)} 2026 "
            f"(n={rng.randint(50, 900)}).")


def paragraph(rng: random.Random, number: int, total: int) -> str:
    parts = [sentence(rng, rng.randint(7, 12)) for _ in range(4)]
    parts[1] = parts[1][:-1] + f", with *{rng.choice(WORDS)}* and `{rng.choice(WORDS)}_{rng.randint(1, 99)}` in play."
    other = (number * 7 + rng.randint(1, 50)) % total
    parts[2] = parts[2][:-1] + f" (see [{slug(other)}]({slug(other)}.md) and [the guide](https://example.org/guide/{number}))."
    parts[3] = parts[3][:-1] + " — **this matters**."
    return " ".join(parts)


def assessment(number: int, total: int) -> str:
    """Assessment `number` of `total`: the same text every time for the same pair."""
    rng = random.Random(number)
    tags = sorted(rng.sample(TAGS, 3))
    authors = sorted(rng.sample(AUTHORS, 2))

    def score() -> str:
        value = rng.choice((0, 1, 2, 3, 4, 5, 5, 4, 3))
        return f"{{score: {value}, evidence: \"{evidence(rng)}\"}}"

    def answer() -> str:
        return f"{{answer: {rng.choice(ANSWERS[:3])}, evidence: \"{evidence(rng)}\"}}"

    front = f"""---
title: Initiative {number}
summary: {sentence(rng, 16)}
owner: {OWNERS[number % len(OWNERS)]}
authors: [{", ".join(authors)}]
status: {STATUSES[number % len(STATUSES)]}
date: 2026-{1 + number % 12:02d}-{1 + number % 28:02d}
tags: [{", ".join(tags)}]
trust:
  better_product: {answer()}
  return:         {answer()}
  recommend:      {answer()}
  builds_trust:   {answer()}
slates:
  search:     {score()}
  links:      {score()}
  authorship: {score()}
  tags:       {score()}
  extensions: {score()}
  signals:    {score()}
customer_job:
  importance:     {score()}
  pain_severity:  {score()}
  gain_relevance: {score()}
---
"""
    body = []
    for heading in ("Context", "What changes for the customer", "Risks", "Next steps"):
        body.append(f"## {heading}\n")
        body.append(paragraph(rng, number, total) + "\n")
        body.append("".join(f"- {sentence(rng, rng.randint(5, 9))}\n" for _ in range(3)))
        body.append(paragraph(rng, number, total) + "\n")
    return front + "\n" + "\n".join(body)


def write_corpus(root: Path, total: int, git: bool = False) -> None:
    """Write a site of `total` assessments at `root` (and commit it, with `git`)."""
    folder = root / "content" / "assessments"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "content" / "rubric.yml").write_text(RUBRIC, encoding="utf-8")
    for number in range(total):
        (folder / f"{slug(number)}.md").write_text(assessment(number, total), encoding="utf-8")
    if git:
        env = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        (root / ".gitignore").write_text("/output/\n/.scorecard-cache/\n")
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(root), *env, "commit", "-q", "-m", "Generated corpus",
                        "--date", "2026-01-01T00:00:00Z"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--git", action="store_true", help="make the site a git repository with one commit")
    args = parser.parse_args()
    write_corpus(args.dir, args.assessments, args.git)
    print(f"wrote {args.assessments} assessments to {args.dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
