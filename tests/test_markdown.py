"""An assessment's Markdown body as HTML: escaped raw HTML, no script URLs, demoted headings,
and links between assessments that land on the right page or are reported with their line."""

from __future__ import annotations

import posixpath
import re

import pytest

from scorecard.core.diagnostics import Severity
from scorecard.publish.markdown import make_markdown, render_body

TITLES = {"customer-forum": "Customer forum", "talk-to-a-human": "Talk to a human",
          "support-on-social": "Support on social",
          "internal/wiki": "Enterprise wiki", "internal/status-page": "Status page"}


def render(text: str, slug: str = "support-on-social", body_line: int = 1):
    """The HTML and diagnostics of `text` as the body of the assessment `slug`."""
    body = render_body(make_markdown(), text, slug=slug, path=f"content/assessments/{slug}.md",
                       body_line=body_line, titles=TITLES)
    return body.html, list(body.diagnostics)


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)"', html)


def lands_on(page_slug: str, href: str) -> str:
    """Where a link on the page of `page_slug` leads, as a path from the site root.

    Each assessment's page is assessments/<slug>/index.html.
    """
    path, _, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join(f"assessments/{page_slug}", path))
    return target + (f"#{fragment}" if fragment else "")


# -- nothing a body says can run in the reader's browser ----------------------------------

def test_raw_html_is_escaped() -> None:
    html, diagnostics = render("Before <script>alert(1)</script> after.\n\n<iframe src=x></iframe>\n")
    assert "<script" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;iframe src=x&gt;&lt;/iframe&gt;" in html
    assert diagnostics == []


@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
])
@pytest.mark.parametrize("form", ["[x]({url})", "<{url}>", "![x]({url})"], ids=["link", "autolink", "image"])
def test_script_urls_do_not_become_links(form: str, url: str) -> None:
    html, _ = render(form.format(url=url) + "\n")
    assert "<a " not in html and "<img" not in html, html
    assert "href=" not in html and "src=" not in html, html


def test_images_from_other_sites_become_links_with_a_warning() -> None:
    # Body line 1 is file line 10; the image is on the third body line, so line 12.
    html, diagnostics = render("Intro\n\nSee ![the <b>chart</b>](https://x.example/c.png?a=1&b=2)\n", body_line=10)
    assert "<img" not in html
    assert '<a href="https://x.example/c.png?a=1&amp;b=2">the &lt;b&gt;chart&lt;/b&gt;</a>' in html
    assert [(d.line, d.severity.value, d.message) for d in diagnostics] == [
        (12, "warning", "image from outside the site is shown as a link: https://x.example/c.png?a=1&b=2")]
    # Protocol-relative addresses are other sites too; without alt text the address is the link's text.
    html, diagnostics = render("![](//cdn.example/y.png)\n")
    assert '<a href="//cdn.example/y.png">//cdn.example/y.png</a>' in html and len(diagnostics) == 1


def test_images_beside_the_page_stay_images() -> None:
    html, diagnostics = render("![diagram](diagram.png)\n")
    assert '<img src="diagram.png" alt="diagram" />' in html and diagnostics == []


def test_ordinary_links_stay_links() -> None:
    # The test above must be able to fail: a plain https link does become a link.
    html, _ = render("[x](https://example.com/a?b=1)\n")
    assert hrefs(html) == ["https://example.com/a?b=1"]


# -- headings: the page title is the only h1 ----------------------------------------------

@pytest.mark.parametrize(("markdown", "expected"), [
    ("# Heading\n", '<h2 id="heading">Heading</h2>'),
    ("## What changes for the customer\n", '<h3 id="what-changes-for-the-customer">What changes for the customer</h3>'),
    ("###### Deepest\n", "<h6"),
    # The default theme's assessment page has id="main" and id="section-scores": body headings keep clear.
    ("# Section scores\n", '<h2 id="section-scores-notes">Section scores</h2>'),
    ("# Main\n\n# Main\n", '<h2 id="main-notes">Main</h2>\n<h2 id="main-notes-1">Main</h2>'),
])
def test_headings_move_one_level_down_with_ids(markdown: str, expected: str) -> None:
    html, _ = render(markdown)
    assert expected in html
    assert "<h1" not in html


# -- links between assessments --------------------------------------------------------------

