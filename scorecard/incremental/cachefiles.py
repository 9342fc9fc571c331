"""The build cache's files: signed pickles, and each dict part of the cache as a base and a delta.

Every file starts with MAGIC, the FORMAT byte and the tool's fingerprint (a digest of
scorecard's code and a stamp of each library's installed code). A whole part (the site record, or a dict part's
base) follows with its signature, an HMAC of its role, the fingerprint and the pickle (a dict
part's entries: pickles of up to BATCH entries each, one after another). A dict part's delta
(`name.delta`) follows with the signature of the base it extends, then chunks, each its length,
its signature and its entries pickled the same way; a chunk's signature covers the
previous chunk's (the first one's, the base's), so a delta is read only on top of the base it
was written for, and only whole. A build that reuses most entries appends one chunk of the new
ones instead of pickling the whole part again.

A file that is missing, truncated, of another format or version, or not signed with this
user's key is never unpickled (a pickle can run code when loaded): the key lives outside the
site, in the user's cache directory.
"""

from __future__ import annotations

import copyreg
import dataclasses
import enum
import functools
import hashlib
import hmac
import importlib.util
import io
import itertools
import os
import pickle
import stat
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from scorecard.pipeline.timings import collector_paused

CACHE_DIR = ".scorecard-cache"
MAGIC = b"scorecard build cache\n"
FORMAT = 6
LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "markdown_it_pyrs", "yaml")
"""The libraries whose code shapes what the cache holds (parsing, Markdown, templates), by module name."""


def digest(*parts: bytes) -> bytes:
    """A digest of the parts, each length-prefixed so that no two sequences collide."""
    pieces = PartsDigest()
    for part in parts:
        pieces.update(part)
    return pieces.digest()


class PartsDigest:
    """`digest` of parts that come one at a time: `update` with each, then `digest`."""

    def __init__(self) -> None:
        self.hash = hashlib.blake2b(digest_size=20)

    def update(self, part: bytes) -> None:
        self.hash.update(len(part).to_bytes(8, "little"))
        self.hash.update(part)

    def digest(self) -> bytes:
        return self.hash.digest()


@functools.cache
def tool_fingerprint() -> bytes:
    """A digest of scorecard's own code and templates and of the libraries it parses and renders with."""
    package = Path(__file__).resolve().parent.parent  # scorecard/
    parts = [sys.version.encode(), str(FORMAT).encode()]
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yml", ".html", ".xml", ".css", ".js", ".svg"):
            parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
    parts += [library_stamp(name).encode() for name in LIBRARIES]
    return digest(*parts)


def library_stamp(module: str) -> str:
    """The installed library `module` as a stamp: where its code is, with the size and modification
    time of its entry file, which installing another version (or the same again) rewrites. Found
    without importing it, or its package metadata: a build with nothing changed needs neither
    (importlib.metadata cost it some 9 ms of 160, measured end to end)."""
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return f"{module} missing"
        info = os.stat(origin)
    except (ImportError, ValueError, OSError):
        return f"{module} missing"
    return f"{module} {origin} {info.st_size} {info.st_mtime_ns}"


KEY_BYTES = 32
"""The signing key's exact length: a key file of any other length is never used, only replaced."""
KEY_READ_LIMIT = 4096
"""A key file is read no further than this (it could be a device or a huge file)."""


