"""Work split between forked worker processes, one per usable core, when there is enough of it.

Workers inherit the work through fork and are sent only where their chunk starts and ends, so the
items are never pickled on the way out; only results come back. Fork is used only where it is
safe: on systems that have it, and from a process running a single thread (`scorecard serve`
builds while its server and watcher threads run; a child forked then could inherit a lock another
thread held, and hang), otherwise the work is done in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_shared: tuple[Callable[..., list[Any]], Sequence[Any], Any] | None = None  # what forked workers inherit


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes may be forked from here now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def parallel_map(work: Callable[[Sequence[T], Any], list[R]], items: list[T], context: Any, *,
                 parallel_from: int, workers: int | None = None) -> list[R]:
    """`work(chunk, context)` over consecutive chunks of `items`, results in order: split between
    `workers` forked processes (default: one per usable core) when there are at least
    `parallel_from` items, else in this process."""
    global _shared  # noqa: PLW0603 - forked workers inherit module globals: that is how the work reaches them
    workers = usable_cores() if workers is None else workers
    if workers <= 1 or len(items) < parallel_from or not can_fork():
        return work(items, context)
    _shared = (work, items, context)
    size = -(-len(items) // (workers * 4))
    spans = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for chunk in pool.map(_run_shared, spans) for result in chunk]
    finally:
        _shared = None


def _run_shared(span: tuple[int, int]) -> list[Any]:
    assert _shared is not None
    work, items, context = _shared
    return work(items[span[0]:span[1]], context)
