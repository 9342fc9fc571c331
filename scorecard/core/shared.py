"""One object for each distinct small value, so that the thousands of records that hold it share it.

Scores, answers, levels, tags and addresses repeat across assessments ("yes", 3/5, "lvl-3",
"rubric/slates/search/index.html"), but each assessment's records are made apart, each with a copy.
Given back as one object, a value is pickled once per batch of the build cache and unpickled once
(pickle shares an object, not an equal one): at 4,000 assessments that is some 170,000 objects
fewer for an edit's build to unpickle and free. Values are immutable, so sharing them changes nothing
else.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypeVar

T = TypeVar("T")


def _first(value: T) -> T:
    """The first object seen equal to `value` (and of its type): use it for values of a small range only."""
    return value


if TYPE_CHECKING:
    shared = _first
else:  # typed: 1, 1.0, True and Fraction(1) stay apart; the cache is what makes the first object the one returned
    shared = functools.lru_cache(maxsize=8192, typed=True)(_first)
