"""Problems as values: every stage returns diagnostics instead of raising them at the user."""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


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

        Control characters from the input (an escape sequence in a file name or a value) are
        shown as `\\x1b`, so that printing a diagnostic cannot drive the reader's terminal.
        """
        text = f"{self.location()}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return visible(text)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and newline."""


def visible(text: str) -> str:
    """`text` with control characters other than tab and newline written out as `\\x1b`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def error(path: str | Path, line: int | None, message: str, hint: str | None = None, col: int | None = None) -> Diagnostic:
    """An error diagnostic."""
    return Diagnostic(str(path), line, col, Severity.ERROR, message, hint)


def warning(path: str | Path, line: int | None, message: str, hint: str | None = None, col: int | None = None) -> Diagnostic:
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


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest of `choices` to a misspelt `word`, or listing them when they are few."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) > LISTED_CHOICES:
        return f"none of the {len(options)} names is close"
    if options:
        return "expected one of: " + ", ".join(options)
    return None
