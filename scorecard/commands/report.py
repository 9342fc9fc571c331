"""Diagnostics printed for people (text), for GitHub Actions (workflow annotations), for tools (JSON) and for
code-scanning services (SARIF 2.1.0)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from scorecard.core.diagnostics import Diagnostic, Severity, json_for_logs, visible

FORMATS = ("text", "github", "json", "sarif")
ANNOTATIONS_PER_LEVEL = 10
"""GitHub shows at most this many annotations of each level (error, warning) per step."""
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _escape_data(text: str) -> str:
    """Text for a workflow command: GitHub's own escapes (`%`, CR and LF, which the annotation shows as a
    line break inside it), then every other control character and line separator made visible (they
    would reach the log, or start a line of it)."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


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
    return json_for_logs(json.dumps([
        {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity.value, "message": d.message,
         "hint": d.hint}
        for d in diagnostics
    ], indent=2, ensure_ascii=False)) + "\n"


def github_annotations(diagnostics: Iterable[Diagnostic], path_prefix: str = "") -> str:
    """Annotations, at most ANNOTATIONS_PER_LEVEL of each level (GitHub drops the rest); the others as plain
    log lines, then a notice saying how many were left out."""
    lines, left_out = [], dict.fromkeys(Severity, 0)
    shown = dict.fromkeys(Severity, 0)
    for d in diagnostics:
        if shown[d.severity] < ANNOTATIONS_PER_LEVEL:
            shown[d.severity] += 1
            lines.append(github_annotation(d, path_prefix))
        else:
            left_out[d.severity] += 1
            lines.append(replace(d, path=path_prefix + d.path).format() if d.path else d.format())
    if any(left_out.values()):
        counts = " and ".join(f"{n} {level.value}{'s' if n != 1 else ''}" for level, n in left_out.items() if n)
        lines.append(f"::notice title=scorecard::{counts} not shown as annotations (GitHub shows "
                     f"{ANNOTATIONS_PER_LEVEL} of each level per step): they are in this log above, and "
                     "`scorecard check` lists them all")
    return "".join(line + "\n" for line in lines)


_QUOTED = re.compile(r"'[^']*'|“[^”]*”|\"[^\"]*\"|\S*\d\S*")


def rule_id(message: str) -> str:
    """The kind of a problem, from its message without the values it quotes: "unknown criterion 'serach' in
    'slates'" → "unknown-criterion-in"; "invalid YAML: …" → "invalid-yaml"."""
    kind = _QUOTED.sub(" ", message.split(":", 1)[0])
    words = re.findall(r"[a-z]+", kind.lower())[:6]
    return "-".join(words) or "problem"


def sarif(diagnostics: Iterable[Diagnostic], path_prefix: str = "", version: str = "") -> dict[str, Any]:
    """The diagnostics as a SARIF 2.1.0 log: one run, a rule per kind of problem, paths from the repository root."""
    rules: dict[str, int] = {}
    results = []
    for d in diagnostics:
        rule = rule_id(d.message)
        index = rules.setdefault(rule, len(rules))
        result: dict[str, Any] = {
            "ruleId": rule, "ruleIndex": index, "level": d.severity.value,
            "message": {"text": visible(d.message + (f" (hint: {d.hint})" if d.hint else ""))},
        }
        if d.path:
            location: dict[str, Any] = {"artifactLocation": {"uri": quote(path_prefix + d.path),
                                                             "uriBaseId": "%SRCROOT%"}}
            if d.line is not None:
                location["region"] = {"startLine": d.line} | ({"startColumn": d.col} if d.col is not None else {})
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    driver: dict[str, Any] = {
        "name": "scorecard",
        "rules": [{"id": rule, "name": rule, "shortDescription": {"text": rule.replace("-", " ")}} for rule in rules],
    }
    if version:
        driver["version"] = version
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str, path_prefix: str = "", version: str = "") -> str:
    """All diagnostics in one of FORMATS; `path_prefix` makes paths relative to the repository root."""
    if fmt == "json":
        return diagnostics_json(diagnostics)
    if fmt == "github":
        return github_annotations(diagnostics, path_prefix)
    if fmt == "sarif":
        return json_for_logs(json.dumps(sarif(diagnostics, path_prefix, version), indent=2, ensure_ascii=False)) + "\n"
    return "".join(d.format() + "\n" for d in diagnostics)
