"""Movement since the previous scored revision (scorecard/site/movement.py), with the arithmetic by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from scorecard.site.movement import MovementView, movement, summarise
from scorecard.source.history import HistoryPoint


def point(day: str, overall: str, previous: str | None = None, gated: bool = False) -> HistoryPoint:
    return HistoryPoint("a" * 40, "aaaaaaa", dt.datetime.fromisoformat(f"{day}T10:00:00+00:00"), "Ana", "change",
                        Decimal(overall), "Strong", None if previous is None else Decimal(previous), (), 0,
                        gated="Erodes trust" if gated else "")


HISTORY = (point("2026-08-01", "84.0"), point("2026-09-15", "92.0", "84.0"))


def test_since_the_previous_revision():
    moved = movement(HISTORY, Decimal("92.0"))
    # 92.0 − 84.0 = +8.0, measured from the revision of 2026-08-01
    assert moved == MovementView("up", "+8.0", "Up 8.0 since 2026-08-01 (84.0 → 92.0)",
                                 "2026-08-01:84.0 2026-09-15:92.0")


def test_an_uncommitted_change_is_measured_from_the_last_commit():
    moved = movement(HISTORY, Decimal("90.5"))
    assert moved is not None  # 90.5 − 92.0 = −1.5
    assert (moved.direction, moved.delta, moved.label) == ("down", "-1.5", "Down 1.5 since 2026-09-15 (92.0 → 90.5)")


def test_one_revision_no_arrow_and_no_history_nothing():
    moved = movement(HISTORY[:1], Decimal("84.0"))
    assert moved is not None and (moved.direction, moved.delta, moved.label) == ("", "", "")
    assert movement((), Decimal("84.0")) is None


def test_a_gate_that_fires_now_and_did_not_before():
    history = (point("2026-08-01", "100.0"), point("2026-10-10", "76.0", "100.0", gated=True))
    moved = movement(history, Decimal("76.0"), gated=True)
    assert moved is not None and moved.gate_fired and moved.delta == "-24.0"
    assert moved.points == "2026-08-01:100.0 2026-10-10:76.0:g"
    # Gated at both ends: not newly.
    history = (point("2026-08-01", "30.0", gated=True), point("2026-10-10", "34.0", "30.0", gated=True))
    assert not movement(history, Decimal("34.0"), gated=True).gate_fired  # type: ignore[union-attr]


def test_the_summary_counts_each_direction():
    up = movement(HISTORY, Decimal("92.0"))
    down = movement(HISTORY, Decimal("90.5"))
    same = movement(HISTORY[:1], Decimal("84.0"))
    summary = summarise([up, down, same, None], dt.date(2026, 11, 1))
    assert summary is not None
    assert summary.text == "Since each assessment's previous scored revision: 1 up, 1 down, 0 unchanged."
    assert summary.since(30) == "2026-10-02"  # 1 November − 30 days
    assert summarise([None], dt.date(2026, 11, 1)) is None
    nothing = summarise([same], dt.date(2026, 11, 1))
    assert nothing is not None and nothing.text == "No overall score has moved since its assessment was first scored."
