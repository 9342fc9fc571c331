"""Problems as values: every stage returns diagnostics instead of raising them at the user."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.Enum):
    """How serious a diagnostic is; `--strict` promotes warnings to errors."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input, pointing at the place that causes it."""

    path: str
    """Path of the file, relative to the site root where possible ("" for the site as a whole)."""
    line: int | None
    """1-based line of the problem, when known."""
    col: int | None
    """1-based column, when known."""
    severity: Severity
    message: str
    hint: str | None = None
    """A suggestion that helps fix the problem ("did you mean 'search'?")."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """`path:line:col` with the parts that are known."""
        parts = [self.path or "<site>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def format(self) -> str:
        """The one-line text form, as compilers print it: `path:line:col: error: message (hint)`.

        Control characters and line breaks from the input (an escape sequence or a newline in a
        file name or a value) are shown as `\\x1b`, `\\n`, so that printing a diagnostic cannot
        drive the reader's terminal or start a line of a CI log.
        """
        text = f"{self.location()}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return visible(text)


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Every control character but tab: C0 (with CR and LF), DEL, C1 (with NEL, U+0085 and the 8-bit
CSI and OSC) and the line and paragraph separators, each of which can start a new line in a log or a
terminal, or drive it (ESC); and lone surrogates, which stand for the bytes of a file name that is
not UTF-8 (U+DCE9 for the byte 0xE9) and cannot be printed at all."""


def visible(text: str) -> str:
    """`text` on one line and harmless to a terminal or a CI log: every control character but tab
    written out (`\\x1b`, `\\n`, `\\u2028`).

    This is the one place that makes text an author or a client controls (a value, a file name, a
    commit subject, a request line) safe to print: every command's text output goes through it
    (see `terminal.say` and `Diagnostic.format`), so no printed line can begin with author text
    such as `::error::`, `::add-mask::`, or carry an escape sequence.
    """
    return _CONTROL.sub(_written_out, text)


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _written_out(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte of a name that is not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{ord(char) - 0xDC00:02x}"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def json_for_logs(text: str) -> str:
    """JSON written with `ensure_ascii=False` with the characters it leaves raw that a terminal or a log
    takes as a line break or a command (DEL, C1 with NEL, U+2028, U+2029), and lone surrogates, which
    cannot be written as UTF-8 at all, written as `\\uXXXX`, which JSON reads back as the same string
    (they only ever occur inside strings)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def error(path: str | Path, line: int | None, message: str, hint: str | None = None,
          col: int | None = None) -> Diagnostic:
    """An error diagnostic."""
    return Diagnostic(str(path), line, col, Severity.ERROR, message, hint)


def warning(path: str | Path, line: int | None, message: str, hint: str | None = None,
            col: int | None = None) -> Diagnostic:
    """A warning diagnostic."""
    return Diagnostic(str(path), line, col, Severity.WARNING, message, hint)


def strict(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with every warning promoted to an error (`--strict`)."""
    return [
        Diagnostic(d.path, d.line, d.col, Severity.ERROR, d.message, d.hint) if not d.is_error else d
        for d in diagnostics
    ]


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in reading order: by file, then line, then column."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.col or 0, d.message))


LISTED_CHOICES = 12
"""Up to this many choices, a hint with no close match lists them all; beyond, it only counts them."""


def did_you_mean(word: str, choices: Iterable[str], listed: int = LISTED_CHOICES) -> str | None:
    """A hint naming the closest of `choices` to a misspelt `word`, or listing them when there are at
    most `listed` (a fixed vocabulary, such as the settings of scorecard.yml, is worth listing whole)."""
    import difflib  # here, not above: a build with nothing to suggest does without it

    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) > listed:
        return f"none of the {len(options)} names is close"
    if options:
        return "expected one of: " + ", ".join(options)
    return None
