"""The command line: parses options, calls the library, prints diagnostics, picks the exit code."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

from scorecard import __version__
from scorecard.commands.diff import MAX_LENGTH, DiffUsageError, diff_site, format_json, format_markdown, gate_failures
from scorecard.commands.gate import ConditionError, parse_conditions
from scorecard.commands.report import FORMATS, format_diagnostics
from scorecard.commands.skeleton import assessment_skeleton
from scorecard.commands.starter import is_empty, starter_files, write_starter
from scorecard.commands.terminal import Verbosity, build_summary, describe_options, print_diagnostics, say
from scorecard.core.diagnostics import sort_diagnostics
from scorecard.core.diagnostics import strict as promote_warnings
from scorecard.core.options import BuildOptions
from scorecard.core.slugs import NO_SLUG, slugify
from scorecard.core.staleness import DEFAULT_MAX_AGE_DAYS
from scorecard.incremental.cache import reuse_for
from scorecard.pipeline.build import STAGES
from scorecard.pipeline.build import build as build_site
from scorecard.pipeline.build import check as check_site
from scorecard.source.config import CONFIG_FILE, load_config, options_for, theme_problems
from scorecard.source.content import ASSESSMENTS_DIR, display_path, load_content
from scorecard.source.gitrepo import is_shallow, repo_root


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


TODAY = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Judge review dates as of this day (YYYY-MM-DD; default: today).")
STALE_AFTER = click.option("--stale-after", "stale_after", type=click.IntRange(min=1), default=None,
                           help=f"Days after its date when an assessment is due for review "
                                f"(default: stale_after_days in {CONFIG_FILE}, else {DEFAULT_MAX_AGE_DAYS}).")
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print errors only: no warnings, no summary.")
VERBOSE = click.option("--verbose", "-v", is_flag=True,
                       help="Also print the settings in effect and where each came from (scorecard.yml, "
                            "command line or default); serve also logs each request.")


@click.group()
@click.version_option(__version__, prog_name="scorecard")
def main() -> None:
    """Score social-business initiatives against the trust questions and SLATES, and publish the scorecard."""


@main.command()
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


@main.command()
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


def git_user(root: Path) -> str:
    """The git user's name, or "" when git or the setting is missing."""
    try:
        result = subprocess.run(["git", "-C", str(root), "config", "user.name"], capture_output=True, text=True,
                                check=False)
    except FileNotFoundError:
        return ""
    return result.stdout.strip()


@main.command()
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


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="markdown for a pull-request comment, json for tools (shape in docs/diff.md).")
@click.option("--fail-on", "fail_on", default="", metavar="CONDITIONS",
              help="Exit 1 when a condition is met: comma-separated drop (a score fell), grade (a grade fell), "
                   "gate (a gate newly fired), below:GRADE (a changed assessment ends below GRADE).")
@click.option("--max-length", "max_length", type=click.IntRange(min=2000), default=MAX_LENGTH, show_default=True,
              help="Longest Markdown to print, in characters (a GitHub comment holds 65,536).")
def diff(base: str, head: str | None, fmt: str, fail_on: str, max_length: int) -> None:
    """Show how scores moved between git revision BASE and HEAD (default: the working tree).

    Exit 0 when the diff was made; 1 when either side has errors or a --fail-on condition is met;
    2 for an unknown revision or condition.
    """
    root = Path.cwd()
    options = site_options(root)
    warn_if_shallow(root)
    try:
        result = diff_site(root, base, head, content_dir=options.content_dir)
        conditions = parse_conditions(fail_on, [grade for grade, _ in result.band_min])
    except (DiffUsageError, ConditionError) as exc:
        say(f"scorecard diff: {exc}", "red")
        raise SystemExit(2) from None
    failed = gate_failures(result, conditions)
    print_diagnostics(result.diagnostics)
    for failure in failed:
        say(f"scorecard diff: --fail-on {failure.condition}: {failure.slug}: {failure.why}", "red")
    text = format_json(result, failed) if fmt == "json" else format_markdown(result, failed, max_length)
    click.echo(text, nl=False)
    raise SystemExit(1 if result.diagnostics or failed else 0)


def warn_if_shallow(root: Path) -> None:
    """One warning on stderr when the repository is a shallow clone: its history is cut short."""
    repo = repo_root(root)
    if repo is not None and is_shallow(repo):
        say("scorecard: warning: this is a shallow clone, so the history shows only the commits it has "
            "(fetch the rest with `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout).", "yellow")


@main.command()
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
    from scorecard.commands.serve import serve as run_server  # watchdog is imported only by the command that needs it

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


@main.command()
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


def entry() -> None:
    """The `scorecard` command."""
    main()
