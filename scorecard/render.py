"""Rendering the site model through a Jinja theme into files (path → bytes), in memory.

Templates autoescape and use StrictUndefined: a theme that names a variable the view does not
have fails the build with the template's name and line instead of printing nothing.
"""

from __future__ import annotations

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


def make_environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """A Jinja environment that looks for templates in each theme in turn."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
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
    env = make_environment(theme_dirs)
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
