"""Cached fragments, the template side: the `{% cache a, root %}…{% endcache %}` tag and its rule.

A theme marks the rows of long lists (portfolio, criterion and group pages) with the tag. Each
fragment must depend only on the values it lists: a body that reads a variable it does not list is
a template syntax error when the template is compiled. While a build renders, the tag asks the
build's `Fragments` (a reuse of the incremental layer, or none) for the fragment's HTML; without
one it renders its body every time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension


class Learned(NamedTuple):
    """Fragments a worker process used, by key, for the store of the build it was forked from."""

    keys: tuple[bytes, ...] = ()
    html: tuple[str, ...] = ()


class Fragments(Protocol):
    """Where a build's cached fragments come from, and where those it used are kept for the next build."""

    def fragment(self, identity: str, values: tuple[object, ...], render: Callable[[], str]) -> str:
        """The fragment at `identity` (template and place) for these values, rendered by `render` unless known."""
        ...

    def used_count(self) -> int:
        """How many fragments this build has used so far: a mark for `used_since`."""
        ...

    def used_since(self, mark: int) -> Learned:
        """The fragments used since `mark` (in a worker process: to hand back to the build)."""
        ...

    def add_used(self, learned: Learned) -> None:
        """Count fragments a worker process used as used by this build."""
        ...


@contextmanager
def storing_in(env: jinja2.Environment, store: Fragments | None) -> Iterator[None]:
    """Let the `cache` tags of `env` use `store` inside; outside, they render their bodies every time.

    The environment is shared between builds (`render.environment_for`); a build's store is set
    on it only while that build renders.
    """
    env.fragment_store = store  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if env.fragment_store is store:  # type: ignore[attr-defined]
            env.fragment_store = None  # type: ignore[attr-defined]


class FragmentCache(Extension):
    """The `{% cache key, … %}…{% endcache %}` tag (after Jinja's documented fragment cache example)."""

    tags = {"cache"}  # noqa: RUF012 - Jinja's Extension declares `tags` as a plain set attribute

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(fragment_store=None)

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys: list[nodes.Expr] = []
        while parser.stream.current.type != "block_end":
            if keys:
                parser.stream.expect("comma")
            key = parser.parse_expression()
            if not isinstance(key, (nodes.Name, nodes.Const)):
                parser.fail("the keys of a cached fragment are variable names (or constants)", key.lineno)
            keys.append(key)
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # The first argument, where the fragment is, is filled in by the check (`_Checked`).
        call = self.call_method("_fragment", [nodes.Const(None), *keys], lineno=lineno)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, identity: str, *values: object, caller: Callable[[], str]) -> str:
        store: Fragments | None = self.environment.fragment_store  # type: ignore[attr-defined]
        return caller() if store is None else store.fragment(identity, values, caller)


# -- the check: a fragment reads only what it lists ---------------------------------------------

