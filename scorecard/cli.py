"""The command line: parses options, calls the library, prints diagnostics, picks the exit code."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import click

from . import __version__
from .build import BuildOptions, BuildResult, build as build_site, check as check_site
from .content import ASSESSMENTS_DIR, load_content, slugify
from .diagnostics import sort_diagnostics, strict as promote_warnings
from .diff import DiffUsageError, diff_site, format_json, format_markdown
from .gitrepo import repo_root
from .report import FORMATS, format_diagnostics
from .skeleton import assessment_skeleton
from .staleness import DEFAULT_MAX_AGE_DAYS


def print_result(result: BuildResult) -> None:
    for diagnostic in result.diagnostics:
        colour = "red" if diagnostic.is_error else "yellow"
        click.secho(diagnostic.format(), fg=colour, err=True)


TODAY = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Judge review dates as of this day (YYYY-MM-DD; default: today).")
STALE_AFTER = click.option("--stale-after", "stale_after", type=click.IntRange(min=1), default=DEFAULT_MAX_AGE_DAYS,
                           show_default=True, help="Days after its date when an assessment is due for review.")


@click.group()
@click.version_option(__version__, prog_name="scorecard")
def main() -> None:
    """Score social-business initiatives against the trust questions and SLATES, and publish the scorecard."""


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: output/).")
@TODAY
@STALE_AFTER
def build(strict: bool, out: Path | None, today: dt.datetime | None, stale_after: int) -> None:
    """Validate content/, score every assessment and write the site to output/."""
    root = Path.cwd()
    options = BuildOptions.at(root, strict=strict, today=today.date() if today else None,
                              stale_after_days=stale_after, **({"output_dir": out} if out else {}))
    result = build_site(options)
    print_result(result)
    if not result.ok:
        click.secho(f"Build failed: {result.errors} error(s), {result.warnings} warning(s); nothing was written.",
                    fg="red", err=True)
        raise SystemExit(1)
    click.echo(f"Built {result.assessments} assessments into {options.output_dir.relative_to(root) if options.output_dir.is_relative_to(root) else options.output_dir}: "
               f"{result.files} files, {result.warnings} warning(s), {result.seconds:.2f} s.")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, github for workflow annotations on the changed lines, json for tools.")
@TODAY
@STALE_AFTER
def check(strict: bool, fmt: str, today: dt.datetime | None, stale_after: int) -> None:
    """Validate everything the build validates, without building. Exit 0 when clean, 1 on errors."""
    root = Path.cwd()
    options = BuildOptions.at(root, today=today.date() if today else None, stale_after_days=stale_after)
    _scored, diagnostics, _content = check_site(options)
    if strict:
        diagnostics = promote_warnings(diagnostics)
    diagnostics = sort_diagnostics(diagnostics)
    prefix = ""
    if fmt == "github":  # annotations need paths from the repository root
        repo = repo_root(root)
        if repo is not None and root.resolve() != repo.resolve():
            prefix = root.resolve().relative_to(repo.resolve()).as_posix() + "/"
    click.echo(format_diagnostics(diagnostics, fmt, prefix), nl=False)
    errors = sum(1 for d in diagnostics if d.is_error)
    if fmt == "text":
        summary = f"{errors} error(s), {len(diagnostics) - errors} warning(s)."
        click.secho(summary, fg="red" if errors else None, err=True)
    raise SystemExit(1 if errors else 0)


def git_user(root: Path) -> str:
    """The git user's name, or "" when git or the setting is missing."""
    try:
        result = subprocess.run(["git", "-C", str(root), "config", "user.name"], capture_output=True, text=True)
    except FileNotFoundError:
        return ""
    return result.stdout.strip()


@main.command()
@click.argument("title")
@click.option("--slug", default=None, help="File name under content/assessments/ (default: from the title).")
def new(title: str, slug: str | None) -> None:
    """Write a new assessment pre-filled with every question and criterion of the rubric in use."""
    root = Path.cwd()
    content_dir = root / "content"
    content, diagnostics = load_content(content_dir, root)
    if content is None:
        for diagnostic in diagnostics:
            click.secho(diagnostic.format(), fg="red", err=True)
        raise SystemExit(1)
    slug = slugify(slug or title)
    path = content_dir / ASSESSMENTS_DIR / f"{slug}.md"
    if path.exists() or slug in {a.slug for a in content.assessments}:
        click.secho(f"{path.relative_to(root)} already exists; nothing was written (choose another title or --slug).",
                    fg="red", err=True)
        raise SystemExit(1)
    author = git_user(root)
    text = assessment_skeleton(content.rubric, title, dt.date.today(), [author] if author else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    click.echo(f"Wrote {path.relative_to(root)}")


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="markdown for a pull-request comment, json for tools (shape in docs/diff.md).")
def diff(base: str, head: str | None, fmt: str) -> None:
    """Show how scores moved between git revision BASE and HEAD (default: the working tree)."""
    try:
        result = diff_site(Path.cwd(), base, head)
    except DiffUsageError as exc:
        click.secho(f"scorecard diff: {exc}", fg="red", err=True)
        raise SystemExit(2) from None
    for diagnostic in result.diagnostics:
        click.secho(diagnostic.format(), fg="red", err=True)
    click.echo(format_json(result) if fmt == "json" else format_markdown(result), nl=False)
