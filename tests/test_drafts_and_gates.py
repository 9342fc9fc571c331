"""Issue 13, points 2 and 3: drafts are not verdicts, and a gate says which question fired.

The fixture site (tests/fixtures/site, worked out in test_build.py) holds alpha 80.0 Strong,
beta 70.0 gated "Erodes trust" (builds_trust answered no) and gamma 35.6 Poor. Each test here
adds drafts to it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from click.testing import CliRunner
from conftest import assessment_text, write_site

from scorecard.commands.cli import main
from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build, check

TODAY = dt.date(2026, 11, 22)

# Written as `scorecard new` writes it: draft: true, every item unknown. Yet one answer is given,
# so it is a draft by its flag alone.
FLAGGED = assessment_text(title="Delta chat", extra="draft: true\nstatus: proposed",
                          trust={"better_product": '{answer: "yes", evidence: "Faster."}', "return": "unknown",
                                 "recommend": "unknown", "builds_trust": "unknown"})
# No flag, nothing answered (every item missing): a draft too, without "not answered" warnings.
EMPTY = assessment_text(title="Epsilon idea")


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def build_with_drafts(site: Path) -> Path:
    write_site(site, {"content/assessments/delta.md": FLAGGED, "content/assessments/epsilon.md": EMPTY})
    result = build(BuildOptions.at(site, today=TODAY))
    assert result.ok, [d.format() for d in result.diagnostics]
    # The empty file's twelve missing items are not warned: it is a draft.
    assert not [d for d in result.diagnostics if "epsilon" in d.path], [d.format() for d in result.diagnostics]
    return site / "output"


def test_drafts_are_listed_apart_and_not_ranked_or_counted(site: Path) -> None:
    out = build_with_drafts(site)
    page = visible((out / "index.html").read_text())
    leaderboard = page[page.index("Leaderboard"):page.index("Drafts")]
    # Three ranked assessments, as before the drafts came; the caption counts them.
    assert "All 3 assessments" in leaderboard
    assert "Delta chat" not in leaderboard and "Epsilon idea" not in leaderboard
    drafts = page[page.index("Drafts"):page.index("Heatmap")]
    # Delta: 1 of 4 trust + 6 SLATES = 10 items answered; Epsilon: 0 of 10.
    assert "Delta chat Draft — 1 of 10 questions and criteria answered" in drafts
    assert "Epsilon idea Draft — 0 of 10 questions and criteria answered" in drafts
    # By grade: Strong 1 (alpha), Promising 1 (beta), Weak 0, Poor 1 (gamma): the drafts' 0.0 is not "Poor".
    counts = page[page.index("By grade"):page.index("Leaderboard")]
    assert "Strong 1 Promising 1 Weak 0 Poor 1" in counts
    heatmap = page[page.index("Heatmap"):]
    assert "Delta chat" not in heatmap
    # Item pages rank only the three scored assessments.
    item = visible((out / "rubric/trust/better_product/index.html").read_text())
    assert "Delta chat" not in item


def test_a_draft_page_badge_and_json_say_draft(site: Path) -> None:
    out = build_with_drafts(site)
    page = visible((out / "assessments/delta/index.html").read_text())
    assert "Draft Not scored yet — 1 of 10 questions and criteria answered" in page
    assert "/ 100" not in page  # no overall score
    badge = (out / "assessments/delta/badge.svg").read_text()
    assert ">draft</text>" in badge and "<title>Delta chat: a draft, not scored yet</title>" in badge
    data = {a["slug"]: a for a in json.loads((out / "scorecard.json").read_text())["assessments"]}
    assert (data["delta"]["draft"], data["delta"]["overall"], data["delta"]["grade"], data["delta"]["verdict"]) == (
        True, None, None, None)
    assert (data["team/alpha"]["draft"], data["team/alpha"]["overall"]) == (False, 80.0)


def test_new_writes_a_draft_that_checks_clean(site: Path, monkeypatch) -> None:
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["new", "Zeta pilot"])
    assert result.exit_code == 0, result.output
    text = (site / "content/assessments/zeta-pilot.md").read_text()
    assert "\ndraft: true" in text
    checked = check(BuildOptions.at(site))  # today: the day `new` dated it
    scored, diagnostics = list(checked.scored), list(checked.diagnostics)
    assert [s.scorecard.draft for s in scored if s.assessment.slug == "zeta-pilot"] == [True]
    assert not [d for d in diagnostics if "zeta" in d.path]


def test_draft_must_be_true_or_false(site: Path) -> None:
    write_site(site, {"content/assessments/delta.md": assessment_text(title="Delta chat", extra="draft: maybe")})
    diagnostics = list(check(BuildOptions.at(site, today=TODAY)).diagnostics)
    # assessment_text writes title (2), date (3), then the extra line: 4.
    assert [(d.line, d.message) for d in diagnostics
            if d.is_error] == [(4, "'draft' must be true or false, not 'maybe'")]


def test_a_gate_says_which_question_fired(site: Path) -> None:
    out = site / "output"
    assert build(BuildOptions.at(site, today=TODAY)).ok
    # beta answers builds_trust "no": its prompt is "Will this help build trust between the customer and the company?"
    page = visible((out / "assessments/beta/index.html").read_text())
    assert ("Erodes trust — Will this help build trust between the customer and the company? answered no" in page)
    board = visible((out / "index.html").read_text())
    assert "Erodes trust (Builds trust: no)" in board
    badge = (out / "assessments/beta/badge.svg").read_text()
    assert ("<title>Beta loyalty points: 70.0 out of 100, Promising, Erodes trust (Will this help build trust "
            "between the customer and the company? answered no)</title>") in badge
    data = {a["slug"]: a for a in json.loads((out / "scorecard.json").read_text())["assessments"]}
    assert data["beta"]["gated_by"] == {"section": "trust", "item": "builds_trust", "answer": "no"}
    assert data["gamma"]["gated_by"] is None  # gamma answers builds_trust "partly": no gate


def test_the_feed_shows_the_gated_verdict_and_leaves_drafts_out(tmp_path: Path) -> None:
    from test_history import Repo, forum

    repo = Repo(tmp_path / "repo")
    # Trust yes, yes, yes, no (weight 2): (1 + 1 + 1 + 0) / 5 = 60; SLATES all 3: 60; overall 60.0 Promising,
    # but builds_trust "no" fires the gate.
    repo.write("content/assessments/forum.md", forum(builds_trust='{answer: "no", evidence: "Data sold."}'))
    repo.write("content/assessments/idea.md", forum(title="Idea", extra="draft: true"))
    repo.commit("Add the forum and an idea")
    assert build(BuildOptions.at(repo.root, today=dt.date(2026, 2, 1))).ok
    feed = (repo.root / "output/changes.xml").read_text()
    assert "<title>Forum: scored 60.0 (Erodes trust)</title>" in feed
    assert "Idea" not in feed and "Idea" not in (repo.root / "output/changes/index.html").read_text()
