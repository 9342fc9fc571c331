"""The command line: parses options, calls the library, prints diagnostics, picks the exit code."""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .build import BuildOptions, BuildResult, build as build_site


def print_result(result: BuildResult) -> None:
    for diagnostic in result.diagnostics:
        colour = "red" if diagnostic.is_error else "yellow"
        click.secho(diagnostic.format(), fg=colour, err=True)


@click.group()
@click.version_option(__version__, prog_name="scorecard")
def main() -> None:
    """Score social-business initiatives against the trust questions and SLATES, and publish the scorecard."""


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: output/).")
def build(strict: bool, out: Path | None) -> None:
    """Validate content/, score every assessment and write the site to output/."""
    root = Path.cwd()
    options = BuildOptions.at(root, strict=strict, **({"output_dir": out} if out else {}))
    result = build_site(options)
    print_result(result)
    if not result.ok:
        click.secho(f"Build failed: {result.errors} error(s), {result.warnings} warning(s); nothing was written.",
                    fg="red", err=True)
        raise SystemExit(1)
    click.echo(f"Built {result.assessments} assessments into {options.output_dir.relative_to(root) if options.output_dir.is_relative_to(root) else options.output_dir}: "
               f"{result.files} files, {result.warnings} warning(s), {result.seconds:.2f} s.")
