"""Text an author controls, made safe for XML 1.0 (the Atom feed, the SVG badge) and HTML."""

from __future__ import annotations

import re
from typing import Any

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow at all, even escaped (`&#7;` is an error too): C0 controls but
tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. A YAML escape ("\\x07") or a commit message can
carry them, and one of them makes changes.xml or badge.svg unreadable (a broken image)."""

REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """`text` with each character XML cannot hold replaced by U+FFFD (a Markup stays Markup)."""
    if not XML_INVALID.search(text):
        return text
    return type(text)(XML_INVALID.sub(REPLACEMENT, text))


def finalize(value: Any) -> Any:
    """Jinja's `finalize`: every `{{ … }}` that prints text prints it XML-safe, in every template."""
    return xml_safe(value) if isinstance(value, str) else value
