"""The one place that writes the site to disk.

A build is written into a directory beside the output and swapped in only when it is complete
(on Linux in one atomic exchange), so a failed or killed build leaves the previous site as it
was. The output directory is only ever replaced if this tool made it (it holds a marker file) or
it is empty. Two builds into the same directory take turns: each holds a lock on a file beside
the output while it writes.

That directory is the spare: the site the last swap replaced, kept beside the output
(`.output.spare/site`) and brought up to date in place, so that a build costs what changed since
the site before last, not a directory and a link per file. The spare is never trusted: every
entry is read first, whatever the new site does not hold is removed, whatever it holds is checked.
Without a usable spare (the first builds, or no atomic exchange) a fresh staging directory is made.

A file whose bytes did not change is not rewritten: it is the previous output's file (the same
inode, hard-linked; or, where links are not possible, a copy with its times), so it keeps its
modification time and rsync or an object-store sync uploads only what changed. Files shared with
the live output are never opened for writing: a new file is renamed over the old name.

A large file (an export of every assessment) can be handed over as `Streamed` pieces, written as
they are made, so that its whole text is never held in memory.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import stat
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from scorecard.core.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from concurrent.futures import Future

# What only writing needs (threads, temporary folders, the system's rename) is imported where it is
# used: a build that finds nothing changed checks the output folder (`check_output_dir`) and stops.

MARKER = ".scorecard-output"
"""Written into every output directory; its presence says the directory may be replaced."""
MARKER_TEXT = b"This directory is written by scorecard and replaced on every build.\n"


@dataclass(frozen=True)
class Streamed:
    """A file's bytes as pieces made one after another: written as they come, never held whole."""

    chunks: Iterable[bytes]
    """The pieces, in order; taken once."""


FileData = bytes | Streamed
"""What a file of the site holds: its bytes, or its bytes in pieces."""


def check_output_dir(out_dir: Path, protected: list[Path], sources: list[Path] | None = None) -> list[Diagnostic]:
    """Problems that forbid writing the site to `out_dir`, before any work is done.

    The output may not be or hold a `protected` directory, nor lie inside one of `sources`
    (content/, a theme), which a build must never write into.
    """
    beside = _links_beside(out_dir) + _links_on_the_way(out_dir, protected)
    if beside:
        return beside[:1]
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


def _links_beside(out_dir: Path) -> list[Diagnostic]:
    """The output directory and its lock must be what they seem: a symbolic link there (a
    pull request can commit `output` as a link to a folder outside the site) is refused, never followed,
    and so is a lock that is not a regular file (a named pipe would hang the build). (A spare that is a
    link or a file is not refused but never used: see `usable_spare`.)"""
    out = Path(os.path.abspath(out_dir))
    checks = ((out, stat.S_ISDIR, "a directory"), (lock_path(out), stat.S_ISREG, "a regular file"))
    for path, kind, named in checks:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            return [error(str(out_dir), None, f"cannot look at '{path.name}' beside the output: {exc.strerror}")]
        if stat.S_ISLNK(mode):
            return [error(str(out_dir), None, f"refusing to write the site: '{path.name}' is a symbolic link",
                          "remove the link; scorecard never follows one where it writes")]
        if not kind(mode) and path != out:  # a file as the output itself has its own message below
            return [error(str(out_dir), None, f"refusing to write the site: '{path.name}' is not {named}",
                          f"remove '{path.name}'")]
    return []


def _links_on_the_way(out_dir: Path, roots: list[Path]) -> list[Diagnostic]:
    """A folder between the site root and the output (`public/` of `public/site`) that is a symbolic
    link, which a working tree can carry to send the site elsewhere: refused like the output itself."""
    out = Path(os.path.abspath(out_dir))
    for root in roots:
        top = Path(os.path.abspath(root))
        if top not in out.parents:
            continue
        folder = out.parent
        while folder != top:
            if folder.is_symlink():
                return [error(str(out_dir), None, f"refusing to write the site: '{folder.relative_to(top)}' is a "
                              "symbolic link", "remove the link; scorecard never follows one where it writes")]
            folder = folder.parent
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
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with open(os.open(lock_path(out), flags, 0o644), "a+b") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{lock_path(out).name} is not a regular file")
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


def write_site(files: Mapping[str, FileData] | Iterable[tuple[str, FileData]], out_dir: Path,
               kept: Iterable[str] = (), wait: float = LOCK_WAIT_SECONDS) -> list[Diagnostic]:
    """Write `files` (output path → bytes or `Streamed` pieces, or (output path, data) pairs, each
    path once) as the new content of `out_dir`, atomically; problems if it cannot.

    The pairs are taken one at a time, so they can be made as they are written, and so are a
    streamed file's pieces. If taking one raises, the exception goes on to the caller and the
    output is left as it was.

    `kept` names further output paths whose bytes are those of the previous output (the build
    cache knows they did not change); they are carried over without being rendered again.
    """
    problems = _links_beside(out_dir)
    if problems:
        return problems
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
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return int(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)) == 0


