"""What the commands print for people: diagnostics, the one-line summary, the settings in effect.

Colours come from click, which strips them when the stream is not a terminal (a pipe, a file, CI
logs) and here also when NO_COLOR is set (https://no-color.org).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scorecard.core.diagnostics import Diagnostic, visible
from scorecard.core.options import BuildOptions
from scorecard.source.content import display_path

if TYPE_CHECKING:
    from scorecard.pipeline.build import BuildResult


@dataclass(frozen=True)
class Verbosity:
    """How much a command prints: `--quiet` errors only, `--verbose` also the settings in effect."""

    quiet: bool = False
    verbose: bool = False


def colour() -> bool | None:
    """False when NO_COLOR asks for no colour; None lets click decide (colour only on a terminal)."""
    return False if os.environ.get("NO_COLOR") else None


def say(text: str, fg: str | None = None, err: bool = True) -> None:
    """One line for people, on stderr unless `err` is False; what it quotes (file names, values, request
    lines) is made `visible`, so it stays one line and cannot drive the terminal."""
    click.secho(visible(text), fg=fg, err=err, color=colour())


def print_diagnostics(diagnostics: Iterable[Diagnostic], verbosity: Verbosity | None = None) -> None:
    """Each diagnostic on its own line, errors red and warnings yellow; `--quiet` drops the warnings."""
    for diagnostic in diagnostics:
        if diagnostic.is_error or not (verbosity and verbosity.quiet):
            say(diagnostic.format(), "red" if diagnostic.is_error else "yellow")


def plural(count: int, noun: str) -> str:
    """`1 warning`, `2 warnings`, `0 errors`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def build_summary(result: BuildResult, options: BuildOptions | None, seconds: float) -> str:
    """The line that ends a build: what was built (or that nothing was written), counts and time."""
    counts = f"{plural(result.warnings, 'warning')}, {plural(result.errors, 'error')}, {seconds:.2f} s"
    if not result.ok:
        return f"Build failed: {plural(result.assessments, 'assessment')} read, {counts}; nothing was written."
    where = f" into {display_path(options.output_dir, options.root)}/" if options else ""
    return (f"Built {plural(result.assessments, 'assessment')}{where}: "
            f"{plural(result.pages, 'page')} ({plural(result.files, 'file')}), {counts}.")


def describe_options(options: BuildOptions, config_file: Path | None, overridden: Iterable[str]) -> list[str]:
    """The settings in effect, one per line, each with where it came from (`--verbose`)."""
    given = set(overridden)
    defaults = BuildOptions.at(options.root)
    lines = [f"settings: {config_file or 'no scorecard.yml, defaults'}"]
    for field in fields(options):
        if field.name == "root":
            continue
        value = getattr(options, field.name)
        if isinstance(value, Path):
            value = display_path(value, options.root)
        elif isinstance(value, tuple):
            value = ", ".join(display_path(v, options.root) for v in value) or "(none)"
        if field.name in given:
            origin = "command line"
        else:
            origin = "default" if getattr(defaults, field.name) == getattr(options, field.name) else "scorecard.yml"
        lines.append(f"  {field.name} = {value!r} ({origin})" if isinstance(value, str) else
                     f"  {field.name} = {value} ({origin})")
    return lines
