"""Markdown and front matter are untrusted: no script URL becomes a link, raw HTML is escaped
unless the site says otherwise, and a hostile value is escaped in every file of the site."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.commands.cli import main
from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish.markdown import make_markdown, render_body, safe_link
from scorecard.publish.render import make_environment

TITLES = {"forum": "Forum"}


def render(text: str, unsafe_html: bool = False) -> str:
    return render_body(make_markdown(unsafe_html), text, slug="forum", path="content/assessments/forum.md",
                       body_line=1, titles=TITLES).html


# -- script URLs, however they are disguised ------------------------------------------------

DISGUISED = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "jav&#x09;ascript:alert(1)",      # an entity for a tab, which browsers drop inside a scheme
    "jav&#9;ascript:alert(1)",
    "java&#10;script:alert(1)",       # a newline
    "&#x6A;avascript:alert(1)",       # the 'j' as an entity
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",      # the colon as a named entity
    "jav%09ascript:alert(1)",         # percent-encoded tab
    "java%0ascript:alert(1)",
    "javascript%3Aalert(1)",
    "%6Aavascript:alert(1)",
    "&#x01;javascript:alert(1)",      # a control character in front
    "\u00a0javascript:alert(1)",      # a no-break space in front
    "vbscript:msgbox(1)",
    "VbScRiPt:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,iVBORw0KGgo=",  # markdown-it lets this one through by default
    "DATA:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", DISGUISED)
@pytest.mark.parametrize("form", [
    "[x]({url})",
    "[x](<{url}>)",
    "![x]({url})",
    "<{url}>",
    "[x][ref]\n\n[ref]: {url}",
    "![x][ref]\n\n[ref]: {url}",
    '[x]({url} "title")',
], ids=["link", "angle-link", "image", "autolink", "reference", "reference-image", "titled"])
def test_script_urls_never_become_links_or_images(form: str, url: str) -> None:
    html = render(form.format(url=url) + "\n")
    assert not re.search(r"<a |<img |href=|src=", html), html


@pytest.mark.parametrize("url", ["https://example.com/a?b=1", "mailto:team@example.com", "../other/index.html",
                                 "#risks", "notes/javascript-tips.html", "data-sheet.pdf"])
def test_ordinary_urls_stay_links(url: str) -> None:
    # The test above must be able to fail: these become links, even where a word looks like a scheme.
    assert safe_link(url)
    assert f'href="{url}"' in render(f"[x]({url})\n")


def test_raw_html_is_escaped_by_default() -> None:
    html = render('<img src=x onerror="alert(1)">\n\nText <b onclick="x()">bold</b>.\n')
    assert "<img" not in html and "<b " not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_unsafe_html_lets_raw_html_through() -> None:
    html = render('<div class="note">Kept <b>as written</b>.</div>\n', unsafe_html=True)
    assert '<div class="note">Kept <b>as written</b>.</div>' in html


def test_unsafe_html_still_checks_markdown_links() -> None:
    # The switch is about raw HTML only; a Markdown link to javascript: is still refused.
    assert "href" not in render("[x](javascript:alert(1))\n", unsafe_html=True)


def test_unsafe_html_is_read_from_the_build_options(site: Path) -> None:
    page = site / "content/assessments/beta.md"
    page.write_text(page.read_text() + "\n<mark>raw</mark>\n")
    out = site / "output/assessments/beta/index.html"
    assert build(BuildOptions.at(site)).ok
    assert "&lt;mark&gt;raw&lt;/mark&gt;" in out.read_text()
    assert build(BuildOptions.at(site, unsafe_html=True)).ok
    assert "<mark>raw</mark>" in out.read_text()


# -- a hostile value in every field reaches every file escaped ------------------------------

HOSTILE = "<script>alert(1)</script>\"'&]]>"
ATOM = "{http://www.w3.org/2005/Atom}"


def hostile_site(root: Path, value: str = HOSTILE) -> Path:
    """A site of two assessments whose every free-text field, name and tag is `value`."""
    quoted = json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar
    for slug in ("one", "two", "<i>\"three\"&'"):  # the third's slug is i-three, its file name hostile too
        path = root / "content/assessments" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"""---
