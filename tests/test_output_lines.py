"""No output line of any command begins with author-controlled text (issue 16, items 2 and 3).

Hostile values (a newline followed by a GitHub workflow command, an OSC title change, NEL, U+2028)
go into a status, a title, evidence and a file name; `check` (text and github), `build` and `diff`
run as the installed `scorecard` command, and every line they print must start with a known prefix
and carry no control character.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

INJECT = "pilot\n::error file=README.md::x\r::add-mask::Built\x85::stop-commands::t\u2028::warning::u"
TITLE_ESCAPE = "\x1b]0;PWNED\x07\x1b]52;c;ZXZpbA==\x07"
SCORECARD = shutil.which("scorecard", path=str(Path(__file__).parents[1] / ".venv/bin")) or shutil.which("scorecard")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
PREFIXES = ("content/", "<site>", "scorecard.yml", "::error file=content/", "::warning file=content/",
            "Build failed", "Built ", "0 error", "1 error", "2 error", "3 error",
            # diff's markdown: a summary, the table, headings and list items
            "1 assessment", "2 assessments", "No score changes", "| ", "|---", "**", "- ", "  - evidence: ", "Wrote ",
            "::notice title=scorecard::", "<details><summary>", "</details>")
JSON_LINE = re.compile(r' *([]{}[]|"[a-z_]+": |"|-?[0-9]|null|true|false)')
"""A line of indented JSON begins with a bracket, a key of ours, a string, a number or a constant."""


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding `text`, control characters as escapes."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


def assessment(status: str, title: str, evidence: str) -> str:
    return (f"---\ntitle: {yaml_string(title)}\nstatus: {yaml_string(status)}\ndate: 2026-09-14\n"
            f"slates:\n  search: {{score: 4, evidence: {yaml_string(evidence)}}}\n---\nBody.\n")


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SCORECARD, "the scorecard command is installed with the package"
    env = dict(os.environ, NO_COLOR="1", GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@b")
    return subprocess.run([SCORECARD, *args], cwd=root, capture_output=True, text=True, errors="surrogateescape",
                          check=False, env=env, timeout=60)


def assert_lines_safe(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    for line in (result.stdout + result.stderr).split("\n"):
        assert not CONTROL.search(line), line
        assert line == "" or line.startswith(PREFIXES) or JSON_LINE.match(line), f"a line starts with {line!r}"
    # str.splitlines also splits on \x1c-\x1e, \x85, \u2028: none of them may survive either
    text = result.stdout + result.stderr
    assert text.splitlines() == text.split("\n")[:-1] or not text


@pytest.fixture
def hostile_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    folder = root / "content/assessments"
    folder.mkdir(parents=True)
    (folder / "ok.md").write_text(assessment("pilot", "Fine " + TITLE_ESCAPE, "e"), encoding="utf-8")
    (folder / "bad.md").write_text(assessment(INJECT, INJECT, INJECT), encoding="utf-8")
    (folder / "name\n::error::x\x1b[2J.md").write_text(assessment(INJECT, "t", "e"), encoding="utf-8")
    return root


@pytest.mark.parametrize("args", [("check",), ("check", "--format", "github"), ("build",), ("build", "--no-cache")])
def test_no_line_of_check_or_build_starts_with_author_text(hostile_site: Path, args: tuple[str, ...]) -> None:
    result = run(hostile_site, *args)
    assert result.returncode == 1  # the status is not one of the rubric's: an error
    assert "::error::x" in result.stdout + result.stderr or args[-1] == "github"  # shown, on a line of its own
    assert_lines_safe(result)


def test_no_line_of_diff_starts_with_author_text_or_holds_an_escape(tmp_path: Path) -> None:
    root = tmp_path / "site"
    folder = root / "content/assessments"
    folder.mkdir(parents=True)
    (folder / "ok.md").write_text(assessment("pilot", "t", "old"), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "one"], cwd=root, check=True)
    (folder / "ok.md").write_text(assessment("pilot", "t", TITLE_ESCAPE + INJECT), encoding="utf-8")

    for fmt in ("markdown", "json"):
        result = run(root, "diff", "HEAD", "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert "evidence" in result.stdout
        assert_lines_safe(result)