def remove_leftovers(out: Path) -> None:
    """Delete what builds that were killed (or whose removal of the old site was cut short) left beside `out`.

    The spare (`.output.spare`) is not a leftover: the next build brings it up to date.
    """
    import glob

    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        if path.is_dir() and path.name.endswith((".new", ".old")):
            shutil.rmtree(path, ignore_errors=True)


def swap_in(files: Iterable[tuple[str, FileData]], out: Path, kept: Iterable[str]) -> None:
    """Write `files` (and carry `kept` over) into the spare, or a fresh staging directory, and
    swap it for `out`; the site it replaces becomes the spare."""
    previous = out if (out / MARKER).is_file() else None
    spare = usable_spare(out) if previous is not None else None
    if previous is not None and spare is not None:  # a spare is only looked for beside a previous site
        fill(Tree.read(spare, previous), files, kept)  # killed or failing here, the spare is repaired next time
        put_in_place(spare, out)  # the old site is the spare now (or, without an exchange, gone)
        return
    staging = made_beside(out, ".new")
    staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
    try:
        fill(Tree(staging, previous), files, kept)
        if put_in_place(staging, out) and not (previous is not None and keep_as_spare(staging, out)):
            discard(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def fill(tree: Tree, files: Iterable[tuple[str, FileData]], kept: Iterable[str]) -> None:
    """Make `tree` hold exactly the new site: `kept` carried over from the previous output, `files`, the marker.

    A streamed file is written here, in the calling thread, as its pieces are made: they are the
    build's work, whose errors and time belong to the caller, and only one piece is held at a time."""
    with FileWriters() as writers:  # the files are made here while threads write them out
        for relative in kept:
            tree.claim(relative)
            if tree.previous is None:
                raise OSError(f"cannot carry over {relative}: there is no previous output")
            if not tree.holds(relative):
                writers.submit(tree.carry_over, relative)
        for relative, data in itertools.chain(files, [(MARKER, MARKER_TEXT)]):
            tree.claim(relative)
            if isinstance(data, Streamed):
                tree.put_streamed(relative, data.chunks)
                continue
            same = same_bytes(f"{tree.previous}/{relative}", data) if tree.previous is not None else None
            if same is None or not tree.holds(relative, same):  # in the spare, mostly nothing is left to do
                writers.submit(tree.put, relative, data, same is not None)
    tree.prune()


def put_in_place(new: Path, out: Path) -> bool:
    """Swap the complete site `new` for `out`; True if the old site is now at `new`'s place."""
    if not out.exists():
        os.replace(new, out)
        return False
    if exchange(new, out):  # one atomic step: output/ is never missing
        return True
    # Two renames: killed between them, the old site is left in the .old directory beside.
    trash = made_beside(out, ".old")
    os.replace(out, trash / "site")
    os.replace(new, out)
    remove_in_background(trash)
    return False


def discard(tree: Path, out: Path) -> None:
    """Move `tree` out of the way at once and delete it in the background."""
    trash = made_beside(out, ".old")
    os.replace(tree, trash / "site")
    remove_in_background(trash)


def made_beside(out: Path, suffix: str) -> Path:
    """A new private directory beside `out` (`.output.x1y2.new`): where a site is staged, or put to be deleted."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=suffix, dir=out.parent))


SPARE_IGNORE = b"# Written by scorecard: the site before last, which the next build brings up to date.\n*\n"


def spare_home(out: Path) -> Path:
    """The hidden directory beside `out` that holds its spare (`.output.spare/site`) and a .gitignore."""
    return out.parent / f".{out.name}.spare"


def usable_spare(out: Path) -> Path | None:
    """The spare of `out` if it is a directory this tool made (it holds the marker), else None."""
    site = spare_home(out) / "site"
    try:
        if all(stat.S_ISDIR(os.lstat(path).st_mode) for path in (site.parent, site)) \
                and stat.S_ISREG(os.lstat(site / MARKER).st_mode):
            return site
    except OSError:
        pass
    return None


def keep_as_spare(old: Path, out: Path) -> bool:
    """Keep the site just replaced as the next build's spare; False if it cannot be (a file stands in the way)."""
    home = spare_home(out)
    try:
        home.mkdir(exist_ok=True)
        if not stat.S_ISDIR(os.lstat(home).st_mode):
            return False  # a link someone made: not ours to write through
        if not (home / ".gitignore").exists():  # else `git add -A` in the site would commit a copy of the site
            (home / ".gitignore").write_bytes(SPARE_IGNORE)
        if os.path.lexists(home / "site"):  # a spare without the marker: what was left of one, replaced whole
            discard(home / "site", out)
        os.replace(old, home / "site")
    except OSError:
        return False
    return True


class Tree:
    """A directory being made to hold the new site from the previous output's files and new ones:
    a fresh staging directory, or the spare, whose every entry is read first and never trusted.

    Nothing that may be shared with the live output is written to: a file that is there is
    replaced by a new one made under a temporary name and renamed over it, so the output's inode
    keeps its bytes. `claim`, `holds` and `prune` run in the calling thread; `put` and `carry_over`
    in the writer threads, one path each. Paths are strings here: pathlib costs more than the
    system calls when nearly every file is already right.
    """

    def __init__(self, root: Path, previous: Path | None, found: dict[str, tuple[int, int] | None] | None = None):
        self.root = os.fspath(root)
        self.previous = os.fspath(previous) if previous is not None else None
        self.found = found or {}
        """What the directory held: relative path → (device, inode) of a file or link, None for a directory."""
        self.files: set[str] = set()
        self.dirs: set[str] = {""}
        self.made: set[str] = {""} | {path for path, ident in self.found.items() if ident is None}

    @classmethod
    def read(cls, root: Path, previous: Path) -> Tree:
        """The spare at `root`, with every entry it holds (links are not followed)."""
        found: dict[str, tuple[int, int] | None] = {}
        pending = [(os.fspath(root), "")]
        while pending:
            directory, prefix = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    relative = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        found[relative] = None
                        pending.append((entry.path, relative + "/"))
                    else:
                        info = entry.stat(follow_symlinks=False)
                        found[relative] = (info.st_dev, info.st_ino)
        return cls(root, previous, found)

    def claim(self, relative: str) -> None:
        """Note that `relative` is a file of the new site, clearing what stands in its way."""
        directory = relative.rpartition("/")[0]
        while directory not in self.dirs:  # the file's directories, from the deepest not yet seen
            self.dirs.add(directory)
            if self.found.get(directory) is not None and directory not in self.files:
                with contextlib.suppress(FileNotFoundError):  # an old file where a directory goes
                    os.unlink(f"{self.root}/{directory}")
                del self.found[directory]
            directory = directory.rpartition("/")[0]
        self.files.add(relative)
        if relative in self.found and self.found[relative] is None:  # an old directory where a file goes
            shutil.rmtree(f"{self.root}/{relative}", ignore_errors=True)
            self.made.discard(relative)
            del self.found[relative]

    def holds(self, relative: str, info: os.stat_result | None = None) -> bool:
        """Whether the file at `relative` is already the previous output's (`info`, its lstat): the same inode."""
        ident = self.found.get(relative)
        if ident is None:
            return False
        try:
            info = info or os.lstat(f"{self.previous}/{relative}")
        except OSError:
            return False
        return ident == (info.st_dev, info.st_ino)

    def carry_over(self, relative: str) -> None:
        """Put the previous output's file at `relative`, keeping its inode and times."""
        if not self.link(relative):
            raise OSError(f"cannot carry over {relative} from the previous output")

    def put(self, relative: str, data: bytes, same: bool) -> None:
        """Put `data` at `relative`: the previous output's file when it holds these bytes (`same`), else a new file."""
        if not (same and self.link(relative)):
            self.place(relative, lambda path: write_new(path, data))

    def put_streamed(self, relative: str, chunks: Iterable[bytes]) -> None:
        """Put the bytes of `chunks` at `relative`, written as they come into a new file that is then
        renamed into place; when they turn out to be the previous output's bytes, its file instead (as `put`)."""
        folder, _, name = relative.rpartition("/")
        self.make_folder(folder)
        temporary = f"{self.root}/{folder + '/' if folder else ''}.{name}.scorecard-stream"
        with contextlib.suppress(FileNotFoundError):  # left by a build killed here
            os.unlink(temporary)
        try:
            with open(temporary, "xb", buffering=STREAM_BUFFER) as handle, \
                    SameBytes(f"{self.previous}/{relative}" if self.previous is not None else None) as previous:
                for chunk in chunks:
                    handle.write(chunk)
                    previous.compare(chunk)
                same = previous.result()
            if same is not None and (self.holds(relative, same) or self.link(relative)):
                os.unlink(temporary)
            else:
                os.replace(temporary, f"{self.root}/{relative}")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def link(self, relative: str) -> bool:
        """Hard-link (or, where links are not possible, copy with its times) the previous output's file."""
        source = f"{self.previous}/{relative}"
        try:
            self.place(relative, lambda path: os.link(source, path, follow_symlinks=False))
        except OSError:
            try:
                self.place(relative, lambda path: copy_new(source, path))
            except OSError:
                return False
        return True

    def place(self, relative: str, make: Callable[[str], object]) -> None:
        """Make the file at `relative` with `make(path)`: straight there when nothing is, else under
        a temporary name renamed over what was (which may be the live output's inode)."""
        folder, _, name = relative.rpartition("/")
        self.make_folder(folder)
        if relative not in self.found:
            make(f"{self.root}/{relative}")
            return
        temporary = f"{folder}/.{name}.scorecard-new" if folder else f".{name}.scorecard-new"
        if temporary in self.found:  # left by a build killed here
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.root}/{temporary}")
        try:
            make(f"{self.root}/{temporary}")
            os.replace(f"{self.root}/{temporary}", f"{self.root}/{relative}")
        except OSError:
            with contextlib.suppress(OSError):  # it may be a link to the output's file: never left to be written to
                os.unlink(f"{self.root}/{temporary}")
            raise

    def make_folder(self, folder: str) -> None:
        """Make the directory `folder` (relative; "" is the root) and those above it, once."""
        if folder not in self.made:
            os.makedirs(f"{self.root}/{folder}", exist_ok=True)
            self.made.add(folder)

    def prune(self) -> None:
        """Remove what the tree held that the new site does not (a deleted page, a file added by hand)."""
        for relative, ident in self.found.items():
            if relative.rpartition("/")[0] not in self.dirs:
                continue  # gone with its directory
            if ident is None and relative not in self.dirs:
                shutil.rmtree(f"{self.root}/{relative}", ignore_errors=True)
            elif ident is not None and relative not in self.files:
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                    os.unlink(f"{self.root}/{relative}")


