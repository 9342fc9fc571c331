"""Golden test: build a small fixture site and check what a reader would see.

The fixture (tests/fixtures/site) holds three assessments whose scores are worked out by hand:

- team/alpha: trust all yes → 100; SLATES 5,4,3,2,1,0 → 15/30 = 50; overall 0.6·100 + 0.4·50 = 80.0 Strong
- beta: trust yes, yes, partly, no → (1+1+0.5+0·2)/5 = 50; SLATES all 5 → 100; overall 30 + 40 = 70.0,
  Promising by the numbers but gated: "Erodes trust"
- gamma: trust partly, unknown, no, partly → (0.5+0+0+0.5·2)/5 = 30; SLATES 3, n/a, 2, 2, 2, 2 →
  11/25 = 44; overall 18 + 17.6 = 35.6 Poor
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest import assessment_text, broken_links, read_anchors, write_site

from scorecard.commands.cli import main
from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish.writer import MARKER


@pytest.fixture
def built(site: Path) -> Path:
    result = build(BuildOptions.at(site, today=dt.date(2026, 11, 22)))  # nothing is due for review then
    assert result.ok, [d.format() for d in result.diagnostics]
    return site / "output"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def visible(html: str) -> str:
    """The page's text with tags removed and white space folded, roughly as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- pages ------------------------------------------------------------------------------------

def test_every_page_is_written(built: Path):
    expected = [
        "index.html", "rubric/index.html", "scorecard.json", "static/style.css", MARKER,
        "assessments/team/alpha/index.html", "assessments/beta/index.html", "assessments/gamma/index.html",
        "rubric/trust/better_product/index.html", "rubric/trust/builds_trust/index.html",
        "rubric/slates/search/index.html", "rubric/slates/signals/index.html",
        "tags/index.html", "tags/internal/index.html", "tags/loyalty/index.html",
        "owners/index.html", "owners/loyalty-crm/index.html",
        "authors/index.html", "authors/ana-ruiz/index.html",
        "status/index.html", "status/proposed/index.html", "status/retired/index.html",
    ]
    missing = [p for p in expected if not (built / p).is_file()]
    assert not missing


def test_leaderboard_lists_assessments_best_first_with_scores(built: Path):
    page = visible(text(built / "index.html"))
    alpha, beta, gamma = page.index("Alpha wiki"), page.index("Beta loyalty points"), page.index("Gamma hotline")
    assert alpha < beta < gamma
    assert re.search(r"Alpha wiki 80\.0 Strong Makes customer sense 100\.0 50\.0", page)
    # The gated verdict names the question and the answer that fired it (issue 13).
    assert re.search(r"Beta loyalty points 70\.0 Promising Erodes trust \(Builds trust: no\) 50\.0 100\.0", page)
    assert re.search(r"Gamma hotline 35\.6 Poor Does not make customer sense 30\.0 44\.0", page)


def test_home_counts_by_status_and_grade(built: Path):
    page = visible(text(built / "index.html"))
    assert "proposed 1 pilot 1 adopted 1 retired 0" in page
    assert "Strong 1 Promising 1 Weak 0 Poor 1" in page


def test_assessment_page_shows_score_answers_evidence_chart_and_body(built: Path):
    html = text(built / "assessments/team/alpha/index.html")
    page = visible(html)
    assert "Alpha wiki" in page and "80.0" in page and "Strong" in page and "Makes customer sense" in page
    assert "Will this help build trust between the customer and the company?" in page
    assert "Decisions are visible to everyone." in page
    assert "Full-text search over every page." in page
    assert "Evidence coverage: 100%" in page  # 4 trust + 5 SLATES claims above 0, all with evidence
    # The radar is inline SVG with a text alternative naming every score.
    assert '<svg class="radar"' in html
    assert re.search(r"<desc[^>]*>Search: 5; Links: 4; Authorship: 3; Tags: 2; Extensions: 1; Signals: 0</desc>", html)
    # The body's "# Context" sits below the page title.
    assert '<h2 id="context">Context</h2>' in html and "<em>project</em>" in html
    assert "Digital Workplace" in page and "2027-03-20" in page


def test_gated_assessment_says_erodes_trust(built: Path):
    page = visible(text(built / "assessments/beta/index.html"))
    assert "70.0" in page and "Erodes trust" in page
    assert "61% of the case depends on selling purchase data." in page
    # related and the .md link in the body both point at alpha's page
    beta = built / "assessments/beta/index.html"
    targets = [(beta.parent / url).resolve() for url in read_anchors(beta).urls]
    assert targets.count(built / "assessments/team/alpha/index.html") == 2


