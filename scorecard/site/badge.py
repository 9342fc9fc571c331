"""A small SVG badge per assessment ("scorecard | 72.3 Promising") for wikis and READMEs.

The badge is a file of its own, drawn without any font at hand: text widths are estimated
from Verdana's proportions at 11px (the font badges conventionally use) and fixed with
`textLength`, so the text fits whatever font the viewer falls back to. Everything is computed
in whole pixels, so the same scores give the same bytes.
"""

from __future__ import annotations

from fractions import Fraction

from markupsafe import Markup
from markupsafe import escape as escape_markup

from scorecard.core.rubric import Rubric
from scorecard.core.safetext import xml_safe
from scorecard.core.scoring import Scorecard

LABEL = "scorecard"
LABEL_COLOUR = "#555555"
DRAFT_COLOUR = "#6c757d"
"""A draft's badge: grey, no grade."""
BAND_COLOURS = ("#1b6e3a", "#5a7d12", "#9a5b00", "#a3262a")
"""From the best band to the worst; white text on each has a contrast of at least 4.5:1 (WCAG AA)."""
HEIGHT = 20
PADDING = 6
"""Pixels left and right of each text."""

# Advance widths of Verdana at 11px, in tenths of a pixel, by the kind of character; others 75.
_WIDTHS = {
    **dict.fromkeys("ijl.,:;'|!", 33), **dict.fromkeys("frt()[]/-", 45), " ": 39,
    **dict.fromkeys("0123456789", 70), **dict.fromkeys("abcdeghknopqsuvxyz", 66), "m": 107, "w": 90,
    **dict.fromkeys("ABCDEFGHKLNOPQRSTUVXYZ", 77), "I": 46, "J": 50, "M": 93, "W": 109,
}


def escape(text: str) -> Markup:
    """`text` escaped for the SVG, without the characters XML cannot hold (one makes the image broken)."""
    return escape_markup(xml_safe(text))


def text_width(text: str) -> int:
    """Estimated width of `text` in Verdana 11px, in whole pixels (wide scripts count double)."""
    tenths = sum(_WIDTHS.get(ch, 110 if ord(ch) >= 0x2E80 else 75) for ch in text)
    return (tenths + 9) // 10


def band_colour(rubric: Rubric, grade: str) -> str:
    """The colour of a grade: bands spread from green (the best) to red (the worst)."""
    grades = [band.grade for band in rubric.bands]
    position = grades.index(grade) if grade in grades else len(grades) - 1
    if len(grades) < 2:
        return BAND_COLOURS[0]
    step = Fraction(position * (len(BAND_COLOURS) - 1), len(grades) - 1)
    return BAND_COLOURS[int(step + Fraction(1, 2))]  # nearest colour, half up


def badge_value(card: Scorecard) -> str:
    """The badge's right-hand text: the score and the grade, or the gate's verdict when a gate decided; "draft" for a
    draft."""
    if card.draft:
        return "draft"
    return f"{card.shown} {card.verdict if card.gate is not None else card.grade}"


def badge_colour(rubric: Rubric, card: Scorecard) -> str:
    """The grade's colour; a gated verdict takes the worst colour, whatever the numbers."""
    if card.draft:
        return DRAFT_COLOUR
    return BAND_COLOURS[-1] if card.gate is not None else band_colour(rubric, card.grade)


def badge_svg(label: str, value: str, colour: str, title: str) -> str:
    """A flat two-part badge: `label` on grey, `value` on `colour`, named by `title` for screen readers."""
    label_text, value_text = text_width(label), text_width(value)
    left, right = label_text + 2 * PADDING, value_text + 2 * PADDING
    left, right = left + left % 2, right + right % 2  # even, so each text's centre is a whole pixel
    width = left + right
    font = 'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"'
    return "\n".join([
        # role="img" with a <title> names the image for screen readers (the SVG 1.1 schema that
        # validators use has no aria-label); an embedding <img> gives its own alt text.
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
         f'viewBox="0 0 {width} {HEIGHT}" role="img">'),
        f"<title>{escape(title)}</title>",
        f'<clipPath id="round"><rect width="{width}" height="{HEIGHT}" rx="3"/></clipPath>',
        '<g clip-path="url(#round)">',
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>',
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{escape(colour)}"/>',
        "</g>",
        f'<g fill="#ffffff" text-anchor="middle" {font}>',
        (f'<text x="{left // 2}" y="14" textLength="{label_text}" '
         f'lengthAdjust="spacingAndGlyphs">{escape(label)}</text>'),
        (f'<text x="{left + right // 2}" y="14" textLength="{value_text}" '
         f'lengthAdjust="spacingAndGlyphs">{escape(value)}</text>'),
        "</g>",
        "</svg>",
        "",
    ])


def badge_title(title: str, card: Scorecard, rubric: Rubric | None = None) -> str:
    """What the badge says in words: "Forum: 72.3 out of 100, Promising, Makes customer sense with gaps",
    with the question that decided a gated verdict."""
    if card.draft:
        return f"{title}: a draft, not scored yet"
    said = f"{title}: {card.shown} out of 100, {card.grade}, {card.verdict}"
    fired = card.gated_by
    section = rubric.section(fired.section) if rubric and fired else None
    item = section.item(fired.item) if section and fired else None
    if fired and item:
        said += f" ({item.prompt or item.title} answered {fired.answer})"
    return said


def assessment_badge(rubric: Rubric, title: str, card: Scorecard) -> str:
    """The text of one assessment's badge.svg."""
    return badge_svg(LABEL, badge_value(card), badge_colour(rubric, card), badge_title(title, card, rubric))
