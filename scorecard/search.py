"""The search index: one plain-text document per assessment, written as a small JavaScript file.

The site must search from file:// too, where a page cannot fetch() a JSON file, so the index is a
script that assigns a global (`window.SCORECARD_SEARCH`), loaded with a relative <script src>.
Ranking is left to the vendored MiniSearch in the browser; this module only gathers the text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html.parser import HTMLParser

from .site import Scored, assessment_url

GLOBAL = "SCORECARD_SEARCH"
"""The name of the global the index script assigns; static/search.js reads it."""


@dataclass(frozen=True)
class SearchDocument:
    """What search finds an assessment by; `url` is relative to the site root."""

    id: str
    url: str
    title: str
    summary: str
    tags: str
    owner: str
    authors: str
    evidence: str
    """Every evidence text and n/a reason, one per line."""
    body: str
    """The body as plain text (tags stripped, whitespace collapsed)."""


def search_documents(scored: list[Scored]) -> tuple[SearchDocument, ...]:
    """One document per assessment, in slug order (so two builds write the same file)."""
    documents = []
    for s in sorted(scored, key=lambda s: s.assessment.slug):
        a = s.assessment
        evidence = "\n".join(text for r in a.responses for text in (r.evidence, r.reason) if text)
        documents.append(SearchDocument(
            id=a.slug, url=assessment_url(a.slug), title=a.title, summary=a.summary, tags=" ".join(a.tags),
            owner=a.owner, authors=", ".join(a.authors), evidence=evidence, body=plain_text(s.body_html)))
    return tuple(documents)


def search_index_js(documents: tuple[SearchDocument, ...]) -> str:
    """The index as a script: `window.SCORECARD_SEARCH = {"documents": [...]};`."""
    data = json.dumps({"documents": [asdict(d) for d in documents]}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return f"window.{GLOBAL} = {script_safe(data)};\n"


def script_safe(json_text: str) -> str:
    """JSON that cannot end its <script> element early or break an older JavaScript parser.

    `<`, `>` and `&` become \\u escapes (no "</script>" or "<!--" survives), and so do U+2028 and
    U+2029, which JSON allows in strings but JavaScript before ES2019 reads as line ends.
    """
    for char in "<>&\u2028\u2029":
        json_text = json_text.replace(char, f"\\u{ord(char):04x}")
    return json_text


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of an HTML fragment, whitespace collapsed to single spaces."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())