@pytest.mark.parametrize(("page", "link", "target"), [
    # assessments/support-on-social/index.html → assessments/talk-to-a-human/index.html
    ("support-on-social", "talk-to-a-human.md", "assessments/talk-to-a-human/index.html"),
    ("support-on-social", "./talk-to-a-human.md", "assessments/talk-to-a-human/index.html"),
    ("support-on-social", "talk-to-a-human.md#context", "assessments/talk-to-a-human/index.html#context"),
    ("support-on-social", "internal/wiki.md", "assessments/internal/wiki/index.html"),
    # From a sub-folder page, assessments/internal/wiki/index.html:
    ("internal/wiki", "../customer-forum.md", "assessments/customer-forum/index.html"),
    ("internal/wiki", "../customer-forum.md#signals", "assessments/customer-forum/index.html#signals"),
    ("internal/wiki", "status-page.md", "assessments/internal/status-page/index.html"),
    # The file name as written on disk, before slugging: 'Talk to a human.md' is 'talk-to-a-human'.
    ("support-on-social", "Talk%20to%20a%20human.md", "assessments/talk-to-a-human/index.html"),
], ids=["same folder", "dot slash", "fragment", "into a sub-folder", "from a sub-folder",
        "from a sub-folder with fragment", "within a sub-folder", "file name with spaces"])
def test_link_to_an_assessment_file_goes_to_its_page(page: str, link: str, target: str) -> None:
    html, diagnostics = render(f"See [the other one]({link}).\n", slug=page)
    assert diagnostics == []
    (href,) = hrefs(html)
    assert not href.endswith(".md") and ".md#" not in href
    assert lands_on(page, href) == target


def test_links_that_are_not_assessment_files_are_left_alone() -> None:
    html, diagnostics = render("[a](https://example.com/readme.md) [b](#signals) [c](notes.txt)\n")
    assert hrefs(html) == ["https://example.com/readme.md", "#signals", "notes.txt"]
    assert diagnostics == []


@pytest.mark.parametrize(("page", "body", "line", "hint"), [
    # body_line 20:  20 '## Context', 21 '', 22 the link.
    ("support-on-social", "## Context\n\nWe asked the [support team](talk-to-a-humn.md) first.\n", 22,
     "did you mean 'talk-to-a-human'?"),
    # 20 '## Context', 21 '', 22 'Escalation moved to the', 23 the link, on the paragraph's second line.
    ("support-on-social", "## Context\n\nEscalation moved to the\n[support team](talk-to-a-humn.md) in May.\n", 23,
     "did you mean 'talk-to-a-human'?"),
    # 20 '# Links', 21 '', 22 '- [forum]', 23 '- [wiki]', 24 the missing one, in the third list item.
    ("support-on-social",
     "# Links\n\n- [forum](customer-forum.md)\n- [wiki](internal/wiki.md)\n- [gone](retired-idea.md)\n",
     24, None),
    # 20 'Intro.', 21 '', 22 a quote linking above assessments/ from the sub-folder page.
    ("internal/wiki", "Intro.\n\n> [up](../../outside.md)\n", 22, None),
], ids=["first line of a paragraph", "second line of a paragraph", "third list item", "outside assessments/"])
def test_link_to_a_missing_assessment_is_an_error_on_its_line(page: str, body: str, line: int,
                                                              hint: str | None) -> None:
    _, diagnostics = render(body, slug=page, body_line=20)
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    (diagnostic,) = diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert (diagnostic.path, diagnostic.line) == (f"content/assessments/{page}.md", line), diagnostic.format()
    assert "no such assessment" in diagnostic.message
    if hint:
        assert diagnostic.hint and hint in diagnostic.hint


# -- wiki-links: [[slug]] and [[slug|text]] -------------------------------------------------------