def _read_key(path: Path) -> bytes | None:
    """The key in `path` when it is a regular file (not a link) of exactly KEY_BYTES bytes; else None."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        data = os.read(handle, KEY_READ_LIMIT)
    except OSError:
        return None
    finally:
        os.close(handle)
    return data if len(data) == KEY_BYTES else None


def signing_key() -> bytes | None:
    """This user's key for signing caches, made on first use; None when it cannot be kept.

    The key is written to a temporary file that is renamed into place, so a build killed (or a
    disk that fills up) half-way leaves no key file rather than an empty or short one; a key file
    of the wrong length (from older versions, which wrote it in place) is replaced, and a key that
    cannot be made whole means no cache at all: nothing is ever signed or accepted with a weak key.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "scorecard" / "cache-key"
    key = _read_key(path)
    if key is not None:
        return key
    import secrets  # here, not above: made once per user, then only read
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".cache-key.", dir=path.parent)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        if _read_key(Path(temporary)) is None:
            return None
        try:
            os.link(temporary, path)  # only if there is none: a key another build made just now wins
        except FileExistsError:
            if _read_key(path) is None:  # a broken key (empty, short, a link): replace it
                os.replace(temporary, path)
        except OSError:
            os.replace(temporary, path)  # no hard links on this file system
    except OSError:
        return None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return _read_key(path)


class CacheIgnoredError(Exception):
    """A cache file that exists but must not be used; the message says why."""


# -- signed files ---------------------------------------------------------------------------

COMPACT_AT = 0.25
"""A dict part is written whole again when more than this share of its entries are no longer
used, or its delta holds more than this share of the base's count."""
LEFTOVER_SECONDS = 3600
"""A temporary file older than this was left by a build that was killed while saving."""


def _fraction(numerator: int, denominator: int) -> Fraction:
    """A Fraction from its two terms, in lowest terms already: made directly, three times faster
    than `Fraction(numerator, denominator)`, which reduces them again."""
    value = object.__new__(Fraction)
    value._numerator, value._denominator = numerator, denominator  # type: ignore[attr-defined]
    return value


_DIRECT = all(isinstance(getattr(Fraction, name, None), types.MemberDescriptorType)
              for name in ("_numerator", "_denominator"))
"""Whether Fraction keeps its terms in the slots `_fraction` fills (CPython's has for years; if not, the cache makes
them with `Fraction`)."""


def _reduce_fraction(value: Fraction) -> tuple[Any, tuple[int, int]]:
    return _fraction if _DIRECT else Fraction, (value.numerator, value.denominator)


_DISPATCH = {**copyreg.dispatch_table, Fraction: _reduce_fraction}
"""How the cache pickles: as pickle does, but a Fraction by its two integers (pickle's own way
stores its text, parsed again on loading: ten times slower for the tens of thousands of scores)."""


def _pickled(value: Any, out: Any) -> None:
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)


BATCH = 256
"""Entries of a dict part per pickle."""


def _pickled_entries(entries: dict[bytes, Any], out: Any) -> None:
    """A dict part's entries as pickles of up to BATCH entries each, one after another (one empty
    dict when there are none). A pickler holds every object it has written, and for each Markup a
    plain copy of its text, until it is done: the views and prepared files of 16,000 assessments
    pickled at once held some 500 MB more while the cache was saved, in batches a few megabytes."""
    each = iter(entries.items())
    batch = dict(itertools.islice(each, BATCH))
    _pickled(batch, out)
    while batch := dict(itertools.islice(each, BATCH)):
        _pickled(batch, out)


_PLAIN_TYPES = {
    ("fractions", "Fraction"), ("decimal", "Decimal"), ("datetime", "date"), ("datetime", "datetime"),
    ("datetime", "timedelta"), ("datetime", "timezone"), ("markupsafe", "Markup"),
    ("scorecard.incremental.cachefiles", "_fraction"),
}
"""What a cache file may name besides the project's own records: values, and the one function that
makes a Fraction from its terms."""


