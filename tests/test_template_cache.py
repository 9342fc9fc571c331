"""Templates are compiled once: kept compiled in the user's own cache directory (never in the site, where
a pull request could put code), not checked for changes on every page, and still seen to change."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish import render
from scorecard.publish.render import bytecode_cache_dir, make_environment
from scorecard.source.config import default_theme_dir


def test_compiled_templates_go_to_the_users_cache_directory(site: Path, tmp_path: Path) -> None:
    cache_home = Path(os.environ["XDG_CACHE_HOME"])  # the test's own (conftest), never the real home
    assert cache_home.is_relative_to(tmp_path)
    assert bytecode_cache_dir() == cache_home / "scorecard" / "templates"
    environment = make_environment([default_theme_dir()])
    environment.get_template("assessment.html")
    compiled = cache_home / "scorecard" / "templates"
    assert len(list(compiled.glob("*.jinja"))) == 1  # the one asked for (what it extends loads when it renders)
    render._cached_environment.cache_clear()  # the build's own environment, not one an earlier test made
    assert build(BuildOptions.at(site)).ok
    # The build renders at least index.html, assessment.html, rubric.html and the base.html they extend.
    assert len(list(compiled.glob("*.jinja"))) >= 4
    assert not list(site.rglob("*.jinja"))  # nothing compiled inside the site


def test_a_new_environment_loads_them_instead_of_compiling(tmp_path: Path) -> None:
    make_environment([default_theme_dir()]).get_template("assessment.html")
    again = make_environment([default_theme_dir()])

    def compile_(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    again.compile = compile_  # type: ignore[method-assign]
    template = again.get_template("assessment.html")
    assert isinstance(template, jinja2.Template)


def test_an_edited_template_is_compiled_again_from_its_new_source(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    page = theme / "templates" / "page.html"
    page.write_text("one {{ x }}\n")
    assert make_environment([theme]).get_template("page.html").render(x=1) == "one 1\n"
    page.write_text("two {{ x }}\n")  # the same name and path, so the same cache file: its source differs
    assert make_environment([theme]).get_template("page.html").render(x=1) == "two 1\n"


def test_without_xdg_cache_home_it_is_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/cache"):  # empty or relative: ignored, as the XDG spec says
        monkeypatch.setenv("XDG_CACHE_HOME", unset)
        assert bytecode_cache_dir() == tmp_path / "home" / ".cache" / "scorecard" / "templates"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_to_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "shared"))
    (tmp_path / "shared" / "scorecard").mkdir(parents=True)
    (tmp_path / "shared" / "scorecard").chmod(0o777)  # another user could swap the compiled code
    assert bytecode_cache_dir() is None
    (tmp_path / "shared" / "scorecard").chmod(0o700)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "shared" / "scorecard" / "templates").symlink_to(tmp_path / "elsewhere")
    assert bytecode_cache_dir() is None  # a link to another folder: not a folder of ours
    (tmp_path / "shared" / "scorecard" / "templates").unlink()
    assert bytecode_cache_dir() == tmp_path / "shared" / "scorecard" / "templates"
    # With none, templates are compiled every time and the build works as before.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "shared"))
    (tmp_path / "shared" / "scorecard").chmod(0o777)
    assert make_environment([default_theme_dir()]).bytecode_cache is None
    (tmp_path / "shared" / "scorecard").chmod(0o700)
