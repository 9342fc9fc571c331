"""Movement: how each assessment's overall score moved since a reference point, from its git history.

Pure: it takes the history points `history.read_history` returns and the score the working tree
gives now. The default reference is the score before the assessment's last scored revision; the
portfolio's "since" control picks a date instead (in the browser, from `MovementView.points`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from scorecard.source.history import HistoryPoint


@dataclass(frozen=True)
class MovementView:
    """An assessment's move since its previous scored revision, and what the browser needs for other dates."""

    direction: str
    """"up", "down" or "same"; "" when there is nothing to compare with (no arrow is shown)."""
    delta: str
    """The signed change of the overall score, one decimal: "+8.0", "-12.0", "0.0"; "" without a direction."""
    label: str
    """The arrow's accessible name: "Up 8.0 since 2026-09-15 (92.0 → 93.3)"."""
    points: str
    """Every scored revision as "YYYY-MM-DD:score", with ":g" when a gate fired at it, oldest first,
    space-separated: the data-history of its row."""
    gate_fired: bool = False
    """A gate fires now that did not at the reference point."""


def movement(points: tuple[HistoryPoint, ...], current: Decimal, gated: bool = False) -> MovementView | None:
    """The move of `current` (gated or not) since the score before the last scored revision; None without history."""
    if not points:
        return None
    last = points[-1]
    # The working tree may hold an uncommitted change: then the last commit is the reference.
    reference: HistoryPoint | None = None
    if current != last.overall or gated != bool(last.gated):
        reference = last
    elif last.previous is not None and len(points) > 1:
        reference = points[-2]
    data = " ".join(f"{p.date.date().isoformat()}:{p.overall}{':g' if p.gated else ''}" for p in points)
    if reference is None:
        return MovementView("", "", "", data)
    baseline = reference.overall
    return MovementView(*describe(current - baseline, baseline, current, reference.date.date()), points=data,
                        gate_fired=gated and not reference.gated)


def describe(delta: Decimal, baseline: Decimal, current: Decimal, since: dt.date) -> tuple[str, str, str]:
    """Direction, signed delta and accessible label of a move from `baseline` to `current`."""
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    signed = f"+{delta}" if delta > 0 else f"{delta}" if delta < 0 else "0.0"
    word = {"up": "Up", "down": "Down", "same": "Unchanged"}[direction]
    amount = f" {abs(delta)}" if delta else ""
    return direction, signed, f"{word}{amount} since {since.isoformat()} ({baseline} → {current})"


@dataclass(frozen=True)
class MovementSummary:
    """The portfolio's sum of moves since each assessment's previous scored revision."""

    up: int
    down: int
    same: int
    today: dt.date
    """The day the build judges "the last 30 / 90 days" from."""

    @property
    def text(self) -> str:
        if not (self.up or self.down or self.same):
            return "No overall score has moved since its assessment was first scored."
        return (f"Since each assessment's previous scored revision: "
                f"{self.up} up, {self.down} down, {self.same} unchanged.")

    def since(self, days: int) -> str:
        return (self.today - dt.timedelta(days=days)).isoformat()


def summarise(moves: list[MovementView | None], today: dt.date) -> MovementSummary | None:
    """How many moved up, down or not at all; None when no assessment has a history."""
    shown = [m for m in moves if m is not None]
    if not shown:
        return None
    return MovementSummary(sum(m.direction == "up" for m in shown), sum(m.direction == "down" for m in shown),
                           sum(m.direction == "same" for m in shown), today)