class _RecordsOnly(pickle.Unpickler):
    """An unpickler that makes only data: the project's own records (frozen dataclasses, named
    tuples, enums) and the plain types of `_PLAIN_TYPES`. A pickle that names anything else (a
    function such as os.system, a class whose unpickling runs code) is refused before it is made,
    so even a cache file that got past its signature cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN_TYPES:
            return super().find_class(module, name)
        if module == "scorecard" or module.startswith("scorecard."):
            found = getattr(sys.modules.get(module), name, None) if module in sys.modules else None
            if isinstance(found, type) and _is_record(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not data")


def _is_record(kind: type) -> bool:
    """Whether `kind` is one of the project's records: a dataclass, a named tuple or an enum that
    does nothing of its own when unpickled."""
    record = dataclasses.is_dataclass(kind) or (issubclass(kind, tuple) and hasattr(kind, "_fields")) \
        or issubclass(kind, enum.Enum)
    return record and not any("__setstate__" in vars(c) or "__reduce__" in vars(c) or "__reduce_ex__" in vars(c)
                              for c in kind.__mro__ if c.__module__.startswith("scorecard"))


def _unpickled(data: bytes, start: int, end: int) -> Any:
    """The value pickled in `data[start:end]`, read in place: a `BytesIO` over the file's bytes shares
    them, where one over a slice would copy them (hundreds of megabytes at 16,000 assessments). A
    dict part's entries, pickled in batches one after another, are read as one dict."""
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        with collector_paused():
            value = _RecordsOnly(stream).load()
            while stream.tell() < end:
                batch = _RecordsOnly(stream).load()
                if not isinstance(value, dict) or not isinstance(batch, dict):
                    raise CacheIgnoredError("damaged")
                value.update(batch)
    except Exception:  # signed but unreadable (a bug, a library that changed, a name that is not data): damage
        raise CacheIgnoredError("damaged") from None
    if stream.tell() != end:  # the last pickle ran past its signed bytes
        raise CacheIgnoredError("damaged")
    return value


def _head() -> bytes:
    return MAGIC + bytes([FORMAT]) + tool_fingerprint()


def _read_signed_file(path: Path) -> tuple[bytes, bytes] | None:
    """The file's bytes and this machine's key, once its head says it is a cache of this format and version."""
    if _unsafe_folder(path.parent):
        raise CacheIgnoredError(f"{CACHE_DIR} is a link or not a folder")
    data = read_regular_file(path, CACHE_LIMIT, _check_head)
    if data is None:
        return None
    key = signing_key()
    if key is None:
        raise CacheIgnoredError("no signing key")
    if len(data) < len(_head()) + 32:
        raise CacheIgnoredError("not a cache of this format")
    return data, key


def _check_head(head: bytes) -> None:
    """CacheIgnoredError unless a file's first bytes say it is a cache of this format and version: what
    is not (a file a pull request put there) is not read further."""
    start = len(MAGIC) + 1
    if not head.startswith(MAGIC) or len(head) < start + 20 or head[len(MAGIC)] != FORMAT:
        raise CacheIgnoredError("not a cache of this format")
    if head[start:start + 20] != tool_fingerprint():
        raise CacheIgnoredError("written by another version of scorecard")


def _signed(key: bytes, role: bytes, *parts: bytes | memoryview) -> bytes:
    mac = hmac.new(key, role + tool_fingerprint(), "sha256")
    for part in parts:
        mac.update(part)  # a view, not a copy: a payload can be hundreds of megabytes
    return mac.digest()


def _read_part(root: Path, name: str) -> tuple[bytes, Any] | None:
    """The signature and value of the whole part `name`; None when there is none; CacheIgnoredError when untrusted."""
    found = _read_signed_file(root / CACHE_DIR / f"{name}.pickle")
    if found is None:
        return None
    data, key = found
    start = len(_head())
    signature, payload = data[start:start + 32], memoryview(data)[start + 32:]
    if not hmac.compare_digest(signature, _signed(key, name.encode(), payload)):
        raise CacheIgnoredError("not signed on this machine, or damaged")
    return signature, _unpickled(data, start + 32, len(data))


def load_part(root: Path, name: str) -> Any:
    """The object saved as `name` in the cache at `root`; None when there is none; CacheIgnoredError when untrusted."""
    found = _read_part(root, name)
    return None if found is None else found[1]


