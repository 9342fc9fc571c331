"""Issue 13, point 7: what lifts the grade, worked out by hand on the default rubric.

The assessment (the README's forum, without its Customer job): trust better_product yes,
return partly, recommend unknown, builds_trust yes (weight 2); SLATES 4, 3, 5, 2, n/a, 4.

- Trust = 100 × (1 + 0.5 + 0 + 1 × 2) / 5 = 70; SLATES = 100 × (4+3+5+2+4) / 25 = 72.
- Overall = (0.6 × 70 + 0.4 × 72) / 1 = 42 + 28.8 = 70.8, Promising. Strong starts at 80:
  80 − 70.8 = 9.2 points needed.
- One item to the top, gain = section weight × 100 × item weight × (1 − value) / Σ item weights / Σ section weights:
  recommend 0 → yes: 0.6 × 100 × 1 × 1 / 5 / 1 = 12.0 (82.8: Strong, it reaches);
  return 0.5 → yes: 0.6 × 100 × 0.5 / 5 = 6.0 (76.8: not enough);
  tags 2 → 5: 0.4 × 100 × 3/5 / 5 = 4.8; links 3 → 5: 0.4 × 100 × 2/5 / 5 = 3.2;
  search 4 → 5 and signals 4 → 5: 0.4 × 100 × 1/5 / 5 = 1.6 each (rubric order for the tie).
  better_product, builds_trust and authorship are at the top; extensions is n/a: no move.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from fractions import Fraction
from pathlib import Path

from conftest import assessment_text, parse, write_site
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.core.lift import Move, next_grade, shown_after
from scorecard.core.options import BuildOptions
from scorecard.core.rubric import default_rubric
from scorecard.core.scoring import one_decimal, score_assessment
from scorecard.pipeline.build import build

TRUST = {"better_product": '{answer: "yes", evidence: "e"}', "return": '{answer: partly, evidence: "e"}',
         "recommend": "{answer: unknown}", "builds_trust": '{answer: "yes", evidence: "e"}'}
SLATES = {"search": '{score: 4, evidence: "e"}', "links": '{score: 3, evidence: "e"}',
          "authorship": '{score: 5, evidence: "e"}',
          "tags": '{score: 2, evidence: "e"}', "extensions": '{score: n/a, reason: "r"}',
          "signals": '{score: 4, evidence: "e"}'}


def test_the_next_grade_and_the_single_moves_towards_it() -> None:
    rubric = default_rubric()
    card = score_assessment(rubric, parse(assessment_text(trust=TRUST, slates=SLATES)))
    assert (str(card.shown), card.grade) == ("70.8", "Promising")
    found = next_grade(rubric, card)
    assert found is not None and (found.grade, found.points_needed) == ("Strong", Fraction(92, 10))
    assert found.moves == (
        Move("trust", "recommend", "yes", Fraction(12), True),
        Move("trust", "return", "yes", Fraction(6), False),
        Move("slates", "tags", "5", Fraction(48, 10), False),
        Move("slates", "links", "5", Fraction(32, 10), False),
        Move("slates", "search", "5", Fraction(16, 10), False),
        Move("slates", "signals", "5", Fraction(16, 10), False),
    )


def test_nothing_above_the_top_band() -> None:
    # Everything at the top: trust 100, SLATES 100, overall 100.0 Strong: no next grade.
    trust = dict.fromkeys(TRUST, '{answer: "yes", evidence: "e"}')
    slates = dict.fromkeys(SLATES, '{score: 5, evidence: "e"}')
    rubric = default_rubric()
    assert next_grade(rubric, score_assessment(rubric, parse(assessment_text(trust=trust, slates=slates)))) is None


def test_the_page_and_json_say_what_lifts_the_grade(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/assessments/forum.md": assessment_text(trust=TRUST, slates=SLATES),
                                 "content/assessments/gated.md": assessment_text(
                                     title="Gated", trust=dict(TRUST, builds_trust='{answer: "no", evidence: "e"}'),
                                     slates=SLATES)})
    assert build(BuildOptions.at(root, today=dt.date(2026, 9, 14))).ok
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (root / "output/assessments/forum/index.html").read_text()))
    assert "9.2 points to Strong ." in page
    assert "Return Trust yes +6.0 no" in page and "Recommend Trust yes +12.0 yes" in page
    data = {a["slug"]: a for a in json.loads((root / "output/scorecard.json").read_text())["assessments"]}
    lift = data["forum"]["next_grade"]
    assert (lift["grade"], lift["points_needed"]) == ("Strong", 9.2)
    assert lift["moves"][0] == {"section": "trust", "item": "recommend", "to": "yes", "points": 12.0, "reaches": True}
    # Gated: builds_trust no (weight 2): trust = 100 × (1 + 0.5 + 0 + 0) / 5 = 30; overall 18 + 28.8 = 46.8,
    # Weak; the page says first that the gate must be cleared.
    gated = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (root / "output/assessments/gated/index.html").read_text()))
    assert ("First the gate: while Will this help build trust between the customer and the company? is answered no"
            in gated)
    # 60 − 46.8
    assert data["gated"]["next_grade"]["grade"] == "Promising" and data["gated"]["next_grade"]["points_needed"] == 13.2


def test_a_move_is_judged_on_the_score_as_shown() -> None:
    """`shown_after` rounds half up to one decimal in whole numbers, as `one_decimal` does with Decimal:
    79.95 shows as 80.0 (Strong), 79.9499… as 79.9; (20n + d) // 2d: 1599/20 → (31980 + 20) // 40 = 800 tenths."""
    assert shown_after(Fraction(1599, 20)) == Fraction(80)
    assert shown_after(Fraction(7995, 100) - Fraction(1, 10**6)) == Fraction(799, 10)
    assert shown_after(Fraction(0)) == 0


@given(st.fractions(min_value=0, max_value=100, max_denominator=10**6))
@settings(max_examples=500, deadline=None)
def test_shown_after_agrees_with_one_decimal(value: Fraction) -> None:
    half_up = Fraction(math.floor(value * 10 + Fraction(1, 2)), 10)  # the rule as written: round half up to tenths
    assert shown_after(value) == half_up == Fraction(one_decimal(value))
