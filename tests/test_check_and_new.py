"""`scorecard check` in its three formats, and `scorecard new`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_SITE as FIXTURE

from scorecard.commands.cli import main
from scorecard.core.assessment import parse_assessment
from scorecard.core.rubric import default_rubric
from scorecard.core.scoring import score_assessment


def run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    """Run the CLI in `cwd`; `check` judges review dates as of 2026-11-22, when none of the fixture is due."""
    monkeypatch.chdir(cwd)
    if args and args[0] == "check" and "--today" not in args:
        args = (*args, "--today", "2026-11-22")
    return CliRunner().invoke(main, list(args))


def break_gamma(site: Path) -> None:
    """Misspell a criterion (line 15, col 3) and drop the evidence of another (tags, line 18)."""
    gamma = site / "content/assessments/gamma.md"
    text = gamma.read_text(encoding="utf-8")
    text = text.replace("search:     {score: 3,", "serach:     {score: 3,")
    text = text.replace('{score: 2, evidence: "Calls get a topic."}', "2")
    gamma.write_text(text, encoding="utf-8")


def test_check_passes_a_clean_site_and_builds_nothing(site, monkeypatch):
    result = run(site, monkeypatch, "check")
    assert result.exit_code == 0
    assert "0 error(s), 0 warning(s)." in result.output
    assert not (site / "output").exists()


def test_check_text_lists_every_problem(site, monkeypatch):
    break_gamma(site)
    result = run(site, monkeypatch, "check")
    assert result.exit_code == 1
    assert "content/assessments/gamma.md:15:3: error: unknown criterion 'serach' in 'slates'" in result.output
    assert ("content/assessments/gamma.md:18: warning: unsupported: criterion 'tags' is 2 without evidence"
            in result.output)
    # search is now missing too, reported as a warning on the slates key (line 14)
    assert "content/assessments/gamma.md:14: warning: criterion 'search' of 'slates' is not answered" in result.output
    assert "1 error(s), 2 warning(s)." in result.output


def test_check_github_annotations_point_at_the_line(site, monkeypatch):
    break_gamma(site)
    result = run(site, monkeypatch, "check", "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("::error file=content/assessments/gamma.md,line=15,col=3,title=scorecard::"
            "unknown criterion 'serach' in 'slates' (hint: did you mean 'search'?)") in lines
    assert any(line.startswith("::warning file=content/assessments/gamma.md,line=18,") for line in lines)


def test_github_paths_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo / "docs" / "scorecard")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    site = repo / "docs" / "scorecard"
    break_gamma(site)
    result = run(site, monkeypatch, "check", "--format", "github")
    assert "::error file=docs/scorecard/content/assessments/gamma.md,line=15,col=3," in result.output


def test_github_annotation_escapes_newlines_and_percent():
    from scorecard.commands.report import github_annotation
    from scorecard.core.diagnostics import error
    line = github_annotation(error("a,b.md", 3, "50% done\nsecond line"))
    assert line == "::error file=a%2Cb.md,line=3,title=scorecard::50%25 done%0Asecond line"



def test_github_annotation_shows_control_characters_instead_of_sending_them():
    from scorecard.commands.report import github_annotation
    from scorecard.core.diagnostics import error
    # An escape sequence in a file name or value would otherwise reach the workflow log as is.
    line = github_annotation(error("\x1b[2Ja.md", 1, "title \x1b]8;;x\x07"))
    assert "\x1b" not in line and "\x07" not in line
    assert line == "::error file=\\x1b[2Ja.md,line=1,title=scorecard::title \\x1b]8;;x\\x07"


def test_check_json_lists_diagnostics(site, monkeypatch):
    break_gamma(site)
    result = run(site, monkeypatch, "check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    first = next(d for d in data if d["severity"] == "error")
    assert first == {"path": "content/assessments/gamma.md", "line": 15, "col": 3, "severity": "error",
                     "message": "unknown criterion 'serach' in 'slates'", "hint": "did you mean 'search'?"}
    assert len(data) == 3


def test_check_strict_fails_on_warnings(site, monkeypatch):
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8").replace('{score: 2, evidence: "Calls get a topic."}', "2"),
                     encoding="utf-8")
    assert run(site, monkeypatch, "check").exit_code == 0
    strict = run(site, monkeypatch, "check", "--strict")
    assert strict.exit_code == 1 and "error: unsupported" in strict.output


def test_check_unknown_format_is_a_usage_error(site, monkeypatch):
    assert run(site, monkeypatch, "check", "--format", "xml").exit_code == 2


def test_new_writes_a_prefilled_assessment_that_checks_clean(site, monkeypatch):
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    subprocess.run(["git", "-C", str(site), "config", "user.name", "Lena Park"], check=True)
    result = run(site, monkeypatch, "new", "Talk to a human")
    assert result.exit_code == 0, result.output
    path = site / "content/assessments/talk-to-a-human.md"
    text = path.read_text(encoding="utf-8")
    assert "# Will the customer recommend us to others?" in text   # prompts as comments
    assert 'authors: ["Lena Park"]' in text
    assessment, diagnostics = parse_assessment(text, "new.md", "talk-to-a-human", default_rubric())
    assert diagnostics == [] and assessment is not None
    assert assessment.title == "Talk to a human" and assessment.status == "proposed"
    card = score_assessment(default_rubric(), assessment)
    assert len(card.unanswered) == 10 and card.overall == 0   # 4 questions + 6 criteria, all unknown
    assert run(site, monkeypatch, "check").exit_code == 0


def test_new_refuses_to_overwrite(site, monkeypatch):
    existing = site / "content/assessments/gamma.md"
    before = existing.read_bytes()
    result = run(site, monkeypatch, "new", "Gamma")
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_bytes() == before


def test_new_uses_the_site_rubric(site, monkeypatch):
    (site / "content/rubric.yml").write_text(
        "extends: default\nsections:\n  - id: customer_job\n    weight: 0.2\n    scale: {min: 0, max: 5}\n"
        "    items:\n      - {id: importance, prompt: How important is the job?}\n", encoding="utf-8")
    assert run(site, monkeypatch, "new", "Loyalty", "--slug", "loyalty-2").exit_code == 0
    text = (site / "content/assessments/loyalty-2.md").read_text(encoding="utf-8")
    assert "customer_job:" in text and "importance: {score: unknown" in text


def test_check_warns_when_a_review_is_due(site, monkeypatch):
    # alpha: review_by 2027-03-20 (line 8); gamma: dated 2026-06-01 (line 7), 365 days later is 2027-06-01
    result = run(site, monkeypatch, "check", "--today", "2027-03-21")
    assert result.exit_code == 0
    assert "content/assessments/team/alpha.md:8: warning: review due: the review was due on 2027-03-20" in result.output
    assert "gamma" not in result.output
    later = run(site, monkeypatch, "check", "--today", "2027-06-02")
    # 2026-06-01 → 2027-06-02 is 366 days
    assert "content/assessments/gamma.md:7: warning: review due: assessed on 2026-06-01, 366 days ago" in later.output


def test_stale_after_sets_the_age(site, monkeypatch):
    # gamma is dated 2026-06-01: on 2026-11-22 it is 29 (to 30 June) + 31 + 31 + 30 + 31 + 22 = 174 days old
    assert "gamma.md:7: warning: review due" not in run(site, monkeypatch, "check", "--stale-after", "174").output
    assert "gamma.md:7: warning: review due: assessed on 2026-06-01, 174 days ago (more than 173)" in \
        run(site, monkeypatch, "check", "--stale-after", "173").output


def test_review_fixes_from_the_docs_pass(site, monkeypatch, tmp_path):
    """Small defects found while documenting: each would mislead a reader or an author."""
    from scorecard.core.assessment import parse_assessment
    from scorecard.core.rubric import parse_rubric
    # A title of spaces is a missing title, said so, not a silently dropped file (line 1: front matter start).
    text = (FIXTURE / "content/assessments/gamma.md").read_text(encoding="utf-8").replace(
        "title: Gamma hotline", 'title: "   "')
    assessment, diagnostics = parse_assessment(text, "g.md", "g", default_rubric())
    assert assessment is None and [d.message for d in diagnostics] == ["missing required field 'title'"]
    # A weight of .inf is a diagnostic on its line (4), not a traceback.
    rubric, problems = parse_rubric("extends: default\nsections:\n  - id: trust\n    weight: .inf\n", "r.yml",
                                    default_rubric())
    assert rubric is None and [(p.line, p.message) for p in problems] == [(4, "'weight' must be a number, not 'inf'")]
    # A status page's breadcrumb says "All statuses".
    assert run(site, monkeypatch, "build").exit_code == 0
    assert "All statuses" in (site / "output/status/pilot/index.html").read_text(encoding="utf-8")


def test_missing_related_is_reported_on_its_own_line_after_a_repeat(tmp_path):
    from conftest import write_site

    from scorecard.source.content import load_content
    root = write_site(tmp_path, {
        "content/assessments/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\n",
        # lines: 4 "related:", 5 "- a", 6 "- a", 7 "- nope"
        "content/assessments/b.md": "---\ntitle: B\ndate: 2026-01-01\nrelated:\n  - a\n  - a\n  - nope\n---\n",
    })
    _content, diagnostics = load_content(root / "content", root)
    missing = [d for d in diagnostics if "does not exist" in d.message]
    assert [(d.path, d.line, d.message) for d in missing] == [
        ("content/assessments/b.md", 7, "related assessment 'nope' does not exist")]
