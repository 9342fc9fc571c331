"""Scoring rules of the default rubric, each with its arithmetic worked by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import assessment_text, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.core.rubric import parse_rubric
from scorecard.core.scoring import one_decimal, score_assessment, weighted_mean

ALL_YES = {"better_product": '{answer: "yes", evidence: e}', "return": '{answer: "yes", evidence: e}',
           "recommend": '{answer: "yes", evidence: e}', "builds_trust": '{answer: "yes", evidence: e}'}
ALL_FIVE = dict.fromkeys(("search", "links", "authorship", "tags", "extensions", "signals"), "{score: 5, evidence: e}")


def score(rubric, trust=None, slates=None):
    return score_assessment(rubric, parse(assessment_text(trust=trust, slates=slates), rubric))


def test_the_example_of_the_format(rubric):
    card = score(rubric, trust={
        "better_product": '{answer: "yes", evidence: "26 h to 4 h"}',
        "return": '{answer: partly, evidence: "41% came back"}',
        "recommend": "{answer: unknown}",
        "builds_trust": '{answer: "yes", evidence: "survey"}',
    }, slates={
        "search": "{score: 4, evidence: e}", "links": "3", "authorship": "{score: 5, evidence: e}",
        "tags": "{score: 2, evidence: e}", "extensions": '{score: n/a, reason: "No integrations."}',
        "signals": "{score: 4, evidence: e}",
    })
    # trust: (1·1 + 0.5·1 + 0·1 + 1·2) / (1+1+1+2) = 3.5/5 = 70
    # slates, extensions left out: (4+3+5+2+4)/5 criteria/5 points = 18/25 = 72
    # overall: (0.6·70 + 0.4·72) / 1.0 = 42 + 28.8 = 70.8 → Promising (60 ≤ 70.8 < 80)
    assert card.section("trust").score == 70
    assert card.section("slates").score == 72
    assert card.shown == Decimal("70.8")
    assert (card.grade, card.verdict) == ("Promising", "Makes customer sense with gaps")
    assert card.unanswered == (("trust", "recommend"),)
    # claims above 0: 3 trust answers + 5 slates scores = 8; `links: 3` has no evidence → 7/8
    assert (card.claims, card.supported) == (8, 7)
    assert card.coverage == Fraction(7, 8)


def test_all_best_answers_score_100(rubric):
    card = score(rubric, ALL_YES, ALL_FIVE)
    assert card.overall == 100
    assert (card.grade, card.verdict) == ("Strong", "Makes customer sense")


def test_builds_trust_counts_twice(rubric):
    # Only builds_trust yes: 2/5 = 40; only better_product yes: 1/5 = 20.
    unknown = dict.fromkeys(ALL_YES, "{answer: unknown}")
    assert score(rubric, unknown | {"builds_trust": '{answer: "yes", evidence: e}'},
                 ALL_FIVE).section("trust").score == 40
    assert score(rubric, unknown | {"better_product": '{answer: "yes", evidence: e}'},
                 ALL_FIVE).section("trust").score == 20


def test_builds_trust_no_is_a_gate_whatever_the_numbers(rubric):
    card = score(rubric, ALL_YES | {"builds_trust": '{answer: "no", evidence: "data is sold"}'}, ALL_FIVE)
    # trust: (1+1+1+0)/5 = 60; slates 100; overall 0.6·60 + 0.4·100 = 76 → Promising by the numbers
    assert card.shown == Decimal("76.0")
    assert card.grade == "Promising"
    assert card.verdict == "Erodes trust"
    assert card.gate is not None


def test_partly_on_builds_trust_is_not_the_gate(rubric):
    card = score(rubric, ALL_YES | {"builds_trust": '{answer: partly, evidence: e}'}, ALL_FIVE)
    assert card.gate is None and card.verdict != "Erodes trust"


def test_na_leaves_the_denominator(rubric):
    slates = dict.fromkeys(ALL_FIVE, "{score: 2, evidence: e}") | {
        "extensions": "{score: n/a, reason: none planned}", "tags": "{score: n/a, reason: phone line}"}
    # four criteria at 2/5 → 40, not (4·2)/(6·5) = 26.7
    assert score(rubric, ALL_YES, slates).section("slates").score == 40


def test_section_all_na_is_left_out_of_the_overall(rubric):
    slates = dict.fromkeys(ALL_FIVE, "{score: n/a, reason: r}")
    card = score(rubric, ALL_YES | {"recommend": "{answer: partly, evidence: e}"}, slates)
    # trust (1+1+0.5+2)/5 = 90; slates has no score, so overall = 90, not 0.6·90 = 54
    assert card.section("slates").score is None
    assert card.shown == Decimal("90.0")


def test_unknown_and_missing_count_zero_and_are_unanswered(rubric):
    trust = {"better_product": '{answer: "yes", evidence: e}', "builds_trust": "{answer: unknown}"}
    card = score(rubric, trust, ALL_FIVE)
    # return and recommend missing, builds_trust unknown: 1/5 = 20
    assert card.section("trust").score == 20
    assert set(card.unanswered) == {("trust", "return"), ("trust", "recommend"), ("trust", "builds_trust")}


def test_a_blank_answer_is_unanswered(rubric):
    card = score(rubric, ALL_YES | {"recommend": ""}, ALL_FIVE)
    assert ("trust", "recommend") in card.unanswered


def test_zero_claims_give_no_coverage(rubric):
    card = score(rubric, dict.fromkeys(ALL_YES, '{answer: "no"}'), dict.fromkeys(ALL_FIVE, "0"))
    assert card.claims == 0 and card.coverage is None
    assert card.overall == 0 and card.grade == "Poor"


@pytest.mark.parametrize(("value", "shown"), [
    (Fraction(625, 100), "6.3"),      # 6.25 rounds half up, not to even (6.2)
    (Fraction(6249, 1000), "6.2"),
    (Fraction(200, 3), "66.7"),       # 66.666…
    (Fraction(100, 3), "33.3"),
    (Fraction(0), "0.0"),
    (Fraction(100), "100.0"),
])
def test_one_decimal_rounds_half_up_exactly(value, shown):
    assert str(one_decimal(value)) == shown


def one_section_rubric(maximum: int) -> str:
    return f"""
