"""The command line: the `scorecard` group, which imports a command's module only when that command runs.

Each command lives in its own `cli_<name>` module, which parses its options, calls the library,
prints diagnostics and picks the exit code. Importing them all would import nearly the whole
library (templates, Markdown, the site model) before anything is done, so this group follows
Click's "lazily loading subcommands" pattern: `scorecard --help` lists the commands from the table
below, and `scorecard build` imports `cli_build` alone.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import click

from scorecard import __version__


class LazyCommand(NamedTuple):
    """A command of the group, named by where it is defined, with its help's first sentence for the list."""

    module: str
    summary: str
    """What `scorecard --help` shows (the command's own help starts with it; a test checks they agree)."""


COMMANDS = {
    "build": LazyCommand("scorecard.commands.cli_build",
                         "Validate the content, score every assessment and write the site (to output/ by default)."),
    "check": LazyCommand("scorecard.commands.cli_check", "Validate everything the build validates, without building."),
    "diff": LazyCommand("scorecard.commands.cli_diff",
                        "Show how scores moved between git revision BASE and HEAD (default: the working tree)."),
    "init": LazyCommand("scorecard.commands.cli_init",
                        "Start a new site in DIRECTORY: scorecard.yml, a copy of the rubric, an example "
                        "assessment, a .gitignore."),
    "new": LazyCommand("scorecard.commands.cli_new",
                       "Write a new assessment pre-filled with every question and criterion of the rubric in use."),
    "serve": LazyCommand("scorecard.commands.cli_serve",
                         "Build the site into a temporary folder, serve it, and rebuild and reload open pages on "
                         "every save."),
}
"""Every command, by name: the module that defines it (as a function of the same name) and its summary."""


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run or its own help is asked for, not before."""

    def __init__(self, *args: Any, lazy: dict[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return None  # Click says "No such command" (and suggests a close name)
        command = getattr(importlib.import_module(self.lazy[cmd_name].module), cmd_name)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, shortened as Click shortens a command's help, without importing them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)  # as `click.Group.format_commands`
        rows = [(name, click.Command(name, help=self.lazy[name].summary).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group("scorecard", cls=LazyGroup, lazy=COMMANDS)
@click.version_option(__version__, prog_name="scorecard")
def main() -> None:
    """Score social-business initiatives against the trust questions and SLATES, and publish the scorecard."""


def entry() -> None:
    """The `scorecard` command."""
    main()
