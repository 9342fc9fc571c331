"""Rendering the site model through a Jinja theme into files (path → bytes), in memory.

Templates autoescape and use StrictUndefined: a theme that names a variable the view does not
have fails the build with the template's name and line instead of printing nothing.
"""

from __future__ import annotations

import functools
import traceback
from pathlib import Path

import jinja2

from .content import slugify
from .diagnostics import Diagnostic, error
from .site import SiteModel


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "themes" / "default"
    return installed if installed.is_dir() else package.parent / "themes" / "default"


def template_fingerprint(theme_dirs: tuple[Path, ...]) -> tuple[tuple[str, int, int], ...]:
    """Every template file of the themes with its modification time and size: changes when any is added, edited or removed."""
    found = []
    for theme in (*theme_dirs, default_theme_dir()):
        folder = theme / "templates"
        if folder.is_dir():
            found += [(str(p), stat.st_mtime_ns, stat.st_size)
                      for p in folder.rglob("*") if p.is_file() and (stat := p.stat())]
    return tuple(sorted(found))


def environment_for(theme_dirs: list[Path]) -> jinja2.Environment:
    """The environment for these themes, reused while no template changed.

    Compiling the templates is a good part of a build; `serve` rebuilds in one process and gets
    them compiled once. A new override file changes the fingerprint, which Jinja's own reload
    check (only the files it loaded) would miss.
    """
    return _cached_environment(tuple(theme_dirs), template_fingerprint(tuple(theme_dirs)))


@functools.lru_cache(maxsize=2)
def _cached_environment(theme_dirs: tuple[Path, ...], _fingerprint: tuple[tuple[str, int, int], ...]) -> jinja2.Environment:
    return make_environment(list(theme_dirs))


def make_environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """A Jinja environment that looks for templates in each theme in turn.

    `default/<name>` always names the default theme's template, so a theme's own `base.html` can
    extend the default `base.html` and change only some of its blocks.
    """
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_theme_dir() / "templates"))}),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["slug"] = slugify
    return env


def render_site(model: SiteModel, theme_dirs: list[Path]) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every page rendered, and the themes' static files, keyed by output path."""
    env = environment_for(theme_dirs)
    files: dict[str, bytes] = {}
    for page in model.pages:
        try:
            template = env.get_template(page.template)
            html = template.render(page=page.view, title=page.title, site=model.site, root=page.root, path=page.path)
        except jinja2.TemplateError as exc:
            return {}, [template_problem(exc, page.template)]
        files[page.path] = html.encode("utf-8")
    # Static files: a theme listed first overrides the same file of a later one.
    for theme in reversed(theme_dirs):
        static = theme / "static"
        if static.is_dir():
            for path in sorted(p for p in static.rglob("*") if p.is_file()):
                files["static/" + path.relative_to(static).as_posix()] = path.read_bytes()
    return files, []


def template_problem(exc: jinja2.TemplateError, template: str) -> Diagnostic:
    """A diagnostic pointing at the template line that failed."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return error(exc.filename or exc.name or template, exc.lineno, f"template syntax error: {exc.message}")
    where, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".svg")):
            where, line = frame.filename, frame.lineno
    return error(where, line, f"template error: {exc}", "check the variable names against docs/themes.md")