def save_part(root: Path, name: str, value: Any) -> bytes | None:
    """Save `value` as `name` in the cache at `root`, atomically; its signature, or None if it could not be saved."""
    return _save_signed(root, name, functools.partial(_pickled, value))


def _save_signed(root: Path, name: str, dump: Callable[[Any], None]) -> bytes | None:
    """Save what `dump(file)` pickles as `name`, atomically; its signature, or None if it could not be saved."""
    key = signing_key()
    folder = _folder(root)
    if key is None or folder is None:
        return None

    def write(out: Any) -> bytes:
        # The payload is pickled straight into the file, signed as it goes, and the signature
        # filled in last: the pickle is never held in memory whole.
        out.write(_head() + bytes(32))
        signed = _Signed(out, hmac.new(key, name.encode() + tool_fingerprint(), "sha256"))
        dump(signed)
        signature = signed.mac.digest()
        out.seek(len(_head()))
        out.write(signature)
        return signature

    return _write_atomically(folder, f"{name}.pickle", write)


CACHE_LIMIT = 4 << 30
"""A cache file larger than this is ignored unread."""


def _unsafe_folder(folder: Path) -> bool:
    """True when `folder` exists and is not a real folder: a symbolic link (which could lead out of
    the site, say into the home directory) or a file. A working tree may carry one (a pull request
    can add `.scorecard-cache` as a link), so the cache is then neither read nor written."""
    try:
        return not stat.S_ISDIR(os.lstat(folder).st_mode)
    except FileNotFoundError:
        return False
    except OSError:
        return True


def read_regular_file(path: Path, limit: int, check_head: Callable[[bytes], None]) -> bytes | None:
    """The bytes of `path`; None when there is no such file; CacheIgnoredError when it is a link, a named
    pipe, a device or larger than `limit`: it is opened without following links or blocking, and
    read no further than its size. `check_head`, given the first bytes (as many as `_head()` holds),
    raises CacheIgnoredError to stop before the rest is read (a file of gigabytes of zeros packs into
    megabytes in git)."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheIgnoredError(f"cannot read it ({exc.strerror or exc})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise CacheIgnoredError("not a regular file")
        if info.st_size > limit:
            raise CacheIgnoredError(f"larger than {limit} bytes")
        with os.fdopen(os.dup(handle), "rb") as source:
            check_head(source.read(min(info.st_size, len(_head()))))
            source.seek(0)  # then the whole file in one read: no second copy of it is made
            return source.read(info.st_size)
    except OSError as exc:
        raise CacheIgnoredError(f"cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(handle)


def _folder(root: Path) -> Path | None:
    """The cache's folder at `root`, made (with its .gitignore) if need be; None if it cannot be, or if
    what is there is a link or a file (never followed: it could lead out of the site)."""
    folder = root / CACHE_DIR
    if _unsafe_folder(folder):
        return None
    try:
        folder.mkdir(exist_ok=True)
        if _unsafe_folder(folder):
            return None
        ignore = folder / ".gitignore"
        if not os.path.lexists(ignore):
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with open(os.open(ignore, flags, 0o644), "w", encoding="utf-8") as out:
                out.write("# Written by scorecard: the build cache, never committed.\n*\n")
    except OSError:
        return None
    return folder


T = TypeVar("T")


def _write_atomically(folder: Path, filename: str, write: Callable[[Any], T]) -> T | None:
    """Have `write` fill a new file that then replaces `folder/filename` whole; what `write` returned,
    or None on failure. Temporary files a killed build left long ago are removed."""
    import tempfile  # here, not above: a build with nothing changed mostly saves nothing

    prefix = f".{filename}."
    try:
        for leftover in folder.glob(f"{prefix}*"):
            if time.time() - leftover.stat().st_mtime > LEFTOVER_SECONDS:
                leftover.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=prefix, dir=folder)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            result = write(out)
        os.replace(temporary, folder / filename)
        return result
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        return None


# -- dict parts: a base and a delta -----------------------------------------------------------

@dataclass
class Stored:
    """A dict part as its files hold it: what a build read, and what it needs to add to them."""

    entries: dict[bytes, Any]
    """Every entry, the delta's over the base's (once the build has set the part: only those it uses)."""
    base: bytes
    """The base's signature (what a delta for it names)."""
    base_count: int
    held: int = 0
    """How many entries the files hold (base and delta)."""
    delta_count: int = 0
    """Entries in the delta (counted once per chunk they are in)."""
    tip: bytes | None = None
    """The signature of the delta's last chunk (the base's while there is no delta); None when
    the delta was ignored, so must be written afresh."""
    delta_size: int = 0
    """The delta file's size as read: if it grew since, another build appended to it."""
    problem: str = ""
    """Why the delta was ignored, if it was."""

    def keep_only(self, entries: dict[bytes, Any]) -> None:
        """Forget the entries held that `entries` does not use: only their number matters for saving."""
        self.entries = {key: self.entries[key] for key in entries if key in self.entries}


