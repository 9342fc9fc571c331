"""Splitting an assessment file into its YAML front matter and its Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scorecard.core.diagnostics import Diagnostic, error

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class SplitFile:
    front_matter: str
    front_matter_line: int
    """The file line on which the YAML text starts (the line after the opening `---`)."""
    body: str
    body_line: int
    """The file line on which the Markdown body starts."""


def normalise_text(text: str) -> str:
    """The text without a byte-order mark and with `\\n` line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str) -> tuple[SplitFile | None, list[Diagnostic]]:
    """Split `text` into front matter and body; a file must open with a `---` line."""
    text = normalise_text(text)
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        hint = "start the file with a line '---', the fields, then another '---'"
        if not text.strip():
            return None, [error(path, 1, "the file is empty", hint)]
        return None, [error(path, 1, "no front matter: an assessment starts with a line '---'", hint)]
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            return SplitFile(
                front_matter="\n".join(lines[1:index]) + "\n",
                front_matter_line=2,
                body="\n".join(lines[index + 1:]),
                body_line=index + 2,
            ), []
    return None, [error(path, 1, "the front matter is not closed", "add a line '---' after the last field")]
