"""Page keys: a digest of everything a page is rendered from, so an unchanged page need not be rendered.

A page's bytes are a function of its template (and the templates it extends, includes and
imports, found with Jinja's own parser, so editing one template renders again only the pages
that use it), its view model, its path, title and root, and the site view. Its key is a digest of
all of these; two builds that give a page the same key render it to the same bytes. Views are
fingerprinted by pickling them, with each assessment's view, which many pages share (leaderboard,
rubric items, groups), pickled once and referred to by its digest everywhere else. New kinds of
page need nothing here: any frozen view that pickles gets a key.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from pathlib import Path
from typing import Callable

import jinja2
from jinja2 import meta

from .cache import digest
from .site import SiteModel
from .views import AssessmentView


def template_digests(theme_dirs: list[Path]) -> Callable[[str], bytes]:
    """For a template's name, a digest of it and every template it uses, as the theme lookup finds them.

    Where the templates used cannot be known (a name computed at render time, a syntax error), the
    digest covers every template of every theme.
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
                             extensions=["scorecard.fragments.FragmentCache"])  # by name: fragments imports this module
    everything = templates_digest(theme_dirs)
    memo: dict[str, bytes] = {}

    def closure(name: str, seen: frozenset[str]) -> bytes:
        if name in memo:
            return memo[name]
        if name in seen:
            return b"cycle"
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            used = list(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateError:
            used = [None]
        if None in used:
            result = everything
        else:
            result = digest(name.encode(), source.encode(), *(closure(u, seen | {name}) for u in sorted(set(used))))
        memo[name] = result
        return result

    return lambda name: closure(name, frozenset())


def templates_digest(theme_dirs: list[Path]) -> bytes:
    """A digest of every template of every theme in use, in lookup order."""
    parts = []
    for number, theme in enumerate(theme_dirs):
        templates = theme / "templates"
        if templates.is_dir():
            for path in sorted(p for p in templates.rglob("*") if p.is_file()):
                parts += [f"{number}:{path.relative_to(templates).as_posix()}".encode(), path.read_bytes()]
    return digest(*parts)


def theme_digest(theme_dirs: list[Path]) -> bytes:
    """A digest of every file of every theme in use (templates and static files)."""
    parts = []
    for number, theme in enumerate(theme_dirs):
        if theme.is_dir():
            for path in sorted(p for p in theme.rglob("*") if p.is_file()):
                parts += [f"{number}:{path.relative_to(theme).as_posix()}".encode(), path.read_bytes()]
    return digest(*parts)


def _assessment_ref(key: bytes) -> bytes:  # pragma: no cover - never called: pickles here are only hashed
    return key


def fingerprint(value: object, table: dict | None = None) -> bytes:
    """`value` pickled without pickle's memo, so that equal views give the same bytes whichever of
    their strings are one object (views are trees: nothing refers back to itself)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    if table is not None:
        pickler.dispatch_table = table
    pickler.dump(value)
    return buffer.getvalue()


def page_keys(model: SiteModel, theme_dirs: list[Path]) -> dict[str, bytes]:
    """Output path → the page's key."""
    templates = template_digests(theme_dirs)
    known: dict[int, bytes] = {}
    for page in model.pages:
        if type(page.view) is AssessmentView:
            known[id(page.view)] = digest(fingerprint(page.view))

    def reduce_assessment(view: AssessmentView) -> tuple:
        key = known.get(id(view)) or digest(fingerprint(view))
        return _assessment_ref, (key,)

    table = copyreg.dispatch_table.copy()
    table[AssessmentView] = reduce_assessment
    site = fingerprint(model.site)
    return {page.path: digest(templates(page.template), site,
                              fingerprint((page.path, page.template, page.title, page.root, page.view), table))
            for page in model.pages}
