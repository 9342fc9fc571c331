"""Run the installed `scorecard` command under a time and memory budget, as a user would meet it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SECONDS = 10.0
"""Every hostile reproduction must end within this, on the 2-core machine the suite runs on."""
MEGABYTES = 300
"""… and within this much memory (the command's peak resident set)."""

SCORECARD = shutil.which("scorecard", path=str(Path(sys.executable).parent)) or shutil.which("scorecard") or "scorecard"

_MEASURE = """
import json, resource, subprocess, sys, time
started = time.monotonic()
try:
    done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, timeout=float(sys.argv[0] or 60))
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as exc:
    code, out, err = None, exc.stdout or b"", exc.stderr or b""
seconds = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
print(json.dumps({"code": code, "seconds": seconds, "megabytes": peak / 1024,
                  "stdout": out.decode("utf-8", "backslashreplace"),
                  "stderr": err.decode("utf-8", "backslashreplace")}))
"""


@dataclass(frozen=True)
class Run:
    """How one command ended: its exit code (None when it ran out of time), time, peak memory and output."""

    code: int | None
    seconds: float
    megabytes: float
    stdout: str
    stderr: str

    def within_budget(self) -> bool:
        return self.code is not None and self.seconds < SECONDS and self.megabytes < MEGABYTES

    def __str__(self) -> str:
        return (f"exit {self.code}, {self.seconds:.1f} s, {self.megabytes:.0f} MB\n"
                f"stdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}")


def run_scorecard(root: Path, *args: str, timeout: float = 3 * SECONDS, env: dict[str, str] | None = None) -> Run:
    """`scorecard ARGS` in `root`, measured from a fresh process so that only its own peak counts."""
    command = [sys.executable, "-c", _MEASURE.replace("sys.argv[0]", repr(str(timeout))), str(root), SCORECARD, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=timeout + 30)
    return Run(**json.loads(done.stdout))


def assert_clean_end(run: Run, code: int | None = None) -> None:
    """Within budget, no traceback, and the expected exit code (0 or 1) when given."""
    assert run.within_budget(), str(run)
    assert "Traceback" not in run.stderr, str(run)
    assert run.code in ((0, 1) if code is None else (code,)), str(run)