title: {quoted}
summary: {quoted}
owner: {quoted}
authors: [{quoted}, plain]
tags: [{quoted}]
date: 2026-09-14
extra: {{note: {quoted}}}
trust:
  better_product: {{answer: "yes", evidence: {quoted}}}
  return: {{answer: partly, evidence: {quoted}}}
  recommend: {{answer: unknown}}
  builds_trust: {{answer: "no", evidence: {quoted}}}
slates:
  search: {{score: 4, evidence: {quoted}}}
  links: {{score: 3, evidence: {quoted}}}
  authorship: {{score: 5, evidence: {quoted}}}
  tags: {{score: 2, evidence: {quoted}}}
  extensions: {{score: n/a, reason: {quoted}}}
  signals: {{score: 4, evidence: {quoted}}}
---
{value}

[click](javascript:alert(1)) <javascript:alert(2)> ![img](data:image/png;base64,AAAA)
""", encoding="utf-8")
    return root


def unescaped(files: dict[str, str], needle: str) -> list[str]:
    """The output files in which `needle` appears as it was written, unescaped for the file's kind."""
    found = []
    for name, text in files.items():
        if name.endswith(".csv"):
            # CSV has no markup: quoting is its escaping (and formula-like cells get a leading ').
            # Reading it back must give whole rows, the value intact in a cell of its own.
            rows = list(csv.reader(io.StringIO(text, newline="")))
            if len({len(row) for row in rows}) != 1:
                found.append(name)
        elif name.endswith(".json"):
            # JSON is escaped by its own rules: the value must come back intact, and '<' must not
            # be left raw, so that the file is safe to inline in a page.
            json.loads(text)
            if "<script>alert" in text:
                found.append(name)
        elif needle in text:
            found.append(name)
    return found


def commit_twice(root: Path) -> None:
    """Two commits with a hostile message, the second moving a score, so the site has history and a feed."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), "-c", "user.name=Ana", "-c", "user.email=a@example.org", *args],
                       check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", HOSTILE)
    page = root / "content/assessments/one.md"
    page.write_text(page.read_text().replace("search: {score: 4", "search: {score: 2"))
    git("commit", "-q", "-a", "-m", HOSTILE)


@pytest.mark.parametrize("with_history", [False, True], ids=["plain", "git-history"])
def test_a_hostile_value_never_appears_unescaped_in_any_output_file(tmp_path: Path, with_history: bool) -> None:
    root = hostile_site(tmp_path)
    if with_history:
        commit_twice(root)
    # With a base URL and an edit URL, so that the sitemap and the "Edit this page" links are made too.
    result = build(BuildOptions.at(root, base_url="https://example.org/sc/",
                                   edit_url="https://git.example.org/edit/main/{path}"))
    assert result.ok, [d.format() for d in result.diagnostics]
    files = {p.relative_to(root / "output").as_posix(): p.read_text(encoding="utf-8")
             for p in (root / "output").rglob("*") if p.is_file()}
    assert {"assessments/one/index.html", "assessments/i-three/index.html", "scorecard.json", "scorecard.csv",
            "sitemap.xml", "assessments/one/badge.svg", "search-index.js"} <= set(files)
    assert "https://git.example.org/edit/main/content/assessments/%3Ci%3E%22three%22%26%27.md" \
        in files["assessments/i-three/index.html"]
    for needle in ("<script>alert", "]]>"):  # the theme's own <script src=…> elements are fine
        assert unescaped(files, needle) == [], needle
    # Every link and image source in the site is relative, http(s) or a fragment.
    urls = [url for text in files.values() for url in re.findall(r'(?:href|src)="([^"]*)"', text)]
    assert urls and [u for u in urls if re.match(r"[a-z]+:", u) and not u.startswith(("http:", "https:"))] == []
    assert "[click](javascript:alert(1))" in files["assessments/one/index.html"]  # left as text
    # Each kind of file carries the value, escaped for its context (so the checks above saw it).
    page = files["assessments/one/index.html"]
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;]]&gt;</h1>" in page
    assert [a["title"] for a in json.loads(files["scorecard.json"])["assessments"]] == [HOSTILE] * 3
    index = files["search-index.js"]
    assert index.startswith("window.SCORECARD_SEARCH = ") and index.endswith(";\n")
    documents = json.loads(index.removeprefix("window.SCORECARD_SEARCH = ").removesuffix(";\n"))["documents"]
    assert [d["title"] for d in documents] == [HOSTILE] * 3
    rows = list(csv.DictReader(io.StringIO(files["scorecard.csv"], newline="")))
    assert [(row["title"], row["owner"], row["tags"]) for row in rows] == [(HOSTILE, HOSTILE, HOSTILE)] * 3
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;]]&gt;"
    assert f'<title id="radar-slates-title">SLATES scores of {escaped}</title>' in page  # the inline SVG
    if with_history:
        # The feed is well-formed XML, and reading it gives back the title and the commit message.
        feed = ET.fromstring(files["changes.xml"])
        entry = feed.find(f"{ATOM}entry")
        assert entry is not None
        assert entry.findtext(f"{ATOM}title", "").startswith(HOSTILE + ": ")
        assert entry.findtext(f"{ATOM}summary", "").endswith(HOSTILE)
        assert f"<title id=\"trend-title\">Overall score of {escaped} over 2 revisions</title>" in page


def test_the_escaping_test_can_fail() -> None:
    # The scanner above is not blind: the raw value in an HTML file, or raw '<' in JSON, is caught.
    assert unescaped({"a.html": f"<p>{HOSTILE}</p>"}, "<script>alert") == ["a.html"]
    assert unescaped({"a.json": json.dumps({"t": HOSTILE})}, "<script>alert") == ["a.json"]
    # unquoted: 3 cells
    assert unescaped({"a.csv": "title,owner\r\nForum, the pilot,x\r\n"}, "<script>alert") == ["a.csv"]


def test_a_hostile_rubric_is_escaped_too(site: Path) -> None:
    # content/rubric.yml is content: its names, titles, prompts and descriptions are escaped like the rest.
    quoted = json.dumps(HOSTILE)
    (site / "content/rubric.yml").write_text(f"""extends: default
