"""Several people rating one item: the median of their ratings, exactly, and how far apart they are.

An item may be rated by more than one person (`search: [{score: 4, by: Ana}, {score: 2, by: Tom}]`).
The value used is the median of the ratings' points (0–1): the middle one, or with an even count
the mean of the two middle ones. The spread is counted in steps of the item's scale: whole scores
on a range (4 and 2 are 2 steps apart), neighbouring choices on a choice scale (yes and no are 2
steps apart, with partly between them). More than one step apart is a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from scorecard.core.rubric import Scale

DISAGREEMENT_STEPS = 1
"""Ratings further apart than this many steps of the scale are a disagreement."""


@dataclass(frozen=True)
class Rating:
    """One person's answer or score for one item."""

    by: str
    """Who rated."""
    value: str | int | None
    """A choice name or whole-number score; None when this rater answered `unknown`."""
    evidence: str = ""
    line: int | None = None


def median(values: list[Fraction]) -> Fraction:
    """The middle value, or the mean of the two middle values of an even count: exact."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def position(scale: Scale, value: str | int) -> int:
    """The value's step on the scale: the score itself, or the choice's rank by value."""
    if not scale.is_choice:
        return int(value)
    ranks = sorted({points for _, points in scale.choices})
    return ranks.index(dict(scale.choices)[str(value)])


def spread(scale: Scale, values: list[str | int]) -> int:
    """How many steps of the scale lie between the lowest and the highest of `values`."""
    steps = [position(scale, v) for v in values]
    return max(steps) - min(steps) if steps else 0


def median_label(scale: Scale, points: Fraction) -> str | int:
    """The median as the scale writes it: a score or a choice when it is one, else "3.5" or "partly–yes"."""
    if not scale.is_choice:
        score = scale.min + points * (scale.max - scale.min)
        if score.denominator == 1:
            return int(score)
        return format(float(score), "g")
    for name, value in scale.choices:
        if value == points:
            return name
    below = max(((v, n) for n, v in scale.choices if v < points), default=(None, "?"))[1]
    above = min(((v, n) for n, v in scale.choices if v > points), default=(None, "?"))[1]
    return f"{below}–{above}"
