"""The pull-request gate of `scorecard diff --fail-on`: which changes fail the check, and why.

Pure: `parse_conditions` reads the option's text, `failures` judges a `ScoreDiff` against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SIMPLE = ("drop", "grade", "gate")
BELOW = "below:"


class ConditionError(ValueError):
    """`--fail-on` names a condition that does not exist; the message says which ones do."""


@dataclass(frozen=True)
class Condition:
    """One condition of `--fail-on`: drop, grade, gate, or below:GRADE."""

    kind: str
    """"drop", "grade", "gate" or "below"."""
    grade: str | None = None
    """The grade of below:GRADE."""

    def __str__(self) -> str:
        return f"below:{self.grade}" if self.kind == "below" else self.kind


@dataclass(frozen=True)
class Failure:
    """One assessment that meets one condition."""

    condition: Condition
    slug: str
    title: str
    why: str
    """What happened, in words: "score 80.0 → 77.3", "grade Strong → Promising"."""


@dataclass(frozen=True)
class Outcome:
    """An assessment's result on one side of the diff, as the gate needs it."""

    score: Decimal
    """As shown, one decimal: a drop nobody can see is not a drop."""
    grade: str
    gated: bool
    """A gate of the rubric decided the verdict."""


def parse_conditions(text: str, grades: Iterable[str]) -> tuple[Condition, ...]:
    """`drop,grade,below:Promising` → conditions; ConditionError for anything else."""
    known = list(grades)
    conditions = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part in SIMPLE:
            conditions.append(Condition(part))
        elif part.startswith(BELOW) and part[len(BELOW):] in known:
            conditions.append(Condition("below", part[len(BELOW):]))
        elif part.startswith(BELOW):
            raise ConditionError(f"unknown grade in '{part}': the rubric's grades are {', '.join(known)}")
        else:
            raise ConditionError(f"unknown condition '{part}': use drop, grade, gate or "
                                 "below:GRADE, separated by commas")
    return tuple(dict.fromkeys(conditions))


@dataclass(frozen=True)
class Judged:
    """One changed assessment, both sides (None where it does not exist)."""

    slug: str
    title: str
    old: Outcome | None
    new: Outcome | None


def failures(changes: Iterable[Judged], conditions: Iterable[Condition],
             band_min: Mapping[str, Fraction]) -> tuple[Failure, ...]:
    """Every (condition, assessment) that fails; `band_min` is each grade's lowest score, to order grades."""
    found = []
    for condition in conditions:
        for c in changes:
            why = _fails(condition, c, band_min)
            if why:
                found.append(Failure(condition, c.slug, c.title, why))
    return tuple(found)


def _fails(condition: Condition, c: Judged, band_min: Mapping[str, Fraction]) -> str | None:
    old, new = c.old, c.new
    if new is None:
        return None  # a removed assessment ends nowhere: nothing of it can fall
    if condition.kind == "below":
        limit = band_min.get(condition.grade or "", Fraction(0))
        rank = band_min.get(new.grade, Fraction(0))
        return f"ends {new.grade}, below {condition.grade}" if rank < limit else None
    if old is None:
        return None  # an added assessment did not fall from anything
    return _fell(condition.kind, old, new, band_min)


def _fell(kind: str, old: Outcome, new: Outcome, band_min: Mapping[str, Fraction]) -> str | None:
    """How an assessment fell from `old` to `new` in the way condition `kind` names; None when it did not."""
    if kind == "drop" and new.score < old.score:
        return f"score {old.score} → {new.score}"
    if kind == "grade" and band_min.get(new.grade, Fraction(0)) < band_min.get(old.grade, Fraction(0)):
        return f"grade {old.grade} → {new.grade}"
    if kind == "gate" and new.gated and not old.gated:
        return "a gate now decides its verdict"
    return None
