"""The compare page: up to four assessments side by side (`compare/index.html?a=SLUG&b=SLUG&c=…&d=…`).

The page is a picker; `static/compare.js` draws the comparison in the browser from
`compare-data.js`, which is `scorecard.json` as a script (so it loads from `file://` too) with each
assessment's score history. Nothing here needs a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scorecard.site.views import AssessmentView, Link, Page

COMPARE_URL = "compare/index.html"
DATA_URL = "compare-data.js"
SLOTS = ("a", "b", "c", "d")
"""The address's names for the assessments compared, in order."""


@dataclass(frozen=True)
class CompareView:
    """The compare page: every assessment that can be picked, by title."""

    title: str
    choices: tuple[Link, ...]
    """Each assessment's title, with its slug as the link's url (what the address holds)."""
    slots: tuple[str, ...] = SLOTS
    data_url: str = DATA_URL


def compare_page(leaderboard: tuple[AssessmentView, ...]) -> Page:
    """The compare page, its choices sorted by title."""
    choices = tuple(Link(v.title, v.slug) for v in sorted(leaderboard, key=lambda v: (v.title.lower(), v.slug)))
    return Page(COMPARE_URL, "compare.html", "Compare assessments", CompareView("Compare assessments", choices))


def compare_data_js(scorecard_json: str, trends: dict[str, list[tuple[str, str]]]) -> str:
    """`window.SCORECARD_DATA` (the text of scorecard.json, already script-safe) and
    `window.SCORECARD_TRENDS` (per slug, [date, overall] oldest first), in slug order."""
    return "".join(compare_data_chunks([scorecard_json], trends))


def compare_data_chunks(scorecard_json: Iterable[str], trends: dict[str, list[tuple[str, str]]]) -> Iterator[str]:
    """The text of `compare_data_js` in pieces, from scorecard.json's text in pieces, to be written as they come."""
    yield "window.SCORECARD_DATA = "
    yield from _stripped_at_end(scorecard_json)
    trend_text = json.dumps({slug: [[day, float(score)] for day, score in trends[slug]] for slug in sorted(trends)},
                            ensure_ascii=True, separators=(",", ":"))
    yield f";\nwindow.SCORECARD_TRENDS = {trend_text};\n"


def _stripped_at_end(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces, their joined text without the whitespace it ends with (`str.rstrip`): whitespace
    ending a piece waits until a later piece shows it is not the end."""
    waiting = ""
    for piece in pieces:
        kept = piece.rstrip()
        if kept:
            yield waiting + kept
            waiting = piece[len(kept):]
        else:
            waiting += piece


def trends_of(pages: tuple[Page, ...]) -> dict[str, list[tuple[str, str]]]:
    """Each assessment's scored revisions (date, overall), from the views the site model made."""
    found = {}
    for page in pages:
        view = page.view
        if isinstance(view, AssessmentView) and view.movement is not None and page.path == view.url:
            found[view.slug] = [tuple(point.split(":")[:2]) for point in view.movement.points.split(" ")]
    return found  # type: ignore[return-value]
