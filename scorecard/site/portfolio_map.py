"""The portfolio map: each assessment a point placed by two section scores (trust up, SLATES across by
default), drawn on the server as inline SVG; every point is a link, gated ones are marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from scorecard.core.diagnostics import Diagnostic, did_you_mean, error
from scorecard.core.rubric import Rubric
from scorecard.site.charts import _num
from scorecard.site.views import AssessmentView


@dataclass(frozen=True)
class MapAxes:
    """Which sections place the points: `across` on the horizontal axis, `up` on the vertical.

    "" is the default (SLATES across, trust up), and no map when the rubric lacks that section;
    a section named in scorecard.yml that the rubric lacks is an error (`map_problems`)."""

    across: str = ""
    up: str = ""

    @property
    def sections(self) -> tuple[str, str]:
        return self.across or "slates", self.up or "trust"


def map_problems(rubric: Rubric, axes: MapAxes) -> list[Diagnostic]:
    """An error for each of the map's sections (`map_across`, `map_up` in scorecard.yml) the rubric does not have."""
    ids = [s.id for s in rubric.sections]
    problems = [error("scorecard.yml", None, f"'{key}' names section '{name}', which the rubric does not have",
                      did_you_mean(name, ids) or f"the rubric's sections are {', '.join(ids)}")
                for key, name in (("map_across", axes.across), ("map_up", axes.up)) if name and name not in ids]
    across, up = axes.sections
    if not problems and (axes.across or axes.up) and across == up:
        problems.append(error("scorecard.yml", None, f"'map_across' and 'map_up' both name section '{up}'",
                              "name two different sections"))
    return problems


WIDTH, HEIGHT, PAD = 640, 420, 56
CHAR_WIDTH, LABEL_HEIGHT = 6.6, 14  # 11px system font, estimated: labels are placed without a font at hand
MAX_LABELS = 60
"""Only the first this many points (in leaderboard order) are labelled: more would not be read, and placing
them costs time with every label placed before; every point keeps its name (its <title>) and its table row."""


def portfolio_map(rubric: Rubric, leaderboard: tuple[AssessmentView, ...], axes: MapAxes | None) -> dict[str, Any]:
    """The PortfolioView fields of the map: its SVG, its table and its axes' titles (none when a section is missing)."""
    across_id, up_id = (axes or MapAxes()).sections
    titles = {s.id: s.title for s in rubric.sections}
    if across_id not in titles or up_id not in titles or across_id == up_id:
        return {}
    rows = []
    for view in leaderboard:
        scores = {s.id: s.score for s in view.sections}
        if scores[across_id] != "n/a" and scores[up_id] != "n/a":
            rows.append((view, scores[across_id], scores[up_id]))
    across, up = titles[across_id], titles[up_id]
    return {"map": draw(rows, across, up), "map_table": tuple(rows), "map_axes": (across, up)}


def place(x: float, y: float) -> tuple[float, float]:
    """Scores (0–100) to SVG coordinates."""
    return PAD + (WIDTH - 2 * PAD) * x / 100, HEIGHT - PAD - (HEIGHT - 2 * PAD) * y / 100


def draw(rows: list[tuple[AssessmentView, str, str]], across: str, up: str) -> Markup:
    title = f"Assessments by {up} score (up) and {across} score (across)"
    parts = [
        (f'<svg class="portfolio-map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
         f'aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="map-title">{escape(title)}</title>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x0, y = place(0, tick)
        x1, _ = place(100, tick)
        x, y0 = place(tick, 0)
        _, y1 = place(tick, 100)
        parts.append(f'<line class="map-grid" x1="{_num(x0)}" y1="{_num(y)}" x2="{_num(x1)}" y2="{_num(y)}"/>')
        parts.append(f'<line class="map-grid" x1="{_num(x)}" y1="{_num(y0)}" x2="{_num(x)}" y2="{_num(y1)}"/>')
        parts.append(f'<text class="map-tick" x="{_num(x0 - 6)}" y="{_num(y + 4)}" text-anchor="end">{tick}</text>')
        parts.append(f'<text class="map-tick" x="{_num(x)}" y="{_num(y0 + 16)}" text-anchor="middle">{tick}</text>')
    parts.append(f'<text class="map-axis" x="{WIDTH / 2:g}" y="{HEIGHT - 12}" '
                 f'text-anchor="middle">{escape(across)} →</text>')
    parts.append(f'<text class="map-axis" x="14" y="{HEIGHT / 2:g}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {HEIGHT / 2:g})">{escape(up)} →</text>')
    taken: list[tuple[float, float, float, float]] = []
    for index, (view, x_score, y_score) in enumerate(rows):
        x, y = place(float(x_score), float(y_score))
        name = f"{view.title}: {up} {y_score}, {across} {x_score}{', ' + view.verdict if view.gated else ''}"
        mark = (f'<rect class="map-dot map-gated" x="{_num(x - 5)}" y="{_num(y - 5)}" width="10" height="10"/>'
                if view.gated else f'<circle class="map-dot" cx="{_num(x)}" cy="{_num(y)}" r="5"/>')
        label = label_at(view.title, x, y, taken) if index < MAX_LABELS else ""
        # Named by its <title>, which is also the tooltip on hover.
        parts.append(f'<a href="{escape(view.url)}" data-slug="{escape(view.slug)}"><title>{escape(name)}</title>'
                     f'{mark}{label}</a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def label_at(text: str, x: float, y: float, taken: list[tuple[float, float, float, float]]) -> str:
    """The point's label right, left, above or below it, wherever it overlaps no label placed before; none otherwise."""
    width = len(text) * CHAR_WIDTH
    for dx, dy, anchor in ((9, 4, "start"), (-9, 4, "end"), (0, -10, "middle"), (0, 18, "middle")):
        left = x + dx - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
        box = (left, y + dy - LABEL_HEIGHT + 3, left + width, y + dy + 3)
        inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT
        if inside and not any(overlaps(box, other) for other in taken):
            taken.append(box)
            return (f'<text class="map-label" x="{_num(x + dx)}" y="{_num(y + dy)}" text-anchor="{anchor}">'
                    f'{escape(text)}</text>')
    return ""


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