def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link."""
    return re.findall(r'<a href="([^"]*)">(.*?)</a>', html)


@pytest.mark.parametrize(("page", "body", "target", "text"), [
    # [[slug]] shows the target's title.
    ("support-on-social", "Ask [[talk-to-a-human]] first.", "assessments/talk-to-a-human/index.html",
     "Talk to a human"),
    # [[slug|text]] shows the text.
    ("support-on-social", "Ask [[talk-to-a-human|a person]] first.", "assessments/talk-to-a-human/index.html",
     "a person"),
    # A slug in a sub-folder, from a page at the top: ../ + internal/wiki/index.html.
    ("support-on-social", "See [[internal/wiki]].", "assessments/internal/wiki/index.html", "Enterprise wiki"),
    # Slugs count from assessments/, wherever the page is: from internal/wiki, ../../customer-forum/index.html.
    ("internal/wiki", "See [[customer-forum|the forum]].", "assessments/customer-forum/index.html", "the forum"),
    ("internal/wiki", "See [[internal/status-page]].", "assessments/internal/status-page/index.html", "Status page"),
    # A fragment is kept; spaces round the parts are dropped.
    ("internal/wiki", "See [[ customer-forum#risks | its risks ]].", "assessments/customer-forum/index.html#risks",
     "its risks"),
    # The target is slugified like a file name: 'Talk to a Human' is 'talk-to-a-human'.
    ("support-on-social", "Ask [[Talk to a Human]].", "assessments/talk-to-a-human/index.html", "Talk to a human"),
], ids=["title", "text", "into a sub-folder", "from a sub-folder", "within a sub-folder", "fragment", "slugified"])
def test_wikilink_goes_to_the_assessment_page(page: str, body: str, target: str, text: str) -> None:
    html, diagnostics = render(body + "\n", slug=page)
    assert diagnostics == []
    ((href, shown),) = links(html)
    assert lands_on(page, href) == target
    assert shown == text


def test_wikilink_title_is_escaped_and_text_is_not_markdown() -> None:
    titles = {"a": "Fish & <chips>", "b": "B"}
    body = render_body(make_markdown(), "[[a]] and [[b|*not* <i>html</i>]]\n", slug="b", path="b.md", body_line=1,
                       titles=titles)
    assert links(body.html) == [("../a/index.html", "Fish &amp; &lt;chips&gt;"),
                                ("../b/index.html", "*not* &lt;i&gt;html&lt;/i&gt;")]


@pytest.mark.parametrize("body", [
    "`[[talk-to-a-human]]` in code",           # a code span is code
    "\\[[talk-to-a-human]] escaped",           # an escaped bracket
    "[[]] and [[|text]] and [[ ]]",            # no target
    "[[talk-to-a-human\nsplit over lines]]",   # a wiki-link is on one line
    "[[talk-[to]-a-human]]",                   # brackets inside
])
def test_things_that_are_not_wikilinks_stay_text(body: str) -> None:
    html, diagnostics = render(body + "\n")
    assert "<a " not in html and diagnostics == []
    assert "[[" in html or "\\[" in body


def test_wikilink_inside_a_link_text_behaves_as_a_nested_link() -> None:
    # CommonMark: a link cannot contain a link, and the inner one wins, as with [see [x](y.html) too](…).
    html, _ = render("[see [[talk-to-a-human]] too](https://example.com)\n")
    assert hrefs(html) == ["../talk-to-a-human/index.html"]
    # Inside an image's text it is alt text, as [x](y.html) would be: the target as written.
    html, _ = render("![see [[talk-to-a-human]] too](chart.png)\n")
    assert "<a " not in html and 'alt="see talk-to-a-human too"' in html


@pytest.mark.parametrize(("body", "line", "hint"), [
    # body_line 20: 20 'Intro.', 21 '', 22 the wiki-link.
    ("Intro.\n\nAsk [[talk-to-a-humn]] first.\n", 22, "did you mean 'talk-to-a-human'?"),
    # 22 'Escalation went to', 23 the wiki-link on the paragraph's second line.
    ("Intro.\n\nEscalation went to\nthe [[talk-to-a-humn|support team]] in May.\n", 23,
     "did you mean 'talk-to-a-human'?"),
    # 22 '| a | b |', 23 '|---|---|', 24 the row holding the wiki-link.
    ("Intro.\n\n| a | b |\n|---|---|\n| x | [[internal/wikki]] |\n", 24, "did you mean 'internal/wiki'?"),
], ids=["paragraph", "second line", "table cell"])
def test_wikilink_to_a_missing_assessment_is_an_error_on_its_line(body: str, line: int, hint: str) -> None:
    _, diagnostics = render(body, body_line=20)
    (diagnostic,) = diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert (diagnostic.path, diagnostic.line) == ("content/assessments/support-on-social.md", line), diagnostic.format()
    assert "no such assessment" in diagnostic.message and "[[" in diagnostic.message
    assert diagnostic.hint == hint


def test_links_to_assessments_are_reported_once_each_in_order() -> None:
    text = ("[[internal/wiki]], then [the forum](customer-forum.md), [[customer-forum|again]], "
            "[[talk-to-a-humn]] (missing), [out](https://example.com/x.md) and [[internal/wiki#risks]].\n")
    body = render_body(make_markdown(), text, slug="support-on-social", path="s.md", body_line=1, titles=TITLES)
    assert body.links == ("internal/wiki", "customer-forum")
    assert len(body.diagnostics) == 1