name: One criterion
bands:
  - {{grade: Strong, min: 80, verdict: Good}}
  - {{grade: Promising, min: 60, verdict: Fair}}
  - {{grade: Poor, min: 0, verdict: Bad}}
sections:
  - id: only
    weight: 1
    scale: {{min: 0, max: {maximum}}}
    items: [{{id: x}}]
"""


def scored_on(maximum: int, value: int):
    rubric, problems = parse_rubric(one_section_rubric(maximum), "rubric.yml")
    assert rubric is not None and not problems
    text = f"---\ntitle: T\ndate: 2026-01-01\nonly:\n  x: {{score: {value}, evidence: e}}\n---\n"
    return score_assessment(rubric, parse(text, rubric))


def test_the_grade_is_read_from_the_shown_score():
    card = scored_on(2500, 1999)  # 1999/2500 = 79.96, shown as 80.0
    assert card.overall == Fraction(7996, 100)
    assert (str(card.shown), card.grade) == ("80.0", "Strong")


def test_band_boundaries():
    assert scored_on(5, 3).grade == "Promising"   # 3/5 = 60.0 exactly: ≥ 60
    assert scored_on(1000, 599).grade == "Poor"   # 59.9


def test_the_same_input_gives_the_same_digits(rubric):
    trust = dict.fromkeys(ALL_YES, "{answer: partly, evidence: e}")
    slates = dict.fromkeys(ALL_FIVE, "{score: 1, evidence: e}") | {"signals": "{score: 2, evidence: e}"}
    # trust 50; slates (5·1 + 2)/30 = 7/30 → 23.333…; overall 0.6·50 + 0.4·70/3 = 30 + 28/3 = 39.333… → 39.3, Poor
    card = score(rubric, trust, slates)
    assert card.overall == Fraction(30) + Fraction(28, 3)
    assert (str(card.shown), card.grade) == ("39.3", "Poor")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.fractions(min_value=0, max_value=1, max_denominator=12),
                          st.fractions(min_value=0, max_value=5, max_denominator=10)), max_size=12))
def test_weighted_mean_is_exactly_the_mean_in_fractions(pairs: list[tuple[Fraction, Fraction]]) -> None:
    # The definition, step by step in Fractions: Σ weight × value / Σ weight, None when the weights sum to 0.
    total = sum((weight for _, weight in pairs), Fraction(0))
    expected = None if total == 0 else sum((value * weight for value, weight in pairs), Fraction(0)) / total
    assert weighted_mean(pairs) == expected
