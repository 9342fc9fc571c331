"""Links a reader follows between and out of assessment pages: wiki-links, "Referenced by",
"Edit this page", the 404 page and the sitemap, on small sites built into a temporary directory."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import assessment_text, write_site

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build


def build_site(root: Path, files: dict[str, str], **options) -> Path:
    write_site(root, files)
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22), **options))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "output"


def page_links(html: str, page: str, pattern: str) -> list[tuple[str, str]]:
    """(target path from the site root, text) of the links inside the first match of `pattern` on `page`."""
    match = re.search(pattern, html, re.DOTALL)
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


# -- "Edit this page" ------------------------------------------------------------------------------

EDIT = "https://git.example.org/team/site/-/edit/main/{path}"


def test_edit_link_points_at_the_file_with_its_path_quoted(tmp_path: Path):
    out = build_site(tmp_path, {
        "content/assessments/Q3 review.md": assessment_text(title="Q3 review"),
        "content/assessments/team/alpha.md": assessment_text(title="Alpha"),
    }, edit_url=EDIT)
    # The file's path from the site root, with the space quoted: content/assessments/Q3%20review.md
    review = (out / "assessments/q3-review/index.html").read_text(encoding="utf-8")
    assert ('<a class="edit-link" href="https://git.example.org/team/site/-/edit/main/content/assessments/Q3%20review.md">'
            "Edit this page</a>") in review
    alpha = (out / "assessments/team/alpha/index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example.org/team/site/-/edit/main/content/assessments/team/alpha.md"' in alpha


def test_no_edit_link_without_an_edit_url(linked: Path):
    assert "Edit this page" not in (linked / "assessments/a/index.html").read_text(encoding="utf-8")


# -- sitemap.xml -------------------------------------------------------------------------------------

def test_sitemap_lists_every_page_at_its_absolute_address(site: Path):
    out = site / "output"
    result = build(BuildOptions.at(site, base_url="https://example.org/cards"))  # no trailing slash: one is added
    assert result.ok
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == sorted(locs) and len(locs) == len(set(locs))
    assert "https://example.org/cards/index.html" in locs
    assert "https://example.org/cards/assessments/team/alpha/index.html" in locs
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    assert {loc.removeprefix("https://example.org/cards/") for loc in locs} == pages


def test_no_sitemap_without_a_base_url(linked: Path):
    # Sitemaps need absolute addresses, which the build cannot know without a base URL.
    assert not (linked / "sitemap.xml").exists()


# -- 404.html ------------------------------------------------------------------------------------------

def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_404_page_without_a_base_url_is_self_contained_and_links_from_the_site_root(linked: Path):
    html = (linked / "404.html").read_text(encoding="utf-8")
    assert "<h1>Page not found</h1>" in html
    assert "<style>" in html and "stylesheet" not in html and "<script" not in html  # nothing to load
    links = hrefs(html)
    assert "index.html" in links and "rubric/index.html" in links
    # Shown at the site's top level (or opened from disk), every link leads to a page.
    assert all((linked / href).is_file() for href in links)


def test_404_page_with_a_base_url_links_absolutely(tmp_path: Path):
    out = build_site(tmp_path, LINKED, base_url="https://example.org/cards/")
    links = hrefs((out / "404.html").read_text(encoding="utf-8"))
    assert "https://example.org/cards/index.html" in links
    assert all(href.startswith("https://example.org/cards/") for href in links)
    assert "404" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_two_builds_with_base_and_edit_urls_are_byte_identical(site: Path, tmp_path: Path):
    options = {"base_url": "https://example.org/cards/", "edit_url": EDIT}
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(BuildOptions.at(site, output_dir=first, **options)).ok
    assert build(BuildOptions.at(site, output_dir=second, **options)).ok
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert {"sitemap.xml", "scorecard.csv", "404.html", "assessments/beta/badge.svg"} <= {f.as_posix() for f in files}
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
