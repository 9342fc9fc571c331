"""The site configuration, `scorecard.yml`: optional, and every key has a default.

The file is read with the project's YAML loader, so an unknown key, a wrong type or a bad value is
a diagnostic with its line, like a problem in the content. `options_for` turns the configuration
and the command line's overrides into `BuildOptions`; the command line wins.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from scorecard.core.diagnostics import Diagnostic, did_you_mean, error
from scorecard.core.options import BuildOptions
from scorecard.core.staleness import DEFAULT_MAX_AGE_DAYS
from scorecard.source.content import MAX_FILE_BYTES, display_path, too_large

CONFIG_FILE = "scorecard.yml"
DEFAULT_THEME = "default"
MAX_THEME_FILE_BYTES = 20_000_000
"""A site theme's template or static file larger than this (20 MB) is refused before it is read."""


@dataclass(frozen=True)
class SiteConfig:
    """The settings of `scorecard.yml`, each with its default (docs/config.md is the reference)."""

    title: str = "Scorecard"
    """The site's title: the portfolio heading and the end of every page's <title>."""
    description: str = ""
    """The site's description; "" uses the rubric's description."""
    content_dir: str = "content"
    """Where the rubric and assessments are, from the site root."""
    output_dir: str = "output"
    """Where `build` writes the site, from the site root."""
    theme: str = DEFAULT_THEME
    """A theme under themes/<name>/ at the site root, tried before the default theme."""
    base_url: str = ""
    """The absolute URL the site is published at; "" when unknown."""
    edit_url: str = ""
    """"Edit this page" link pattern with {path}, the file's path from the site root; "" for none."""
    stale_after_days: int = DEFAULT_MAX_AGE_DAYS
    """Days after its `date` when an assessment is due for review."""
    language: str = "en"
    """The `lang` of every page."""
    unsafe_html: bool = False
    """Let raw HTML in Markdown bodies through unescaped. Unsafe: only for fully trusted authors."""
    map_across: str = ""
    """The section whose score places each point of the portfolio map across; "" for SLATES (`slates`)."""
    map_up: str = ""
    """The section whose score places each point of the portfolio map up; "" for trust (`trust`)."""
    expiry_warning_days: int = 30
    """Days before an exemption's `expires` from which `check` warns that it will expire."""


KEYS = tuple(f.name for f in fields(SiteConfig))


def parse_config(text: str, path: str = CONFIG_FILE) -> tuple[SiteConfig, list[Diagnostic]]:
    """The configuration in `text`; on a problem, the diagnostics and the defaults for what was wrong."""
    from scorecard.core.yamlsource import parse_yaml  # here, not above: a site without scorecard.yml needs no YAML

    document, diagnostics = parse_yaml(text, path)
    if document is None:
        return SiteConfig(), diagnostics
    data = document.data
    if data is None:
        return SiteConfig(), diagnostics
    if not isinstance(data, dict):
        return SiteConfig(), [*diagnostics,
                              error(path, document.line(()), "scorecard.yml must be a mapping of settings",
                                                  "write one 'key: value' per line, e.g. 'title: Our scorecard'")]
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = document.line((key,))
        if key not in KEYS:
            diagnostics.append(error(path, line, f"unknown setting '{key}'", did_you_mean(key, KEYS, listed=len(KEYS))))
            continue
        problem = check_value(key, value)
        if problem:
            message, hint = problem
            pos = document.value_position((key,))
            diagnostics.append(error(path, pos.line, message, hint, col=pos.col))
        elif value is not None:
            values[key] = value
    return SiteConfig(**values), diagnostics


def check_value(key: str, value: Any) -> tuple[str, str | None] | None:
    """Why `value` is wrong for setting `key`, as (message, hint), or None when it is right."""
    if value is None:
        return None  # `key:` with nothing after it means the default
    if key == "unsafe_html":
        return None if isinstance(value, bool) else (f"'{key}' must be true or false, not {describe(value)}", None)
    if key in ("stale_after_days", "expiry_warning_days"):
        return check_days(key, value)
    return check_text(key, value)


def check_days(key: str, value: Any) -> tuple[str, str | None] | None:
    """Why `value` is wrong for the number of days `key`, or None when it is right."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"'{key}' must be a whole number of days, not {describe(value)}", None
    least = 1 if key == "stale_after_days" else 0
    if value < least:
        return f"'{key}' must be at least {least}, not {value}", None
    return None


def check_text(key: str, value: Any) -> tuple[str, str | None] | None:
    """Why `value` is wrong for the text setting `key`, or None when it is right."""
    if not isinstance(value, str):
        return f"'{key}' must be text, not {describe(value)}", "put it in quotes"
    if key in ("content_dir", "output_dir", "theme", "language") and not value.strip():
        return f"'{key}' must not be empty", f"leave '{key}' out for the default"
    if key in ("content_dir", "output_dir", "theme") and (problem := check_folder(key, value)):
        return problem
    if key == "theme" and ("/" in value or "\\" in value or value in (".", "..")):
        return f"'theme' is a name under themes/, not a path: '{value}'", "write 'theme: mine' for themes/mine/"
    if key == "edit_url" and value and "{path}" not in value:
        return "'edit_url' has no {path} in it", "e.g. https://git.example.org/team/site/edit/main/{path}"
    return None


def check_folder(key: str, value: str) -> tuple[str, str | None] | None:
    """Why `value` is wrong for the folder setting `key`, or None when it is right."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"'{key}' holds a control character (a line break, a tab…)", "write the folder's name on one line"
    if key != "theme" and leaves_the_site(value):
        return (f"'{key}' must be a folder inside the site, not '{value}'",
                "give a path from the site root, such as 'content'" if key == "content_dir" else
                "give a path from the site root, such as 'output'; to write the site elsewhere, "
                "run 'scorecard build --out DIR'")
    return None


