"""Work split between forked workers: only where forking is safe."""

from __future__ import annotations

import os
import threading

import pytest

from scorecard import parallel


def pids(chunk: list[int], context: None) -> list[int]:
    return [os.getpid()] * len(chunk)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_work_goes_to_workers_from_a_single_thread_and_stays_here_beside_other_threads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    if threading.active_count() != 1:
        pytest.skip("an earlier test left a thread running")
    # 8 items, 2 workers: chunks of 1 (8 / (2 × 4)), each done in a worker, never here.
    assert os.getpid() not in parallel.parallel_map(pids, list(range(8)), None, parallel_from=1)
    # A second thread (as in `scorecard serve`): a fork could inherit a lock it holds, so no fork.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.parallel_map(pids, list(range(8)), None, parallel_from=1) == [os.getpid()] * 8
    finally:
        stop.set()
        other.join()


def test_too_few_items_stay_in_this_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.parallel_map(pids, [1, 2, 3], None, parallel_from=4) == [os.getpid()] * 3
