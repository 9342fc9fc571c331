"""Rendering the site model through a Jinja theme into files (path → bytes), in memory.

Templates autoescape and use StrictUndefined: a theme that names a variable the view does not
have fails the build with the template's name and line instead of printing nothing. Themes can
cache the rows of long lists with `{% cache … %}` (`fragments.py`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import os
import stat
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import jinja2
import jinja2.bccache

from scorecard.core.diagnostics import Diagnostic, error
from scorecard.core.parallel import Streamed, weighted_spans, worker_count
from scorecard.core.safetext import finalize
from scorecard.core.slugs import slugify
from scorecard.publish.fragments import (
    FragmentCache,
    Fragments,
    Learned,
    ThemeEnvironment,
    storing_in,
)
from scorecard.publish.sandbox import SiteThemeEnvironment, TemplateLimitError, memory_bounded
from scorecard.site.model import SiteModel
from scorecard.site.views import Page
from scorecard.source.config import default_theme_dir


def template_fingerprint(theme_dirs: tuple[Path, ...]) -> tuple[tuple[str, int, int], ...]:
    """Every template file of the themes with its modification time and size: changes when any is added, edited or
    removed."""
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
def _cached_environment(theme_dirs: tuple[Path, ...],
                        _fingerprint: tuple[tuple[str, int, int], ...]) -> jinja2.Environment:
    return make_environment(list(theme_dirs))


def make_environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """A Jinja environment that looks for templates in each theme in turn.

    `default/<name>` always names the default theme's template, so a theme's own `base.html` can
    extend the default `base.html` and change only some of its blocks. With a theme other than the
    default one, the templates run in Jinja's sandbox, bounded in time and memory
    (`SiteThemeEnvironment`): they come from the site's working tree.
    """
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_theme_dir() / "templates"))}),
    ])
    own = [d for d in theme_dirs if d != default_theme_dir()]
    env = (SiteThemeEnvironment if own else ThemeEnvironment)(
        loader=loader,
        # No up-to-date check on every page: environment_for makes a new environment when a template
        # changes (`serve`), and a build never outlives its templates.
        auto_reload=False,
        bytecode_cache=bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[FragmentCache],
        finalize=finalize,  # no character XML cannot hold, in any page, feed or image
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["slug"] = slugify
    return env


def bytecode_cache_dir() -> Path | None:
    """Where compiled templates are kept: `$XDG_CACHE_HOME/scorecard/templates`, else `~/.cache/scorecard/templates`.

    Only the user's own cache directory: loading compiled code runs it, so never a folder of the site
    (a pull request could add one). None when there is no home, or when the folder or its parent is not
    a directory of this user's that no one else may write to (then templates are compiled every build).
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the XDG spec says to ignore it
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    folder = Path(base) / "scorecard" / "templates"
    try:
        for path in (folder.parent, folder):  # each made if missing, then checked before going inside
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(path)
            if (not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022
                    or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
                return None
    except OSError:
        return None
    return folder


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, keyed also by what shapes the compiled code here.

    Jinja already checks a template's source and the Python version; the key adds Jinja's version and
    this package's modules that take part in compiling (this one: the environment's options; the
    fragment tag's check; the sandbox's bounded loops), so an upgrade never loads code compiled by another version.
    """

    def __init__(self, directory: Path):
        super().__init__(str(directory), "%s.jinja")
        own = Path(__file__).resolve().parent
        self.salt = hashlib.sha256(b"\0".join([jinja2.__version__.encode(), (own / "render.py").read_bytes(),
                                                 (own / "fragments.py").read_bytes(),
                                                 (own / "sandbox.py").read_bytes()])).hexdigest()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}|{name}", filename)

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        """A sandboxed environment compiles calls differently: its templates are kept apart."""
        return super().get_bucket(environment, f"sandboxed|{name}" if environment.sandboxed else name, filename,
                                  source)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only disk: compiled again next time
            super().dump_bytecode(bucket)


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache of compiled templates in the user's cache directory, or None where there is none to trust."""
    folder = bytecode_cache_dir()
    return _bytecode_cache_in(folder) if folder is not None else None


