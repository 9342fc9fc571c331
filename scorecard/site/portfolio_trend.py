"""The portfolio over time: on each day a score changed, the median and spread of every assessment's
overall score as of that day, and how many sat in each grade; an inline SVG and a table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from scorecard.site.charts import _num
from scorecard.source.history import HistoryPoint

DAYS_SHOWN = 24
"""The most recent days with a change that the chart and table show."""


@dataclass(frozen=True)
class PortfolioDay:
    """The portfolio as of the end of one day on which a score changed."""

    date: dt.date
    count: int
    median: Decimal
    low: Decimal
    high: Decimal
    grades: tuple[int, ...]
    """How many assessments sat in each grade, in the order of `PortfolioTrend.grades`."""


@dataclass(frozen=True)
class PortfolioTrend:
    days: tuple[PortfolioDay, ...]
    grades: tuple[str, ...]
    chart: Markup


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def portfolio_trend(history: Mapping[str, tuple[HistoryPoint, ...]], slugs: set[str],
                    grades: tuple[str, ...]) -> PortfolioTrend | None:
    """The trend of the assessments in `slugs` (those the site shows); None with fewer than one day of history."""
    points = {slug: history[slug] for slug in slugs if history.get(slug)}
    days = sorted({p.date.date() for found in points.values() for p in found})[-DAYS_SHOWN:]
    if not days:
        return None
    found = []
    for day in days:
        latest = [last
                  for last in (next((p for p in reversed(ps) if p.date.date() <= day), None) for ps in points.values())
                  if last is not None]
        scores = [p.overall for p in latest]
        found.append(PortfolioDay(day, len(latest), median(scores), min(scores), max(scores),
                                  tuple(sum(1 for p in latest if p.grade == grade) for grade in grades)))
    return PortfolioTrend(tuple(found), grades, draw(found))


def draw(days: list[PortfolioDay], width: int = 720, height: int = 240) -> Markup:
    left, right, top, bottom = 34, 20, 20, 30
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(index: int) -> float:
        return left + (inner_w * index / (len(days) - 1) if len(days) > 1 else inner_w / 2)

    def y(value: Decimal | int) -> float:
        return top + inner_h * (1 - float(value) / 100)

    first, last = days[0].date.isoformat(), days[-1].date.isoformat()
    title = f"The portfolio's overall scores over time, {first} to {last}: median, lowest and highest"
    parts = [
        (f'<svg class="trend portfolio-trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
         'aria-labelledby="portfolio-trend-title" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="portfolio-trend-title">{escape(title)}</title>',
    ]
    for level in (0, 50, 100):
        parts.append(f'<line class="trend-grid" x1="{left}" y1="{_num(y(level))}" '
                     f'x2="{width - right}" y2="{_num(y(level))}"/>')
        parts.append(f'<text class="trend-axis" x="{left - 6}" y="{_num(y(level) + 4)}" '
                     f'text-anchor="end">{level}</text>')
    parts.append(f'<text class="trend-axis" x="{left}" y="{height - 8}">{first}</text>')
    if len(days) > 1:
        parts.append(f'<text class="trend-axis" x="{width - right}" y="{height - 8}" text-anchor="end">{last}</text>')
        band = [f"{_num(x(i))},{_num(y(d.high))}" for i, d in enumerate(days)]
        band += [f"{_num(x(i))},{_num(y(d.low))}" for i, d in reversed(list(enumerate(days)))]
        parts.append(f'<polygon class="portfolio-spread" points="{" ".join(band)}"/>')
        line = " ".join(f"{_num(x(i))},{_num(y(d.median))}" for i, d in enumerate(days))
        parts.append(f'<polyline class="trend-line" points="{line}"/>')
    labelled = len(days) <= inner_w // 48
    for index, day in enumerate(days):
        text = (f"{day.date.isoformat()}: median {day.median} of {day.count} "
                f"(lowest {day.low}, highest {day.high})")
        shown = " trend-shown" if labelled or index == len(days) - 1 else ""
        if len(days) == 1:
            parts.append(f'<line class="portfolio-range" x1="{_num(x(index))}" y1="{_num(y(day.low))}" '
                         f'x2="{_num(x(index))}" y2="{_num(y(day.high))}"/>')
        parts.append(
            f'<g class="trend-point" tabindex="0" role="img" aria-label="{escape(text)}"><title>{escape(text)}</title>'
            f'<circle class="trend-dot" cx="{_num(x(index))}" cy="{_num(y(day.median))}" r="4"/>'
            f'<text class="trend-value{shown}" x="{_num(min(max(x(index), left + 12), width - right - 12))}" '
            f'y="{_num(y(day.median) - 9)}" text-anchor="middle">{day.median}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
