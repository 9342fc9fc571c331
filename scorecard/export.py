"""The exports: scorecard.json (every assessment's answers and scores, and the rubric they were
scored with), scorecard.csv (one row per assessment, for spreadsheets) and each assessment's
badge.svg (for wikis and READMEs).

The JSON shape is documented in docs/json.md and versioned by `schema`; the CSV columns in
docs/exports.md. Other tools read both.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import __version__
from .badge import assessment_badge
from .rubric import Rubric
from .scoring import one_decimal
from .search import script_safe
from .site import Scored, assessment_url, badge_url, published_url

SCHEMA = "scorecard/1"


def number(value: Fraction | None) -> float | int | None:
    """A Fraction as a JSON number: whole numbers stay whole, others are written with up to 4 decimals."""
    if value is None:
        return None
    if value.denominator == 1:
        return value.numerator
    return float(round(Decimal(value.numerator) / Decimal(value.denominator), 4))


def score(value: Fraction | None) -> float | None:
    """A 0–100 score as shown: one decimal."""
    return None if value is None else float(one_decimal(value))


def rubric_json(rubric: Rubric) -> dict[str, Any]:
    return {
        "name": rubric.name,
        "source": rubric.source,
        "statuses": list(rubric.statuses),
        "bands": [{"grade": b.grade, "min": number(b.min), "verdict": b.verdict} for b in rubric.bands],
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "weight": number(s.weight),
                "scale": ({"choices": {name: number(v) for name, v in s.scale.choices}} if s.scale.is_choice
                          else {"min": s.scale.min, "max": s.scale.max}) | {"allow_na": s.scale.allow_na},
                "items": [
                    {"id": i.id, "title": i.title, "prompt": i.prompt, "weight": number(i.weight),
                     "gate": {"when": i.gate.when, "verdict": i.gate.verdict} if i.gate else None}
                    for i in s.items
                ],
            }
            for s in rubric.sections
        ],
    }


def assessment_json(scored: Scored) -> dict[str, Any]:
    a, card = scored.assessment, scored.scorecard
    return {
        "slug": a.slug,
        "url": assessment_url(a.slug),
        "source": a.path,
        "title": a.title,
        "summary": a.summary,
        "status": a.status,
        "owner": a.owner,
        "authors": list(a.authors),
        "date": a.date.isoformat(),
        "review_by": a.review_by.isoformat() if a.review_by else None,
        "tags": list(a.tags),
        "related": list(a.related),
        "sections": {
            section.section: {
                "score": score(section.score),
                "items": {
                    item.item: {
                        "value": item.response.value,
                        "points": number(item.points),
                        "evidence": item.response.evidence,
                        "reason": item.response.reason,
                    }
                    for item in section.items
                },
            }
            for section in card.sections
        },
        "overall": score(card.overall),
        "grade": card.grade,
        "verdict": card.verdict,
        "gated": card.gate is not None,
        "evidence_coverage": number(card.coverage),
        "unanswered": [f"{section}.{item}" for section, item in card.unanswered],
        "extra": dict(a.extra),
    }


def scorecard_json(rubric: Rubric, scored: list[Scored]) -> str:
    """The text of scorecard.json, assessments in slug order."""
    document = {
        "schema": SCHEMA,
        "generator": f"scorecard {__version__}",
        "rubric": rubric_json(rubric),
        "assessments": [assessment_json(s) for s in sorted(scored, key=lambda s: s.assessment.slug)],
    }
    # script_safe: a hostile title cannot close a <script> the file is inlined into.
    return script_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


# -- scorecard.csv ---------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection)."""


def neutralise(cell: str) -> str:
    """The cell, prefixed with ' when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_columns(rubric: Rubric) -> list[str]:
    """The header row: fixed columns, then each section's score and its items, then dates and URL."""
    items = [name for s in rubric.sections for name in (s.id, *(f"{s.id}.{i.id}" for i in s.items))]
    return ["slug", "title", "status", "owner", "authors", "tags", "score", "grade", "verdict", "gated",
            "evidence_coverage", *items, "date", "review_by", "url"]


def item_cell(value: str | int | None, missing: bool) -> str:
    """An answer or score as written; "unknown" when unanswered, "" when the item is not in the file."""
    if missing:
        return ""
    return "unknown" if value is None else str(value)


def csv_row(rubric: Rubric, scored: Scored, base_url: str) -> list[str]:
    a, card = scored.assessment, scored.scorecard
    items = []
    for section in rubric.sections:
        section_score = card.section(section.id)
        assert section_score is not None
        items.append("n/a" if section_score.shown is None else str(section_score.shown))
        items += [item_cell(i.response.value, i.response.missing) for i in section_score.items]
    coverage = number(card.coverage)
    return [a.slug, a.title, a.status, a.owner, "; ".join(a.authors), "; ".join(a.tags), str(card.shown), card.grade,
            card.verdict, "true" if card.gate is not None else "false", "" if coverage is None else str(coverage), *items, a.date.isoformat(),
            a.review_by.isoformat() if a.review_by else "", published_url(base_url, assessment_url(a.slug))]


def scorecard_csv(rubric: Rubric, scored: list[Scored], base_url: str = "") -> str:
    """The text of scorecard.csv: a header and one row per assessment in slug order (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [csv_columns(rubric)] + [csv_row(rubric, s, base_url) for s in sorted(scored, key=lambda s: s.assessment.slug)]:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


# -- badges --------------------------------------------------------------------------------------

def badge_files(rubric: Rubric, scored: list[Scored]) -> dict[str, bytes]:
    """Each assessment's badge, at assessments/<slug>/badge.svg."""
    return {badge_url(s.assessment.slug): assessment_badge(rubric, s.assessment.title, s.scorecard).encode("utf-8")
            for s in scored}
