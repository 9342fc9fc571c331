"""What the commands share: the settings in effect, the options several take, the shallow-clone warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from scorecard.commands.terminal import Verbosity, describe_options, print_diagnostics, say
from scorecard.core.options import BuildOptions
from scorecard.core.staleness import DEFAULT_MAX_AGE_DAYS
from scorecard.source.config import CONFIG_FILE, load_config, options_for, theme_problems
from scorecard.source.gitrepo import is_shallow


def site_options(root: Path, verbosity: Verbosity | None = None, **overrides: Any) -> BuildOptions:
    """BuildOptions from scorecard.yml and the command line's `overrides`; exit 1 when the config is wrong."""
    config, diagnostics = load_config(root)
    diagnostics += theme_problems(root, config)
    if any(d.is_error for d in diagnostics):
        print_diagnostics(diagnostics)
        say(f"{CONFIG_FILE} has {len(diagnostics)} problem(s); nothing was done.", "red")
        raise SystemExit(1)
    options = options_for(root, config, **overrides)
    if verbosity and verbosity.verbose:
        config_file = root / CONFIG_FILE
        given = [key for key, value in overrides.items() if value is not None]
        for line in describe_options(options, config_file if config_file.is_file() else None, given):
            say(line)
    return options


def today_option(today: dt.datetime | None) -> dt.date | None:
    return today.date() if today else None


TODAY = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Judge review dates as of this day (YYYY-MM-DD; default: today).")
STALE_AFTER = click.option("--stale-after", "stale_after", type=click.IntRange(min=1), default=None,
                           help=f"Days after its date when an assessment is due for review "
                                f"(default: stale_after_days in {CONFIG_FILE}, else {DEFAULT_MAX_AGE_DAYS}).")
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print errors only: no warnings, no summary.")
VERBOSE = click.option("--verbose", "-v", is_flag=True,
                       help="Also print the settings in effect and where each came from (scorecard.yml, "
                            "command line or default); serve also logs each request.")


def warn_if_shallow(root: Path) -> None:
    """One warning on stderr when the repository is a shallow clone: its history is cut short."""
    if is_shallow(root):  # false outside a repository (one git process either way)
        say("scorecard: warning: this is a shallow clone, so the history shows only the commits it has "
            "(fetch the rest with `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout).", "yellow")
