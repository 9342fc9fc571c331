"""The build cache: what one build leaves for the next, in `.scorecard-cache/` at the site root.

It holds every prepared assessment file (parsed, scored, body rendered), keyed by a digest of
everything that file's preparation reads, each assessment's view, and for every page of the
output a digest of what it was rendered from (view model, templates, site). The site record also
keeps each content file's stamp and digest, so that a build with nothing changed can tell so from
`stat` alone (`input_records`). A later build reuses a prepared file whose key is unchanged, and
carries over an output file whose page key is unchanged (and which is still the file it wrote:
same size and modification time) instead of rendering it again.

The cache is never trusted blindly. It is ignored, and rebuilt, when it is missing, truncated,
of another format, written by another version of scorecard or its libraries (a digest of their
code is part of it), or not signed with this machine's key: the cache is pickled, and a pickle
can run code when loaded, so one committed to a repository by someone else must never be read.
How its files are written, signed and read, each dict part a base and a delta of what changed
since, is `cachefiles`'s business.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from scorecard.core.diagnostics import Diagnostic
from scorecard.core.options import BuildOptions
from scorecard.incremental.cachefiles import (
    CacheIgnoredError,
    PartsDigest,
    Stored,
    digest,
    load_dict_part,
    load_part,
    save_dict_part,
    save_part,
)
from scorecard.pipeline.reuse import Files, History, LastBuild, NoReuse, RenderPlan, Reuse
from scorecard.publish.writer import Streamed
from scorecard.source.history import history_state

if TYPE_CHECKING:  # a build that finds nothing changed needs only the site record: see `unchanged`
    import jinja2

    from scorecard.core.assessment import Assessment
    from scorecard.incremental.fragments import FragmentStore
    from scorecard.pipeline.prepare import Body, Job, Parsed
    from scorecard.site.model import Scored, SiteModel
    from scorecard.site.views import AssessmentView
    from scorecard.source.content import Listing, Sources, Stamp


class Prepared(NamedTuple):
    """An assessment file parsed and scored, and its body rendered."""

    parsed: Parsed
    body: Body | None
    """None: not rendered yet (the file has errors, or this build has not come to it)."""


class HistoryRecord(NamedTuple):
    """The git history, and the state of the repository it was read at (`history_state`)."""

    git_state: str
    history: History

PARTS = ("prepared", "views", "fragments")
"""The dict parts of the cache: prepared files, assessment views and list-page rows, each by key."""


@dataclass(frozen=True)
class FileRecord:
    """An output file as the last build left it."""

    key: bytes
    """Digest of what the file was made from (for a page: its view, templates and site)."""
    size: int
    mtime_ns: int


class InputRecord(NamedTuple):
    """A content file as the last build found it."""

    stamp: Stamp | None
    """Its stamp; None when it had changed too shortly before it was found for the stamp to tell a
    later change from that one (it is read again next time)."""
    digest: bytes
    """Digest of its bytes."""


MADE_AGAIN = b""
"""The key of an output file that no build keeps, made again every time (no digest is empty)."""


SETTLED_NS = 2_000_000_000
"""A file whose stamp (mtime or ctime) is less than this before the listing that found it is read
again next time, whatever its stamp says: another change within the same tick of the clock or of the
file system's timestamps (2 s on FAT) would leave the same stamp. Git's index treats such "racily
clean" entries the same way."""


@dataclass
class SiteRecord:
    """The last build as a whole: enough to tell that nothing changed since, and to say what it said."""

    key: bytes
    """Digest of every input: content files, options, themes, git state, the day."""
    diagnostics: tuple[Any, ...]
    assessments: int
    files: dict[str, FileRecord]
    """Every file of the output, by path."""
    inputs: dict[str, InputRecord]
    """Every content file, by path as shown: its stamp and digest, so that a file whose stamp is
    unchanged need not be read."""


def reuse_for(options: BuildOptions) -> Reuse:
    """What a build of the site reuses: the cache at its root, or nothing when the options say so (`--no-cache`)."""
    return BuildCache(options.root) if options.cache else NoReuse("off")


