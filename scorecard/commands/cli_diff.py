"""`scorecard diff`: how scores moved between two revisions, and the `--fail-on` gate."""

from __future__ import annotations

from pathlib import Path

import click

from scorecard.commands.cli_options import site_options, warn_if_shallow
from scorecard.commands.diff import MAX_LENGTH, DiffUsageError, diff_site, format_json, format_markdown, gate_failures
from scorecard.commands.gate import ConditionError, parse_conditions
from scorecard.commands.terminal import print_diagnostics, say


@click.command()
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