name: {quoted}
sections:
  - id: job
    title: {quoted}
    description: {quoted}
    weight: 0.2
    scale: {{min: 0, max: 5}}
    items:
      - {{id: pain, title: {quoted}, prompt: {quoted}, top: {quoted}}}
""", encoding="utf-8")
    result = build(BuildOptions.at(site))
    assert result.ok, [d.format() for d in result.diagnostics]
    files = {p.relative_to(site / "output").as_posix(): p.read_text(encoding="utf-8")
             for p in (site / "output").rglob("*") if p.is_file()}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;]]&gt;" in files["rubric/index.html"]
    for needle in ("<script>alert", "]]>"):
        assert unescaped(files, needle) == [], needle


def test_diagnostics_cannot_drive_the_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An escape sequence in a file name and in a value (here: clear the screen, set the clipboard)
    # is printed as visible text, not sent to the terminal.
    page = tmp_path / "content/assessments/x\x1b[2J.md"
    page.parent.mkdir(parents=True)
    page.write_text('---\ntitle: X\ndate: 2026-09-14\nstatus: "\\e]52;c;cm0gLXJm\\a"\n---\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "content/assessments/x\\x1b[2J.md:4:9: error: unknown status '\\x1b]52;c;cm0gLXJm\\x07'" in result.output


def test_unsafe_html_from_scorecard_yml_reaches_the_pages(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = site / "content/assessments/beta.md"
    page.write_text(page.read_text() + "\n<mark>raw</mark>\n")
    out = site / "output/assessments/beta/index.html"
    monkeypatch.chdir(site)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    assert "&lt;mark&gt;raw&lt;/mark&gt;" in out.read_text()
    (site / "scorecard.yml").write_text("unsafe_html: true\n")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    assert "<mark>raw</mark>" in out.read_text()


@pytest.mark.parametrize("name", ["page.html", "feed.xml", "chart.svg", "data.txt"])
def test_every_template_autoescapes_whatever_its_extension(tmp_path: Path, name: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / name).write_text("{{ value }}")
    html = make_environment([tmp_path]).get_template(name).render(value=HOSTILE)
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;]]&gt;"
