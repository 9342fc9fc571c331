"""The search index: one plain-text document per assessment, written as a small JavaScript file.

The site must search from file:// too, where a page cannot fetch() a JSON file, so the index is a
script that assigns a global (`window.SCORECARD_SEARCH`), loaded with a relative <script src>.
Ranking is left to the vendored MiniSearch in the browser; this module only gathers the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from html import unescape
from html.parser import HTMLParser

from scorecard.core.assessment import Assessment
from scorecard.site.urls import assessment_url

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


def search_document(assessment: Assessment, body_text: str) -> SearchDocument:
    """What search finds one assessment by; `body_text` is its body as plain text."""
    a = assessment
    evidence = "\n".join(text for r in a.responses for text in (r.evidence, r.reason) if text)
    return SearchDocument(id=a.slug, url=assessment_url(a.slug), title=a.title, summary=a.summary,
                          tags=" ".join(a.tags),
                          owner=a.owner, authors=", ".join(a.authors), evidence=evidence, body=body_text)


def search_entry(document: SearchDocument) -> str:
    """One document as the index holds it: JSON, keys sorted, safe inside a script.

    Made where the assessment's body is rendered (and cached with it), so a build only joins them.
    """
    return script_safe(json.dumps(asdict(document), ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def search_index_js(entries: Iterable[tuple[str, str]]) -> str:
    """The index as a script: `window.SCORECARD_SEARCH = {"documents": [...]};`, from (slug, entry)
    pairs, in slug order so that two builds write the same file."""
    return "".join(search_index_chunks(entries))


def search_index_chunks(entries: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The text of `search_index_js` in pieces, one per document, to be written as they come."""
    yield f'window.{GLOBAL} = {{"documents":['
    for n, (_, entry) in enumerate(sorted(entries)):
        yield "," + entry if n else entry
    yield "]};\n"


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


_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)"""
                  r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")
"""A start or end tag, its attributes' values quoted or not (a quoted value may hold `>`)."""
_RAW_TEXT = frozenset(("script", "style"))
"""Elements whose content html.parser reads as text, tags and all."""


def plain_text(html: str) -> str:
    """The text of an HTML fragment, whitespace collapsed to single spaces.

    What html.parser finds as text, found faster: every tag becomes a space. HTML that the quick
    route does not know how to read as html.parser would (comments, `<script>`, a bare `<`) goes
    through html.parser.
    """
    parts = _TAG.split(html)  # text, then per tag its slash and name, then text again
    if all("<" not in text for text in parts[::3]) and not any(name.lower() in _RAW_TEXT for name in parts[2::3]):
        return " ".join(unescape(" ".join(parts[::3])).split())
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())
