"""Text that authors wrote, made safe to put into GitHub-flavoured Markdown (a pull-request comment).

Everything an assessment's author controls — titles, evidence, slugs, owners, diagnostic messages
quoting their values — reaches a comment posted by a bot. There it must read as the author typed
it and do nothing else: no raw HTML (`<img onerror=…>`), no emphasis or links, no @mentions
that notify someone, no #123 or GH-123 references, no bare addresses turned into links.

`inline` is for Markdown text (a table cell, a list item); `html` for text inside an HTML element
such as `<summary>`, where backslash escapes are not read. Both put a zero-width space after `@`
and `#` and inside `://` and `www.`: GitHub finds mentions, references and bare links in the
rendered text, after escapes and entities are undone, so only breaking the pattern stops them.
"""

from __future__ import annotations

import html as _html
import re

ZWSP = "\u200b"
"""The zero-width space that breaks a mention or a reference without showing."""

_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")
"""What Markdown reads as syntax inside a line (emphasis, code, links, table cells, strikethrough, math);
`<`, `>` and `&` become entities instead. Line-start syntax (`#`, `-`, `1.`) cannot occur: the
text never starts a line."""
_MENTION = re.compile(r"([@#])(?=[\w-])")
_REFERENCE = re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE)
_BARE_LINK = re.compile(r"(://|(?<![\w])www\.)", re.IGNORECASE)


def _break_autolinks(text: str) -> str:
    """A zero-width space after @ and # before a name or number, in GH-123, and inside :// and www."""
    text = _MENTION.sub(lambda m: m.group(1) + ZWSP, text)
    text = _REFERENCE.sub(lambda m: m.group(1) + "-" + ZWSP, text)
    return _BARE_LINK.sub(lambda m: m.group(1)[:1] + ZWSP + m.group(1)[1:], text)


def one_line(text: str) -> str:
    """Runs of whitespace (newlines included) as one space: a table row or list item stays one line."""
    return " ".join(text.split())


def inline(text: str) -> str:
    """`text` as literal Markdown text on one line: every syntax character escaped, nothing live."""
    text = _break_autolinks(one_line(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # `&` was made an entity first, so the entities just written are not escaped again
    return _PUNCTUATION.sub(r"\\\1", text)


def html(text: str) -> str:
    """`text` as the literal content of an HTML element (e.g. `<summary>`), on one line, nothing live."""
    return _html.escape(_break_autolinks(one_line(text)), quote=True)
