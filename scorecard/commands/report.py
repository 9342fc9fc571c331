"""Diagnostics printed for people (text), for GitHub Actions (workflow annotations) and for tools (JSON)."""

from __future__ import annotations

import json
from typing import Iterable

from scorecard.core.diagnostics import Diagnostic, visible

FORMATS = ("text", "github", "json")


def _escape_data(text: str) -> str:
    """Text for a workflow command: control characters made visible (they would reach the log), then
    GitHub's own escapes."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(diagnostic: Diagnostic, path_prefix: str = "") -> str:
    """`::error file=…,line=…,col=…,title=scorecard::message`, shown on the file's line in a pull request."""
    props = []
    if diagnostic.path:
        props.append(f"file={_escape_property(path_prefix + diagnostic.path)}")
    if diagnostic.line is not None:
        props.append(f"line={diagnostic.line}")
        if diagnostic.col is not None:
            props.append(f"col={diagnostic.col}")
    props.append("title=scorecard")
    message = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    return f"::{diagnostic.severity.value} {','.join(props)}::{_escape_data(message)}"


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The diagnostics as a JSON list of {path, line, col, severity, message, hint}."""
    return json.dumps([
        {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity.value, "message": d.message, "hint": d.hint}
        for d in diagnostics
    ], indent=2, ensure_ascii=False) + "\n"


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str, path_prefix: str = "") -> str:
    """All diagnostics in one of FORMATS; `path_prefix` makes paths relative to the repository root."""
    if fmt == "json":
        return diagnostics_json(diagnostics)
    if fmt == "github":
        return "".join(github_annotation(d, path_prefix) + "\n" for d in diagnostics)
    return "".join(d.format() + "\n" for d in diagnostics)
