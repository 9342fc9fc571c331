"""`scorecard check`: what the build validates, without building, for people, workflows, tools or code scanning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from scorecard import __version__
from scorecard.commands.cli_options import STALE_AFTER, TODAY, today_option, warn_if_shallow
from scorecard.commands.report import FORMATS, format_diagnostics
from scorecard.commands.terminal import say
from scorecard.core.diagnostics import sort_diagnostics
from scorecard.core.diagnostics import strict as promote_warnings
from scorecard.pipeline.build import check as check_site
from scorecard.source.config import load_config, options_for, theme_problems
from scorecard.source.gitrepo import repo_root


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, github for workflow annotations on the changed lines, json for tools, "
                   "sarif for code scanning (SARIF 2.1.0).")
@TODAY
@STALE_AFTER
def check(strict: bool, fmt: str, today: dt.datetime | None, stale_after: int | None) -> None:
    """Validate everything the build validates, without building. Exit 0 when clean, 1 on errors."""
    root = Path.cwd()
    warn_if_shallow(root)
    config, diagnostics = load_config(root)
    diagnostics += theme_problems(root, config)
    options = options_for(root, config, today=today_option(today), stale_after_days=stale_after)
    diagnostics += check_site(options).diagnostics
    if strict:
        diagnostics = promote_warnings(diagnostics)
    diagnostics = sort_diagnostics(diagnostics)
    prefix = ""
    if fmt in ("github", "sarif"):  # annotations and SARIF need paths from the repository root
        repo = repo_root(root)
        if repo is not None and root.resolve() != repo.resolve():
            prefix = root.resolve().relative_to(repo.resolve()).as_posix() + "/"
    click.echo(format_diagnostics(diagnostics, fmt, prefix, __version__), nl=False)
    errors = sum(1 for d in diagnostics if d.is_error)
    if fmt == "text":
        summary = f"{errors} error(s), {len(diagnostics) - errors} warning(s)."
        say(summary, "red" if errors else None)
    raise SystemExit(1 if errors else 0)
