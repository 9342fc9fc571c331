"""What lifts the grade: how far an assessment is from the next band, and which single change gets it there.

For every item below the top of its scale (unanswered ones included; n/a ones are out of the
score), the overall score's gain if that item alone went to the top, exactly:

    gain = section weight × 100 × item weight × (1 − item's value) ÷ Σ item weights ÷ Σ section weights

(the sums over the items and sections that count, which a move to the top does not change).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from scorecard.core.rubric import Rubric, Scale
from scorecard.core.scoring import Scorecard, one_decimal, tenths
from scorecard.core.shared import shared


@dataclass(frozen=True)
class Move:
    """One item going to the top of its scale, and what the overall score gains."""

    section: str
    item: str
    to: str
    """The top of the item's scale, as written: "yes", "5"."""
    points: Fraction
    """The overall score's exact gain."""
    reaches: bool
    """This move alone lifts the shown score into the next band."""


@dataclass(frozen=True)
class NextGrade:
    grade: str
    points_needed: Fraction
    """The next band's minimum less the shown overall score."""
    moves: tuple[Move, ...]
    """Largest gain first; ties in rubric order."""


def top_of(scale: Scale) -> str:
    if scale.is_choice:
        return max(scale.choices, key=lambda choice: choice[1])[0]
    return str(scale.max)


def shown_after(score: Fraction) -> Fraction:
    """`score` as the site shows it (`one_decimal`), as a Fraction."""
    return Fraction(tenths(score), 10)


def next_grade(rubric: Rubric, card: Scorecard) -> NextGrade | None:
    """The next band up and the moves towards it; None at the top band and for a draft."""
    if card.draft:
        return None
    shown = Fraction(one_decimal(card.overall))
    current = rubric.band_for(shown)
    higher = [band for band in rubric.bands if band.min > current.min]
    if not higher:
        return None
    target = min(higher, key=lambda band: band.min)
    weights = {s.id: s.weight for s in rubric.sections}
    section_total = sum((weights[s.section] for s in card.sections if s.score is not None), Fraction(0))
    moves = []
    for section, scored in zip(rubric.sections, card.sections, strict=True):
        item_total = sum((i.weight for i in scored.items if i.points is not None), Fraction(0))
        if not item_total or not section_total:
            continue
        per_weight = weights[section.id] * 100 / item_total / section_total  # the factors all its items share
        for item in scored.items:
            if item.points is None or item.points >= 1:
                continue  # n/a, or at the top already
            gain = per_weight * item.weight * (1 - item.points)
            reaches = rubric.band_for(shown_after(card.overall + gain)).min >= target.min
            moves.append(shared(Move(section.id, item.item, top_of(section.scale), gain, reaches)))
    moves.sort(key=lambda m: -m.points)  # stable: ties keep the rubric's order
    return NextGrade(target.grade, shared(target.min - shown), tuple(moves))