class CheckedCodeGenerator(CodeGenerator):
    """The code generator of a theme's environment (`ThemeEnvironment`): checks every cached
    fragment of a template first. Whether a body reads only what it lists can be told only once the
    whole template is parsed (its macros and imports may come after the fragment)."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:  # noqa: N802 - Jinja's visitor name
        check_fragments(node, self.environment, self.name, self.filename)
        super().visit_Template(node, frame)


class ThemeEnvironment(jinja2.Environment):
    """The Jinja environment of the default theme alone (the package's own templates): its templates'
    cached fragments are checked when they are compiled."""

    code_generator_class = CheckedCodeGenerator


def is_fragment(node: nodes.Node) -> bool:
    return (isinstance(node, nodes.CallBlock) and isinstance(node.call.node, nodes.ExtensionAttribute)
            and node.call.node.identifier == FragmentCache.identifier and node.call.node.name == "_fragment")


Fail = Callable[[str, int], None]
"""Raises the template syntax error for a message at a line."""


def check_fragments(template: nodes.Template, env: jinja2.Environment, name: str | None, filename: str | None) -> None:
    """Give each fragment its identity, and fail on a body that reads a variable it does not list.

    A body may read what it lists, what it assigns itself (loop targets, `set`, its own macros'
    arguments), the template's macros and imports (if they read nothing else themselves: imports
    without context cannot) and Jinja's globals. A name the template assigns anywhere else does
    not count as a macro or a global here, whatever it is called.
    """
    fragments = [n for n in template.find_all(nodes.CallBlock) if is_fragment(n)]
    if not fragments:
        return

    def fail(message: str, lineno: int) -> None:
        raise jinja2.TemplateSyntaxError(message, lineno, name, filename)

    names = _TemplateNames.of(template, env)
    for number, fragment in enumerate(fragments):
        _check_fragment(fragment, names, fail)
        fragment.call.args[0] = nodes.Const(f"{name}#{number}:{fragment.lineno}")


@dataclass(frozen=True)
class _TemplateNames:
    """What a template's fragments may read besides their keys."""

    macros: dict[str, nodes.Macro]
    """The template's own top-level macros, by name."""
    shared: frozenset[str]
    """Its macros, its imports without context and Jinja's globals, but for names it also assigns."""

    @classmethod
    def of(cls, template: nodes.Template, env: jinja2.Environment) -> _TemplateNames:
        def nested(node: nodes.Node) -> bool:
            """Whether `node` is inside a block or a loop rather than at the template's top level."""
            return not any(node is top for top in template.body)

        assigned = {n.name for n in template.find_all(nodes.Name) if n.ctx in ("store", "param")}
        assigned |= {n.name for n in template.find_all(nodes.Macro) if nested(n)}  # a macro of a block or a loop
        assigned |= {n.target for n in template.find_all(nodes.Import) if nested(n)}
        assigned |= {_imported(item) for n in template.find_all(nodes.FromImport) if nested(n) for item in n.names}
        macros = {n.name: n for n in template.body if isinstance(n, nodes.Macro)}
        imports = {n.target for n in template.body if isinstance(n, nodes.Import) and not n.with_context}
        imports |= {_imported(item) for n in template.body if isinstance(n, nodes.FromImport) and not n.with_context
                    for item in n.names}
        # Names the template also assigns or passes as arguments are variables, even where they share a macro's name.
        return cls(macros, frozenset(({*macros, *imports} | set(env.globals)) - assigned))

    def impure(self, macro: str, seen: frozenset[str], fail: Fail) -> tuple[str, int] | None:
        """The first variable a template macro reads (itself or through the macros it calls), or None."""
        node = self.macros[macro]
        arguments = frozenset({node.name, *(a.name for a in node.args), *MACRO_LOCALS})
        for read, lineno in itertools.chain(free_names(node.defaults, frozenset(), fail),
                                            free_names(node.body, arguments, fail)):
            if read not in self.shared:
                return read, lineno
            if read in self.macros and read not in seen and (found := self.impure(read, seen | {read}, fail)):
                return found
        return None


def _imported(item: str | tuple[str, str]) -> str:
    """The name a `from … import` binds: the alias if there is one."""
    return item if isinstance(item, str) else item[1]


def _check_fragment(fragment: nodes.CallBlock, names: _TemplateNames, fail: Fail) -> None:
    """Fail on the first variable the fragment's body reads that is not one of its keys, nor shared."""
    keys = fragment.call.args[1:]
    listed = frozenset(k.name for k in keys if isinstance(k, nodes.Name))
    shown = ", ".join(k.name if isinstance(k, nodes.Name) else repr(getattr(k, "value", k)) for k in keys)
    for read, lineno in free_names(fragment.body, listed, fail):
        if read not in names.shared:
            fail(f"the cached fragment uses '{read}', which is not one of its keys ({shown})", lineno)
        if read in names.macros and (found := names.impure(read, frozenset({read}), fail)):
            fail(f"the cached fragment calls the macro '{read}', which uses '{found[0]}' (line {found[1]}): "
                 f"a cached fragment may use only its keys ({shown})", lineno)


MACRO_LOCALS = ("varargs", "kwargs", "caller")
"""What Jinja gives every macro body besides its arguments."""


