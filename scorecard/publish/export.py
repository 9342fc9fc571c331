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
import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scorecard import __version__
from scorecard.core.assessment import Assessment, Response
from scorecard.core.lift import NextGrade
from scorecard.core.rubric import Rubric
from scorecard.core.scoring import Scorecard, one_decimal
from scorecard.site.badge import assessment_badge
from scorecard.site.model import Exports, Scored
from scorecard.site.search import script_safe
from scorecard.site.urls import assessment_url, badge_url, published_url

SCHEMA = "scorecard/1"
_encode_string = json.encoder.encode_basestring  # how json.dumps(ensure_ascii=False) writes a string


def assessment_exports(rubric: Rubric, a: Assessment, card: Scorecard, lift: NextGrade | None) -> Exports:
    """What the exports hold of one assessment; `lift` is `next_grade(rubric, card)`, worked out once
    for the exports and the page."""
    *cells, ratings = csv_cells(rubric, a, card)
    return Exports(assessment_entry(a, card, rubric, lift), csv_fields(cells), csv_line_end([ratings]),
                   assessment_badge(rubric, a.title, card).encode("utf-8"))


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
        "version": rubric.version,
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


def next_grade_json(found: NextGrade | None) -> dict[str, Any] | None:
    """How far the next band is and what single moves would lift the score (`lift.next_grade`)."""
    if found is None:
        return None
    return {"grade": found.grade, "points_needed": score(found.points_needed),
            "moves": [{"section": m.section, "item": m.item, "to": m.to, "points": score(m.points),
                       "reaches": m.reaches}
                      for m in found.moves]}


def assessment_json(a: Assessment, card: Scorecard, rubric: Rubric | None = None,
                    lift: NextGrade | None = None) -> dict[str, Any]:
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
                        "ratings": [{"by": r.by, "value": r.value, "evidence": r.evidence}
                                    for r in item.response.ratings],
                        "exemption": exemption_json(item.response),
                    }
                    for item in section.items
                },
            }
            for section in card.sections
        },
        "overall": None if card.draft else score(card.overall),
        "grade": None if card.draft else card.grade,
        "verdict": None if card.draft else card.verdict,
        "gated": card.gate is not None,
        "gated_by": ({"section": card.gated_by.section, "item": card.gated_by.item, "answer": card.gated_by.answer}
                     if card.gated_by else None),
        "draft": card.draft,
        "next_grade": next_grade_json(lift) if rubric else None,
        "evidence_coverage": number(card.coverage),
        "unanswered": [f"{section}.{item}" for section, item in card.unanswered],
        "extra": dict(a.extra),
    }


def exemption_json(response: Response) -> dict[str, Any] | None:
    """An item's exemption, or None without one."""
    if not response.approved_by and response.expires is None:
        return None
    return {"approved_by": response.approved_by, "expires": response.expires.isoformat() if response.expires else None,
            "expired": response.expired}


def assessment_entry(a: Assessment, card: Scorecard, rubric: Rubric | None = None,
                     lift: NextGrade | None = None) -> str:
    """One assessment's object as it stands in scorecard.json's list (indented two levels).

    Made on its own, where each file is prepared, so that a build writes the file without
    encoding every assessment again (json's indenting encoder is pure Python, and slow).
    """
    return "    " + indented_json(assessment_json(a, card, rubric, lift), "    ")


