"""A site's own theme: Jinja's sandbox, and bounds on the time and memory its templates may take.

A site's theme is part of its working tree, which a pull request changes, and CI builds it before
anyone has read it. Jinja's sandbox keeps a template away from Python's internals (in a plain
environment `{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen(…) }}` runs
a command). It does not bound the work: `{{ 'x' * 10**10 }}`, `{{ 10**(10**10) }}`, loops nested
over a range, or a macro calling itself twice at every level would take the build's memory or
time without end. So, while a site's theme renders:

- **time**: the pages share a budget (`render_budget`), checked at every call a template makes
  and at every item of every loop;
- **memory**: the process's address space may grow by `MEMORY_HEADROOM` at most (`memory_bounded`);
  a template that asks for more gets a MemoryError where it asked;
- **arithmetic and arguments**: `*` and `**` refuse results beyond `MAX_ITEMS` items or
  `MAX_NUMBER_BITS` bits before making them, and a call refuses a number above `MAX_ITEMS` as an
  argument (a width, a count) unless it calls the template's own macro;
- `lipsum` is not offered (it makes as much text as it is asked for).

Each fails the build with the template's file and line, exit 1, and nothing written. The default
theme alone (the package's own templates) runs unsandboxed and unbounded, which is faster.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment

from scorecard.publish.fragments import CheckedCodeGenerator

MAX_ITEMS = 10_000_000
"""The longest string or sequence `*` may make, and the largest number a call may be given."""
MAX_NUMBER_BITS = 1_000_000
"""The largest whole number (in bits, some 300,000 digits) `*` and `**` may make."""
MEMORY_HEADROOM = 3 << 30
"""How much a process's address space may grow while it renders a site theme's pages (3 GiB)."""
BASE_SECONDS = 60.0
SECONDS_PER_PAGE = 0.05
"""A site theme's pages get BASE_SECONDS plus this much per page to render, together (the default
theme takes 1-3 ms a page)."""


class TemplateLimitError(Exception):
    """A site theme's template went past one of the bounds; the message says which."""


def render_budget(pages: int) -> float:
    """Seconds the pages of a site's own theme may take to render, together."""
    return BASE_SECONDS + SECONDS_PER_PAGE * pages


class BoundedCodeGenerator(CheckedCodeGenerator):
    """The code generator of a site's theme: every loop takes its items through the environment's
    `bounded_items`, which checks the time left at each (a loop calls nothing else on its own)."""

    def visit_For(self, node: nodes.For, frame: Any) -> None:  # noqa: N802 - Jinja's visitor name
        node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_items"), [node.iter], [], None, None,
                               lineno=node.lineno)
        super().visit_For(node, frame)


class SiteThemeEnvironment(SandboxedEnvironment):
    """The Jinja environment when the site has a theme of its own: sandboxed and bounded (above), and
    its templates' cached fragments are checked when they are compiled.

    The sandbox's attribute check costs as much as the rest of rendering together (a page reads
    hundreds of fields), so a field of the site's view models (frozen dataclasses of `scorecard.site`)
    is read straight from the instance: it holds data the site model put there, never a function, a
    frame or a class to climb out of. Everything else (methods, properties, other objects) goes
    through the sandbox's check.
    """

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.globals.pop("lipsum", None)
        self.deadline = math.inf
        """When the pages being rendered must be done (time.monotonic); none before a build renders."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind: type = type(obj)
        if attribute in _view_fields(kind):
            return vars(obj)[attribute]
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        __self.check_time()
        if not isinstance(__obj, Macro):
            for value in (*args, *kwargs.values()):
                if type(value) is int and abs(value) > MAX_ITEMS:
                    raise TemplateLimitError(f"a call was given the number {_shown(value)}, more than the "
                                             f"{MAX_ITEMS:,} a site theme's template may pass")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        return super().call_binop(context, operator, left, right)

    def bounded_items(self, items: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, the time left checked at each."""
        for item in items:
            self.check_time()
            yield item

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError("the site theme's templates took longer than the build gives them "
                                     "(a loop or a recursion without end?)")

    def start_rendering(self, pages: int) -> None:
        """The pages of a build start to render: they get their time budget from now (worker processes
        forked after this share it: the clock is the system's)."""
        self.deadline = time.monotonic() + render_budget(pages)


def _shown(number: int) -> str:
    return f"{number:,}" if number.bit_length() < 64 else f"of {number.bit_length():,} bits"


def _check_product(left: Any, right: Any) -> None:
    """`left * right` refused before it is made when it would be too long or too large."""
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
            raise TemplateLimitError(f"a product of more than {MAX_NUMBER_BITS:,} bits")
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(times, int) and hasattr(sequence, "__len__") and len(sequence) * times > MAX_ITEMS:
            raise TemplateLimitError(f"a repetition of more than {MAX_ITEMS:,} items")


def _check_power(base: Any, exponent: Any) -> None:
    """`base ** exponent` refused before it is made when the number would be too large."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 \
            and max(base.bit_length() - 1, 0) * exponent > MAX_NUMBER_BITS:
        raise TemplateLimitError(f"a power of more than {MAX_NUMBER_BITS:,} bits")


@functools.cache
def _view_fields(kind: Any) -> frozenset[str]:
    """The field names of a view model of the site (none for any other type, and none starting with "_")."""
    if not kind.__module__.startswith("scorecard.site.") or not dataclasses.is_dataclass(kind) \
            or "__slots__" in vars(kind):
        return frozenset()
    return frozenset(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))


@contextlib.contextmanager
def memory_bounded(env: jinja2.Environment) -> Iterator[None]:
    """While a site theme's pages render in this process, its address space may grow by
    MEMORY_HEADROOM at most: past it, an allocation fails with MemoryError where the template made
    it. The limit in force before (never raised) is put back after. Where the system has no such
    limit (not Linux), nothing is bounded."""
    resource = _resource_module() if env.sandboxed else None  # the default theme's pages are not bounded
    used = _address_space() if resource is not None else None
    if resource is None or used is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + MEMORY_HEADROOM
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            limit = min(limit, bound)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _resource_module() -> Any:
    try:
        import resource
    except ImportError:  # Windows
        return None
    return resource if hasattr(resource, "RLIMIT_AS") else None


def _address_space() -> int | None:
    """This process's address space in bytes (Linux: /proc/self/statm); None where it cannot be told."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