def leaves_the_site(path: str) -> bool:
    """Whether a folder setting points outside the site as written: an absolute path, or one that goes
    up with `..`. `scorecard.yml` is part of the working tree, which a pull request changes: it may not
    send the build to read another checkout's files into the site, nor to write anywhere else on the
    machine. (`build --out DIR`, given by whoever runs the build, may write anywhere.)"""
    parts = re.split(r"[/\\]", path)
    return path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path) is not None or ".." in parts


def describe(value: Any) -> str:
    """A value's kind and text for a message: `a list ([1, 2])`, `the number 3`."""
    if isinstance(value, bool):
        return f"'{'true' if value else 'false'}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def load_config(root: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """The site's `scorecard.yml` at `root`, or the defaults when there is none."""
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        return SiteConfig(), []
    if not path.is_file():  # a named pipe would hold the build, waiting; a folder, a link to nothing
        return SiteConfig(), [error(CONFIG_FILE, None, "not a regular file", "make it a plain file, or remove it "
                                    "to build with the defaults")]
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:  # refused before it is read into memory
            return SiteConfig(), [too_large(CONFIG_FILE, size)]
        data = path.read_bytes()
    except OSError as exc:
        return SiteConfig(), [error(CONFIG_FILE, None, f"cannot read file: {exc.strerror}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return SiteConfig(), [error(CONFIG_FILE, line, "not valid UTF-8", "save the file as UTF-8")]
    return parse_config(text, CONFIG_FILE)


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent  # scorecard/
    installed = package / "themes" / "default"
    return installed if installed.is_dir() else package.parent / "themes" / "default"


def theme_problems(root: Path, config: SiteConfig) -> list[Diagnostic]:
    """An error when the configured theme has no folder with templates/ or static/."""
    if config.theme == DEFAULT_THEME:
        return []
    folder = root / "themes" / config.theme
    if (folder / "templates").is_dir() or (folder / "static").is_dir():
        return []
    return [error(CONFIG_FILE, None,
                  f"theme '{config.theme}' not found: themes/{config.theme}/ has no templates/ or static/",
                  "create it, or leave 'theme' out for the default theme")]


def theme_file_problems(themes: Iterable[Path], root: Path) -> list[Diagnostic]:
    """An error for each file or folder of a theme that is a symbolic link leading outside that theme's
    folder, for a theme folder that leads outside the site, and for a file larger than
    MAX_THEME_FILE_BYTES: the build reads every template and static file and publishes what it reads, so
    a link that a pull request adds (to `/proc/self/environ`, `~/.ssh/…`, the checkout's `.git/config`
    with its token) would put that file in the site, and a file of many gigabytes would be read whole.
    As for the content, links that stay inside are followed. (A theme folder given outside the site, as
    the Python API may, is the caller's choice; one inside it that leads out is a link in the working tree.)"""
    site = root.resolve()
    problems = []
    for theme in themes:
        top = theme.resolve()
        if theme.absolute().is_relative_to(root.absolute()) and not top.is_relative_to(site):
            problems.append(error(display_path(theme, root), None, f"theme folder leads to '{top}', outside the site: "
                                  "nothing of it is read", "copy the theme into themes/ instead of linking to it"))
            continue
        for folder, folders, files in os.walk(theme):  # links to folders are listed, not followed
            for name in sorted([*folders, *files]):
                path = Path(folder, name)
                if path.is_symlink() and not (target := path.resolve()).is_relative_to(top):
                    problems.append(error(display_path(path, root), None,
                                          f"symbolic link to '{target}', outside the theme folder: not followed",
                                          "copy the file into the theme instead of linking to it"))
                elif (size := _file_size(path)) > MAX_THEME_FILE_BYTES:
                    problems.append(error(display_path(path, root), None, f"the file is {size / 1_000_000:.1f} MB; "
                                          f"a theme's file may be {MAX_THEME_FILE_BYTES // 1_000_000} MB at most",
                                          "a theme's templates and static files are a few kilobytes to a few "
                                          "megabytes: is this the right file?"))
    return problems


def _file_size(path: Path) -> int:
    """The size of the regular file at `path` (following a link), or 0 for anything else or what cannot be told."""
    try:
        status = path.stat()
    except OSError:
        return 0
    return status.st_size if stat.S_ISREG(status.st_mode) else 0


def options_for(root: Path, config: SiteConfig, **overrides: Any) -> BuildOptions:
    """BuildOptions from the configuration, with the command line's `overrides` (None: not given) on top."""
    themes = () if config.theme == DEFAULT_THEME else (root / "themes" / config.theme,)
    options = BuildOptions.at(
        root,
        content_dir=root / config.content_dir,
        output_dir=root / config.output_dir,
        title=config.title,
        description=config.description,
        themes=themes,
        stale_after_days=config.stale_after_days,
        expiry_warning_days=config.expiry_warning_days,
        base_url=config.base_url,
        edit_url=config.edit_url,
        language=config.language,
        unsafe_html=config.unsafe_html,
        map_across=config.map_across,
        map_up=config.map_up,
    )
    given = {key: value for key, value in overrides.items() if value is not None}
    if "output_dir" in given:
        given["output_dir"] = root / given["output_dir"]
    return replace(options, **given)
