"""The rubric: what the default one asks, how a site extends or replaces it, and the errors a
site's rubric.yml can contain, each on its line."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from scorecard.core.assessment import parse_assessment
from scorecard.core.diagnostics import Severity
from scorecard.core.rubric import Rubric, default_rubric, parse_rubric
from scorecard.core.scoring import score_assessment


def parse(text: str) -> tuple[Rubric | None, list]:
    return parse_rubric(text, "rubric.yml", base=default_rubric())


def parse_ok(text: str) -> Rubric:
    rubric, diagnostics = parse(text)
    assert diagnostics == [], [d.format() for d in diagnostics]
    assert rubric is not None
    return rubric


CUSTOMER_JOB = """\
extends: default
sections:
  - id: customer_job
    title: Customer job
    weight: 0.2
    scale: {min: 0, max: 5}
    items:
      - id: importance
        prompt: How important is the job the customer is trying to get done?
      - id: pain_severity
        prompt: How painful is getting that job done today?
      - id: gain_relevance
        prompt: How much does the customer gain if we help them get the job done?
"""


# -- the default rubric -------------------------------------------------------------------

def test_default_trust_questions_are_the_social_customers() -> None:
    trust = default_rubric().section("trust")
    assert trust is not None
    # The seed ("The social customer") asks in the first person: "what I'm doing", "trade with
    # me", "recommend me"; the rubric asks them for a team, "we" and "us". The last is verbatim.
    assert [(item.id, item.prompt) for item in trust.items] == [
        ("better_product", "Will the customer get a better product or service as a result of what we are doing?"),
        ("return", "Will the customer return and trade with us again?"),
        ("recommend", "Will the customer recommend us to others?"),
        ("builds_trust", "Will this help build trust between the customer and the company?"),
    ]
    assert [item.weight for item in trust.items] == [1, 1, 1, 2]
    gate = trust.item("builds_trust").gate
    assert gate is not None and (gate.when, gate.verdict) == ("no", "Erodes trust")
    assert [item.gate for item in trust.items[:3]] == [None, None, None]
    assert trust.weight == Fraction(6, 10)
    assert trust.scale.choices == (("yes", 1), ("partly", Fraction(1, 2)), ("no", 0))
    assert not trust.scale.allow_na


def test_default_slates_criteria() -> None:
    slates = default_rubric().section("slates")
    assert slates is not None
    assert [item.id for item in slates.items] == ["search", "links", "authorship", "tags", "extensions", "signals"]
    assert [item.title for item in slates.items] == ["Search", "Links", "Authorship", "Tags", "Extensions", "Signals"]
    assert all(item.weight == 1 and item.gate is None and item.top for item in slates.items)
    assert (slates.scale.min, slates.scale.max, slates.scale.allow_na, slates.scale.is_choice) == (0, 5, True, False)
    assert slates.weight == Fraction(4, 10)


def test_default_sections_bands_and_statuses() -> None:
    rubric = default_rubric()
    assert [s.id for s in rubric.sections] == ["trust", "slates"]
    assert [(b.grade, b.min, b.verdict) for b in rubric.bands] == [
        ("Strong", 80, "Makes customer sense"),
        ("Promising", 60, "Makes customer sense with gaps"),
        ("Weak", 40, "Doubtful customer sense"),
        ("Poor", 0, "Does not make customer sense"),
    ]
    assert rubric.statuses == ("proposed", "pilot", "adopted", "retired")


@pytest.mark.parametrize(("score", "grade"), [
    (Fraction(100), "Strong"), (Fraction(80), "Strong"), (Fraction(7999, 100), "Promising"),
    (Fraction(60), "Promising"), (Fraction(40), "Weak"), (Fraction(3999, 100), "Poor"), (Fraction(0), "Poor"),
])
def test_default_bands_start_at_their_minimum(score: Fraction, grade: str) -> None:
    assert default_rubric().band_for(score).grade == grade


# -- extending and replacing ----------------------------------------------------------------

def test_extension_appends_a_section_and_keeps_the_default_ones() -> None:
    default = default_rubric()
    rubric = parse_ok(CUSTOMER_JOB)
    assert [s.id for s in rubric.sections] == ["trust", "slates", "customer_job"]
    assert rubric.section("trust") == default.section("trust")
    assert rubric.section("slates") == default.section("slates")
    assert (rubric.bands, rubric.statuses, rubric.name) == (default.bands, default.statuses, default.name)
    job = rubric.section("customer_job")
    assert [item.id for item in job.items] == ["importance", "pain_severity", "gain_relevance"]
    assert [item.weight for item in job.items] == [1, 1, 1]
    assert (job.scale.min, job.scale.max, job.scale.allow_na) == (0, 5, False)
    assert job.weight == Fraction(2, 10)  # exactly 1/5, not the float 0.2
    assert job.title == "Customer job"


def test_extension_changing_one_weight_keeps_the_other_items() -> None:
    default = default_rubric()
    rubric = parse_ok("extends: default\nsections:\n  - id: slates\n    items:\n"
                      "      - id: search\n        weight: 3\n")
    slates, old = rubric.section("slates"), default.section("slates")
    assert [item.id for item in slates.items] == [item.id for item in old.items]
    assert slates.item("search").weight == 3
    assert slates.item("search").prompt == old.item("search").prompt  # only the weight changed
    assert slates.items[1:] == old.items[1:]
    assert (slates.weight, slates.scale, slates.title) == (old.weight, old.scale, old.title)
    assert rubric.section("trust") == default.section("trust")


def test_extension_changing_a_section_weight_keeps_its_items() -> None:
    default = default_rubric()
    rubric = parse_ok("extends: default\nsections:\n  - id: trust\n    weight: 0.5\n")
    assert rubric.section("trust").weight == Fraction(1, 2)
    assert rubric.section("trust").items == default.section("trust").items


def test_a_rubric_without_extends_replaces_the_default() -> None:
    rubric = parse_ok("""\
