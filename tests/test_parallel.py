"""Work split between forked workers: only where forking is safe."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scorecard.core import parallel

# Run in a fresh interpreter: this test session has threads of its own (a browser driver, servers).
CHECK = """
import os, threading
from scorecard.core import parallel

def pids(chunk, context):
    return [os.getpid()] * len(chunk)

parallel.usable_cores = lambda: 2
# 8 items, 2 workers: chunks of 1 (8 / (2 x 4)), each done in a worker, never here.
alone = parallel.parallel_map(pids, list(range(8)), None, parallel_from=1)
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
beside = parallel.parallel_map(pids, list(range(8)), None, parallel_from=1)
stop.set()
other.join()
print(os.getpid() not in alone, beside == [os.getpid()] * 8)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_work_goes_to_workers_from_a_single_thread_and_stays_here_beside_other_threads():
    # A second thread (as in `scorecard serve`): a fork could inherit a lock it holds, so no fork.
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def pids(chunk: list[int], context: None) -> list[int]:
    return [os.getpid()] * len(chunk)


def test_too_few_items_stay_in_this_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.parallel_map(pids, [1, 2, 3], None, parallel_from=4) == [os.getpid()] * 3


def squares_and_pids(chunk: list[int], context: None) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in chunk]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("here", [False, True])
def test_a_stream_gives_each_span_in_order_whichever_process_did_it(here: bool):
    spans = [(start, start + 2) for start in range(0, 20, 2)]  # 10 spans of 2 items
    stream = parallel.Streamed(squares_and_pids, list(range(20)), None, spans, workers=1, ahead=1, here=here)
    results = [result for chunk in stream for result in chunk]
    assert [square for square, _ in results] == [n * n for n in range(20)]
    assert results[0][1] != os.getpid()  # the first span is always the worker's: it has it before this process looks
    if not here:
        assert all(pid != os.getpid() for _, pid in results)
