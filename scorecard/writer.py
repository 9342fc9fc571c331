"""The one place that writes the site to disk.

A build is written into a temporary directory beside the output and swapped in only when it is
complete, so a failed or killed build leaves the previous site as it was. The output directory is
only ever replaced if this tool made it (it holds a marker file) or it is empty. Two builds into
the same directory take turns: each holds a lock on a file beside the output while it writes.

A file whose bytes did not change is not rewritten: the previous output's file is hard-linked
(or, where links are not possible, copied with its times) into the new directory, so it keeps
its modification time and rsync or an object-store sync uploads only what changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from .diagnostics import Diagnostic, error

MARKER = ".scorecard-output"
"""Written into every output directory; its presence says the directory may be replaced."""
MARKER_TEXT = b"This directory is written by scorecard and replaced on every build.\n"


def check_output_dir(out_dir: Path, protected: list[Path], sources: list[Path] | None = None) -> list[Diagnostic]:
    """Problems that forbid writing the site to `out_dir`, before any work is done.

    The output may not be or hold a `protected` directory, nor lie inside one of `sources`
    (content/, a theme), which a build must never write into.
    """
    out = out_dir.resolve()
    for path in protected + (sources or []):
        p = path.resolve()
        if out == p or out in p.parents or (path in (sources or []) and p in out.parents):
            return [error(str(out_dir), None, f"refusing to write the site to '{out_dir}': it would replace {path}",
                          "choose an output directory of its own, such as output/")]
    if out.exists() and not out.is_dir():
        return [error(str(out_dir), None, f"'{out_dir}' exists and is not a directory")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return [error(str(out_dir), None, f"refusing to replace '{out_dir}': it was not made by scorecard",
                      f"empty it, or choose another --out; scorecard only replaces directories holding {MARKER}")]
    return []


LOCK_WAIT_SECONDS = 30.0
"""How long a build waits for another build writing the same output directory to finish."""


def lock_path(out: Path) -> Path:
    """The lock file of an output directory: beside it, hidden (`.output.lock`)."""
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def output_lock(out: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[bool]:
    """Hold the output directory's lock; yields False if another build held it for `wait` seconds.

    `flock` is released by the kernel when its holder dies, so a killed build leaves no stale
    lock. Where there is no `fcntl` (Windows) builds are not serialised.
    """
    with open(lock_path(out), "a+b") as handle:
        if fcntl is None:
            yield True
            return
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], out_dir: Path, kept: Iterable[str] = (),
               wait: float = LOCK_WAIT_SECONDS) -> list[Diagnostic]:
    """Write `files` (output path → bytes, or (output path, bytes) pairs, each path once) as the
    new content of `out_dir`, atomically; problems if it cannot.

    The pairs are taken one at a time, so they can be made as they are written. If taking one
    raises, the exception goes on to the caller and the output is left as it was.

    `kept` names further output paths whose bytes are those of the previous output (the build
    cache knows they did not change); they are carried over without being rendered again.
    """
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out, wait) as locked:
        if not locked:
            return [error(str(out_dir), None, f"another scorecard build is writing to '{out_dir}'",
                          f"wait for it to finish (it holds {lock_path(out).name}) and build again")]
        remove_leftovers(out)
        problems = check_output_dir(out_dir, [])  # the other build may have changed it meanwhile
        if not problems:
            swap_in(files.items() if isinstance(files, Mapping) else files, out, kept)
        return problems


def exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step, so that `b` never goes missing; False where the
    system cannot (renameat2 with RENAME_EXCHANGE is Linux's, from 3.15, on most file systems)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def remove_leftovers(out: Path) -> None:
    """Delete what builds that were killed (or whose removal of the old site was cut short) left beside `out`."""
    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        if path.is_dir() and path.name.endswith((".new", ".old")):
            shutil.rmtree(path, ignore_errors=True)


def swap_in(files: Iterable[tuple[str, bytes]], out: Path, kept: Iterable[str]) -> None:
    """Write `files` (and carry `kept` over) into a staging directory beside `out`, then swap it for `out`."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    previous = out if (out / MARKER).is_file() else None
    made: set[Path] = {staging}
    try:
        for relative in kept:
            if previous is None or not carry_over(previous, staging, relative, made):
                raise OSError(f"cannot carry over {relative} from the previous output")
        with FileWriters() as writers:  # the files are made here while threads write them out
            for relative, data in itertools.chain(files, [(MARKER, MARKER_TEXT)]):
                writers.submit(put_file, previous, staging, relative, data, made)
        if not out.exists():
            os.replace(staging, out)
        else:
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            if exchange(staging, out):  # one atomic step: output/ is never missing, the old site is in staging
                os.replace(staging, trash / "site")
            else:  # two renames: killed between them, the old site is left in the .old directory beside
                os.replace(out, trash / "site")
                os.replace(staging, out)
            remove_in_background(trash)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def put_file(previous: Path | None, staging: Path, relative: str, data: bytes, made: set[Path]) -> None:
    """Write one file into the staging directory, or carry the previous output's over when its bytes are the same."""
    target = staging / relative
    make_parent(target, made)
    unchanged = previous is not None and same_bytes(previous / relative, data)
    if not unchanged or not carry_over(previous, staging, relative, made):
        target.write_bytes(data)


class FileWriters:
    """A few threads that write files while the caller goes on making the next ones.

    Creating directories and files costs milliseconds on some disks, time the system call spends
    without holding the interpreter, so rendering and writing overlap. At most IN_FLIGHT files wait
    in memory. The first error is raised when the block ends, after every thread has stopped.
    """

    THREADS = 4
    IN_FLIGHT = 64

    def __enter__(self) -> FileWriters:
        self.pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="scorecard-write")
        self.pending: deque[Future[None]] = deque()
        return self

    def submit(self, *call: Any) -> None:
        if len(self.pending) >= self.IN_FLIGHT:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(*call))

    def __exit__(self, *exc_info: object) -> None:
        try:
            for future in self.pending:
                if exc_info[0] is None:
                    future.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


_removals: list[subprocess.Popen] = []


def remove_in_background(trash: Path) -> None:
    """Delete the previous output without waiting for it: on some disks each directory takes milliseconds.

    The site is already in place; if the removal is cut short, the next build finishes it.
    """
    for process in list(_removals):
        if process.poll() is not None:
            _removals.remove(process)
    try:
        _removals.append(subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(trash)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)


def make_parent(target: Path, made: set[Path]) -> None:
    """Create the directory `target` goes in (remembering it, as mkdir per file is not free)."""
    parent = target.parent
    if parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        made.add(parent)


def same_bytes(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        if path.stat().st_size != len(data) or path.is_symlink():
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def carry_over(old: Path, staging: Path, relative: str, made: set[Path]) -> bool:
    """Put the previous output's file into the new output, keeping its times; False if it cannot."""
    source, target = old / relative, staging / relative
    make_parent(target, made)
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        try:
            shutil.copy2(source, target, follow_symlinks=False)
        except OSError:
            return False
    return True
