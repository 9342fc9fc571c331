"""The corpus in tests/hostile/: each broken or hostile file gives exactly the diagnostics listed
for it in tests/hostile/expected.yml, never a traceback; each hostile but valid one builds with
nothing unescaped in the output."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from click.testing import CliRunner, Result

from scorecard.commands.cli import main
from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish.markdown import safe_link

CORPUS = Path(__file__).parent / "hostile"
EXPECTED: dict[str, list[str]] = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
EXPECT = re.compile(r"(?P<line>\d+)(?::(?P<col>\d+))?: (?P<severity>error|warning): (?P<message>.+)")
# What a script or a handler looks like in HTML, SVG or XML that lets it through unescaped.
# (The theme's own <script src=…> elements are not a match.)
UNESCAPED = re.compile(r"<script>alert|<img[^>]*onerror|<svg[^>]*onload|]]><x>|\"><script", re.IGNORECASE)


def test_every_file_of_the_corpus_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "content/assessments"
    folder.mkdir(parents=True)
    shutil.copyfile(CORPUS / name, folder / name)
    result = build(BuildOptions.at(tmp_path, today=dt.date(2026, 10, 1)))

    path = f"content/assessments/{name}"
    shown = [d.format() for d in result.diagnostics]
    assert all(d.path == path and d.line is not None for d in result.diagnostics), shown
    unmatched = [d for d in result.diagnostics if d.is_error]
    for expected in EXPECTED[name]:
        want = EXPECT.fullmatch(expected)
        assert want, f"malformed expectation {expected!r}"
        found = [d for d in result.diagnostics
                 if str(d.line) == want["line"] and (want["col"] is None or str(d.col) == want["col"])
                 and d.severity.value == want["severity"] and d.message.startswith(want["message"])]
        assert found, f"{expected!r} not among {[d.format() for d in result.diagnostics]}"
        unmatched = [d for d in unmatched if d not in found]
    assert unmatched == [], "errors the corpus does not expect"

    output = tmp_path / "output"
    if any(d.is_error for d in result.diagnostics):
        assert not output.exists()  # nothing half-written
        return
    texts = {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8")
             for p in output.rglob("*") if p.suffix in (".html", ".xml", ".svg", ".json")}
    assert f"assessments/{name.removesuffix('.md')}/index.html" in texts
    for file, text in texts.items():
        assert not UNESCAPED.search(text), (file, UNESCAPED.search(text))
        if file.endswith((".xml", ".svg")):
            ElementTree.fromstring(text.encode("utf-8"))  # a character XML cannot hold breaks the feed or the badge
        for url in re.findall(r'(?:href|src)="([^"]*)"', text):
            assert safe_link(url) and not url.lower().startswith(("javascript", "data")), (file, url)


def test_the_output_check_can_fail() -> None:
    # The patterns above catch what they are meant to catch.
    assert UNESCAPED.search('<p><img src=x onerror=alert(1)></p>')
    assert UNESCAPED.search("<title><script>alert(1)</script></title>")
    assert not UNESCAPED.search("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;")
    assert not safe_link("jav%09ascript:alert(1)")


def test_the_whole_corpus_at_once_through_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every file in one site: `check` and `build` report them all and exit 1, without a traceback;
    # `diff` reads the same files from git and reports them beside the diff.
    folder = tmp_path / "content/assessments"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("*.yml", ".gitattributes"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (["check", "--format", "json"], ["build"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1 and exited_cleanly(result), (args, result.output)
    reported = {d["path"] for d in json.loads(runner.invoke(main, ["check", "--format", "json"]).output)}
    broken = {f"content/assessments/{name}" for name, expected in EXPECTED.items() if expected}
    assert broken <= reported
    assert not (tmp_path / "output").exists()

    git = ["git", "-c", "user.name=A", "-c", "user.email=a@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "corpus"], check=True)
    (folder / "hostile-links.md").unlink()
    result = runner.invoke(main, ["diff", "HEAD"])
    # docs/diff.md: exit 1 when either side has errors, named on stderr and first in the Markdown;
    # the files with errors are not compared, the others are.
    assert result.exit_code == 1 and exited_cleanly(result), result.output
    assert "<sub>hostile-links · removed</sub>" in result.stdout
    assert "HEAD:content/assessments/alias-bomb.md:2: error: YAML expands" in result.stderr
    assert result.stdout.startswith("**") and "alias-bomb.md:2: error: YAML expands" in result.stdout


def exited_cleanly(result: Result) -> bool:
    """The command ended by returning or by exiting with a code, not with an exception."""
    return result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("depth", [60, 1_200, 4_000, 30_000])
def test_deep_nesting_is_reported_in_our_words_whichever_yaml_library_gives_up_first(depth: int) -> None:
    # libyaml 0.2.5 (PyYAML >= 6.0.4) stops at 1,000 levels by itself; older ones do not. Either way the
    # author reads the project's message, on the line of the document where the nesting is (line 3 here:
    # the text starts on line 2 of the file, and the list is on its second line).
    from scorecard.core.yamlsource import parse_yaml

    text = "title: x\ntags: " + "[" * depth + "]" * depth + "\n"
    document, problems = parse_yaml(text, "a.md", start_line=2)
    assert document is None
    assert [(p.line, p.message) for p in problems] == [(3, "YAML nested more than 50 levels deep")]
