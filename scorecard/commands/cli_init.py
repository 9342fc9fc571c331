"""`scorecard init`: a new site's starter files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from scorecard.commands.starter import is_empty, starter_files, write_starter
from scorecard.commands.terminal import say


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Scorecard", show_default=True, help="The site's title, written to scorecard.yml.")
@click.option("--force", is_flag=True, help="Write into a directory that is not empty (existing files are still kept).")
def init(directory: Path, title: str, force: bool) -> None:
    """Start a new site in DIRECTORY: scorecard.yml, a copy of the rubric, an example assessment, a .gitignore."""
    if directory.exists() and not directory.is_dir():
        say(f"scorecard init: {directory} exists and is not a directory.", "red")
        raise SystemExit(2)
    if not is_empty(directory) and not force:
        say(f"scorecard init: {directory} is not empty; nothing was written "
            "(choose a new directory, or --force to add the missing files and keep the others).", "red")
        raise SystemExit(1)
    result = write_starter(directory, starter_files(title, dt.date.today()))
    for relative in result.written:
        click.echo(f"Wrote {directory / relative}")
    for relative in result.kept:
        say(f"Kept {directory / relative}: it was already there.", "yellow")
    click.echo(f"Next: cd {directory} && scorecard serve  (then open http://127.0.0.1:8000/)")
