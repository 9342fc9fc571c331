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
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_shared: tuple[Callable[..., list[Any]], Sequence[Any], Any] | None = None  # what forked workers inherit


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes may be forked from here now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def worker_count(items: int, parallel_from: int, workers: int | None = None) -> int:
    """How many processes to split `items` between: `workers` (default: one per usable core) when there
    are at least `parallel_from` items and workers may be forked, else 1 (this process does the work)."""
    workers = usable_cores() if workers is None else workers
    return workers if workers > 1 and items >= parallel_from and can_fork() else 1


def parallel_map(work: Callable[[Sequence[T], Any], list[R]], items: list[T], context: Any, *,
                 parallel_from: int, workers: int | None = None) -> list[R]:
    """`work(chunk, context)` over consecutive chunks of `items`, results in order: split between
    `workers` forked processes (default: one per usable core) when there are at least
    `parallel_from` items, else in this process."""
    workers = worker_count(len(items), parallel_from, workers)
    if workers == 1:
        return work(items, context)
    size = -(-len(items) // (workers * 4))
    spans = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    return [result for chunk in Streamed(work, items, context, spans, workers) for result in chunk]


def weighted_spans(weights: Sequence[int], chunks: int) -> list[tuple[int, int]]:
    """Consecutive spans of the items whose `weights` (the work each is, roughly) are about equal: about
    `chunks` of them; an item heavier than a span's share is a span of its own."""
    share = max(1, sum(weights) // chunks)
    spans, start, held = [], 0, 0
    for end, weight in enumerate(weights):
        if held and held + weight > share:
            spans.append((start, end))
            start, held = end, 0
        held += weight
    if start < len(weights):
        spans.append((start, len(weights)))
    return spans


class Streamed(Generic[R]):
    """`work(items[start:end], context)` for each span, in `workers` forked processes started when this
    is made (so, before the caller starts any thread): each span's results, in order, as soon as they
    and those of the spans before are done.

    At most `ahead` spans (default: all) are given to the workers beyond the one the caller waits
    for, so that few results wait in this process. With `here`, this process does spans too: while
    the result it waits for is not ready, it takes the next span no worker has (up to `ahead` more).
    One worker fewer then keeps the cores as busy, and holds one copy less of the parent's memory
    (a forked worker copies every page of it whose objects it so much as reads).
    The workers stop when every result is taken or the stream is closed (or dropped)."""

    def __init__(self, work: Callable[[Sequence[T], Any], list[R]], items: Sequence[T], context: Any,
                 spans: list[tuple[int, int]], workers: int, ahead: int | None = None, here: bool = False):
        global _shared  # noqa: PLW0603 - forked workers inherit module globals: that is how the work reaches them
        self._run: Callable[[tuple[int, int]], list[R]] = lambda span: work(items[span[0]:span[1]], context)
        self._spans, self._ahead, self._here = spans, len(spans) if ahead is None else ahead, here
        self._given = 0
        """Spans given out so far (to a worker, or done here), in order."""
        self._futures: dict[int, Future[list[R]]] = {}
        self._done_here: dict[int, list[R]] = {}
        _shared = (work, items, context)
        try:  # with fork, the pool starts all its workers at the first submission, and never more
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            self._give_out(0)
        finally:
            _shared = None  # the workers have it
        self._close = weakref.finalize(self, self._pool.shutdown, wait=True, cancel_futures=True)

    def __iter__(self) -> Iterator[list[R]]:
        try:
            for index in range(len(self._spans)):
                yield self._take(index)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (work not begun is dropped); waits for those busy."""
        self._close()

    def _give_out(self, waited: int) -> None:
        """Give the workers the spans up to `ahead` beyond the one waited for."""
        while self._given < len(self._spans) and self._given <= waited + self._ahead:
            self._futures[self._given] = self._pool.submit(_run_shared, self._spans[self._given])
            self._given += 1

    def _take(self, index: int) -> list[R]:
        """The results of span `index`, once they are ready (doing other spans here meanwhile, with `here`)."""
        self._give_out(index)
        while index not in self._done_here:
            future = self._futures.get(index)
            if future is not None and (future.done() or not self._here or self._given == len(self._spans)
                                       or self._given > index + 2 * self._ahead):
                del self._futures[index]
                return future.result()
            self._done_here[self._given] = self._run(self._spans[self._given])  # the next span no worker has
            self._given += 1
        return self._done_here.pop(index)


def _run_shared(span: tuple[int, int]) -> list[Any]:
    assert _shared is not None
    work, items, context = _shared
    return work(items[span[0]:span[1]], context)
