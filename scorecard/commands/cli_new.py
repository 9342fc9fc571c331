"""`scorecard new`: a new assessment, pre-filled from the rubric in use."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import click

from scorecard.commands.cli_options import site_options
from scorecard.commands.skeleton import assessment_skeleton
from scorecard.commands.terminal import print_diagnostics, say
from scorecard.core.slugs import NO_SLUG, slugify
from scorecard.source.content import ASSESSMENTS_DIR, display_path, load_content


def git_user(root: Path) -> str:
    """The git user's name, or "" when git or the setting is missing."""
    try:
        result = subprocess.run(["git", "-C", str(root), "config", "user.name"], capture_output=True, text=True,
                                check=False)
    except FileNotFoundError:
        return ""
    return result.stdout.strip()


@click.command()
@click.argument("title")
@click.option("--slug", default=None, help="File name under content/assessments/ (default: from the title).")
def new(title: str, slug: str | None) -> None:
    """Write a new assessment pre-filled with every question and criterion of the rubric in use."""
    root = Path.cwd()
    content_dir = site_options(root).content_dir
    content, diagnostics = load_content(content_dir, root)
    if content is None:
        print_diagnostics(diagnostics)
        raise SystemExit(1)
    name, slug = slug or title, slugify(slug or title)
    if slug == NO_SLUG:
        say(f"'{name}' has no letters or digits to make a file name from; nothing was written "
            "(give one with --slug NAME).", "red")
        raise SystemExit(2)
    path = content_dir / ASSESSMENTS_DIR / f"{slug}.md"
    if path.exists() or slug in {a.slug for a in content.assessments}:
        say(f"{display_path(path, root)} already exists; nothing was written (choose another title or --slug).", "red")
        raise SystemExit(1)
    author = git_user(root)
    text = assessment_skeleton(content.rubric, title, dt.date.today(), [author] if author else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    click.echo(f"Wrote {display_path(path, root)}")