def load_dict_part(root: Path, name: str) -> Stored:
    """The dict part `name`: its base and, when it belongs with it and is whole, its delta."""
    found = _read_part(root, name)
    if found is None:
        return Stored({}, b"", 0)
    signature, entries = found
    if not isinstance(entries, dict):
        raise CacheIgnoredError("damaged")
    stored = Stored(entries, signature, len(entries))
    try:
        _read_delta(root, name, stored)
    except CacheIgnoredError as exc:
        stored.entries = entries
        stored.delta_count, stored.tip, stored.delta_size = 0, None, 0
        stored.problem = f"delta ignored: {exc}"
    stored.held = len(stored.entries)
    return stored


def _read_delta(root: Path, name: str, stored: Stored) -> None:
    found = _read_signed_file(root / CACHE_DIR / f"{name}.delta")
    if found is None:
        stored.tip = stored.base
        return
    data, key = found
    at = len(_head())
    if data[at:at + 32] != stored.base:
        raise CacheIgnoredError("written for another base (left by another build)")
    at, tip, view, chunks = at + 32, stored.base, memoryview(data), []
    while at < len(data):
        if len(data) < at + 40:
            raise CacheIgnoredError("truncated")
        length = int.from_bytes(data[at:at + 8], "little")
        signature, payload = data[at + 8:at + 40], view[at + 40:at + 40 + length]
        if len(payload) < length:
            raise CacheIgnoredError("truncated")
        if not hmac.compare_digest(signature, _signed(key, b"delta " + name.encode(), tip, payload)):
            raise CacheIgnoredError("not signed on this machine, or damaged")
        chunks.append((at + 40, at + 40 + length))
        at, tip = at + 40 + length, signature
    stored.entries = dict(stored.entries)  # the base's dict stays as read until the delta is known whole
    for start, end in chunks:
        entries = _unpickled(data, start, end)
        if not isinstance(entries, dict):
            raise CacheIgnoredError("damaged")
        stored.entries.update(entries)
        stored.delta_count += len(entries)
    stored.tip, stored.delta_size = tip, len(data)