def free_names(body: Iterable[nodes.Node], bound: frozenset[str], fail: Fail) -> Iterator[tuple[str, int]]:
    """Every name the statements read that they do not assign themselves before (or `bound` holds), with its line.

    Deliberately cautious: what a branch of an `if` assigns counts only inside that branch (when the
    branch is not taken, Jinja reads the name from outside); a loop's target and `loop` only inside it.
    """
    for node in body:
        bound = yield from _reads(node, bound, fail)


def _reads(node: nodes.Node, bound: frozenset[str], fail: Fail) -> Reads:
    """Yield the names `node` reads that are not bound; return the names bound after it."""
    for kind, reads in _READERS:
        if isinstance(node, kind):
            return (yield from reads(node, bound, fail))
    if type(node) in _REFUSED:
        fail(f"a cached fragment cannot {_REFUSED[type(node)]} (it would see every variable)", node.lineno)
    yield from free_names(node.iter_child_nodes(), bound, fail)
    return bound


Reads = Generator[tuple[str, int], None, frozenset[str]]
"""The names a node reads (with their lines) that are not bound; returns the names bound after it."""


def _name(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    if (not isinstance(node, nodes.Name) or node.ctx == "load") and node.name not in bound:  # a name, or a namespace
        yield node.name, node.lineno
    return bound


def _for(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    yield from _each(node.iter, bound, fail)
    inner = bound | _targets(node.target)
    yield from _each(node.test, inner, fail)
    yield from free_names(node.body, inner | {"loop"}, fail)
    yield from free_names(node.else_, bound, fail)
    return bound


def _if(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    yield from _each(node.test, bound, fail)
    for branch in (node.body, node.elif_, node.else_):
        yield from free_names(branch, bound, fail)
    return bound


def _assign(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    if isinstance(node, nodes.AssignBlock):
        yield from free_names(node.body, bound, fail)
        yield from _each(node.filter, bound, fail)
    else:
        yield from _each(node.node, bound, fail)
    yield from _each(node.target, bound, fail)  # a namespace's attribute reads the namespace
    return bound | _targets(node.target)


def _with(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    yield from free_names(node.values, bound, fail)
    yield from free_names(node.body, bound | {t for target in node.targets for t in _targets(target)}, fail)
    return bound


def _macro(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    yield from free_names(node.defaults, bound, fail)
    yield from free_names(node.body, bound | {node.name, *(a.name for a in node.args), *MACRO_LOCALS}, fail)
    return bound | {node.name}


def _call_block(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    yield from _each(node.call, bound, fail)
    yield from free_names(node.defaults, bound, fail)
    yield from free_names(node.body, bound | {a.name for a in node.args}, fail)
    return bound


def _import(node: Any, bound: frozenset[str], fail: Fail) -> Reads:
    if node.with_context:
        fail("a cached fragment cannot import with context (the template would see every variable)", node.lineno)
    yield from _each(node.template, bound, fail)
    names = {node.target} if isinstance(node, nodes.Import) else {_imported(n) for n in node.names}
    return bound | names


_READERS: tuple[tuple[type[nodes.Node] | tuple[type[nodes.Node], ...], Callable[[Any, frozenset[str], Fail], Reads]],
                ...] = (
    ((nodes.Name, nodes.NSRef), _name), (nodes.For, _for), (nodes.If, _if),
    ((nodes.Assign, nodes.AssignBlock), _assign),
    (nodes.With, _with), (nodes.Macro, _macro), (nodes.CallBlock, _call_block),
    ((nodes.Import, nodes.FromImport), _import),
)
"""How each kind of statement or expression reads and binds names; any other node reads what its children read."""

_REFUSED: dict[type[nodes.Node], str] = {
    nodes.Include: "include a template", nodes.Block: "hold a block", nodes.Extends: "extend a template",
    nodes.ContextReference: "read the whole context", nodes.DerivedContextReference: "read the whole context",
}
"""What a fragment's body may not do, since it would see every variable."""


def _each(node: nodes.Node | None, bound: frozenset[str], fail: Fail) -> Iterator[tuple[str, int]]:
    if node is not None:
        yield from _reads(node, bound, fail)


def _targets(target: nodes.Node) -> frozenset[str]:
    """The names an assignment or loop target binds (a namespace attribute binds none)."""
    return frozenset(n.name for n in ([target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name))
                     if n.ctx in ("store", "param"))