def indented_json(value: Any, pad: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, each line after the first prefixed with
    `pad` (the first is for the caller to place): the same text, made some times faster, as the
    json module encodes an indented document in pure Python. Values of other kinds than JSON's
    own (which json would convert or refuse) go through json itself."""
    if type(value) is str:
        return _encode_string(value)
    if value is None or value is True or value is False:
        return "null" if value is None else ("true" if value else "false")
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    inner = pad + "  "
    if type(value) is dict and all(type(key) is str for key in value):
        return ("{\n" + ",\n".join(f"{inner}{_encode_string(key)}: {indented_json(item, inner)}"
                                    for key, item in value.items()) + f"\n{pad}}}"
                if value else "{}")
    if type(value) in (list, tuple):
        return ("[\n" + ",\n".join(inner + indented_json(item, inner) for item in value) + f"\n{pad}]"
                if value else "[]")
    # JSON strings hold no raw line ends
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


def scorecard_json(rubric: Rubric, entries: Iterable[str]) -> str:
    """The text of scorecard.json, from each assessment's `assessment_entry` in slug order.

    The same text as `json.dumps` of the whole document with `indent=2`, made script-safe.
    """
    return "".join(scorecard_json_chunks(rubric, entries))


def scorecard_json_chunks(rubric: Rubric, entries: Iterable[str]) -> Iterator[str]:
    """The text of scorecard.json in pieces, to be written as they come: the rubric and the list's
    start with the first assessment, then one piece per further assessment, then the end."""
    document = {
        "schema": SCHEMA,
        "generator": f"scorecard {__version__}",
        "rubric": rubric_json(rubric),
        "assessments": [],
    }
    head = json.dumps(document, indent=2, ensure_ascii=False)
    assert head.endswith('"assessments": []\n}')
    # script_safe, piece by piece (it replaces single characters): a hostile title cannot close a
    # <script> the file is inlined into.
    each = iter(entries)
    first = next(each, None)
    if first is None:
        yield script_safe(head) + "\n"
        return
    yield script_safe(head[:-len("[]\n}")] + "[\n" + first)
    for entry in each:
        yield script_safe(",\n" + entry)
    yield "\n  ]\n}\n"


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
            "evidence_coverage", *items, "date", "review_by", "url", "ratings"]


def item_cell(value: str | int | None, missing: bool) -> str:
    """An answer or score as written; "unknown" when unanswered, "" when the item is not in the file."""
    if missing:
        return ""
    return "unknown" if value is None else str(value)


def csv_cells(rubric: Rubric, a: Assessment, card: Scorecard) -> tuple[str, ...]:
    """An assessment's row of scorecard.csv but its last cell, the URL (which depends on the base URL)."""
    items = []
    for section in rubric.sections:
        section_score = card.section(section.id)
        assert section_score is not None
        items.append("n/a" if section_score.shown is None else str(section_score.shown))
        items += [item_cell(i.response.value, i.response.missing) for i in section_score.items]
    coverage = number(card.coverage)
    return (a.slug, a.title, a.status, a.owner, "; ".join(a.authors), "; ".join(a.tags),
            "" if card.draft else str(card.shown),
            card.grade, "" if card.draft else card.verdict, "true" if card.gate is not None else "false",
            "" if coverage is None else str(coverage), *items, a.date.isoformat(),
            a.review_by.isoformat() if a.review_by else "", ratings_cell(card))


def ratings_cell(card: Scorecard) -> str:
    """Every item rated by several people: "slates.search: Ana Ruiz 4, Tom Becker 2; …"."""
    return "; ".join(f"{i.section}.{i.item}: " + ", ".join(f"{r.by} {'unknown' if r.value is None else r.value}"
                                                           for r in i.response.ratings)
                     for s in card.sections for i in s.items if i.response.ratings)


def scorecard_csv(rubric: Rubric, scored: Sequence[Scored], base_url: str = "") -> str:
    """The text of scorecard.csv: a header and one row per assessment in slug order (RFC 4180)."""
    return "".join(scorecard_csv_chunks(rubric, scored, base_url))


def csv_fields(cells: Iterable[str]) -> str:
    """Cells as a row of scorecard.csv writes them, each neutralised, quoted where need be and followed
    by a comma: a row's pieces written apart join as the row written whole (the CSV dialect quotes
    each cell by what it holds alone; the extra empty cell keeps a lone empty one from being quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([*(neutralise(cell) for cell in cells), ""])
    return buffer.getvalue()[:-2]


def csv_line_end(cells: Iterable[str]) -> str:
    """The last cells of a row of scorecard.csv as written, with the line's end instead of a last comma."""
    return csv_fields(cells)[:-1] + "\r\n"


def scorecard_csv_chunks(rubric: Rubric, scored: Sequence[Scored], base_url: str = "") -> Iterator[str]:
    """The text of scorecard.csv in pieces, one row each, to be written as they come."""
    yield csv_line_end(csv_columns(rubric))
    for s in sorted(scored, key=lambda s: s.assessment.slug):
        url = published_url(base_url, assessment_url(s.assessment.slug))
        yield s.exports.csv_before + csv_fields([url]) + s.exports.csv_after


# -- badges --------------------------------------------------------------------------------------

def badge_files(scored: list[Scored]) -> Iterator[tuple[str, bytes]]:
    """Each assessment's badge, at assessments/<slug>/badge.svg."""
    return ((badge_url(s.assessment.slug), s.exports.badge) for s in scored)
