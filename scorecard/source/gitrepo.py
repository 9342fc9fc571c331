"""Reading a site's files out of git, in a few batched processes.

A revision's files come from one `git ls-tree` and one `git cat-file --batch`; a history from
one `git log --raw` and one `git cat-file --batch` for every blob it names. Nothing is checked
out and the working tree is never touched. Outside a git repository (or without git) these
functions say so by returning None, and callers carry on without history.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self


class GitError(Exception):
    """git refused a request (an unknown revision, say); the message is git's own."""


@dataclass(frozen=True)
class FileChange:
    """One file touched by a commit, as `git log --raw -M` reports it."""

    status: str
    """A (added), M (modified), D (deleted), R (renamed), C (copied), T (type changed)."""
    old_path: str
    new_path: str
    blob: str
    """The file's blob id after the commit (all zeros when deleted)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: dt.datetime
    """The author date, with its time zone."""
    author: str
    subject: str
    changes: tuple[FileChange, ...]


def _git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return result.stdout


def repo_root(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None outside one (or without git); a name that is
    not UTF-8 is kept as the file system has it."""
    try:
        out = _git(path, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(os.fsdecode(out.strip()))


def top_and_head(path: Path) -> str | None:
    """The top of the work tree holding `path`, whether it is shallow and its HEAD commit, in one call; None
    outside one or without commits (`git fetch --unshallow` changes the history but not HEAD)."""
    try:
        return _git(path, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD").decode(
            "utf-8", "surrogateescape")
    except GitError:
        return None


def is_shallow(repo: Path) -> bool:
    """Whether the repository is a shallow clone (`git clone --depth N`): its history stops at boundary commits."""
    try:
        return _git(repo, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except GitError:
        return False


def shallow_boundary(repo: Path) -> frozenset[str]:
    """The commits a shallow clone has without their parents (none in a full clone)."""
    try:
        path = _git(repo, "rev-parse", "--git-path", "shallow").decode().strip()
    except GitError:
        return frozenset()
    shallow = Path(path) if Path(path).is_absolute() else repo / path
    try:
        return frozenset(shallow.read_text(encoding="ascii").split())
    except OSError:
        return frozenset()


def has_commits(repo: Path) -> bool:
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return False
    return True


def resolve(repo: Path, revision: str) -> str:
    """The commit id a revision names; GitError when it names none."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{revision}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"unknown revision '{revision}'") from None


MAX_BLOB_BYTES = 1_000_000
"""A blob larger than this is not read (the limit on a content file, content.MAX_FILE_BYTES)."""


class TooLarge(bytes):
    """Stands for a blob over MAX_BLOB_BYTES, which is never read: empty, with the blob's `size`."""

    size: int

    def __new__(cls, size: int) -> Self:
        made = super().__new__(cls, b"")
        made.size = size
        return made


READ_CHUNK_BYTES = 64 << 20
"""Blobs are read by `git cat-file --batch` in runs of about this many bytes, so that git's answer and
the contents taken from it are not both held whole."""


def blob_sizes(repo: Path, blobs: Sequence[str]) -> dict[str, int]:
    """The size of each blob git has, through one `git cat-file --batch-check`, without reading any (a
    blob missing from the repository is left out)."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    sizes = {}
    checked = _git(repo, "cat-file", "--batch-check", input=("\n".join(wanted) + "\n").encode())
    # git answers each name with a line; should it answer fewer, the blobs it left out are not read
    for blob, line in zip(wanted, checked.decode("ascii", "replace").splitlines(), strict=False):
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            sizes[blob] = int(parts[2])
    return sizes


def read_blobs(repo: Path, blobs: Sequence[str], sizes: Mapping[str, int] | None = None) -> dict[str, bytes]:
    """The contents of many blobs: their sizes first (`blob_sizes`, unless given), then those within
    MAX_BLOB_BYTES through `git cat-file --batch`, in runs of READ_CHUNK_BYTES; a larger one is a
    TooLarge, unread (six 100 MB blobs pack into 827 KB: their size in the repository says nothing)."""
    sizes = blob_sizes(repo, blobs) if sizes is None else sizes
    contents: dict[str, bytes] = {}
    run: list[str] = []
    run_bytes = 0
    for blob in dict.fromkeys(blobs):
        size = sizes.get(blob)
        if size is None:
            continue  # missing
        if size > MAX_BLOB_BYTES:
            contents[blob] = TooLarge(size)
            continue
        run.append(blob)
        run_bytes += size
        if run_bytes >= READ_CHUNK_BYTES:
            contents.update(_read_run(repo, run))
            run, run_bytes = [], 0
    if run:
        contents.update(_read_run(repo, run))
    return contents


def _read_run(repo: Path, blobs: list[str]) -> dict[str, bytes]:
    """The contents of `blobs` (each known to be small), by one `git cat-file --batch`."""
    out = _git(repo, "cat-file", "--batch", input=("\n".join(blobs) + "\n").encode())
    contents = {}
    pos = 0
    for blob in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode()
        pos = end + 1
        if header.endswith(" missing"):
            continue
        size = int(header.rsplit(" ", 1)[1])
        contents[blob] = out[pos:pos + size]
        pos += size + 1  # the object, then a newline
    return contents


def files_at(repo: Path, revision: str, prefix: str) -> dict[str, bytes]:
    """Every file under `prefix` (a path relative to the repository root) at `revision`."""
    commit = resolve(repo, revision)
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix or ".")
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        _mode, kind, blob = meta.decode().split()
        if kind == "blob":
            entries.append((path.decode("utf-8", "surrogateescape"), blob))
    blobs = read_blobs(repo, [blob for _, blob in entries])
    return {path: blobs[blob] for path, blob in entries if blob in blobs}


MAX_NAME_CHARS = 200
"""An author name or a commit subject is cut to this many characters (a subject is shown on every
page of the assessments it changed and in changes.xml: a long one would multiply)."""


def _cut(text: str) -> str:
    return text if len(text) <= MAX_NAME_CHARS else text[:MAX_NAME_CHARS - 1] + "…"


def _author_date(iso: str, seconds: str) -> dt.datetime | None:
    """The author date, from `%aI`; None when it is not a date Python can hold (year 1 to 9999):
    `GIT_AUTHOR_DATE=@999999999999` is the year 33658."""
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return dt.datetime.fromtimestamp(int(seconds), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


def log(repo: Path, prefix: str, most: int | None = None) -> list[Commit]:
    """Every commit that touched `prefix` (or the `most` newest of them), oldest first, with the files it
    changed (renames followed).

    Each commit's record starts with a marker made for this call (a commit cannot contain it: the
    subject and author name are whatever a committer wrote, any character but NUL), and its fields
    are NUL-separated. A commit whose fields do not parse, or whose date is out of range, is left out.
    """
    import secrets  # here, not above: a build with nothing changed reads no log

    if not has_commits(repo):
        return []
    marker = "scorecard-" + secrets.token_hex(16)
    fmt = f"%x00{marker}%x00%H%x00%aI%x00%at%x00%an%x00%s%x00"
    limit = [] if most is None else [f"--max-count={most}"]
    # newest first, as git walks them (`--reverse` would have git hold every commit, message and all, first)
    tokens = _tokens(repo, "log", *limit, "-M", "--raw", "-z", "--no-abbrev", f"--format={fmt}", "--", prefix or ".")
    commits = []
    fields: list[str] | None = None  # the fields of the commit being read; None before the first
    for token in itertools.chain(tokens, [marker]):
        if token != marker:
            if fields is not None:
                fields.append(token)
            continue
        if fields is not None and (commit := _commit(fields)) is not None:
            commits.append(commit)
        fields = []
    commits.reverse()
    return commits


def _commit(fields: list[str]) -> Commit | None:
    """A commit from its fields (id, dates, author, subject, then its changes), or None when they do not parse."""
    if len(fields) < 5:
        return None
    sha, iso, seconds, author, subject = fields[:5]
    date = _author_date(iso, seconds)
    changes = _changes([f for f in fields[5:] if f.strip("\n")])
    if date is None or changes is None:
        return None
    return Commit(sha, date, _cut(author), _cut(subject), changes)


MAX_TOKEN_BYTES = 1 << 16
"""A field of git's output longer than this is cut to it as it is read (a subject or an author name is
shown cut to MAX_NAME_CHARS anyway; a path is at most a few kilobytes)."""


def _tokens(repo: Path, *args: str) -> Iterator[str]:
    """The NUL-separated fields of `git ARGS`'s output, read as git writes them, each cut to
    MAX_TOKEN_BYTES: a commit message of a gigabyte packs into a few kilobytes, and git's width limits
    (`%<(200,trunc)`) let characters of no width through, so the output is never held whole."""
    import tempfile

    with tempfile.TemporaryFile() as errors:  # a file: git cannot block on it while its output is read
        try:
            process = subprocess.Popen(["git", "-C", str(repo), *args], stdout=subprocess.PIPE, stderr=errors)
        except FileNotFoundError as exc:
            raise GitError("git is not installed") from exc
        with process:
            assert process.stdout is not None
            token = bytearray()
            while chunk := process.stdout.read(1 << 16):
                start = 0
                while (end := chunk.find(b"\0", start)) >= 0:
                    token += chunk[start:end][:MAX_TOKEN_BYTES - len(token)]
                    yield token.decode("utf-8", "surrogateescape")
                    token.clear()
                    start = end + 1
                token += chunk[start:][:MAX_TOKEN_BYTES - len(token)]
            if token:
                yield token.decode("utf-8", "surrogateescape")
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read(4096).decode("utf-8", "replace").strip()
            raise GitError(message or f"git {args[0]} failed")


def _changes(rest: list[str]) -> tuple[FileChange, ...] | None:
    """The files a commit changed, from `--raw -z`: `:mode mode blob blob status`, then one path (two
    for a rename or a copy); None when the records are not that."""
    changes = []
    i = 0
    while i < len(rest):
        meta = rest[i].lstrip("\n").split()
        if len(meta) < 5 or not meta[0].startswith(":") or i + 1 >= len(rest):
            return None
        status, blob = meta[4][0], meta[3]
        if status in "RC":
            if i + 2 >= len(rest):
                return None
            changes.append(FileChange(status, rest[i + 1], rest[i + 2], blob))
            i += 3
        else:
            changes.append(FileChange(status, rest[i + 1], rest[i + 1], blob))
            i += 2
    return tuple(changes)
