"""Start-up: `scorecard --help` and a build with nothing to do import only what they use.

What a user notices is the wait before anything happens. These tests check what is imported, not
how long it takes (speed is measured in bench/): the help lists every command without importing
any of them, and a second build of an unchanged site stops after reading the content without
importing templates, Markdown or the site model.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_SITE

from scorecard.commands.cli import COMMANDS, main

HEAVY = ("jinja2", "markdown_it", "markdown_it_pyrs", "markupsafe", "watchdog",
         "scorecard.core.assessment", "scorecard.core.rubric", "scorecard.core.scoring",
         "scorecard.pipeline.prepare", "scorecard.publish.render", "scorecard.publish.export",
         "scorecard.site.model", "scorecard.commands.diff", "scorecard.commands.serve")
"""What a build imports to parse, score and render: nothing that has nothing to do needs any of it."""
WRITING = ("concurrent.futures", "tempfile", "ctypes", "secrets", "difflib")
"""What only writing (threads, temporary folders, the atomic swap), making a signing key, reading a git log
or suggesting a spelling needs: a build that finds nothing changed does none of these."""

RUN_AND_LIST_MODULES = """
import json, sys
from scorecard.commands.cli import main
try:
    main(sys.argv[2:], prog_name="scorecard")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def run_fresh(args: list[str], cwd: Path, tmp_path: Path) -> tuple[int, set[str], str]:
    """Run `scorecard ARGS` in a new interpreter: its exit code, the modules it imported, its stderr."""
    listing = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing), *args], cwd=cwd,
                            capture_output=True, text=True, check=False, timeout=120)
    found = json.loads(listing.read_text(encoding="utf-8"))
    return found["code"], set(found["modules"]), result.stderr


def imported(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_help_lists_every_command_with_its_own_first_sentence() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="scorecard")
    assert result.exit_code == 0
    commands = result.output.split("Commands:\n")[1]
    names = [line.split()[0] for line in commands.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert names == ["build", "check", "diff", "init", "new", "serve"]  # all six, sorted as Click sorts them
    assert "  check  Validate everything the build validates, without building.\n" in commands


@pytest.mark.parametrize("width", [60, 80, 120])
def test_each_command_is_listed_as_click_lists_it_after_importing_it(width: int) -> None:
    ctx = click.Context(main, info_name="scorecard")
    lazy, eager = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    main.format_commands(ctx, lazy)
    click.Group.format_commands(main, ctx, eager)  # Click's own listing, which imports every command
    assert lazy.getvalue() == eager.getvalue()  # its own help, shortened the same way


def test_every_command_in_the_table_is_the_one_its_module_defines() -> None:
    ctx = click.Context(main, info_name="scorecard")
    for name, lazy in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None
        assert command.name == name
        assert (command.help or "").startswith(lazy.summary)


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["biuld"], prog_name="scorecard")
    assert result.exit_code == 2
    assert "No such command 'biuld'" in result.output


def test_help_imports_no_command(tmp_path: Path) -> None:
    code, modules, _ = run_fresh(["--help"], tmp_path, tmp_path)
    assert code == 0
    loaded = [m for m in modules if m.startswith("scorecard.commands.cli_")]
    assert loaded == []
    assert [name for name in (*HEAVY, "scorecard.pipeline.build", "yaml") if imported(modules, name)] == []


@pytest.fixture
def committed_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture site in a git repository with two commits, so that the build cache holds a history."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, root)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
           "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    beta = root / "content" / "assessments" / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + "\nA second paragraph.\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-am", "second"], check=True)
    return root


def test_a_build_with_nothing_changed_imports_no_templates_markdown_or_site_model(committed_site: Path,
                                                                                  tmp_path: Path) -> None:
    build = ["build", "--today", "2026-12-01", "--timings"]
    code, modules, stderr = run_fresh(build, committed_site, tmp_path)
    assert code == 0
    assert imported(modules, "jinja2")  # the first build renders: the check below can see an import
    assert "history" in stderr

    code, modules, stderr = run_fresh(build, committed_site, tmp_path)
    assert code == 0
    stages = [line.split()[0] for line in stderr.splitlines() if line.endswith(" s")]
    assert stages == ["load"]  # it found nothing changed: no stage after loading ran
    assert "cache  used" in stderr
    assert imported(modules, "scorecard.source.history")  # the cache's history was read back ...
    assert [name for name in HEAVY if imported(modules, name)] == []  # ... without what made it
    assert [name for name in WRITING if imported(modules, name)] == []
    assert not (committed_site / "scorecard.yml").exists() and not imported(modules, "yaml")  # no settings to read

    (committed_site / "scorecard.yml").write_text("title: Settings read again on every build\n", encoding="utf-8")
    assert run_fresh(build, committed_site, tmp_path)[0] == 0  # a new title: rebuilt
    code, modules, stderr = run_fresh(build, committed_site, tmp_path)
    assert code == 0 and [line.split()[0] for line in stderr.splitlines() if line.endswith(" s")] == ["load"]
    assert imported(modules, "yaml")  # read (YAML) as every build reads them


def test_a_build_after_an_edit_still_builds(committed_site: Path, tmp_path: Path) -> None:
    build = ["build", "--today", "2026-12-01", "--timings"]
    assert run_fresh(build, committed_site, tmp_path)[0] == 0
    gamma = committed_site / "content" / "assessments" / "gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    code, _, stderr = run_fresh(build, committed_site, tmp_path)
    assert code == 0
    assert "render" in stderr
    assert "Edited." in (committed_site / "output" / "assessments" / "gamma" / "index.html").read_text(encoding="utf-8")