@functools.lru_cache(maxsize=4)
def _bytecode_cache_in(folder: Path) -> _BytecodeCache:
    return _BytecodeCache(folder)


class RenderError(Exception):
    """A template failed; `diagnostic` says where (raised out of `render_site`'s stream, so the writer drops what it
    began)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


PARALLEL_FROM = 400
"""Below this many pages, starting worker processes costs more than rendering them here."""


class RenderedPages(NamedTuple):
    """What a worker process rendered of a run of pages: the files, up to the first page that failed, that
    page's problem, and the cached fragments it used (for this build's store, which the next build gets)."""

    files: tuple[tuple[str, bytes], ...]
    problem: Diagnostic | None
    fragments: Learned


def render_site(model: SiteModel, env: jinja2.Environment, theme_dirs: list[Path],
                fragments: Fragments | None = None, *, parallel_from: int | None = None,
                workers: int | None = None) -> Iterator[tuple[str, bytes]]:
    """Every page rendered through `env` (`environment_for(theme_dirs)`), then the themes' static
    files, as (output path, bytes), in order, so that the writer can put each away before the next
    comes.

    With at least `parallel_from` pages (default `PARALLEL_FROM`) the pages are split between
    `workers` processes (default: one per core): this one and forked ones, started here, before the
    caller goes on (so before the writer starts its threads). Otherwise they are rendered here, one
    at a time as the writer takes them. Cached fragments come from `fragments` (with those the last
    build left); without it each is rendered where it stands. The stream raises RenderError when a
    template fails.
    """
    pages = model.pages
    count = worker_count(len(pages), PARALLEL_FROM if parallel_from is None else parallel_from, workers)
    if isinstance(env, SiteThemeEnvironment):  # before the workers are forked: they share the deadline
        env.start_rendering(len(pages))
    rendered = (_rendered_in_workers(model, env, fragments, count) if count > 1
                else _rendered_here(model, env, fragments))
    return itertools.chain(rendered, static_files(theme_dirs))


def _rendered_here(model: SiteModel, env: jinja2.Environment,
                   fragments: Fragments | None) -> Iterator[tuple[str, bytes]]:
    with storing_in(env, fragments):
        for page in model.pages:
            with memory_bounded(env):  # not while the writer has the page
                html = render_page(page, model, env)
            yield page.path, html


def _rendered_in_workers(model: SiteModel, env: jinja2.Environment, fragments: Fragments | None,
                         workers: int) -> Iterator[tuple[str, bytes]]:
    """The pages rendered by `workers` processes (this one and `workers - 1` forked ones), each taking runs of
    pages of about the same work; the fragments a forked one used are added to `fragments` as its pages come."""
    spans = weighted_spans([page_weight(page) for page in model.pages], workers * SPANS_PER_WORKER)
    stream = Streamed(_render_pages, model.pages, (model, env, fragments), spans, workers - 1, ahead=2, here=True)
    return _taken(stream, fragments)


def _taken(stream: Streamed[RenderedPages], fragments: Fragments | None) -> Iterator[tuple[str, bytes]]:
    for run in itertools.chain.from_iterable(stream):  # one run of pages per span
        if fragments is not None:
            fragments.add_used(run.fragments)
        yield from run.files
        if run.problem is not None:
            stream.close()
            raise RenderError(run.problem)


SPANS_PER_WORKER = 32
"""Runs of pages per worker: enough that a run of heavy pages does not leave the other workers idle at
the end, and that the pages rendered but not yet written (at most two runs per worker) are few."""


def page_weight(page: Page) -> int:
    """Roughly how much work a page is to render: its view's longest list (the rows of a list page), at least 1."""
    view = page.view
    if not dataclasses.is_dataclass(view):
        return 1
    return max([1, *(len(value) for field in dataclasses.fields(view)
                     if isinstance(value := getattr(view, field.name), tuple))])


