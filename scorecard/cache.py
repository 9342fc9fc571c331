"""The build cache: what one build leaves for the next, in `.scorecard-cache/` at the site root.

It holds every prepared assessment file (parsed, scored, body rendered), keyed by a digest of
everything that file's preparation reads, and for every page of the output a digest of what it
was rendered from (view model, templates, site). A later build reuses a prepared file whose key
is unchanged, and carries over an output file whose page key is unchanged (and which is still
the file it wrote: same size and modification time) instead of rendering it again.

The cache is never trusted blindly. It is ignored, and rebuilt, when it is missing, truncated,
of another format, written by another version of scorecard or its libraries (a digest of their
code is part of it), or not signed with this machine's key: the cache is pickled, and a pickle
can run code when loaded, so one committed to a repository by someone else must never be read.
The key lives outside the site, in the user's cache directory.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import os
import pickle
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .prepare import Body, Parsed
from .timings import collector_paused

Prepared = tuple[Parsed, Body | None]
"""An assessment file parsed and scored, and its body rendered (None: not rendered, as the file has errors)."""

CACHE_DIR = ".scorecard-cache"
MAGIC = b"scorecard build cache\n"
FORMAT = 2
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml")


@dataclass(frozen=True)
class FileRecord:
    """An output file as the last build left it."""

    key: bytes
    """Digest of what the file was made from (for a page: its view, templates and site)."""
    size: int
    mtime_ns: int


@dataclass
class SiteRecord:
    """The last build as a whole: enough to tell that nothing changed since, and to say what it said."""

    key: bytes
    """Digest of every input: content files, options, themes, git state, the day."""
    diagnostics: tuple[Any, ...]
    assessments: int
    files: dict[str, FileRecord]
    """Every file of the output, by path."""


@dataclass
class BuildCache:
    """What the last build left for this one, and what this one leaves for the next."""

    root: Path | None = None
    """The site root whose cache this is; None for a build without cache."""
    site: SiteRecord | None = None
    history: tuple[str, Any] | None = None
    """The git state the history was read at, and the history."""
    status: str = "empty"
    """How the cache was found: "used", "empty" (none yet), "off", or why it was ignored."""
    file_keys: dict[str, bytes] = field(default_factory=dict)
    """This build's key of each assessment file, by path (not saved: the keys of `prepared`)."""
    _prepared: dict[bytes, Prepared] | None = None
    _views: dict[bytes, Any] | None = None
    _fragments: dict[bytes, str] | None = None

    @property
    def prepared(self) -> dict[bytes, Prepared]:
        """Prepared assessment files by key, read on first use (a build with nothing changed never needs them)."""
        if self._prepared is None:
            self._prepared = self._load_dict("prepared")
        return self._prepared

    @prepared.setter
    def prepared(self, value: dict[bytes, Prepared]) -> None:
        self._prepared = value

    @property
    def views(self) -> dict[bytes, Any]:
        """Each assessment's view (`site.assessment_view`) by a digest of what it shows, read on first use."""
        if self._views is None:
            self._views = self._load_dict("views")
        return self._views

    @views.setter
    def views(self, value: dict[bytes, Any]) -> None:
        self._views = value

    @property
    def fragments(self) -> dict[bytes, str]:
        """Rendered template fragments (`fragments.FragmentStore`) by key, read on first use."""
        if self._fragments is None:
            self._fragments = self._load_dict("fragments")
        return self._fragments

    @fragments.setter
    def fragments(self, value: dict[bytes, str]) -> None:
        self._fragments = value

    def _load_dict(self, name: str) -> dict[bytes, Any]:
        try:
            found = load_part(self.root, name) if self.root and self.status == "used" else None
        except CacheIgnored:
            found = None
        return found if isinstance(found, dict) else {}


# -- output files the last build wrote ------------------------------------------------------

def unchanged_file(record: FileRecord | None, key: bytes, path: Path) -> bool:
    """Whether the output file at `path` is the one `record` says was made from `key`."""
    if record is None or record.key != key:
        return False
    try:
        stat = path.lstat()
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


def output_unchanged(records: dict[str, FileRecord], out_dir: Path) -> bool:
    """Whether every file of the output is as the last build left it."""
    return all(unchanged_file(record, record.key, out_dir / path) for path, record in records.items())


def record_files(keys: dict[str, bytes], out_dir: Path) -> dict[str, FileRecord]:
    """What the next build needs to trust the files just written."""
    records = {}
    for path, key in keys.items():
        stat = (out_dir / path).lstat()
        records[path] = FileRecord(key, stat.st_size, stat.st_mtime_ns)
    return records


