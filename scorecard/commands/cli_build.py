"""`scorecard build`: the settings, the build through the cache, its summary and exit code."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import click

from scorecard.commands.cli_options import (
    QUIET,
    STALE_AFTER,
    TODAY,
    VERBOSE,
    site_options,
    today_option,
    warn_if_shallow,
)
from scorecard.commands.terminal import Verbosity, build_summary, print_diagnostics, say
from scorecard.incremental.cache import reuse_for
from scorecard.pipeline.build import STAGES
from scorecard.pipeline.build import build as build_site
from scorecard.source.config import CONFIG_FILE


class BuildProgress:
    """A progress bar on a terminal, shown once a build has taken a second; nothing when not a terminal."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Any = None
        self.stages = 0

    def __call__(self, stage: str) -> None:
        self.stages += 1
        if self.bar is None and time.monotonic() - self.started > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(length=len(STAGES), label="Building", file=sys.stderr, show_eta=False,
                                         item_show_func=lambda s: s)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(self.stages - self.bar.pos, stage)

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Output directory (default: output_dir in {CONFIG_FILE}, else output/).")
@click.option("--timings", is_flag=True, help="Also print the time each stage of the build took.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Build everything afresh, neither reading nor writing .scorecard-cache/.")
@TODAY
@STALE_AFTER
@QUIET
@VERBOSE
def build(strict: bool, out: Path | None, timings: bool, no_cache: bool, today: dt.datetime | None,
          stale_after: int | None, quiet: bool, verbose: bool) -> None:
    """Validate the content, score every assessment and write the site (to output/ by default)."""
    verbosity = Verbosity(quiet, verbose)
    options = site_options(Path.cwd(), verbosity, strict=strict or None, output_dir=out, today=today_option(today),
                           stale_after_days=stale_after, cache=False if no_cache else None)
    if not quiet:
        warn_if_shallow(Path.cwd())
    started = time.perf_counter()
    with BuildProgress() as progress:
        result = build_site(options, reuse_for(options), progress)
    seconds = time.perf_counter() - started
    print_diagnostics(result.diagnostics, verbosity)
    if timings:
        for stage, stage_seconds in result.timings:
            click.echo(f"{stage:>12}  {stage_seconds:6.3f} s", err=True)
        click.echo(f"{'cache':>12}  {result.cache}; {result.kept} file(s) reused", err=True)
    if not result.ok:
        say(build_summary(result, options, seconds), "red")
        raise SystemExit(1)
    if not quiet:
        say(build_summary(result, options, seconds), "green" if not result.warnings else None, err=False)
