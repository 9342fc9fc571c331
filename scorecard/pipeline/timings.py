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
    """No cyclic garbage collection inside: for work that makes many lasting objects and no cycles
    (parsing and scoring every file, unpickling the cache, the site model), where each collection
    would scan them all again. The one place the build touches the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