class BuildCache:
    """What the last build left for this one, and what this one leaves for the next: the `Reuse` of
    the incremental layer. One object serves the builds of one process (`scorecard serve` keeps it
    between its builds, so what it saved need not be read back)."""

    def __init__(self, root: Path):
        self.root = root
        self.site: SiteRecord | None = None
        self.history_record: HistoryRecord | None = None
        self._status = "empty"
        self.parts: dict[str, dict[bytes, Any]] = {}
        """The dict parts read or set so far, by name; each is saved at the end."""
        self.stored: dict[str, Stored] = {}
        """What the cache's files hold of each dict part read, so that saving writes only what changed."""
        self.opened = False
        # This build's state, set as its stages run.
        self.site_key = b""
        self.git_state = ""
        self.inputs: dict[str, InputRecord] = {}
        """This build's record of each content file."""
        self.file_keys: dict[str, bytes] = {}
        """This build's key of each assessment file, by path."""
        self.known_keys: dict[str, bytes] = {}
        """The key of each assessment file not read (`known`), by path."""
        self.prepared_now: dict[str, Prepared] = {}
        self.view_digests: dict[str, bytes] = {}
        self.known_views: dict[str, AssessmentView] = {}
        self.fragment_store: FragmentStore | None = None
        self.digests: dict[str, bytes] = {}
        """Digest of what each output file was made from (a page's key), by path."""

    def status(self) -> str:
        return self._status

    # -- reading the cache ----------------------------------------------------------------------

    def open(self) -> None:
        """Read the site record the last build left, unless this object holds it from a build of its own."""
        if self.opened and self._status.split(";")[0] in ("used", "empty"):
            self._status = "used"
            return
        self.opened = True
        self.parts, self.stored = {}, {}
        try:
            found = load_part(self.root, "site")
        except CacheIgnoredError as exc:
            self._status = f"ignored: {exc}"
            return
        if found is None:
            self._status = "empty"
            return
        try:
            site, history = found
        except (TypeError, ValueError):
            self._status = "ignored: damaged"
            return
        self.site = site if isinstance(site, SiteRecord) else None
        self.history_record = history if isinstance(history, HistoryRecord) else None
        self._status = "used"

    def part(self, name: str) -> dict[bytes, Any]:
        """The dict part `name` as the last build left it (read on first use: a build with nothing
        changed never needs it); empty when there is none or it cannot be trusted."""
        if name not in self.parts:
            self.parts[name] = self._load_part(name)
        return self.parts[name]

    def _load_part(self, name: str) -> dict[bytes, Any]:
        if self._status.split(";")[0] != "used":
            return {}
        try:
            stored = load_dict_part(self.root, name)
        except CacheIgnoredError as exc:
            self._status += f"; {name} ignored: {exc}"
            return {}
        if stored.problem:
            self._status += f"; {name} {stored.problem}"
        self.stored[name] = stored
        return dict(stored.entries)

    def set_part(self, name: str, entries: dict[bytes, Any]) -> None:
        """This build's entries of the part `name`: what the next build gets."""
        self.parts[name] = entries
        if name in self.stored:  # entries no longer used need not stay in memory until saving
            self.stored[name].keep_only(entries)

    # -- the stages -----------------------------------------------------------------------------

    def unchanged(self, options: BuildOptions, listing: Listing, themes: Sequence[Path]) -> LastBuild | None:
        """The site's key digests each content file's bytes: the digest the last build recorded while
        the file's stamp is the same, else the file is read."""
        self.open()
        self.git_state = history_state(options.root, options.content_dir)
        today = options.today or dt.date.today()
        last = self.site
        self.inputs = input_records(listing, last.inputs if last else {})
        self.site_key = digest(repr(replace(options, today=today)).encode(),
                               self.git_state.encode("utf-8", "surrogateescape"),  # a site folder not UTF-8
                               theme_digest(themes),
                               *(part for path, record in sorted(self.inputs.items())
                                 for part in (path.encode(), record.digest)))
        if not (last and last.key == self.site_key and output_unchanged(last.files, options.output_dir)):
            return None
        if last.inputs != self.inputs:  # files read again, the same bytes: keep their stamps as they are now
            last.inputs = self.inputs
            save_part(self.root, "site", (last, self.history_record))
        return LastBuild(last.diagnostics, last.assessments, tuple(last.files))

    def known(self, listing: Listing, prefix: str, unsafe_html: bool) -> frozenset[str]:
        """A file need not be read when its stamp is the one recorded with its digest, and so is the
        rubric's (or there is none, as before), and a file of that digest is prepared in the cache."""
        import scorecard.pipeline.prepare  # noqa: F401 - what the part holds: only records of modules imported are read
        from scorecard.source.content import RUBRIC_FILE, assessment_slug

        self.known_keys = {}
        rubric_path = f"{prefix}/{RUBRIC_FILE}"
        rubric = self.inputs.get(rubric_path)
        listed = listing.files.get(rubric_path)
        if (rubric is None) != (listed is None) or (rubric and listed and rubric.stamp != listed.stamp):
            return frozenset()  # the rubric's record is not this listing's: every file is read
        entries = self.part("prepared")
        rubric_key = prepared_rubric_key(rubric.digest if rubric else None, unsafe_html)
        for path, found in listing.files.items():
            record = self.inputs.get(path)
            slug = assessment_slug(path, prefix)
            if record is None or record.stamp is None or record.stamp != found.stamp or slug is None:
                continue
            key = prepared_key(rubric_key, path, slug, record.digest)
            if key in entries:
                self.known_keys[path] = key
        return frozenset(self.known_keys)

    def prepared(self, sources: Sources, unsafe_html: bool,
                 prepare: Callable[[list[Job]], list[Parsed]]) -> dict[str, Parsed]:
        """A file's key is a digest of everything its parsing reads: its path, slug, bytes and the rubric
        (for a file not read, the key `known` found: the digests recorded of both)."""
        from scorecard.pipeline.prepare import Job

        rubric_key = prepared_rubric_key(digest(sources.rubric_bytes) if sources.rubric_bytes is not None else None,
                                         unsafe_html)
        self.file_keys = {f.path: self.known_keys[f.path] if f.text is None
                          else prepared_key(rubric_key, f.path, f.slug, digest(f.text.encode()))
                          for f in sources.files}
        self.known_keys = {}
        known = self.part("prepared")
        found = {path: known[key] for path, key in self.file_keys.items() if key in known}
        todo = [Job(f.path, f.slug, f.text) for f in sources.files if f.path not in found and f.text is not None]
        found.update((job.path, Prepared(parsed, None)) for job, parsed in zip(todo, prepare(todo), strict=True))
        self.prepared_now = found
        return {path: entry.parsed for path, entry in found.items()}

    def bodies(self, assessments: Sequence[Assessment], titles: Mapping[str, str],
               render: Callable[[list[Assessment]], list[Body]]) -> dict[str, Body]:
        """A cached body is used while the titles it showed are unchanged."""
        bodies: dict[str, Body] = {}
        for a in assessments:
            body = self.prepared_now[a.path].body
            if body is not None and body.still_valid(titles):
                bodies[a.path] = body
        todo = [a for a in assessments if a.path not in bodies]
        bodies.update(zip((a.path for a in todo), render(todo), strict=True))
        self.set_part("prepared", {self.file_keys[path]: Prepared(parsed, bodies.get(path))
                                   for path, (parsed, _) in self.prepared_now.items()})
        self.prepared_now = {}
        return bodies

    def history(self, options: BuildOptions, read: Callable[[], History]) -> History:
        if self.history_record is not None and self.history_record.git_state == self.git_state:
            return self.history_record.history
        history = read()
        self.history_record = HistoryRecord(self.git_state, history)
        return history

    def views(self, scored: Sequence[Scored], make: Callable[[Scored], AssessmentView]) -> dict[str, AssessmentView]:
        """A view's key is its file's key, the titles of its related assessments and which of its
        exemptions have expired (that depends on the day, not on the file)."""
        titles = {s.assessment.slug: s.assessment.title for s in scored}
        known, made, views = self.part("views"), {}, {}
        self.view_digests = {}
        for s in scored:
            a = s.assessment
            key = self.view_digests[a.slug] = digest(
                self.file_keys[a.path], *(titles.get(slug, slug).encode() for slug in a.related),
                *(f"expired {r.section}.{r.item}".encode() for r in a.responses if r.expired))
            views[a.slug] = made[key] = known.get(key) or make(s)
        self.set_part("views", made)
        self.known_views = views
        return views

    def plan(self, model: SiteModel, env: jinja2.Environment, made: Mapping[str, bytes],
             output_dir: Path) -> RenderPlan:
        """A file is kept when its key is the one the last build recorded for it and the file is still the one it
        wrote."""
        from scorecard.incremental.fragments import FragmentStore
        from scorecard.incremental.pagekeys import page_keys, templates_digest, view_keys

        known = view_keys(model, self.known_views, self.view_digests)
        keys = page_keys(model, env, known)
        keys.update((path, digest(data)) for path, data in made.items())
        out = os.fspath(output_dir)
        last = self.site.files if self.site else {}
        kept = frozenset(path for path, key in keys.items()
                         if unchanged_file(last.get(path), key, os.path.join(out, path)))
        self.digests = keys
        self.fragment_store = FragmentStore(templates_digest(env), self.part("fragments"), known)
        return RenderPlan(kept, self.fragment_store)

    def watch(self, files: Files) -> Files:
        """Note each file made that has no key yet (exports, static files): the digest of its bytes, or
        for a streamed file (an export of every assessment, made again by every build since it has no
        key to be kept by) MADE_AGAIN, so that its tens of megabytes are not hashed for nothing."""
        for path, data in files:
            if path not in self.digests:
                self.digests[path] = MADE_AGAIN if isinstance(data, Streamed) else digest(data)
            yield path, data

    def finish(self, diagnostics: Sequence[Diagnostic], assessments: int, kept: frozenset[str],
               output_dir: Path) -> None:
        """Leave this build for the next; best-effort, since a build does not need it.

        Each dict part writes only the entries that are new since it was read (see `save_dict_part`);
        the site record is small and written whole."""
        if self.fragment_store is not None:
            self.set_part("fragments", self.fragment_store.used)
        previous = self.site.files if self.site else {}
        self.site = SiteRecord(self.site_key, tuple(diagnostics), assessments,
                               record_files(self.digests, output_dir, {path: previous[path] for path in kept}),
                               self.inputs)
        self.save()

    def save(self) -> None:
        """Write what this object holds to the cache's files."""
        for name, entries in self.parts.items():
            stored = save_dict_part(self.root, name, entries, self.stored.get(name))
            if stored is None:
                self.stored.pop(name, None)  # not known what the files hold: the next save writes the part whole
            else:
                self.stored[name] = stored
        save_part(self.root, "site", (self.site, self.history_record))


