"""`scorecard init`: the files of a new site that builds as it is.

Writing never replaces a file: each is opened with "x", and a file that is already there is kept
and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from scorecard.source.config import CONFIG_FILE

CONFIG_TEXT = """\
# Settings of this scorecard site; every key is optional (the values below are the defaults
# unless marked). The reference is docs/config.md in scorecard's repository.
title: "{title}"                # the site's title (default: Scorecard)
description: ""                 # "" uses the rubric's description
content_dir: content            # the rubric and assessments
output_dir: output              # where `scorecard build` writes the site
theme: default                  # or the name of a folder under themes/ that overrides the default theme
base_url: ""                    # e.g. https://example.org/scorecard/ (sitemap, feed)
edit_url: ""                    # e.g. https://git.example.org/team/site/edit/main/{{path}}
stale_after_days: 365           # an assessment older than this is due for review
language: en                    # the lang of every page
unsafe_html: false              # true lets raw HTML in assessments through: only for fully trusted authors
map_across: slates              # the section placing each point of the portfolio map across
map_up: trust                   # and the one placing it up
"""

GITIGNORE_TEXT = """\
# The built site: `scorecard build` makes it again from content/.
/output/
"""

EXAMPLE_TEXT = """\
---
title: Customer community forum
summary: Move product support from email to a forum where customers answer each other.
owner: Support Operations
authors: [Your Name]
status: pilot
date: {today}
tags: [support, community]
related: []
trust:
  better_product: {{answer: "yes", evidence: "Median time to an answer fell from 26 h to 4 h in the pilot."}}
  return:         {{answer: partly, evidence: "41% of pilot customers posted again within 60 days."}}
  recommend:      {{answer: unknown}}
  builds_trust:   {{answer: "yes", evidence: "71% of surveyed customers trust the answers they find on the forum."}}
slates:
  search:     {{score: 4, evidence: "Forum search ends 62% of sessions without a ticket."}}
  links:      {{score: 3, evidence: "Answers link to the manual, but the manual does not link back."}}
  authorship: {{score: 5, evidence: "Every post is under a named account."}}
  tags:       {{score: 2, evidence: "Only 14 fixed categories; customers cannot add tags."}}
  extensions: {{score: n/a, reason: "No integrations are planned."}}
  signals:    {{score: 4, evidence: "Customers follow threads and get notices of new answers."}}
---
This is an example assessment: edit it, or copy it for each initiative (`scorecard new "Title"`
writes a blank one). While `scorecard serve` runs, every save shows in the browser.

## What changes for the customer

Customers get answers from each other at any hour, and can see that others had the same problem.

## Risks

Wrong answers from other customers; support staff must watch the forum.
"""


@dataclass(frozen=True)
class InitResult:
    written: tuple[str, ...]
    kept: tuple[str, ...]
    """Files that were already there and were left as they were (only with --force)."""


def starter_files(title: str, today: dt.date) -> dict[str, str]:
    """The new site's files, path from the site root → text."""
    rubric = resources.files("scorecard.core").joinpath("rubric.yml").read_text(encoding="utf-8")
    return {
        CONFIG_FILE: CONFIG_TEXT.format(title=title.replace("\\", "\\\\").replace('"', '\\"')),
        "content/rubric.yml": rubric,
        "content/assessments/example.md": EXAMPLE_TEXT.format(today=today.isoformat()),
        ".gitignore": GITIGNORE_TEXT,
    }


def is_empty(directory: Path) -> bool:
    """True when `directory` does not exist or holds nothing."""
    return not directory.exists() or (directory.is_dir() and not any(directory.iterdir()))


def write_starter(directory: Path, files: dict[str, str]) -> InitResult:
    """Write `files` under `directory`, keeping any file that is already there."""
    written, kept = [], []
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
                handle.write(text)
        except FileExistsError:
            kept.append(relative)
            continue
        written.append(relative)
    return InitResult(tuple(written), tuple(kept))
