"""Page keys: a digest of everything a page is rendered from, so an unchanged page need not be rendered.

A page's bytes are a function of its template (and the templates it extends, includes and
imports, found with Jinja's own parser, so editing one template renders again only the pages
that use it), its view model, its path, title and root, and the site view. Its key is a digest of
all of these; two builds that give a page the same key render it to the same bytes. Views are
fingerprinted by pickling them, except each assessment's view, which many pages share
(leaderboard, criterion pages, groups): it has a key of its own (`view_keys`, from what it was
made of), and a page refers to it, or to one of its items, by that key; a list page's rows are its
rows' keys joined. New kinds of page need nothing here: any frozen view that pickles gets a key.
"""

from __future__ import annotations

import copyreg
import functools
import io
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import jinja2
from jinja2 import meta

from scorecard.incremental.cachefiles import digest
from scorecard.site.model import SiteModel
from scorecard.site.views import AssessmentView, RankedRow


def template_digests(env: jinja2.Environment) -> Callable[[str], bytes]:
    """For a template's name, a digest of it and every template it uses, found through the loader
    that renders them (so `default/base.html` is the default theme's, whatever a theme overrides).

    Where the templates used cannot be known (a name computed at render time, a syntax error, nesting
    too deep to parse), the digest covers every template of every theme.
    """
    everything = templates_digest(env)
    memo: dict[str, bytes] = {}
    loader = env.loader
    assert loader is not None

    def closure(name: str, seen: frozenset[str]) -> bytes:
        if name in memo:
            return memo[name]
        if name in seen:
            return b"cycle"
        try:
            source = loader.get_source(env, name)[0]
            used = list(meta.find_referenced_templates(env.parse(source)))
            names = [u for u in used if u is not None]
        except (jinja2.TemplateError, RecursionError):  # the render says what is wrong with it
            used, names = [None], []
        if None in used:  # a template name computed at render time: any template may be used
            result = everything
        else:
            result = digest(name.encode(), source.encode(), *(closure(u, seen | {name}) for u in sorted(set(names))))
        memo[name] = result
        return result

    return lambda name: closure(name, frozenset())


def templates_digest(env: jinja2.Environment) -> bytes:
    """A digest of every template the environment's loader finds, by name, in lookup order. A name listed
    that the loader cannot load (a named pipe, a link to nothing: not a regular file) counts by its name
    alone: a page that uses it fails when it renders."""
    loader = env.loader
    assert loader is not None
    parts = []
    for name in sorted(loader.list_templates()):
        try:
            parts += [name.encode(), loader.get_source(env, name)[0].encode()]
        except jinja2.TemplateNotFound:
            parts += [name.encode(), b"not a template"]
    return digest(*parts)


def _view_ref(key: bytes) -> bytes:  # pragma: no cover - never called: pickles here are only hashed
    return key


def fingerprint(value: object, table: dict[type, Callable[[Any], Any]] | None = None) -> bytes:
    """`value` pickled without pickle's memo, so that equal views give the same bytes whichever of
    their strings are one object (views are trees: nothing refers back to itself)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    if table is not None:
        pickler.dispatch_table = table
    pickler.dump(value)
    return buffer.getvalue()


class ViewKeys:
    """The key of each assessment's view in this build, by slug. A view counts as keyed only when it
    is the very view the site model made for its slug (checked with `is`), so that a view made some
    other way is never taken for it; one of its items is known by the view's key and its place."""

    def __init__(self) -> None:
        self.keyed: dict[str, tuple[AssessmentView, bytes, dict[str, tuple[object, bytes]]]] = {}
        """Slug → the view, its key, and each of its items by page address with the item's key: a view
        or an item is known in a look-up or two (the criterion pages list 52,000 at 4,000 assessments)."""

    def add(self, view: AssessmentView, key: bytes) -> None:
        self.keyed[view.slug] = (view, key, {item.url: (item, key + _place(s, i))
                                             for s, section in enumerate(view.sections)
                                             for i, item in enumerate(section.items)})

    def view_key(self, view: object) -> bytes | None:
        """The key of `view` if it is a keyed assessment view, else None."""
        if type(view) is AssessmentView:
            found = self.keyed.get(view.slug)
            if found is not None and found[0] is view:
                return found[1]
        return None

    def item_key(self, view: AssessmentView, item: object) -> bytes | None:
        """The key of `item` if it is one of the answers or scores of the keyed `view`, else None."""
        found = self.keyed.get(view.slug)
        if found is None or found[0] is not view:
            return None
        place = found[2].get(getattr(item, "url", ""))
        return place[1] if place is not None and place[0] is item else None


def view_keys(model: SiteModel, base_views: Mapping[str, AssessmentView], base_keys: Mapping[str, bytes]) -> ViewKeys:
    """A key for the view of every assessment page, without pickling whole views.

    The site model makes each page's view from the assessment's own view (`base_views`, whose keys
    `base_keys` cover everything it was made from) by replacing some fields (history, backlinks,
    review due…). The key is the base view's key and a fingerprint of the fields that are not the
    base view's own objects: whatever the site model changes is covered, whichever field it is.
    """
    keys = ViewKeys()
    for page in model.pages:
        view = page.view
        if type(view) is AssessmentView and view.slug in base_keys:
            base = vars(base_views[view.slug])  # a frozen dataclass's fields, read as its dict: no getattr per field
            changed = [(name, value) for name, value in vars(view).items() if value is not base[name]]
            keys.add(view, digest(base_keys[view.slug], fingerprint(changed)))
    return keys


@functools.cache
def _place(section: int, item: int) -> bytes:
    """An answer's place in its view, of fixed length (keys are joined), made once for each place."""
    return section.to_bytes(4, "big") + item.to_bytes(4, "big")


def page_keys(model: SiteModel, env: jinja2.Environment, known: ViewKeys) -> dict[str, bytes]:
    """Output path → the page's key; `known` gives the keys of assessment views (`view_keys`)."""
    templates = template_digests(env)

    def key_of(item: object) -> bytes:
        """An assessment's view, or a ranked row of a view and one of its items: by the keys known for them.

        (Not recursive on purpose: a closure that calls itself is a reference cycle, and this one holds
        every view of the site until the cyclic collector comes by.)"""
        if type(item) is RankedRow:
            view = item.assessment
            answer = known.item_key(view, item.item)  # the keyed view's key and the answer's place: all of the row
            if answer is not None:
                return answer
            return (known.view_key(view) or digest(fingerprint(view))) + digest(fingerprint(item.item))
        return known.view_key(item) or digest(fingerprint(item))

    def shape(view: object) -> object:
        """The view as it is fingerprinted: a list page's thousands of rows become one string of
        their keys, joined in C, instead of thousands of calls into the pickler."""
        if not is_dataclass(view) or isinstance(view, type) or type(view) is AssessmentView:
            return view
        parts = []
        for name in _field_names(type(view)):
            value = getattr(view, name)
            if type(value) is tuple and value and type(value[0]) in (AssessmentView, RankedRow):
                value = _Rows(b"".join([key_of(row) for row in value]))
            parts.append(value)
        return type(view).__qualname__, tuple(parts)

    table = copyreg.dispatch_table.copy()
    table[AssessmentView] = table[RankedRow] = lambda view: (_view_ref, (key_of(view),))
    site = fingerprint(model.site)
    return {page.path: digest(templates(page.template), site,
                              fingerprint((page.path, page.template, page.title, page.root, shape(page.view)), table))
            for page in model.pages}


@dataclass(frozen=True)
class _Rows:
    """The keys of a list page's rows, joined (only ever fingerprinted)."""

    keys: bytes


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))
