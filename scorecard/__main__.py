from scorecard.commands.cli import entry

entry()
