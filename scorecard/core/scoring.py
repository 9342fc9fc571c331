"""Scoring an assessment against the rubric, exactly.

Every number is a Fraction, so the same input always gives the same digits; only the shown
value is rounded (half up, to one decimal). The grade is read from the shown value, so a page
never says "80.0 — Promising".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scorecard.core.assessment import Assessment, Response
from scorecard.core.rubric import Gate, Rubric, Section
from scorecard.core.shared import shared


@dataclass(frozen=True)
class ItemScore:
    """One item's contribution: its value between 0 and 1 (None when n/a) and its weight."""

    section: str
    item: str
    response: Response
    points: Fraction | None
    weight: Fraction

    @property
    def is_claim(self) -> bool:
        """An answer or score above 0: something that evidence should back."""
        return self.points is not None and self.points > 0

    @property
    def is_supported(self) -> bool:
        return bool(self.response.evidence)


@dataclass(frozen=True)
class SectionScore:
    section: str
    score: Fraction | None
    """Weighted mean of the items' points × 100; None when every item is n/a."""
    items: tuple[ItemScore, ...]

    @property
    def shown(self) -> Decimal | None:
        return one_decimal(self.score) if self.score is not None else None


DRAFT = "Draft"
"""The grade and verdict of a draft, which has neither."""


@dataclass(frozen=True)
class GatedBy:
    """The gate question that decided the verdict, and the answer that fired it."""

    section: str
    item: str
    answer: str
    gate: Gate


@dataclass(frozen=True)
class Scorecard:
    """The scores of one assessment."""

    slug: str
    sections: tuple[SectionScore, ...]
    overall: Fraction
    grade: str
    verdict: str
    gate: Gate | None
    """The gate that decided the verdict, if one fired."""
    unanswered: tuple[tuple[str, str], ...]
    """(section, item) pairs answered `unknown` or missing."""
    claims: int
    supported: int
    draft: bool = False
    """A draft (`Assessment.draft`): its grade and verdict are DRAFT, and its overall score is not shown or ranked."""
    gated_by: GatedBy | None = None
    """Which question's answer fired `gate`."""

    @property
    def shown(self) -> Decimal:
        """The overall score as shown: one decimal, rounded half up."""
        return one_decimal(self.overall)

    @property
    def coverage(self) -> Fraction | None:
        """Share of claims (answers and scores above 0) that carry evidence; None with no claims."""
        return Fraction(self.supported, self.claims) if self.claims else None

    def section(self, section_id: str) -> SectionScore | None:
        return next((s for s in self.sections if s.section == section_id), None)

    def item(self, section_id: str, item_id: str) -> ItemScore | None:
        section = self.section(section_id)
        return next((i for i in section.items if i.item == item_id), None) if section else None


def tenths(value: Fraction) -> int:
    """`value` rounded half up to whole tenths, exactly: floor(n/d × 10 + 1/2) = (20n + d) // 2d, in whole
    numbers (tens of thousands of scores and moves per site)."""
    return (20 * value.numerator + value.denominator) // (2 * value.denominator)


def one_decimal(value: Fraction) -> Decimal:
    """`value` rounded half up to one decimal, exactly."""
    return Decimal(tenths(value)).scaleb(-1)


def weighted_mean(pairs: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Σ weight × value / Σ weight over (value, weight) pairs; None when the weights sum to 0.

    Summed in whole numbers (numerator over denominator, reduced once at the end): the same Fraction as
    summing Fractions, which reduce after every step and were most of the time of scoring.
    """
    top, bottom = 0, 1  # Σ value × weight = top / bottom
    weights, denominator = 0, 1  # Σ weight = weights / denominator
    for value, weight in pairs:
        numerator, divisor = value.numerator * weight.numerator, value.denominator * weight.denominator
        top, bottom = top * divisor + numerator * bottom, bottom * divisor
        weights, denominator = (weights * weight.denominator + weight.numerator * denominator,
                                denominator * weight.denominator)
    if weights == 0:
        return None
    return Fraction(top * denominator, bottom * weights)


def score_section(section: Section, assessment: Assessment) -> SectionScore:
    """Weighted mean of the section's items, normalised to 0–1, × 100; n/a items left out."""
    items = []
    for item in section.items:
        response = assessment.response(section.id, item.id) or Response(section.id, item.id, None, missing=True)
        if response.is_na:
            points = None
        elif response.value is None:
            points = Fraction(0)  # unknown or missing counts 0
        elif response.median is not None:
            points = response.median  # rated by several people
        else:
            points = section.scale.normalise(response.value)
        items.append(ItemScore(section.id, item.id, response, shared(points), item.weight))
    mean = weighted_mean([(i.points, i.weight) for i in items if i.points is not None])
    return SectionScore(section.id, shared(mean * 100) if mean is not None else None, tuple(items))


def fired_gate(rubric: Rubric, assessment: Assessment) -> Gate | None:
    """The first gate whose answer the assessment gives."""
    found = gated_by(rubric, assessment)
    return found.gate if found else None


def gated_by(rubric: Rubric, assessment: Assessment) -> GatedBy | None:
    """The first gate question whose gate answer the assessment gives."""
    for section in rubric.sections:
        for item in section.items:
            response = assessment.response(section.id, item.id)
            if item.gate and response is not None and str(response.value) == item.gate.when:
                return GatedBy(section.id, item.id, str(response.value), item.gate)
    return None


def score_assessment(rubric: Rubric, assessment: Assessment) -> Scorecard:
    """Score one assessment: sections, overall, grade and verdict."""
    sections = tuple(score_section(section, assessment) for section in rubric.sections)
    weights = {s.id: s.weight for s in rubric.sections}
    overall = weighted_mean([(s.score, weights[s.section]) for s in sections if s.score is not None]) or Fraction(0)
    band = rubric.band_for(Fraction(one_decimal(overall)))
    fired = None if assessment.draft else gated_by(rubric, assessment)
    items = [i for s in sections for i in s.items]
    claims = [i for i in items if i.is_claim]
    return Scorecard(
        slug=assessment.slug,
        sections=sections,
        overall=overall,
        grade=DRAFT if assessment.draft else band.grade,
        verdict=DRAFT if assessment.draft else fired.gate.verdict if fired else band.verdict,
        gate=fired.gate if fired else None,
        unanswered=tuple((i.section, i.item) for i in items if not i.response.is_answered),
        claims=len(claims),
        supported=sum(1 for i in claims if i.is_supported),
        draft=assessment.draft,
        gated_by=fired,
    )
