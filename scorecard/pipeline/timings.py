"""Time per build stage, for `--timings`, and word of each stage as it starts, for a progress bar."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from typing import Callable, Iterator

Progress = Callable[[str], None]
"""Told the name of each stage as it starts."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for work that makes many lasting objects and no cycles
    (unpickling the cache or the workers' results, the site model), where each collection would scan
    them all again.

    On the way out the objects made so far are frozen (`gc.freeze`), or the next collection would
    scan them all at once (0.2-0.4 s at 4,000 assessments); `build` unfreezes them when it ends.
    Frozen objects are still freed when no longer used; only cycles among them wait for the unfreeze.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Stopwatch:
    """Times the stages of one build, in order."""

    def __init__(self, progress: Progress | None = None):
        self.stages: list[tuple[str, float]] = []
        self.progress = progress

    def __enter__(self) -> Stopwatch:
        return self

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()  # let the collector see this build's objects again, once they are garbage

    def move(self, seconds: float, source: str, target: str) -> None:
        """Count `seconds` of stage `source` as `target`'s: work that one stage hands to the next to do as it goes."""
        self.stages = [(name, spent - seconds if name == source else spent + seconds if name == target else spent)
                       for name, spent in self.stages]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append((name, time.perf_counter() - started))
            # What a stage made lives until the build ends; freezing it spares the cycle collector
            # from scanning it again and again in later stages (render took twice as long without).
            gc.freeze()