def test_na_and_unanswered_are_shown(built: Path):
    page = visible(text(built / "assessments/gamma/index.html"))
    assert "Not applicable: A phone line has no pages to link." in page
    assert "unanswered: Return" in page


def test_criterion_page_ranks_every_assessment(built: Path):
    page = visible(text(built / "rubric/slates/search/index.html"))
    # alpha 5 and beta 5 tie (alpha first by overall score), gamma 3
    assert page.index("Alpha wiki") < page.index("Beta loyalty points") < page.index("Gamma hotline")
    links = visible(text(built / "rubric/slates/links/index.html"))
    assert links.index("Beta loyalty points") < links.index("Alpha wiki") < links.index("Gamma hotline")  # 5, 4, n/a


def test_group_pages_list_their_members(built: Path):
    internal = visible(text(built / "tags/internal/index.html"))
    assert "Alpha wiki" in internal and "Gamma hotline" in internal and "Beta" not in internal
    ana = visible(text(built / "authors/ana-ruiz/index.html"))
    assert "Alpha wiki" in ana and "Beta loyalty points" in ana and "Gamma" not in ana


def test_rubric_page_explains_weights_and_bands(built: Path):
    page = visible(text(built / "rubric/index.html"))
    assert "Trust 60%, SLATES 40%" in page
    assert "Will the customer recommend us to others?" in page
    assert "Strong ≥ 80" in page and "Erodes trust" in page


# -- scorecard.json ------------------------------------------------------------------------

def test_scorecard_json(built: Path):
    data = json.loads(text(built / "scorecard.json"))
    assert data["schema"] == "scorecard/1"
    by_slug = {a["slug"]: a for a in data["assessments"]}
    assert list(by_slug) == ["beta", "gamma", "team/alpha"]
    alpha, beta, gamma = by_slug["team/alpha"], by_slug["beta"], by_slug["gamma"]
    assert (alpha["overall"], alpha["grade"], alpha["verdict"]) == (80.0, "Strong", "Makes customer sense")
    assert (beta["overall"], beta["grade"], beta["verdict"], beta["gated"]) == (70.0, "Promising", "Erodes trust", True)
    assert (gamma["overall"], gamma["grade"]) == (35.6, "Poor")
    assert gamma["sections"]["trust"]["score"] == 30.0 and gamma["sections"]["slates"]["score"] == 44.0
    assert gamma["sections"]["slates"]["items"]["links"] == {
        "value": "n/a", "points": None, "evidence": "", "reason": "A phone line has no pages to link.", "ratings": [],
        "exemption": None}
    assert gamma["sections"]["trust"]["items"]["recommend"]["value"] == "no"
    assert gamma["unanswered"] == ["trust.return"]
    assert alpha["date"] == "2026-03-20" and alpha["tags"] == ["knowledge", "internal"]
    assert alpha["url"] == "assessments/team/alpha/index.html"
    assert [s["id"] for s in data["rubric"]["sections"]] == ["trust", "slates"]
    assert data["rubric"]["sections"][0]["weight"] == 0.6


# -- the site as a whole ------------------------------------------------------------------------

def test_every_internal_link_and_anchor_resolves_and_nothing_is_external(built: Path):
    broken, checked = broken_links(built)
    assert broken == [] and checked > 0
    for page in built.rglob("*.html"):
        for url in read_anchors(page).urls:
            assert not urlsplit(url).scheme and not urlsplit(url).netloc, f"{page}: external URL {url}"


def test_pages_have_language_landmarks_and_one_h1(built: Path):
    for page in built.rglob("*.html"):
        html = text(page)
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), page
        assert html.count("<h1") == 1, page
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in html, (page, landmark)


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(BuildOptions.at(site, output_dir=first)).ok
    assert build(BuildOptions.at(site, output_dir=second)).ok
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


# -- the command line ----------------------------------------------------------------------------