def write_new(path: str, data: bytes) -> None:
    """Write `data` into a file made for it: never into one that exists, which may be the live output's."""
    with open(path, "xb") as handle:
        handle.write(data)


def copy_new(source: str, path: str) -> None:
    """Copy `source` (a link as a link) with its times into a new file at `path`, never into one that exists."""
    if os.path.islink(source):
        os.symlink(os.readlink(source), path)
    else:
        with open(source, "rb") as handle:
            write_new(path, handle.read())
    shutil.copystat(source, path, follow_symlinks=False)


class FileWriters:
    """A few threads that write files while the caller goes on making the next ones.

    Creating directories and files costs milliseconds on some disks, time the system call spends
    without holding the interpreter, so rendering and writing overlap. At most IN_FLIGHT files wait
    in memory. The first error is raised when the block ends, after every thread has stopped.
    """

    THREADS = 4
    IN_FLIGHT = 64

    def __enter__(self) -> FileWriters:
        from concurrent.futures import ThreadPoolExecutor

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


_removals: list[subprocess.Popen[bytes]] = []


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


def same_bytes(path: str, data: bytes) -> os.stat_result | None:
    """The lstat of the file at `path` if it is a regular file holding exactly `data`, else None."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return None
        with open(path, "rb") as handle:
            return info if handle.read() == data else None
    except OSError:
        return None


STREAM_BUFFER = 1 << 20
"""Bytes of a streamed file written, or of the previous output's read to compare with it, per system call
(its pieces are a few kilobytes each)."""


class SameBytes:
    """Whether bytes that come piece by piece are exactly a file's (`same_bytes` for a streamed file),
    read along with them: neither is held whole."""

    def __init__(self, path: str | None):
        self.path = path
        self.info: os.stat_result | None = None
        self.handle: Any = None
        self.same = False

    def __enter__(self) -> SameBytes:
        try:
            if self.path is not None:
                info = os.lstat(self.path)
                if stat.S_ISREG(info.st_mode):
                    self.handle = open(self.path, "rb", buffering=STREAM_BUFFER)  # closed by __exit__
                    self.info, self.same = info, True
        except OSError:
            self.same = False
        return self

    def compare(self, chunk: bytes) -> None:
        """Take the next piece."""
        if self.same:
            try:
                self.same = self.handle.read(len(chunk)) == chunk
            except OSError:
                self.same = False

    def result(self) -> os.stat_result | None:
        """The file's lstat if the pieces taken are exactly its bytes, else None."""
        if not self.same:
            return None
        try:
            return self.info if self.handle.read(1) == b"" else None
        except OSError:
            return None

    def __exit__(self, *exc_info: object) -> None:
        if self.handle is not None:
            self.handle.close()
