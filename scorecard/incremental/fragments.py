"""Cached fragments: a theme's `{% cache a, root %}…{% endcache %}` renders its body once per build
for each distinct key, and keeps it for the next build.

The pages that list every assessment (portfolio, criterion pages, group pages) are made of rows,
each of which depends only on one assessment's view and the page's `root`. A row is rendered the
first time its key is seen; later pages of the same build, and later builds, reuse its HTML.

A fragment's key is a digest of every template of the themes (any template change invalidates
every fragment), of where the fragment is (template and position) and of the key of each value it
lists: strings, numbers and None by value, an assessment's view by the key the build gave it
(`ViewKeys`), one of its answers listed after it by that key and its place, any other object by a
digest of its fields or its pickle. A fragment must depend on nothing else: a body that
reads a variable it does not list is a template syntax error when the template is compiled.
"""

from __future__ import annotations

import copyreg
import dataclasses
import pickle
from collections.abc import Callable

import jinja2
from markupsafe import Markup

from scorecard.incremental.cachefiles import digest
from scorecard.incremental.pagekeys import ViewKeys, fingerprint
from scorecard.publish.fragments import Learned
from scorecard.site.views import AssessmentView, ItemView


class FragmentStore:
    """The fragments of one build: those the last build left, and those this one renders or reuses."""

    def __init__(self, templates: bytes, previous: dict[bytes, str] | None = None, views: ViewKeys | None = None):
        self.templates = templates
        """Digest of every template of the themes in use."""
        self.previous = previous if previous is not None else {}
        """The last build's fragments by key; each moves to `used` when this build asks for it."""
        self.views = views or ViewKeys()
        """The keys the build gave its assessment views."""
        self.used: dict[bytes, str] = {}
        """The fragments this build rendered or reused, by key: what the next build gets."""
        self.rendered = 0
        """Fragments rendered by this build."""
        self.reused = 0
        """Fragments taken from the last build."""
        self.shared = 0
        """Fragments this build had rendered (or reused) already, for another page or place."""
        self._starts: dict[str, bytes] = {}
        self._strings: dict[str, bytes] = {}
        self._views: dict[str, tuple[AssessmentView, bytes]] = {}
        """Slug → a view listed before and its part of a fragment's key (the same view is listed on many rows)."""
        self._frozen: dict[type, tuple[str, ...] | None] = {}
        self._order: list[bytes] = []
        """The keys of `used`, in the order they were first used (`used_since`)."""

    def fragment(self, identity: str, values: tuple[object, ...], render: Callable[[], str]) -> str:
        """The fragment at `identity` for these values: rendered by `render` unless already known."""
        start = self._starts.get(identity)
        if start is None:
            start = self._starts[identity] = digest(self.templates, identity.encode())
        # The key is the fragment's digest and its values' keys, each length-prefixed, joined rather
        # than hashed again: tens of thousands of fragments per build, and dict keys are hashed anyway.
        parts = [start]
        owner: AssessmentView | None = None  # the last assessment view listed: an item after it may be one of its own
        for value in values:
            kind = type(value)
            if kind is str:  # `root`, on every row: the same few strings
                part = self._strings.get(value)  # type: ignore[call-overload]
                if part is None:
                    part = self._strings[value] = self._prefixed(self.value_key(value))  # type: ignore[index]
            elif kind is AssessmentView:
                owner = value  # type: ignore[assignment]
                part = self._view_part(owner)  # type: ignore[arg-type]
            elif kind is ItemView and owner is not None:
                part = self._item_part(owner, value)  # type: ignore[arg-type]
            else:
                part = self._prefixed(self.value_key(value))
            parts.append(part)
        key = b"".join(parts)
        html = self.used.get(key)
        if html is not None:
            self.shared += 1
            return html
        html = self.previous.pop(key, None)
        if html is None:
            html = str(render())
            self.rendered += 1
        else:
            self.reused += 1
        self.used[key] = html
        self._order.append(key)
        return html

    def used_count(self) -> int:
        return len(self._order)

    def used_since(self, mark: int) -> Learned:
        """The fragments used after the first `mark`."""
        keys = tuple(self._order[mark:])
        return Learned(keys, tuple(self.used[key] for key in keys))

    def add_used(self, learned: Learned) -> None:
        """Fragments a worker process forked from this build used: the next build gets them too. (The
        counts of fragments rendered and reused are the workers' own, not added here.)"""
        for key, html in zip(learned.keys, learned.html, strict=True):
            if key not in self.used:
                self.used[key] = html
                self._order.append(key)
                self.previous.pop(key, None)

    def _view_part(self, view: AssessmentView) -> bytes:
        """An assessment view's part of a fragment's key, worked out once per view (checked with `is`)."""
        found = self._views.get(view.slug)
        if found is None or found[0] is not view:
            found = self._views[view.slug] = (view, self._prefixed(self.value_key(view)))
        return found[1]

    def _item_part(self, view: AssessmentView, item: ItemView) -> bytes:
        """One of a view's answers listed after it: known by the view's key and its place (each row of
        a criterion page lists one, seen once per build: nothing is kept of it here)."""
        key = self.views.item_key(view, item)
        if key is None:
            return self._prefixed(self.value_key(item))
        return (len(key) + 1).to_bytes(4, "little") + b"o" + key  # as `_prefixed(b"o" + key)`, one copy fewer

    @staticmethod
    def _prefixed(part: bytes) -> bytes:
        """A part of a fragment's key, length first, so that no two lists of parts join the same."""
        return len(part).to_bytes(4, "little") + part

    def value_key(self, value: object) -> bytes:
        """A listed value's part of a fragment's key; the kinds are told apart (the string "1" is not the number 1)."""
        kind = type(value)
        if isinstance(value, str) and kind in (str, Markup):
            return (b"s" if kind is str else b"m") + value.encode("utf-8", "surrogatepass")
        if value is None:
            return b"n"
        if kind in (int, bool, float):
            return f"{kind.__name__} {value!r}".encode()
        if isinstance(value, jinja2.Undefined):
            str(value)  # a StrictUndefined fails here with Jinja's own message
            return b"u"
        return b"o" + self.object_key(value)

    def object_key(self, value: object) -> bytes:
        """The key of a view model (a frozen dataclass) or a tuple: the build's, else a digest of what it holds.

        Anything else (a list, a dict, a loop) cannot be a key: it can change between two uses, and a key must not.
        """
        key = self.views.view_key(value)
        if key is not None:
            return key
        kind = type(value)
        names = self._fields(kind)
        if names is None and kind is not tuple:
            raise jinja2.TemplateRuntimeError(f"a cached fragment cannot be keyed by a {kind.__name__}: "
                                              "list strings, numbers, tuples or view models")
        if kind is not AssessmentView and names and len(getattr(value, "__dict__", ())) == len(names):
            # A small view (a criterion page's row: one answer) by its fields' keys: cheaper than pickling it.
            return digest(kind.__module__.encode(), kind.__qualname__.encode(),
                          *(self._part(getattr(value, n)) for n in names))
        return self._pickled(value, kind is not AssessmentView)

    def _part(self, field: object) -> bytes:
        """A view's field's part of the view's key."""
        kind = type(field)
        if kind in (str, int, bool, float, Markup) or field is None or kind is tuple or self._fields(kind) is not None:
            return self.value_key(field)
        return b"p" + self._pickled(field, True)

    def _pickled(self, value: object, nested_views: bool) -> bytes:
        """A digest of `value` pickled; with `nested_views`, the assessment views inside count by their own key."""
        # The table is made per call, not kept: kept, its reducer would tie this store (and every view it
        # holds) into a reference cycle that only the cyclic collector frees, which at 4,000 assessments
        # took half a second at the end of every build.
        table = {**copyreg.dispatch_table, AssessmentView: self._reduce_view} if nested_views else None
        try:
            return digest(fingerprint(value, table))
        except (pickle.PicklingError, TypeError, AttributeError):
            raise jinja2.TemplateRuntimeError(f"a cached fragment cannot be keyed by a {type(value).__name__} "
                                              "holding what cannot be pickled") from None

    def _reduce_view(self, view: AssessmentView) -> tuple[Callable[[bytes], bytes], tuple[bytes]]:
        """An assessment view inside another value pickles as its key."""
        return _keyed, (self.object_key(view),)

    def _fields(self, kind: type) -> tuple[str, ...] | None:
        """The field names of a frozen dataclass; None for any other type."""
        if kind not in self._frozen:
            params = getattr(kind, "__dataclass_params__", None)
            self._frozen[kind] = tuple(f.name for f in dataclasses.fields(kind)) if params and params.frozen else None
        return self._frozen[kind]


def _keyed(key: bytes) -> bytes:  # pragma: no cover - never called: the pickles here are only hashed
    return key
