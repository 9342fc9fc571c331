"""`scorecard diff`: score changes between two git revisions, or a revision and the working tree."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.diff import find_renames

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
    edit(site, ALPHA, '{score: 5, evidence: "Full-text search over every page."}', '{score: 3, evidence: "Full-text search over every page."}')
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
    assert "| team/alpha (changed) | 80.0 → 77.3 | Strong → Promising | Makes customer sense → Makes customer sense with gaps |" in out
    assert "- `slates.search`: 5 → 3" in out
    assert "- `slates.links`\n  - evidence: “Pages link to each other.” → “Pages link to each other and to tickets.”" in out


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
    code, out, _ = run("HEAD~1", "HEAD")
    assert "| gamma → delta (renamed) | 35.6 | Poor | Does not make customer sense |" in out


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
    code, out, _ = run("HEAD~1", "HEAD")
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
    assert code == 0
    assert "HEAD:content/rubric.yml" in err and "error" in err
    assert out == "The content at HEAD could not be read (see the errors): no scores to compare.\n"
    assert run_json("HEAD")["unreadable"] == ["HEAD"]


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
    assert set(data) == {"base", "head", "summary", "counts", "assessments", "rubric", "problems", "unreadable"}
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