def _render_pages(pages: Sequence[Page], context: tuple[SiteModel, jinja2.Environment, Fragments | None],
                  ) -> list[RenderedPages]:
    """In a worker process: a run of pages (the problem of the first that fails, as a value: an exception
    raised here would reach the parent as a traceback)."""
    model, env, fragments = context
    mark = fragments.used_count() if fragments is not None else 0
    files: list[tuple[str, bytes]] = []
    problem = None
    with storing_in(env, fragments), memory_bounded(env):
        for page in pages:
            try:
                files.append((page.path, render_page(page, model, env)))
            except RenderError as exc:
                problem = exc.diagnostic
                break
    learned = fragments.used_since(mark) if fragments is not None else Learned()
    return [RenderedPages(tuple(files), problem, learned)]


def render_page(page: Page, model: SiteModel, env: jinja2.Environment) -> bytes:
    """One page through its template; raises RenderError when the template fails."""
    try:
        template = env.get_template(page.template)
    except RecursionError:  # parsing it: blocks or parentheses nested thousands deep
        raise RenderError(error(_template_file(env, page.template), None, "template error: nested too deeply to read",
                                "nest blocks and parentheses a few hundred levels deep at most")) from None
    except Exception as exc:
        raise RenderError(template_problem(exc, page.template)) from None
    try:
        html = template.render(page=page.view, title=page.title, site=model.site, root=page.root, path=page.path)
    except Exception as exc:  # Jinja's errors, and what a template's own expression raises: {{ 1/0 }}, a bound
        raise RenderError(template_problem(exc, page.template)) from None
    return html.encode("utf-8")


def static_files(theme_dirs: list[Path]) -> Iterator[tuple[str, bytes]]:
    """The themes' static files; a theme listed first overrides the same file of a later one."""
    found: dict[str, Path] = {}
    for theme in reversed(theme_dirs):
        static = theme / "static"
        if static.is_dir():
            for path in sorted(p for p in static.rglob("*") if p.is_file()):
                found["static/" + path.relative_to(static).as_posix()] = path
    for name, path in found.items():
        yield name, path.read_bytes()


def _template_file(env: jinja2.Environment, name: str) -> str:
    """The file of the template `name`, as a diagnostic names it (its name when the loader has no file)."""
    try:
        return (env.loader.get_source(env, name)[1] if env.loader else None) or name
    except jinja2.TemplateError:
        return name


def template_problem(exc: Exception, template: str) -> Diagnostic:
    """A diagnostic pointing at the template line that failed (the innermost template frame of the traceback)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return error(exc.filename or exc.name or template, exc.lineno, f"template syntax error: {exc.message}")
    where, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".svg")):
            where, line = frame.filename, frame.lineno
    message, hint = _explained(exc)
    return error(where, line, f"template error: {message}", hint)


BOUNDS = "a site's own theme renders within bounds of time and memory (docs/themes.md)"


def _explained(exc: Exception) -> tuple[str, str]:
    """What a template's failure says, and its hint."""
    if isinstance(exc, jinja2.TemplateNotFound):
        return (f"no template named '{exc.name}' (or it is not a regular file)",
                "check the name against the theme's templates/ folder and the default theme's")
    if isinstance(exc, jinja2.TemplateError):
        return str(exc), "check the variable names against docs/themes.md"
    if isinstance(exc, TemplateLimitError):
        return str(exc), BOUNDS
    if isinstance(exc, MemoryError):
        return "the template asked for more memory than a site's own theme may use", BOUNDS
    if isinstance(exc, RecursionError):
        return "a macro, block or include that uses itself without end", "give the recursion a way to stop"
    return f"{type(exc).__name__}: {exc}", "the template's own expression raised this at that line"
