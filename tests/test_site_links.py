"""Links a reader follows between and out of assessment pages: wiki-links, "Referenced by",
"Edit this page", the 404 page and the sitemap, on small sites built into a temporary directory."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path

import pytest

from scorecard.build import BuildOptions, build

from conftest import assessment_text, write_site


def build_site(root: Path, files: dict[str, str], **options) -> Path:
    write_site(root, files)
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22), **options))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "output"


def page_links(html: str, page: str, pattern: str) -> list[tuple[str, str]]:
    """(target path from the site root, text) of the links inside the first match of `pattern` on `page`."""
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return [(posixpath.normpath(posixpath.join(posixpath.dirname(page), href)), text)
            for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', match.group(1))]


LINKED = {
    # a links to c three times (twice by wiki-link, once by .md link): c lists a once.
    "content/assessments/a.md": assessment_text(title="Zeta forum", body="[[c]], [[c|again]] and [c](c.md).\n"),
    "content/assessments/b.md": assessment_text(title="alpha wiki", extra="related: [a]",
                                                body="See [[c]] and [[sub/d|the delta]].\n"),
    # c links to itself (not listed) and to a.
    "content/assessments/c.md": assessment_text(title="Customer line", body="This page: [[c]]. Before it: [[a]].\n"),
    "content/assessments/sub/d.md": assessment_text(title="Delta", body="Back to [the forum](../a.md#context).\n"),
}


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    return build_site(tmp_path, LINKED)


def referenced_by(out: Path, slug: str) -> list[tuple[str, str]]:
    page = f"assessments/{slug}/index.html"
    return page_links((out / page).read_text(encoding="utf-8"), page, r'<dt>Referenced by</dt><dd[^>]*>(.*?)</dd>')


def test_wikilinks_on_a_built_page_land_on_the_pages_they_name(linked: Path):
    page = "assessments/b/index.html"
    html = (linked / page).read_text(encoding="utf-8")
    body = page_links(html, page, r'<section aria-labelledby="section-body" class="body">(.*?)</section>')
    assert body == [("assessments/c/index.html", "Customer line"), ("assessments/sub/d/index.html", "the delta")]
    assert all((linked / target).is_file() for target, _ in body)


def test_referenced_by_lists_each_linking_assessment_once_by_title(linked: Path):
    # c is linked from a (three times), b, and itself: a and b, sorted by title ignoring case:
    # "alpha wiki" < "Zeta forum".
    assert referenced_by(linked, "c") == [("assessments/b/index.html", "alpha wiki"),
                                          ("assessments/a/index.html", "Zeta forum")]
    # a: from c's wiki-link and d's .md link ("Customer line" < "Delta"); b's `related: [a]` does not count.
    assert referenced_by(linked, "a") == [("assessments/c/index.html", "Customer line"),
                                          ("assessments/sub/d/index.html", "Delta")]
    assert referenced_by(linked, "sub/d") == [("assessments/b/index.html", "alpha wiki")]
    assert referenced_by(linked, "b") == []
    html = (linked / "assessments/b/index.html").read_text(encoding="utf-8")
    assert re.search(r"<dt>Referenced by</dt><dd[^>]*>—</dd>", html)