def prepared_rubric_key(rubric: bytes | None, unsafe_html: bool) -> bytes:
    """What every prepared file's key holds of the rubric (the digest of its bytes; None: the default
    rubric) and of the options that change how a file is prepared."""
    return digest(rubric or b"", repr(unsafe_html).encode())


def prepared_key(rubric_key: bytes, path: str, slug: str, content: bytes) -> bytes:
    """A prepared file's key: the rubric's part (`prepared_rubric_key`), the file's path and slug, and the
    digest of its bytes (UTF-8 text encodes back to the bytes it was decoded from)."""
    return digest(rubric_key, path.encode(), slug.encode(), content)


def input_records(listing: Listing, known: Mapping[str, InputRecord]) -> dict[str, InputRecord]:
    """Each content file's record: as `known` has it while its stamp is the same, else with the digest
    of its bytes as they are now. A stamp too close to the listing is not kept (see `SETTLED_NS`)."""
    settled_before = listing.started_ns - SETTLED_NS
    records = {}
    for path, found in listing.files.items():
        record = known.get(path)
        if record is None or record.stamp is None or record.stamp != found.stamp:
            settled = max(found.stamp.mtime_ns, found.stamp.ctime_ns) < settled_before
            record = InputRecord(found.stamp if settled else None, file_digest(found.full))
        records[path] = record
    return records


def file_digest(path: str) -> bytes:
    """Digest of the file's bytes; empty, which no digest is, when it cannot be read (the build reads
    it again and says why)."""
    try:
        with open(path, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return b""


def theme_digest(theme_dirs: Sequence[Path]) -> bytes:
    """A digest of every file of every theme in use (templates and static files)."""
    parts = PartsDigest()  # one file at a time: a theme's files are not held together
    for number, theme in enumerate(theme_dirs):
        if theme.is_dir():
            for path in sorted(p for p in theme.rglob("*") if p.is_file()):
                parts.update(f"{number}:{path.relative_to(theme).as_posix()}".encode())
                parts.update(path.read_bytes())
    return parts.digest()


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
