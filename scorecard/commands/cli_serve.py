"""`scorecard serve`: build, serve, and build again on every save (the only command that imports watchdog)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from scorecard.commands.cli_options import QUIET, STALE_AFTER, TODAY, VERBOSE, site_options, today_option
from scorecard.commands.serve import serve as run_server
from scorecard.commands.terminal import Verbosity, say
from scorecard.source.config import load_config


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this machine can connect to the default. "
                   "0.0.0.0 opens it to the network.")
@TODAY
@STALE_AFTER
@QUIET
@VERBOSE
def serve(port: int, host: str, today: dt.datetime | None, stale_after: int | None, quiet: bool, verbose: bool) -> None:
    """Build the site into a temporary folder, serve it, and rebuild and reload open pages on every save."""
    root = Path.cwd()
    overrides = {"today": today_option(today), "stale_after_days": stale_after}
    if verbose and not load_config(root)[1]:  # a broken scorecard.yml is not fatal here: the pages show it
        site_options(root, Verbosity(verbose=True), **overrides)

    def log(text: str, fg: str | None) -> None:
        if not quiet or fg == "red" or text.startswith("Serving "):
            say(text, fg)

    try:
        run_server(root, host, port, overrides, log, log_requests=verbose)
    except OSError as exc:
        say(f"scorecard serve: cannot listen on {host}:{port}: {exc.strerror or exc}", "red")
        raise SystemExit(2) from None