name: Support quality
bands:
  - {grade: Bad, min: 0, verdict: Drop it}
  - {grade: Good, min: 50, verdict: Keep it}
sections:
  - id: quality
    scale: {choices: {"yes": 1, "no": 0}}
    items:
      - id: answered
        prompt: Is every question answered?
""")
    assert rubric.name == "Support quality"
    assert [s.id for s in rubric.sections] == ["quality"]
    assert rubric.section("trust") is None and rubric.section("slates") is None
    assert [(b.grade, b.min) for b in rubric.bands] == [("Good", 50), ("Bad", 0)]  # highest first
    assert rubric.section("quality").weight == 1


def test_a_rubric_without_extends_and_without_bands_says_why_it_fails() -> None:
    # Without `extends` nothing is inherited, bands included: the rubric is either usable or
    # refused with an error that says what is missing, never refused in silence.
    rubric, diagnostics = parse("sections:\n  - id: quality\n    scale: {min: 0, max: 5}\n    items:\n"
                                "      - id: answered\n")
    if rubric is None:
        assert [d for d in diagnostics if d.is_error and "bands" in d.message], [d.format() for d in diagnostics]


# -- errors, each on its line ---------------------------------------------------------------

RUBRIC_ERRORS = [
    pytest.param(
        "extends: default\n"            # 1
        "sections:\n"                   # 2
        "  - id: slates\n"              # 3
        "    items:\n"                  # 4
        "      - id: search\n"          # 5
        "        wieght: 3\n",          # 6
        6, "unknown item key 'wieght'", "did you mean 'weight'?", id="unknown item key"),
    pytest.param(
        "extends: default\n"            # 1
        "bandz: []\n",                  # 2
        2, "unknown rubric key 'bandz'", "did you mean 'bands'?", id="unknown top-level key"),
    pytest.param(
        "extends: default\n"            # 1
        "sections:\n"                   # 2
        "  - id: slates\n"              # 3
        "    weight: -0.4\n",           # 4
        4, "'weight' must be at least 0, not -0.4", None, id="negative section weight"),
    pytest.param(
        "extends: default\n"            # 1
        "sections:\n"                   # 2
        "  - id: trust\n"               # 3
        "    items:\n"                  # 4
        "      - id: recommend\n"       # 5
        "        weight: -1\n",         # 6
        6, "'weight' must be at least 0, not -1", None, id="negative item weight"),
    pytest.param(
        "extends: default\n"                                   # 1
        "sections:\n"                                          # 2
        "  - id: trust\n"                                      # 3
        "    items:\n"                                         # 4
        "      - id: builds_trust\n"                           # 5
        "        gate:\n"                                       # 6
        "          when: nope\n"                                # 7
        "          verdict: Erodes trust\n",                    # 8
        7, "a gate's 'when' must be an answer of the scale, not 'nope'", "did you mean 'no'?", id="gate off the scale"),
    pytest.param(
        "extends: default\n"                                   # 1
        "sections:\n"                                          # 2
        "  - id: slates\n"                                     # 3
        "    items:\n"                                         # 4
        "      - id: search\n"                                 # 5
        "        gate: {when: 6, verdict: Unsearchable}\n",    # 6  (the scale is 0–5)
        6, "a gate's 'when' must be an answer of the scale, not '6'", None, id="gate above a score scale"),
    pytest.param(
        "extends: default\n"                                   # 1
        "sections:\n"                                          # 2
        "  - id: slates\n"                                     # 3
        "    items:\n"                                         # 4
        "      - id: search\n"                                 # 5
        "        gate: {when: 0, verdict: Unfindable, level: 2}\n",  # 6
        6, "unknown gate key 'level'", None, id="gate with an unknown key"),
    pytest.param(
        # The default gate of builds_trust is on 'no', which this scale (line 4) no longer has.
        "extends: default\n"                                           # 1
        "sections:\n"                                                  # 2
        "  - id: trust\n"                                              # 3
        "    scale: {choices: {always: 1, sometimes: 0.5, never: 0}}\n",  # 4
        4, "the inherited gate of 'builds_trust' is on 'no', which the new scale does not have", "'gate: null'",
        id="scale replaced under an inherited gate"),
    pytest.param(
        "extends: default\n"                                   # 1
        "bands:\n"                                             # 2
        "  - {grade: Strong, min: 80, verdict: Good}\n"        # 3
        "  - {grade: Weak, min: 40, verdict: Doubtful}\n",     # 4
        2, "the lowest band must start at 0", None, id="bands without 0"),
    pytest.param(
        "extends: default\n"                    # 1
        "sections:\n"                           # 2
        "  - id: tags\n"                        # 3
        "    scale: {min: 0, max: 5}\n"         # 4
        "    items:\n"                          # 5
        "      - id: free_tagging\n",           # 6
        3, "'tags' is an assessment field and cannot be a section id", None, id="reserved section id"),
    pytest.param(
        "extends: default\n"                                   # 1
        "sections:\n"                                          # 2
        "  - id: effort\n"                                     # 3
        "    scale:\n"                                         # 4
        "      choices: {low: 1, high: 0, unknown: 0}\n"       # 5
        "    items:\n"                                         # 6
        "      - id: setup\n",                                 # 7
        5, "'unknown' is reserved (unknown answers, n/a with allow_na) and cannot be a choice", None,
        id="choice named unknown"),
    pytest.param(
        "extends: default\n"                    # 1
        "sections:\n"                           # 2
        "  - id: effort\n"                      # 3
        "    scale: {min: 5, max: 5}\n"         # 4
        "    items:\n"                          # 5
        "      - id: setup\n",                  # 6
        4, "'min' below 'max'", None, id="min equal to max"),
    pytest.param(
        "extends: default\n"                    # 1
        "sections:\n"                           # 2
        "  - id: effort\n"                      # 3
        "    scale: {min: 3, max: 1}\n"         # 4
        "    items:\n"                          # 5
        "      - id: setup\n",                  # 6
        4, "'min' below 'max'", None, id="min above max"),
    pytest.param(
        "extends: default\n"                    # 1
        "sections:\n"                           # 2
        "  - id: slates\n"                      # 3
        "    weight: 0.4\n"                     # 4
        "  - id: slates\n"                      # 5
        "    weight: 0.5\n",                    # 6
        5, "section 'slates' is defined twice", None, id="section twice"),
]


@pytest.mark.parametrize(("text", "line", "message", "hint"), RUBRIC_ERRORS)
def test_rubric_error_on_its_line(text: str, line: int, message: str, hint: str | None) -> None:
    rubric, diagnostics = parse(text)
    shown = [d.format() for d in diagnostics]
    assert len(diagnostics) == 1, shown
    (diagnostic,) = diagnostics
    assert (diagnostic.path, diagnostic.severity, diagnostic.line) == ("rubric.yml", Severity.ERROR, line), shown
    assert message in diagnostic.message, shown
    if hint:
        assert diagnostic.hint and hint in diagnostic.hint, shown
    assert rubric is None  # a rubric with an error is not used


def test_rubric_reports_every_error_in_one_run() -> None:
    rubric, diagnostics = parse(
        "extends: default\n"                                   # 1
        "bandz: []\n"                                          # 2
        "sections:\n"                                          # 3
        "  - id: slates\n"                                     # 4
        "    weight: -1\n"                                     # 5
        "  - id: tags\n"                                       # 6
        "    scale: {min: 0, max: 5}\n"                        # 7
        "    items: [{id: free}]\n"                            # 8
    )
    assert rubric is None
    assert sorted((d.line, d.severity) for d in diagnostics) == [(2, Severity.ERROR), (5, Severity.ERROR),
                                                                 (6, Severity.ERROR)]


# -- an extended rubric scores its new section ------------------------------------------------

ANSWERS = """\
---
title: Customer community forum
date: 2026-09-14
trust:
  better_product: {answer: "yes", evidence: "26 h to 4 h."}
  return:         {answer: partly, evidence: "41% came back."}
  recommend:      {answer: unknown}
  builds_trust:   {answer: "yes", evidence: "71% trust the answers."}