def save_dict_part(root: Path, name: str, entries: dict[bytes, Any], stored: Stored | None) -> Stored | None:
    """Leave `entries` as the dict part `name`, writing only what the files (`stored`, as read) lack;
    what the files hold now (as `load_dict_part` would read it, for a next build in this process),
    or None if it could not be saved.

    New and changed entries are appended to the delta as one chunk; entries no longer used stay
    until the part is compacted: written whole as a new base, without a delta, when they or the
    delta grow past COMPACT_AT of it. Best-effort, like all saving."""
    if stored is None or not stored.base:
        return _save_base(root, name, entries)
    held = stored.entries
    new = {key: value for key, value in entries.items() if key not in held or not _same(value, held[key])}
    unused = stored.held - (len(entries) - len(new))  # entries held that this build did not use as they are
    if unused > COMPACT_AT * stored.held or stored.delta_count + len(new) > COMPACT_AT * stored.base_count:
        return _save_base(root, name, entries)
    if stored.tip is None:  # the delta was ignored: written afresh (held is the base alone)
        delta = _save_delta(root, name, stored.base, new)
        return None if delta is None else Stored(entries, stored.base, stored.base_count, stored.base_count + len(new),
                                                   len(new), *delta)
    if not new:
        return Stored(entries, stored.base, stored.base_count, stored.held, stored.delta_count, stored.tip,
                      stored.delta_size)
    delta = _append_delta(root, name, stored, new)
    if delta is None:
        return _save_base(root, name, entries)  # another build changed the delta since it was read
    return Stored(entries, stored.base, stored.base_count, stored.held + len(new), stored.delta_count + len(new),
                  *delta)


def _same(value: Any, held: Any) -> bool:
    """Whether an entry is the one read (a tuple of the same objects counts: `prepared` makes new tuples)."""
    if value is held:
        return True
    try:
        return bool(value == held)
    except Exception:
        return False


def _save_base(root: Path, name: str, entries: dict[bytes, Any]) -> Stored | None:
    signature = _save_signed(root, name, functools.partial(_pickled_entries, entries))
    if signature is None:
        return None
    (root / CACHE_DIR / f"{name}.delta").unlink(missing_ok=True)  # it names the old base: never read again
    return Stored(entries, signature, len(entries), len(entries), tip=signature)


def _chunk(key: bytes, name: str, tip: bytes, entries: dict[bytes, Any]) -> bytes:
    """A delta's chunk: the payload's length, its signature (covering the chunk before), the payload."""
    out = io.BytesIO()
    _pickled_entries(entries, out)
    payload = out.getbuffer()
    signature = _signed(key, b"delta " + name.encode(), tip, payload)
    return len(payload).to_bytes(8, "little") + signature + payload


def _save_delta(root: Path, name: str, base: bytes, entries: dict[bytes, Any]) -> tuple[bytes, int] | None:
    """Write the delta of `name` afresh: `entries` over the base signed `base` (none: no delta);
    the signature of its last chunk and its size, or None if it could not be written."""
    key, folder = signing_key(), _folder(root)
    if key is None or folder is None:
        return None
    if not entries:
        (folder / f"{name}.delta").unlink(missing_ok=True)
        return base, 0
    chunk = _chunk(key, name, base, entries)
    data = _head() + base + chunk
    return None if _write_atomically(folder, f"{name}.delta",
                                     lambda out: out.write(data)) is None else (chunk[8:40], len(data))


def _append_delta(root: Path, name: str, stored: Stored, entries: dict[bytes, Any]) -> tuple[bytes, int] | None:
    """Add `entries` to the delta of `name` as one chunk at its end; the signature of that chunk and
    the delta's size, or None if the delta is not the one read (another build changed it since).

    Appending is not atomic: a build killed meanwhile leaves a torn chunk, and the next build
    ignores the delta (and writes it afresh)."""
    if stored.delta_size == 0:  # none yet
        return _save_delta(root, name, stored.base, entries)
    key, folder = signing_key(), _folder(root)
    if key is None or folder is None or stored.tip is None:
        return None
    chunk = _chunk(key, name, stored.tip, entries)
    try:
        with open(os.open(folder / f"{name}.delta", os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)), "r+b") as out:
            if os.fstat(out.fileno()).st_size != stored.delta_size:
                return None
            out.seek(0, os.SEEK_END)
            out.write(chunk)
    except OSError:  # gone, or a write cut short (a torn chunk, which the next read ignores)
        return None
    return chunk[8:40], stored.delta_size + len(chunk)


class _Signed:
    """A file to write to that signs what goes through it."""

    def __init__(self, out: Any, mac: hmac.HMAC):
        self.out, self.mac = out, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        written: int = self.out.write(data)
        return written