def digest(*parts: bytes) -> bytes:
    """A digest of the parts, each length-prefixed so that no two sequences collide."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


_fingerprint: bytes | None = None


def tool_fingerprint() -> bytes:
    """A digest of scorecard's own code and templates and of the libraries' versions it renders with."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent
        parts = [sys.version.encode(), str(FORMAT).encode()]
        for path in sorted(package.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".html", ".xml", ".css", ".js", ".svg"):
                parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
        for name in LIBRARIES:
            try:
                parts.append(f"{name} {importlib.metadata.version(name)}".encode())
            except importlib.metadata.PackageNotFoundError:
                parts.append(name.encode())
        _fingerprint = digest(*parts)
    return _fingerprint


def signing_key() -> bytes | None:
    """This user's key for signing caches, made on first use; None when it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "scorecard" / "cache-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except FileExistsError:
        return path.read_bytes()  # another build made it just now
    except OSError:
        return None


def load_cache(root: Path) -> BuildCache:
    """The cache the last build left at `root`, or an empty one (saying why) if it cannot be trusted."""
    try:
        found = load_part(root, "site")
    except CacheIgnored as exc:
        return BuildCache(root, status=f"ignored: {exc}")
    if found is None:
        return BuildCache(root)
    try:
        site, history = found
    except (TypeError, ValueError):
        return BuildCache(root, status="ignored: damaged")
    return BuildCache(root, site if isinstance(site, SiteRecord) else None, history, "used")


def save_cache(cache: BuildCache) -> None:
    """Leave `cache` for the next build; best-effort, since a build does not need it."""
    if cache.root is None:
        return
    if cache._prepared is not None:
        save_part(cache.root, "prepared", cache._prepared)
    if cache._views is not None:
        save_part(cache.root, "views", cache._views)
    if cache._fragments is not None:
        save_part(cache.root, "fragments", cache._fragments)
    save_part(cache.root, "site", (cache.site, cache.history))


class CacheIgnored(Exception):
    """A cache file that exists but must not be used; the message says why."""


def load_part(root: Path, name: str) -> Any:
    """The object saved as `name` in the cache at `root`; None when there is none; CacheIgnored when untrusted."""
    path = root / CACHE_DIR / f"{name}.pickle"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheIgnored(f"cannot read it ({exc.strerror})") from None
    key = signing_key()
    head = len(MAGIC) + 1
    if key is None:
        raise CacheIgnored("no signing key")
    if not data.startswith(MAGIC) or len(data) < head + 52 or data[len(MAGIC)] != FORMAT:
        raise CacheIgnored("not a cache of this format")
    fingerprint, signature, payload = data[head:head + 20], data[head + 20:head + 52], memoryview(data)[head + 52:]
    if fingerprint != tool_fingerprint():
        raise CacheIgnored("written by another version of scorecard")
    mac = hmac.new(key, name.encode() + fingerprint, "sha256")
    mac.update(payload)  # a view, not a copy: the payload can be hundreds of megabytes
    if not hmac.compare_digest(signature, mac.digest()):
        raise CacheIgnored("not signed on this machine, or damaged")
    try:
        with collector_paused():
            return pickle.loads(payload)
    except Exception:  # signed but unreadable (a bug, or a library that changed): like any other damage
        raise CacheIgnored("damaged") from None


def save_part(root: Path, name: str, value: Any) -> None:
    """Save `value` as `name` in the cache at `root`, atomically; best-effort."""
    key = signing_key()
    if key is None:
        return
    folder = root / CACHE_DIR
    fingerprint = tool_fingerprint()
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by scorecard: the build cache, never committed.\n*\n")
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            # The payload is pickled straight into the file, signed as it goes, and the signature
            # filled in last: the pickle is never held in memory whole.
            out.write(MAGIC + bytes([FORMAT]) + fingerprint + bytes(32))
            signed = _Signed(out, hmac.new(key, name.encode() + fingerprint, "sha256"))
            pickle.dump(value, signed, protocol=pickle.HIGHEST_PROTOCOL)
            out.seek(len(MAGIC) + 1 + len(fingerprint))
            out.write(signed.mac.digest())
        os.replace(temporary, folder / f"{name}.pickle")
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise


class _Signed:
    """A file to write to that signs what goes through it."""

    def __init__(self, out: Any, mac: hmac.HMAC):
        self.out, self.mac = out, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.out.write(data)
