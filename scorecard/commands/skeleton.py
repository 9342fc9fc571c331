"""The text of a new assessment, pre-filled from the rubric in use (`scorecard new`)."""

from __future__ import annotations

import datetime as dt
import json
import re

from scorecard.core.diagnostics import json_for_logs
from scorecard.core.rubric import UNKNOWN, Rubric


def quoted(text: str) -> str:
    """A YAML double-quoted string (JSON's escaping is valid YAML), on one line: the line breaks JSON
    leaves raw (U+0085, U+2028, U+2029) escaped too."""
    return json_for_logs(json.dumps(text, ensure_ascii=False))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def comment(text: str) -> str:
    """Rubric text for a YAML comment: on one line, whatever line breaks it holds (YAML also ends a line
    at U+0085, U+2028 and U+2029), so that a rubric cannot end the front matter and write the body."""
    return _CONTROL.sub("", " ".join(text.split()))


def assessment_skeleton(rubric: Rubric, title: str, date: dt.date, authors: list[str]) -> str:
    """A new assessment: every question and criterion present, unanswered, its prompt as a comment."""
    lines = [
        "---",
        f"title: {quoted(title)}",
        "draft: true            # remove when it is ready to be scored and ranked",
        'summary: ""            # one sentence: what changes, for whom',
        'owner: ""              # the team that owns the initiative',
        f"authors: [{', '.join(quoted(a) for a in authors)}]",
        f"status: {quoted(rubric.statuses[0])}          # one of: {comment(', '.join(rubric.statuses))}",
        f"date: {date.isoformat()}",
        "# review_by: YYYY-MM-DD  # when it must be looked at again",
        "tags: []",
        "related: []            # slugs of other assessments",
    ]
    for section in rubric.sections:
        key = section.scale.value_key
        lines.append(f"{section.id}:                # {comment(section.title)}: {comment(section.scale.describe())}")
        for item in section.items:
            if item.prompt:
                lines.append(f"  # {comment(item.prompt)}")
            lines.append(f'  {item.id}: {{{key}: {UNKNOWN}, evidence: ""}}')
    lines += ["---", "## Context", "", "## What changes for the customer", "", "## Risks", ""]
    return "\n".join(lines)
