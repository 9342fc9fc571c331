"""Time per build stage, for `--timings`, and word of each stage as it starts, for a progress bar."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from typing import Callable, Iterator

Progress = Callable[[str], None]
"""Told the name of each stage as it starts."""


class Stopwatch:
    """Times the stages of one build, in order."""

    def __init__(self, progress: Progress | None = None):
        self.stages: list[tuple[str, float]] = []
        self.progress = progress

    def __enter__(self) -> Stopwatch:
        return self

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()  # let the collector see this build's objects again, once they are garbage

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
