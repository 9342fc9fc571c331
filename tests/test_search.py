"""The search index: what each assessment is found by, and a script that is safe to load."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.site.search import SearchDocument, plain_text, search_entry, search_index_js

PREFIX, SUFFIX = "window.SCORECARD_SEARCH = ", ";\n"


def read_index(script: str) -> dict:
    assert script.startswith(PREFIX) and script.endswith(SUFFIX)
    return json.loads(script[len(PREFIX):-len(SUFFIX)])


def test_the_build_writes_one_document_per_assessment(site: Path):
    assert build(BuildOptions.at(site, today=dt.date(2026, 11, 22))).ok
    documents = read_index((site / "output" / "search-index.js").read_text(encoding="utf-8"))["documents"]
    assert [d["id"] for d in documents] == ["beta", "gamma", "team/alpha"]  # slug order
    beta = documents[0]
    assert beta["url"] == "assessments/beta/index.html"
    assert beta["title"] == "Beta loyalty points"
    assert beta["owner"] == "Loyalty & CRM"
    assert beta["authors"] == "Tom Becker, Ana Ruiz"
    assert beta["tags"] == "loyalty"
    assert "61% of the case depends on selling purchase data." in beta["evidence"].split("\n")
    # The body is text, not HTML: the Markdown link's text stays, its markup goes.
    assert beta["body"] == "See the wiki for how the data would be documented."


def test_content_cannot_end_the_script_or_break_a_line():
    nasty = "</script><script>alert(1)</script> <!-- & \u2028 line \u2029 paragraph"
    doc = SearchDocument(id="x", url="assessments/x/index.html", title=nasty, summary="", tags="", owner="",
                         authors="", evidence="", body="")
    script = search_index_js([("x", search_entry(doc))])
    for unsafe in ("<", ">", "&", "\u2028", "\u2029"):
        assert unsafe not in script
    assert "\\u003c/script\\u003e" in script and "\\u2028" in script
    assert read_index(script)["documents"][0]["title"] == nasty  # JSON reads the escapes back


def test_plain_text_folds_tags_entities_and_whitespace():
    assert (plain_text("<h2 id=\"a\">Risks</h2>\n<p>Fish &amp; <em>chips</em>\n  daily</p>")
            == "Risks Fish & chips daily")


@pytest.mark.parametrize(("html", "text"), [
    ('<a title="x>y" href="q">link</a>after', "link after"),  # a quoted ">" does not end the tag
    ("<p>a < b</p>", "a < b"),  # a bare "<" is text
    ("<!-- note --><p>shown</p>", "shown"),  # comments are not text
    ("<p>x</p><script>if (a<b) go()</script>", "x if (a<b) go()"),  # script content is read as text
    ("<p>caf&eacute; &#39;q&#39; &amp</p>", "café 'q' &"),
])
def test_plain_text_reads_html_as_a_browser_does(html: str, text: str):
    assert plain_text(html) == text
