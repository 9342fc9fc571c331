"""Issue 13, point 6: several people rating one item; the median is used, exactly.

Every expectation is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

from conftest import assessment_text, write_site

from scorecard.core.assessment import parse_assessment
from scorecard.core.options import BuildOptions
from scorecard.core.ratings import median
from scorecard.core.rubric import default_rubric
from scorecard.core.scoring import score_assessment
from scorecard.pipeline.build import build

TRUST_YES = dict.fromkeys(("better_product", "return", "recommend", "builds_trust"), '{answer: "yes", evidence: "e"}')
SLATES = {
    # Three raters: 2, 3, 4 sorted; the middle one is 3. Spread 4 − 2 = 2 steps: a disagreement.
    "search": '[{score: 4, by: Ana Ruiz, evidence: "62% of sessions end in search."},'
              ' {score: 2, by: Tom Becker, evidence: "Search misses product codes."},'
              ' {score: 3, by: Li Wei, evidence: "Good enough."}]',
    # Two raters: the mean of the two middle values, (4 + 3) / 2 = 3.5. Spread 1 step: agreement.
    "links": '[{score: 4, by: Ana Ruiz, evidence: "Stable addresses."},'
             ' {score: 3, by: Tom Becker, evidence: "Some dead links."}]',
    "authorship": '{score: 5, evidence: "e"}',
    "tags": '{score: 2, evidence: "e"}',
    "extensions": '{score: n/a, reason: "None planned."}',
    "signals": '{score: 4, evidence: "e"}',
}


def test_median_is_exact() -> None:
    assert median([Fraction(4), Fraction(2), Fraction(3)]) == 3  # sorted 2, 3, 4: the middle
    assert median([Fraction(4), Fraction(3)]) == Fraction(7, 2)  # (3 + 4) / 2
    assert median([Fraction(1, 3), Fraction(1, 2), Fraction(0), Fraction(1)]) == Fraction(5, 12)  # (1/3 + 1/2) / 2


def test_several_ratings_score_their_median_and_disagreement_is_warned() -> None:
    text = assessment_text(trust=TRUST_YES, slates=SLATES)
    assessment, diagnostics = parse_assessment(text, "forum.md", "forum", default_rubric())
    assert assessment is not None
    search, links = assessment.response("slates", "search"), assessment.response("slates", "links")
    assert (search.value, search.median, search.spread) == (3, Fraction(3, 5), 2)  # 3 of 5 → 3/5
    assert (links.value, links.median, links.spread) == ("3.5", Fraction(7, 10), 1)  # 3.5 of 5 → 7/10
    assert [(r.by, r.value) for r in search.ratings] == [("Ana Ruiz", 4), ("Tom Becker", 2), ("Li Wei", 3)]
    # assessment_text: --- (1), title (2), date (3), trust: (4) and its four items (5-8), slates: (9), search (10).
    assert [(d.line, d.message) for d in diagnostics] == [
        (10, "disagreement on 'search': Ana Ruiz 4, Tom Becker 2, Li Wei 3 (2 steps apart)")]
    card = score_assessment(default_rubric(), assessment)
    # SLATES over the five items that are not n/a: (3 + 3.5 + 5 + 2 + 4) / (5 × 5) = 17.5 / 25 = 70.0.
    assert card.section("slates").score == 70
    # Overall: 0.6 × 100 (trust all yes) + 0.4 × 70 = 60 + 28 = 88.0.
    assert card.overall == 88


def test_choices_take_the_median_of_their_values() -> None:
    # yes = 1 and no = 0: median (0 + 1) / 2 = 1/2, which is "partly"; yes and no are 2 steps apart
    # (no, partly, yes), a disagreement. builds_trust: no and partly, median 1/4, between no and partly.
    trust = dict(TRUST_YES, **{
        "return": '[{answer: "yes", by: Ana, evidence: "e"}, {answer: "no", by: Tom, evidence: "e"}]',
        "builds_trust": '[{answer: "no", by: Ana, evidence: "e"}, {answer: partly, by: Tom, evidence: "e"}]'})
    text = assessment_text(trust=trust, slates=SLATES)
    assessment, diagnostics = parse_assessment(text, "f.md", "f", default_rubric())
    assert assessment is not None
    assert assessment.response("trust", "return").value == "partly"
    assert assessment.response("trust", "builds_trust").value == "no–partly"
    assert "disagreement on 'return': Ana yes, Tom no (2 steps apart)" in [d.message for d in diagnostics]
    # Trust: (1 + 1/2 + 1 + 1/4 × 2) / 5 = 3/5 → 60; the gate needs "no" itself: no gate fires.
    card = score_assessment(default_rubric(), assessment)
    assert card.section("trust").score == 60 and card.gate is None


def test_a_rating_needs_a_rater(tmp_path: Path) -> None:
    slates = dict(SLATES, search="[{score: 4}]")
    _, diagnostics = parse_assessment(assessment_text(trust=TRUST_YES, slates=slates), "f.md", "f", default_rubric())
    errors = [(d.line, d.message) for d in diagnostics if d.is_error]
    assert errors == [(10, "each rating of 'search' needs 'score' and 'by'")]


def test_the_site_and_exports_show_each_rating(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/assessments/forum.md": assessment_text(trust=TRUST_YES, slates=SLATES)})
    result = build(BuildOptions.at(tmp_path, today=dt.date(2026, 9, 14)))
    assert result.ok, [d.format() for d in result.diagnostics]
    out = tmp_path / "output"
    page = (out / "assessments/forum/index.html").read_text()
    assert "Median of 3 ratings; 2 steps apart: disagreement." in page
    assert "<strong>Tom Becker</strong>: <span class=\"value\">2</span> — Search misses product codes." in page
    index = (out / "index.html").read_text()
    assert "Disagreements" in index and "Ana Ruiz 4, Tom Becker 2, Li Wei 3 (2 steps apart: disagreement)" in index
    data = json.loads((out / "scorecard.json").read_text())["assessments"][0]
    search = data["sections"]["slates"]["items"]["search"]
    assert (search["value"], search["points"]) == (3, 0.6)
    assert search["ratings"][1] == {"by": "Tom Becker", "value": 2, "evidence": "Search misses product codes."}
    assert data["overall"] == 88.0
    csv = (out / "scorecard.csv").read_text().splitlines()
    assert csv[1].endswith(
        'index.html,"slates.search: Ana Ruiz 4, Tom Becker 2, Li Wei 3; slates.links: Ana Ruiz 4, Tom Becker 3"')


def test_the_history_carries_the_ratings(tmp_path: Path) -> None:
    from test_history import Repo

    from scorecard.source.history import read_history

    repo = Repo(tmp_path / "repo")
    repo.write("content/assessments/forum.md", assessment_text(trust=TRUST_YES, slates=SLATES))
    repo.commit("Three rate search")
    # Tom Becker moves from 2 to 4: sorted 3, 4, 4, the median is 4 (was 3).
    repo.write("content/assessments/forum.md", assessment_text(trust=TRUST_YES, slates=dict(
        SLATES, search=SLATES["search"].replace("score: 2, by: Tom Becker", "score: 4, by: Tom Becker"))))
    repo.commit("Tom agrees now")
    points = read_history(repo.root, repo.root / "content")["forum"]
    assert points[-1].moved[0] == ("Search 3 (Ana Ruiz 4, Tom Becker 2, Li Wei 3)"
                                   " → 4 (Ana Ruiz 4, Tom Becker 4, Li Wei 3)")