slates:
  search:     {score: 4, evidence: "62% of searches end the session."}
  links:      {score: 3, evidence: "Stable addresses."}
  authorship: {score: 5, evidence: "Named accounts."}
  tags:       {score: 2, evidence: "14 fixed categories."}
  extensions: {score: n/a, reason: "No integrations are planned."}
  signals:    {score: 4, evidence: "Follows."}
customer_job:
  importance:     {score: 5, evidence: "Invoicing is blocked."}
  pain_severity:  {score: 5, evidence: "26 h median first reply."}
  gain_relevance: {score: 4, evidence: "22% still need staff."}
---
Body.
"""


def test_extended_rubric_scores_the_new_section() -> None:
    rubric = parse_ok(CUSTOMER_JOB)
    assessment, diagnostics = parse_assessment(ANSWERS, "a.md", "a", rubric)
    assert assessment is not None
    assert [d.format() for d in diagnostics] == []
    card = score_assessment(rubric, assessment)
    # trust (yes=1, partly=1/2, unknown=0; builds_trust weighs 2):
    #   (1·1 + 1/2·1 + 0·1 + 1·2) / (1+1+1+2) = 3.5/5 = 0.7 → 70
    assert card.section("trust").score == 70
    # slates (s/5, extensions n/a left out): (4+3+5+2+4)/5 / 5 criteria = 18/25 = 0.72 → 72
    assert card.section("slates").score == 72
    # customer_job: (5/5 + 5/5 + 4/5) / 3 = 2.8/3 = 14/15 → 280/3 = 93.333…
    assert card.section("customer_job").score == Fraction(280, 3)
    # overall, weights 0.6 / 0.4 / 0.2:
    #   (0.6·70 + 0.4·72 + 0.2·280/3) / (0.6+0.4+0.2) = (42 + 28.8 + 56/3) / 1.2
    #   = (1062/15 + 280/15) / (6/5) = 1342/15 · 5/6 = 1342/18 = 671/9 = 74.555… → shown 74.6 (half up)
    assert card.overall == Fraction(671, 9)
    assert card.shown == Decimal("74.6")
    # 60 ≤ 74.6 < 80, and builds_trust is not "no", so no gate.
    assert (card.grade, card.verdict, card.gate) == ("Promising", "Makes customer sense with gaps", None)
    assert card.unanswered == (("trust", "recommend"),)


def test_the_default_rubric_does_not_know_the_new_section() -> None:
    # The same file under the default rubric: 'customer_job' (line 16) is an unknown field.
    _, diagnostics = parse_assessment(ANSWERS, "a.md", "a", default_rubric())
    assert [(d.line, d.severity, d.message)
            for d in diagnostics] == [(16, Severity.ERROR, "unknown field 'customer_job'")]


def test_a_new_scale_can_regate_or_ungate_the_inherited_items() -> None:
    regated, diagnostics = parse(
        "extends: default\n"
        "sections:\n"
        "  - id: trust\n"
        "    scale: {choices: {always: 1, sometimes: 0.5, never: 0}}\n"
        "    items:\n"
        "      - id: builds_trust\n"
        "        gate: {when: never, verdict: Erodes trust}\n")
    assert not diagnostics and regated is not None
    assert regated.section("trust").item("builds_trust").gate.when == "never"
    ungated, diagnostics = parse(
        "extends: default\n"
        "sections:\n"
        "  - id: trust\n"
        "    scale: {choices: {always: 1, never: 0}}\n"
        "    items:\n"
        "      - {id: builds_trust, gate: null}\n")
    assert not diagnostics and ungated is not None and ungated.section("trust").item("builds_trust").gate is None