def run(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(site)
    return CliRunner().invoke(main, list(args))


def test_cli_build_writes_output_and_summarises(site: Path, monkeypatch: pytest.MonkeyPatch):
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 0, result.output
    assert "Built 3 assessments" in result.output
    assert (site / "output" / "index.html").is_file()


def test_a_broken_file_fails_with_one_pointed_line_and_writes_nothing(site: Path, monkeypatch: pytest.MonkeyPatch):
    assert run(site, monkeypatch, "build").exit_code == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(text(gamma).replace("search:     {score: 3,", "serach:     {score: 7,"), encoding="utf-8")
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # line 15, column 3 of gamma.md holds the misspelt criterion
    assert ("content/assessments/gamma.md:15:3: error: unknown criterion 'serach' in 'slates' "
            "(hint: did you mean 'search'?)") in result.output
    after = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    assert after == before


def test_strict_turns_warnings_into_errors(site: Path, monkeypatch: pytest.MonkeyPatch):
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(text(gamma).replace('{score: 2, evidence: "Agents sign their notes."}', "2"), encoding="utf-8")
    relaxed = run(site, monkeypatch, "build")
    assert relaxed.exit_code == 0 and "warning: unsupported" in relaxed.output
    strict = run(site, monkeypatch, "build", "--strict", "--out", "strict-out")
    assert strict.exit_code == 1 and "error: unsupported" in strict.output
    assert not (site / "strict-out").exists()


def test_out_option_and_refusals(site: Path, monkeypatch: pytest.MonkeyPatch):
    assert run(site, monkeypatch, "build", "--out", "public").exit_code == 0
    assert (site / "public" / "index.html").is_file()
    for dangerous in ("content", "."):
        result = run(site, monkeypatch, "build", "--out", dangerous)
        assert result.exit_code == 1 and "refusing" in result.output
    (site / "notes").mkdir()
    (site / "notes" / "mine.txt").write_text("keep me")
    result = run(site, monkeypatch, "build", "--out", "notes")
    assert result.exit_code == 1 and "not made by scorecard" in result.output
    assert (site / "notes" / "mine.txt").read_text() == "keep me"


def test_missing_content_directory_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    result = run(tmp_path, monkeypatch, "build")
    assert result.exit_code == 1
    assert "content: error: content directory not found" in result.output


def test_reasons_read_as_not_applicable_or_not_known(tmp_path: Path):
    root = write_site(tmp_path / "s", {"content/assessments/forum.md": assessment_text(slates={
        "extensions": '{score: n/a, reason: "No integrations are planned."}',
        "tags": '{score: unknown, reason: "Not measured yet."}',
        "links": '{score: 3, evidence: "Stable addresses.", reason: "Ignored."}'})})
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22)))
    assert result.ok
    page = text(root / "output/assessments/forum/index.html")
    assert "<em>Not applicable:</em> No integrations are planned." in page
    assert "<em>Not known yet:</em> Not measured yet." in page
    assert "Ignored." not in page and "Stable addresses." in page


def test_radar_caption_names_the_scale_in_use(tmp_path: Path):
    # A rubric whose only score section runs 1–10: the caption must say so, not "0 … 5".
    rubric = """\
        sections:
          - id: fit
            title: Fit
            scale: {min: 1, max: 10}
            items: [{id: a}, {id: b}, {id: c}]
        bands:
          - {grade: Good, min: 50, verdict: Fine}
          - {grade: Poor, min: 0, verdict: Not fine}
        """
    page = ("---\ntitle: Ten\ndate: 2026-09-14\nfit:\n  a: {score: 10, evidence: x}\n  b: {score: 1}\n"
            "  c: {score: 5, evidence: y}\n---\n")
    root = write_site(tmp_path / "s", {"content/rubric.yml": rubric, "content/assessments/ten.md": page})
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22)))
    assert result.ok, [d.format() for d in result.diagnostics]
    assert ("<figcaption>Fit scores, 1 at the centre to 10 at the edge;"
            in text(root / "output/assessments/ten/index.html"))


def test_extra_fields_reach_scorecard_json_and_themes(tmp_path: Path):
    page = assessment_text(extra="extra:\n  cost_centre: 4711\n  launched: 2026-03-01\n  channels: [forum, email]")
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/assessment.html").write_text(
        '{% extends "base.html" %}{% block content %}cost centre {{ page.extra.cost_centre }}, '
        'since {{ page.extra.launched }}{% endblock %}')
    root = write_site(tmp_path / "s", {"content/assessments/forum.md": page})
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22), themes=(theme,)))
    assert result.ok, [d.format() for d in result.diagnostics]
    (forum,) = json.loads(text(root / "output/scorecard.json"))["assessments"]
    # The YAML date becomes text, as JSON has no dates; the number stays a number.
    assert forum["extra"] == {"cost_centre": 4711, "launched": "2026-03-01", "channels": ["forum", "email"]}
    assert "cost centre 4711, since 2026-03-01" in text(root / "output/assessments/forum/index.html")


def test_body_headings_never_repeat_an_id_of_the_page(tmp_path: Path):
    body = "# Section scores\n\nText.\n\n# Main\n\n# Badge\n"
    root = write_site(tmp_path / "s", {"content/assessments/forum.md": assessment_text(body=body)})
    assert build(BuildOptions.at(root, today=dt.date(2026, 11, 22))).ok
    ids = re.findall(r'\sid="([^"]+)"', text(root / "output/assessments/forum/index.html"))
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {"section-scores-notes", "main-notes", "badge"} <= set(ids)
