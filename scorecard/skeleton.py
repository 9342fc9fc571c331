"""The text of a new assessment, pre-filled from the rubric in use (`scorecard new`)."""

from __future__ import annotations

import datetime as dt
import json

from .rubric import UNKNOWN, Rubric


def quoted(text: str) -> str:
    """A YAML double-quoted string (JSON's escaping is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def assessment_skeleton(rubric: Rubric, title: str, date: dt.date, authors: list[str]) -> str:
    """A new assessment: every question and criterion present, unanswered, its prompt as a comment."""
    lines = [
        "---",
        f"title: {quoted(title)}",
        "draft: true            # remove when it is ready to be scored and ranked",
        'summary: ""            # one sentence: what changes, for whom',
        'owner: ""              # the team that owns the initiative',
        f"authors: [{', '.join(quoted(a) for a in authors)}]",
        f"status: {rubric.statuses[0]}          # one of: {', '.join(rubric.statuses)}",
        f"date: {date.isoformat()}",
        "# review_by: YYYY-MM-DD  # when it must be looked at again",
        "tags: []",
        "related: []            # slugs of other assessments",
    ]
    for section in rubric.sections:
        key = section.scale.value_key
        lines.append(f"{section.id}:                # {section.title}: {section.scale.describe()}")
        for item in section.items:
            if item.prompt:
                lines.append(f"  # {' '.join(item.prompt.split())}")
            lines.append(f'  {item.id}: {{{key}: {UNKNOWN}, evidence: ""}}')
    lines += ["---", "## Context", "", "## What changes for the customer", "", "## Risks", ""]
    return "\n".join(lines)
