"""Time per build stage, for `--timings`, and word of each stage as it starts, for a progress bar."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

Progress = Callable[[str], None]
"""Told the name of each stage as it starts."""


class StageTime(NamedTuple):
    """How long one stage of a build took."""

    stage: str
    seconds: float


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside, and what was made inside left out of later collections
    until the build ends (`gc.freeze`; `collector_released` undoes it): for the stages that make the
    build's many lasting objects and no cycles (parsing and scoring every file, unpickling the
    cache, the history, the site model). Without it every collection in the render stage scans them
    all again: at 4,000 assessments that made an edit's rebuild a third slower (bench/RESULTS.md).
    Frozen objects are still freed when no longer used; only cycles among them wait for the release.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def collector_released() -> Iterator[None]:
    """Around a whole build: what `collector_paused` froze is the collector's to scan again afterwards
    (`scorecard serve` builds many times in one process)."""
    try:
        yield
    finally:
        gc.unfreeze()


class Stopwatch:
    """Times the stages of one build, in order, from its start."""

    def __init__(self, progress: Progress | None = None):
        self.stages: list[StageTime] = []
        self.progress = progress
        self.started = time.perf_counter()

    def total(self) -> float:
        """Seconds since the build started."""
        return time.perf_counter() - self.started

    def timings(self) -> tuple[StageTime, ...]:
        """Seconds per stage, in order."""
        return tuple(self.stages)

    def move(self, seconds: float, source: str, target: str) -> None:
        """Count `seconds` of stage `source` as `target`'s: work that one stage hands to the next to do as it goes."""
        self.stages = [StageTime(name,
                                 spent - seconds if name == source else spent + seconds if name == target else spent)
                       for name, spent in self.stages]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append(StageTime(name, time.perf_counter() - started))
