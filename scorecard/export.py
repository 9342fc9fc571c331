"""scorecard.json: every assessment's answers and scores, and the rubric they were scored with.

The shape is documented in docs/json.md and versioned by `schema`; other tools read it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import __version__
from .rubric import Rubric
from .scoring import one_decimal
from .site import Scored, assessment_url

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
    }


def scorecard_json(rubric: Rubric, scored: list[Scored]) -> str:
    """The text of scorecard.json, assessments in slug order."""
    document = {
        "schema": SCHEMA,
        "generator": f"scorecard {__version__}",
        "rubric": rubric_json(rubric),
        "assessments": [assessment_json(s) for s in sorted(scored, key=lambda s: s.assessment.slug)],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # The same JSON with '<', '>' and '&' as \u escapes (they occur only inside strings), so that
    # a hostile title cannot close a <script> the file is inlined into.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
