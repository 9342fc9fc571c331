"""The build cache: what one build leaves for the next, in `.scorecard-cache/` at the site root.

It holds every prepared assessment file (parsed, scored, body rendered), keyed by a digest of
everything that file's preparation reads, each assessment's view, and for every page of the
output a digest of what it was rendered from (view model, templates, site). A later build
reuses a prepared file whose key is unchanged, and carries over an output file whose page key
is unchanged (and which is still the file it wrote: same size and modification time) instead
of rendering it again.

The cache is never trusted blindly. It is ignored, and rebuilt, when it is missing, truncated,
of another format, written by another version of scorecard or its libraries (a digest of their
code is part of it), or not signed with this machine's key: the cache is pickled, and a pickle
can run code when loaded, so one committed to a repository by someone else must never be read.
How its files are written, signed and read, each dict part a base and a delta of what changed
since, is `cachefiles`'s business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scorecard.incremental.cachefiles import CACHE_DIR as CACHE_DIR, CacheIgnored, Stored, digest as digest, load_dict_part, load_part
from scorecard.incremental.cachefiles import save_dict_part, save_part
from scorecard.pipeline.prepare import Body, Parsed

Prepared = tuple[Parsed, Body | None]
"""An assessment file parsed and scored, and its body rendered (None: not rendered, as the file has errors)."""


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


class DictPart:
    """A part of the cache that maps keys to values (`BuildCache.prepared`, `.views`, …): read on
    first use (a build with nothing changed never needs it), and saved by what changed."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, cache: BuildCache | None, owner: type | None = None) -> Any:
        if cache is None:
            return self
        if self.name not in cache.parts:
            cache.parts[self.name] = cache.load_dict(self.name)
        return cache.parts[self.name]

    def __set__(self, cache: BuildCache, value: dict[bytes, Any]) -> None:
        cache.parts[self.name] = value
        if self.name in cache.stored:  # entries no longer used need not stay in memory until saving
            cache.stored[self.name].keep_only(value)


@dataclass
class BuildCache:
    """What the last build left for this one, and what this one leaves for the next."""

    root: Path | None = None
    """The site root whose cache this is; None for a build without cache."""
    site: SiteRecord | None = None
    history: tuple[str, Any] | None = None
    """The git state the history was read at, and the history."""
    status: str = "empty"
    """How the cache was found: "used", "empty" (none yet), "off", or why it was ignored; "used"
    is followed by what of it was ignored, if anything ("used; prepared delta ignored: truncated")."""
    file_keys: dict[str, bytes] = field(default_factory=dict)
    """This build's key of each assessment file, by path (not saved: the keys of `prepared`)."""
    parts: dict[str, dict[bytes, Any]] = field(default_factory=dict)
    """The dict parts read or set so far, by name; each is saved at the end."""
    stored: dict[str, Stored] = field(default_factory=dict)
    """What the cache's files hold of each dict part read, so that saving writes only what changed."""

    prepared = DictPart()
    """Prepared assessment files by key (`Prepared`)."""
    views = DictPart()
    """Each assessment's view (`site.assessment_view`) by a digest of what it shows."""
    fragments = DictPart()
    """Rendered template fragments (`fragments.FragmentStore`) by key."""

    def load_dict(self, name: str) -> dict[bytes, Any]:
        """The dict part `name` as the last build left it; empty when there is none or it cannot be trusted."""
        if not self.root or self.status.split(";")[0] != "used":
            return {}
        try:
            stored = load_dict_part(self.root, name)
        except CacheIgnored as exc:
            self.status += f"; {name} ignored: {exc}"
            return {}
        if stored.problem:
            self.status += f"; {name} {stored.problem}"
        self.stored[name] = stored
        return dict(stored.entries)


# -- output files the last build wrote ------------------------------------------------------

def unchanged_file(record: FileRecord | None, key: bytes, path: str | Path) -> bool:
    """Whether the output file at `path` is the one `record` says was made from `key`."""
    if record is None or record.key != key:
        return False
    try:
        stat = os.lstat(path)
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


def output_unchanged(records: dict[str, FileRecord], out_dir: Path) -> bool:
    """Whether every file of the output is as the last build left it (paths joined as strings:
    a Path per file costs more than its lstat)."""
    base = os.fspath(out_dir)
    return all(unchanged_file(record, record.key, os.path.join(base, path)) for path, record in records.items())


def record_files(keys: dict[str, bytes], out_dir: Path, kept: dict[str, FileRecord]) -> dict[str, FileRecord]:
    """What the next build needs to trust the files just written: those carried over unchanged
    (`kept`, as the last build recorded them) keep their inode, so only the others are looked at."""
    records = {}
    for path, key in keys.items():
        record = kept.get(path)
        if record is None or record.key != key:
            stat = os.lstat(os.path.join(out_dir, path))
            record = FileRecord(key, stat.st_size, stat.st_mtime_ns)
        records[path] = record
    return records

def load_cache(root: Path, previous: BuildCache | None = None) -> BuildCache:
    """The cache the last build left at `root`, or an empty one (saying why) if it cannot be trusted.

    `previous` is the cache of the last build in this process (`scorecard serve` builds on every
    save), if any: what it holds is what it saved, so it is taken as it is instead of being read
    back from its files. Its entries are keyed by what they were made from, like those on disk.
    """
    if previous is not None and previous.root == root and previous.status.split(";")[0] in ("used", "empty"):
        return BuildCache(root, previous.site, previous.history, "used", parts=previous.parts, stored=previous.stored)
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
    """Leave `cache` for the next build; best-effort, since a build does not need it.

    Each dict part writes only the entries that are new since it was read (see `save_dict_part`);
    the site record is small and written whole."""
    if cache.root is None:
        return
    for name, entries in cache.parts.items():
        stored = save_dict_part(cache.root, name, entries, cache.stored.get(name))
        if stored is None:
            cache.stored.pop(name, None)  # not known what the files hold: the next save writes the part whole
        else:
            cache.stored[name] = stored
    save_part(cache.root, "site", (cache.site, cache.history))


