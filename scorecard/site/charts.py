"""Charts drawn on the server as inline SVG, each with a text alternative."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from fractions import Fraction

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Spoke:
    """One axis of a radar chart."""

    label: str
    value: Fraction | None
    """Between 0 and 1; None when the criterion is n/a (drawn as a gap, labelled so)."""
    shown: str
    """The value as the reader sees it: "4", "n/a"."""


def _num(x: float) -> str:
    """Coordinates with two decimals, so that output is byte-identical across platforms."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def radar(spokes: list[Spoke], *, title: str, chart_id: str, size: int = 320) -> Markup:
    """A radar (spider) chart of values between 0 and 1, one spoke per criterion."""
    # Wide enough for the longest label beside the circle (12px text, about 7.5px a character): none is clipped.
    longest = max((len(f"{s.label} {s.shown}") for s in spokes), default=0)
    grid = _radar_grid(len(spokes), size, max(size + 160, math.ceil(2 * ((size / 2 - 40) * 1.15 + longest * 7.5 + 8))))
    parts = [
        (f'<svg class="radar" viewBox="0 0 {grid.width} {size}" width="{grid.width}" height="{size}" role="img" '
         f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("; ".join(f"{s.label}: {s.shown}" for s in spokes))}</desc>',
        *grid.rings,
    ]
    for (axis, label_at), spoke in zip(grid.axes, spokes, strict=True):
        parts.append(axis)
        parts.append(f'<text class="radar-label" {label_at} dominant-baseline="middle">{escape(spoke.label)} '
                     f'{escape(spoke.shown)}</text>')
    # n/a spokes are left out of the shape (not drawn as 0) and marked by a dashed ring at their end.
    shape = " ".join(f"{_num(x)},{_num(y)}" for x, y in (grid.point(i, float(s.value)) for i, s in enumerate(spokes)
                                                          if s.value is not None))
    parts.append(f'<polygon class="radar-shape" points="{shape}"/>')
    for index, spoke in enumerate(spokes):
        if spoke.value is None:
            x, y = grid.point(index, 1.0)
            parts.append(f'<circle class="radar-na" cx="{_num(x)}" cy="{_num(y)}" r="5" '
                         'fill="none" stroke="currentColor" '
                         'stroke-dasharray="2 2"/>')
    for index, spoke in enumerate(spokes):
        if spoke.value is not None:
            x, y = grid.point(index, float(spoke.value))
            parts.append(f'<circle class="radar-dot" cx="{_num(x)}" cy="{_num(y)}" r="3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class _RadarGrid:
    """What every radar chart with this many spokes and this size draws the same: rings, axes, label places."""

    width: int
    count: int
    cx: float
    centre: float
    radius: float
    rings: tuple[str, ...]
    axes: tuple[tuple[str, str], ...]
    """Per spoke: its axis line, and the attributes placing its label."""

    def point(self, index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / self.count
        return (self.cx + self.radius * fraction * math.cos(angle),
                self.centre + self.radius * fraction * math.sin(angle))


@functools.lru_cache(maxsize=64)
def _radar_grid(count: int, size: int, width: int) -> _RadarGrid:
    """`width`: the circle's `size` and room for the labels left and right of it."""
    cx, centre = width / 2, size / 2
    grid = _RadarGrid(width, count, cx, centre, size / 2 - 40, (), ())
    rings = []
    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        ring_points = " ".join(f"{_num(x)},{_num(y)}" for x, y in (grid.point(i, ring) for i in range(count)))
        rings.append(f'<polygon class="radar-ring" points="{ring_points}"/>')
    axes = []
    for index in range(count):
        x, y = grid.point(index, 1.0)
        lx, ly = grid.point(index, 1.15)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        axes.append((f'<line class="radar-axis" x1="{_num(cx)}" y1="{_num(centre)}" x2="{_num(x)}" y2="{_num(y)}"/>',
                     f'x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}"'))
    return replace(grid, rings=tuple(rings), axes=tuple(axes))


@dataclass(frozen=True)
class TrendPoint:
    """One revision on a trend line."""

    label: str
    """What the reader is told about the point: "2026-09-14 (a1b2c3d)"."""
    value: Fraction
    """Between 0 and 100."""
    shown: str
    """The value as the reader sees it: "70.8"."""
    rubric_changed: bool = False
    """Scored with another rubric than the point before: marked with a dashed line."""


def trend(points: list[TrendPoint], *, title: str, chart_id: str, width: int = 640, height: int = 200) -> Markup:
    """A line of scores between 0 and 100, one point per revision, oldest on the left.

    Readable at its size: the grid is labelled 0, 50 and 100, each point is labelled with its value
    (the last always; the others while there are few enough to fit), and each point can take the
    keyboard's focus, which shows its date and value (so does hovering, by its <title>).
    """
    left, right, top, bottom = 34, 16, 22, 12
    inner_w, inner_h = width - left - right, height - top - bottom

    def point(index: int, value: Fraction) -> tuple[float, float]:
        x = left + (inner_w * index / (len(points) - 1) if len(points) > 1 else inner_w / 2)
        return x, top + inner_h * (1 - float(value) / 100)

    parts = [
        (f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
         f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("; ".join(f"{p.label}: {p.shown}" for p in points))}</desc>',
    ]
    for level in (0, 50, 100):
        _, y = point(0, Fraction(level))
        parts.append(f'<line class="trend-grid" x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}"/>')
        parts.append(f'<text class="trend-axis" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{level}</text>')
    coords = [point(i, p.value) for i, p in enumerate(points)]
    if len(coords) > 1:
        parts.append(f'<polyline class="trend-line" points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in coords)}"/>')
    for (x, _), p in zip(coords, points, strict=True):
        if p.rubric_changed:
            parts.append(f'<line class="trend-rubric" x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{height - bottom}" '
                         'stroke="currentColor" stroke-dasharray="2 2"/>')
    labelled = len(points) <= inner_w // 48  # room for each value's label
    for index, ((x, y), p) in enumerate(zip(coords, points, strict=True)):
        last = index == len(coords) - 1
        shown = " trend-shown" if labelled or last else ""
        parts.append(
            f'<g class="trend-point{" trend-last" if last else ""}" tabindex="0" role="img" '
            f'aria-label="{escape(p.label)}: {escape(p.shown)}"><title>{escape(p.label)}: {escape(p.shown)}</title>'
            f'<circle class="trend-dot" cx="{_num(x)}" cy="{_num(y)}" r="{4 if last else 3}"/>'
            f'<text class="trend-value{shown}" '
            f'x="{_num(min(max(x, left + 12), width - right - 12))}" y="{_num(y - 9)}" '
            f'text-anchor="middle">{escape(p.shown)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
