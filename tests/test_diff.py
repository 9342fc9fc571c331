"""`scorecard diff`: score changes between two git revisions, or a revision and the working tree."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.commands.cli import main
from scorecard.commands.diff import find_renames

FIXTURE = Path(__file__).parent / "fixtures" / "site"
ALPHA = "content/assessments/team/alpha.md"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                             "-c", "init.defaultBranch=main", "-C", str(repo), *args],
                            capture_output=True, text=True, check=True)
    return result.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture site, committed once, as the current directory."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    git(root, "init", "-q")
    commit(root, "initial")
    monkeypatch.chdir(root)
    return root


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict:
    code, out, err = run(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_one_score_and_one_evidence_change_against_the_working_tree(site: Path) -> None:
    edit(site, ALPHA, '{score: 5, evidence: "Full-text search over every page."}',
         '{score: 3, evidence: "Full-text search over every page."}')
    edit(site, ALPHA, '"Pages link to each other."', '"Pages link to each other and to tickets."')
    data = run_json("HEAD")
    [change] = data["assessments"]
    # trust all yes = 100; SLATES 5+4+3+2+1+0 = 15 of 30 = 50 → 0.6×100 + 0.4×50 = 80.0 (Strong).
    # search 5 → 3: SLATES 13/30 = 43.33… → 60 + 0.4×43.33… = 77.33… → 77.3 (Promising).
    assert change["kind"] == "changed" and change["slug"] == "team/alpha"
    assert change["old"] == {"score": "80.0", "grade": "Strong", "verdict": "Makes customer sense", "gated_by": None}
    assert change["new"] == {"score": "77.3", "grade": "Promising", "verdict": "Makes customer sense with gaps",
                             "gated_by": None}
    assert change["items"] == [
        {"section": "slates", "item": "search", "old": "5", "new": "3",
         "old_evidence": "Full-text search over every page.", "new_evidence": "Full-text search over every page."},
        {"section": "slates", "item": "links", "old": "4", "new": "4",
         "old_evidence": "Pages link to each other.", "new_evidence": "Pages link to each other and to tickets."},
    ]
    code, out, _ = run("HEAD")
    assert code == 0
    assert out.splitlines()[0] == "1 assessment changed between HEAD and the working tree: 1 changed."
    assert ("| Alpha wiki<br><sub>team/alpha · changed</sub> | 80.0 → 77.3 | Strong → Promising | "
            "Makes customer sense → Makes customer sense with gaps |") in out
    assert "- `slates.search`: 5 → 3" in out
    assert ("- `slates.links`\n"
            "  - evidence: “Pages link to each other.” → “Pages link to each other and to tickets.”") in out


def test_no_changes_is_one_line(site: Path) -> None:
    code, out, _ = run("HEAD")
    assert (code, out) == (0, "No score changes between HEAD and the working tree.\n")


def test_added_and_removed_assessments(site: Path) -> None:
    (site / "content/assessments/beta.md").unlink()
    (site / "content/assessments/new.md").write_text(
        "---\ntitle: New forum\ndate: 2026-09-14\ntrust:\n"
        '  better_product: {answer: "yes", evidence: "a"}\n  return: {answer: "yes", evidence: "b"}\n'
        '  recommend: {answer: "yes", evidence: "c"}\n  builds_trust: {answer: "yes", evidence: "d"}\n'
        "---\nNothing like the others.\n", encoding="utf-8")
    data = run_json("HEAD")
    by_slug = {c["slug"]: c for c in data["assessments"]}
    assert set(by_slug) == {"beta", "new"}
    # beta: trust (1 + 1 + 0.5 + 0×2) / 5 = 50, SLATES all 5 = 100 → 0.6×50 + 0.4×100 = 70.0,
    # Promising, but builds_trust "no" fires the gate.
    assert by_slug["beta"]["kind"] == "removed"
    assert by_slug["beta"]["old"] == {"score": "70.0", "grade": "Promising", "verdict": "Erodes trust",
                                      "gated_by": "trust.builds_trust: no"}  # issue 13: the gate named
    assert by_slug["beta"]["new"] is None
    # new: trust 100, SLATES all missing = 0 → 0.6×100 + 0.4×0 = 60.0 (Promising)
    assert by_slug["new"]["kind"] == "added" and by_slug["new"]["old"] is None
    assert by_slug["new"]["new"]["score"] == "60.0" and by_slug["new"]["new"]["grade"] == "Promising"
    assert data["counts"] == {"added": 1, "removed": 1, "renamed": 0, "changed": 0, "re-scored": 0}


def test_a_git_mv_between_revisions_is_a_rename(site: Path) -> None:
    git(site, "mv", "content/assessments/gamma.md", "content/assessments/delta.md")
    commit(site, "rename")
    data = run_json("HEAD~1", "HEAD")
    [change] = data["assessments"]
    # gamma: trust (0.5 + 0 + 0 + 0.5×2) / 5 = 30; SLATES (3+2+2+2+2)/25 = 44 (links n/a)
    # → 0.6×30 + 0.4×44 = 35.6, unchanged by the move.
    assert (change["kind"], change["old_slug"], change["slug"]) == ("renamed", "gamma", "delta")
    assert change["old"] == change["new"] and change["old"]["score"] == "35.6"
    assert change["items"] == []
    _code, out, _ = run("HEAD~1", "HEAD")
    assert "| Gamma hotline<br><sub>gamma → delta · renamed</sub> | 35.6 | Poor | Does not make customer sense |" in out


def test_an_edited_untracked_rename_in_the_working_tree_is_followed(site: Path) -> None:
    (site / "content/assessments/gamma.md").rename(site / "content/assessments/hotline.md")
    edit(site, "content/assessments/hotline.md", "{score: 3, evidence", "{score: 4, evidence")
    [change] = run_json("HEAD")["assessments"]
    assert (change["kind"], change["old_slug"], change["slug"]) == ("renamed", "gamma", "hotline")
    # SLATES (4+2+2+2+2)/25 = 48 → 18 + 0.4×48 = 37.2
    assert change["new"]["score"] == "37.2"
    assert [(i["item"], i["old"], i["new"]) for i in change["items"]] == [("search", "3", "4")]


def test_a_rubric_weight_change_names_the_rescored_assessments(site: Path) -> None:
    (site / "content/rubric.yml").write_text(
        "extends: default\nsections:\n  - id: trust\n    weight: 0.4\n  - id: slates\n    weight: 0.6\n",
        encoding="utf-8")
    commit(site, "weights")
    data = run_json("HEAD~1", "HEAD")
    assert data["rubric"]["changes"] == [
        {"kind": "section weight", "section": "trust", "item": None, "old": "0.6", "new": "0.4"},
        {"kind": "section weight", "section": "slates", "item": None, "old": "0.4", "new": "0.6"},
    ]
    # alpha 0.4×100 + 0.6×50 = 70.0; beta 0.4×50 + 0.6×100 = 80.0; gamma 0.4×30 + 0.6×44 = 38.4
    assert data["rubric"]["rescored"] == ["beta", "gamma", "team/alpha"]
    scores = {c["slug"]: (c["kind"], c["old"]["score"], c["new"]["score"]) for c in data["assessments"]}
    assert scores == {"team/alpha": ("re-scored", "80.0", "70.0"), "beta": ("re-scored", "70.0", "80.0"),
                      "gamma": ("re-scored", "35.6", "38.4")}
    _code, out, _ = run("HEAD~1", "HEAD")
    assert "- section weight `trust`: 0.6 → 0.4" in out
    assert "- re-scored by the rubric change: beta, gamma, team/alpha" in out


def test_an_added_question_is_a_rubric_change(site: Path) -> None:
    (site / "content/rubric.yml").write_text(
        "extends: default\nsections:\n  - id: trust\n    items:\n      - id: listens\n        title: Listens\n"
        "        prompt: Does the company listen?\n", encoding="utf-8")
    data = run_json("HEAD")
    assert data["rubric"]["changes"] == [
        {"kind": "item added", "section": "trust", "item": "listens", "old": None, "new": "Listens"}]
    # every assessment now has an unanswered trust question (weight 1) counting 0: alpha's trust
    # (1 + 1 + 1 + 1×2 + 0) / 6 = 83.33… → 0.6×83.33… + 0.4×50 = 50 + 20 = 70.0
    alpha = next(c for c in data["assessments"] if c["slug"] == "team/alpha")
    assert (alpha["kind"], alpha["new"]["score"], alpha["items"]) == ("re-scored", "70.0", [])


def test_the_site_may_be_a_subfolder_of_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    shutil.copytree(FIXTURE, tmp_path / "docs" / "site")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "initial")
    (tmp_path / "docs/site/content/assessments/beta.md").unlink()
    monkeypatch.chdir(tmp_path / "docs" / "site")
    [change] = run_json("HEAD")["assessments"]
    assert (change["kind"], change["slug"]) == ("removed", "beta")


def test_content_that_does_not_parse_at_base_is_reported(site: Path) -> None:
    (site / "content/rubric.yml").write_text("extends: nonsense\n", encoding="utf-8")
    commit(site, "broken rubric")
    (site / "content/rubric.yml").unlink()
    code, out, err = run("HEAD")
    assert code == 1
    assert "HEAD:content/rubric.yml" in err and "error" in err
    first, second = out.splitlines()[:2]
    assert first.startswith("**") and " error" in first and second == ""
    assert "The content at HEAD could not be read (see the errors): no scores to compare." in out
    code, out, _ = run("HEAD", "--format", "json")
    assert code == 1 and json.loads(out)["unreadable"] == ["HEAD"]


def test_an_unknown_revision_is_a_usage_error(site: Path) -> None:
    code, out, err = run("no-such-branch")
    assert code == 2 and out == ""
    assert err.strip() == "scorecard diff: unknown revision 'no-such-branch'"


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    shutil.copytree(FIXTURE, tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    code, _, err = run("HEAD")
    assert code == 2 and "is not inside a git repository" in err


def test_a_repository_without_commits_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    shutil.copytree(FIXTURE, tmp_path / "site")
    git(tmp_path / "site", "init", "-q")
    monkeypatch.chdir(tmp_path / "site")
    code, _, err = run("HEAD")
    assert code == 2 and "has no commits yet" in err


def test_the_working_tree_and_index_are_untouched(site: Path) -> None:
    edit(site, ALPHA, "{score: 0, evidence", "{score: 1, evidence")
    git(site, "mv", "content/assessments/gamma.md", "content/assessments/delta.md")
    (site / "content/assessments/untracked.md").write_text((site / "content/assessments/beta.md").read_text())
    before = git(site, "status", "--porcelain", "--untracked-files=all")
    assert run("HEAD")[0] == 0 and run("HEAD", "HEAD")[0] == 0
    assert git(site, "status", "--porcelain", "--untracked-files=all") == before


def test_json_has_the_documented_shape(site: Path) -> None:
    edit(site, ALPHA, "{score: 0, evidence", "{score: 1, evidence")
    data = run_json("HEAD")
    assert set(data) == {"base", "head", "summary", "counts", "assessments", "rubric", "problems", "unreadable",
                         "invalid", "failed"}
    assert data["base"]["revision"] == "HEAD" and len(data["base"]["commit"]) == 40
    assert data["head"] == {"revision": "working tree", "commit": None}
    assert set(data["counts"]) == {"added", "removed", "renamed", "changed", "re-scored"}
    assert set(data["assessments"][0]) == {"kind", "slug", "old_slug", "title", "old", "new", "rescored", "items"}
    assert set(data["rubric"]) == {"changes", "rescored"}


def test_find_renames_pairs_the_most_similar_files() -> None:
    text = "".join(f"line {n}\n" for n in range(10))
    renames = find_renames({"a": text, "gone": "x\ny\n", "kept": "k"},
                           {"b": text.replace("line 3", "LINE 3"), "other": "p\nq\n", "kept": "k"})
    assert renames == {"a": "b"}  # 9 of 10 lines equal; "gone" and "other" share nothing


# --- a diff for a pull request: bounded, escaped, errors first, a gate --------------------------

def test_300_changed_assessments_fit_a_github_comment_and_say_how_many_more(site: Path) -> None:
    alpha = (site / ALPHA).read_text(encoding="utf-8")
    for n in range(300):
        text = alpha.replace("title: Alpha wiki", f"title: Wiki number {n} with a long enough title to cost room")
        (site / f"content/assessments/many/w{n:03}.md").parent.mkdir(exist_ok=True)
        (site / f"content/assessments/many/w{n:03}.md").write_text(text, encoding="utf-8")
    commit(site, "300 wikis")
    for n in range(300):
        edit(site, f"content/assessments/many/w{n:03}.md", "{score: 5, evidence", "{score: 3, evidence")
    code, out, _ = run("HEAD")
    assert code == 0
    assert len(out) < 65_536
    rows = [line for line in out.splitlines() if line.startswith("| Wiki number")]
    assert 0 < len(rows) < 300
    # every row not in the table is counted at the end: 300 − the rows shown
    assert out.rstrip().splitlines()[-1].startswith(f"**{300 - len(rows)} more assessments changed**")
    assert "`scorecard diff --format json`" in out.splitlines()[-1]
    assert len(run_json("HEAD")["assessments"]) == 300  # the JSON has them all
    code, out, _ = run("HEAD", "--max-length", "5000")
    assert code == 0 and len(out) < 5000


def test_what_authors_wrote_shows_as_text_and_nothing_else(site: Path) -> None:
    from markdown_it import MarkdownIt

    hostile = "<img src=x onerror=alert(1)> **bold** @someone fixed #12, see https://example.com"
    edit(site, ALPHA, '"Full-text search over every page."', f'"{hostile}"')
    edit(site, ALPHA, "title: Alpha wiki", "title: \"<script>x</script> [link](https://evil.example) ![i](x.png)\"")
    code, out, _ = run("HEAD")
    assert code == 0
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(out)
    # nothing an author wrote became markup: no image, script, emphasis or link
    for tag in ("<img", "<script", "<strong", "<em>", "<a "):
        assert tag not in rendered
    text = rendered.replace("\u200b", "")  # the zero-width spaces that keep mentions and references dead
    assert "&lt;img src=x onerror=alert(1)&gt; **bold** @someone fixed #12, see https://example.com" in text
    assert "&lt;script&gt;x&lt;/script&gt; [link](https://evil.example) ![i](x.png)" in text
    # GitHub links @name, #12 and bare addresses in the rendered text: each is broken by a zero-width space
    assert "@someone" not in rendered and "#12" not in rendered and "https://" not in rendered


def test_a_score_of_6_in_the_working_tree_is_an_error_named_first_and_not_a_drop(site: Path) -> None:
    edit(site, ALPHA, "signals:    {score: 0,", "signals:    {score: 6,")
    code, out, err = run("HEAD")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("**1 error**")
    error_line = out.splitlines()[2]
    assert "working tree:content/assessments/team/alpha.md:" in error_line.replace("\\", "")
    assert "alpha" in err
    # alpha is not compared: no "unknown", no 80.0 → 75.0 nobody made
    assert "unknown" not in out and "Alpha wiki" not in out
    data = json.loads(run("HEAD", "--format", "json")[1])
    assert data["assessments"] == [] and data["invalid"] == ["team/alpha"]


def test_fail_on_drop_fails_after_a_fall_and_passes_after_a_rise(site: Path) -> None:
    edit(site, ALPHA, "{score: 5, evidence", "{score: 4, evidence")  # SLATES 14/30 → 60 + 18.7 = 78.7 < 80.0
    code, out, err = run("HEAD", "--fail-on", "drop")
    assert code == 1
    assert "--fail-on drop: team/alpha: score 80.0 → 78.7" in err
    assert "**Check failed**" in out and "score 80.0 → 78.7" in out
    git(site, "checkout", "--", ALPHA)
    edit(site, ALPHA, "signals:    {score: 0,", "signals:    {score: 1,")  # SLATES 16/30 → 60 + 21.3 = 81.3 > 80.0
    code, out, _ = run("HEAD", "--fail-on", "drop,grade,gate")
    assert code == 0 and "Check failed" not in out


def test_fail_on_grade_and_below(site: Path) -> None:
    # search 5 → 3: 77.3, Strong → Promising (see the first test)
    edit(site, ALPHA, "{score: 5, evidence", "{score: 3, evidence")
    code, _, err = run("HEAD", "--fail-on", "grade")
    assert code == 1 and "grade Strong → Promising" in err
    assert run("HEAD", "--fail-on", "below:Promising")[0] == 0  # Promising is not below Promising
    code, _, err = run("HEAD", "--fail-on", "below:Strong")
    assert code == 1 and "ends Promising, below Strong" in err


def test_fail_on_gate_fires_when_the_gate_newly_decides(site: Path) -> None:
    edit(site, ALPHA, 'builds_trust:   {answer: "yes"', 'builds_trust:   {answer: "no"')
    code, _, err = run("HEAD", "--fail-on", "gate")
    assert code == 1 and "--fail-on gate: team/alpha" in err


def test_an_unknown_condition_is_a_usage_error(site: Path) -> None:
    code, _, err = run("HEAD", "--fail-on", "drop,worse")
    assert code == 2 and "unknown condition 'worse'" in err
    code, _, err = run("HEAD", "--fail-on", "below:Excellent")
    assert code == 2 and "Strong, Promising, Weak, Poor" in err


def test_details_show_section_scores_status_owner_and_a_body_only_change(site: Path) -> None:
    edit(site, ALPHA, "{score: 5, evidence", "{score: 3, evidence")
    edit(site, ALPHA, "status: adopted", "status: retired")
    edit(site, ALPHA, "owner: Digital Workplace", "owner: IT")
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    code, out, _ = run("HEAD")
    assert code == 0
    assert out.splitlines()[0] == "2 assessments changed between HEAD and the working tree: 2 changed."
    alpha = out.split("<details><summary>Alpha wiki: 80.0 → 77.3</summary>")[1].split("</details>")[0]
    # SLATES 15/30 = 50.0 → 13/30 = 43.3; trust unchanged (100.0), so not listed
    assert "- sections: slates 50.0 → 43.3\n" in alpha
    assert "- status: “adopted” → “retired”" in alpha and "- owner: “Digital Workplace” → “IT”" in alpha
    assert "- `slates.search`: 5 → 3" in alpha
    gamma_details = out.split("<details><summary>Gamma hotline: 35.6</summary>")[1].split("</details>")[0]
    assert gamma_details.strip() == "- the text below the front matter changed (the body only)"
    assert "| Gamma hotline<br><sub>gamma · changed</sub> | 35.6 | Poor |" in out


def test_no_single_value_can_break_the_bound(site: Path) -> None:
    long_title = "T" * 50_000
    edit(site, ALPHA, "title: Alpha wiki", f"title: {long_title}")
    edit(site, ALPHA, "{score: 5, evidence", "{score: 3, evidence")
    edit(site, "content/assessments/gamma.md", "search:     {score: 3,", "serach" + "h" * 40_000 + ":     {score: 3,")
    code, out, _ = run("HEAD", "--max-length", "5000", "--fail-on", "drop")
    assert code == 1 and len(out) < 5000
    assert out.startswith("**")  # the errors, first, even when cut short
