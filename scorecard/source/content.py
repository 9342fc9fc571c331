"""Reading a site's content directory: the rubric and every assessment file.

This is the I/O edge of loading: it finds files, reads their bytes and hands the text to the
pure parsers, then checks what only the whole set can tell (slugs that collide, `related`
entries that name no assessment).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from scorecard.core.diagnostics import Diagnostic, did_you_mean, error, visible, warning
from scorecard.core.slugs import NO_SLUG, slugify
from scorecard.source.gitrepo import TooLarge

if TYPE_CHECKING:  # parsing is imported where it happens: a build with nothing changed only reads the files
    from scorecard.core.assessment import Assessment
    from scorecard.core.rubric import Rubric

ASSESSMENTS_DIR = "assessments"
RUBRIC_FILE = "rubric.yml"
EXTENSIONS = (".md", ".markdown")
"""Compared without case: `X.MD` is read too."""
MAX_FILE_BYTES = 1_000_000
"""A content file larger than this (1 MB) is refused: an assessment is a few kilobytes."""


@dataclass(frozen=True)
class Content:
    """Everything a build reads from the content directory."""

    rubric: Rubric
    assessments: tuple[Assessment, ...]
    """Sorted by slug."""


def is_assessment_name(name: str) -> bool:
    """Whether a file name or path ends like an assessment file (`.md`, `.markdown`, in any case)."""
    return name.lower().endswith(EXTENSIONS)


def is_assessment_file(relative: str) -> bool:
    """Whether a path under assessments/ is read: an assessment name, and no hidden file or folder in it."""
    return is_assessment_name(relative) and not any(part.startswith(".") for part in relative.split("/"))


def slug_for(relative: PurePath) -> str:
    """The slug of an assessment file: its path under assessments/, without extension, slugified."""
    parts = list(relative.with_suffix("").parts)
    return "/".join(slugify(part) for part in parts)


def parse_site_rubric(text: str | None, path: str) -> tuple[Rubric | None, list[Diagnostic]]:
    """The site's rubric from the text of content/rubric.yml, or the default when there is none."""
    from scorecard.core.rubric import default_rubric, parse_rubric

    base = default_rubric()
    if text is None:
        return base, []
    return parse_rubric(text, path, base)


def load_content(content_dir: Path, root: Path) -> tuple[Content | None, list[Diagnostic]]:
    """Read the rubric and all assessments under `content_dir`, collecting every problem."""
    prefix = display_path(content_dir, root)
    if problem := content_dir_problem(content_dir, root):
        return None, [problem]
    files, diagnostics = read_content_files(content_dir, prefix)
    content, problems = content_from_files(files, prefix)
    return content, diagnostics + problems


def content_dir_problem(content_dir: Path, root: Path) -> Diagnostic | None:
    """Why nothing can be read from the content directory: it is not there, or it lies in the site as
    written but leads outside it through a symbolic link on the way (`content_dir: shared/content` with
    `shared` a link to another checkout): the working tree, which a pull request changes, may not read
    files from elsewhere into the site. (A content directory given outside the site, as the Python API
    may, is the caller's choice.)"""
    prefix = display_path(content_dir, root)
    if not content_dir.is_dir():
        return error(prefix, None, "content directory not found",
                     "run scorecard at the root of a site, where content/ is")
    if content_dir.absolute().is_relative_to(root.absolute()) \
            and not (target := content_dir.resolve()).is_relative_to(root.resolve()):
        return error(prefix, None, f"the content directory leads to '{target}', outside the site: nothing of it is "
                     "read", "keep the content in a folder of the site, not behind a symbolic link")
    return None


class Stamp(NamedTuple):
    """What `stat` says of a file: while it is the same, so are the file's bytes, unless the file was
    changed again within the clock tick of its last change (see `Listing.started_ns`)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    """Set by the system on every change of the file, to the time of the change: no tool can set it back."""
    inode: int
    device: int

    @classmethod
    def of(cls, status: os.stat_result) -> Stamp:
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


class Found(NamedTuple):
    """A content file found, not yet read."""

    full: str
    """Its path on disk."""
    stamp: Stamp
    """Its stamp when it was found (of the file a link inside content/ leads to, for a link)."""


@dataclass(frozen=True)
class Listing:
    """The rubric and assessment files of a content directory, found but not read."""

    files: dict[str, Found]
    """By path as diagnostics show it (`content/assessments/x.md`)."""
    started_ns: int
    """`time.time_ns()` before the first file was looked at: a file changed after that has a later
    ctime, save for the clock's tick and the file system's granularity."""


def read_content_files(content_dir: Path, prefix: str) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The rubric and assessment files under `content_dir` as bytes, keyed by `prefix/relative/path`."""
    listing, diagnostics = find_content_files(content_dir, prefix)
    files, problems = read_found(listing)
    return files, diagnostics + problems


def find_content_files(content_dir: Path, prefix: str) -> tuple[Listing, list[Diagnostic]]:
    """The rubric and assessment files under `content_dir`, keyed by `prefix/relative/path`, each with
    its stamp; what must not or cannot be read is a diagnostic instead.

    Thousands of files are looked at on every build, even one that then finds nothing changed: paths
    are plain strings here (pathlib's objects cost more than the `lstat`), and a folder's place
    inside content/ is checked once for all of its files.
    """
    started = time.time_ns()
    files: dict[str, Found] = {}
    rubric = content_dir / RUBRIC_FILE
    paths = [RUBRIC_FILE] if os.path.lexists(rubric) else []  # a pipe or a folder in its place is an error
    found, diagnostics = find_assessment_files(content_dir, prefix)
    top, base = content_dir.resolve(), os.fspath(content_dir)
    inside: dict[str, bool] = {}  # folder → whether it resolves inside content/
    for relative in paths + found:
        shown, full = f"{prefix}/{relative}", os.path.join(base, relative)
        folder = os.path.dirname(full)
        try:
            status = os.lstat(full)
            if folder not in inside:
                inside[folder] = Path(folder).resolve().is_relative_to(top)
            plain = stat.S_ISREG(status.st_mode) and inside[folder]
        except OSError:
            plain = False
        problem = None if plain else unsafe_path(Path(full), content_dir, shown)
        if problem:
            diagnostics.append(problem)
            continue
        try:
            status = status if plain else os.stat(full)  # a link inside content/: the file it leads to
        except OSError as exc:
            diagnostics.append(error(shown, None, f"cannot read file: {exc.strerror}"))
            continue
        if status.st_size > MAX_FILE_BYTES:  # refused before it is read into memory
            diagnostics.append(too_large(shown, status.st_size))
            continue
        files[shown] = Found(full, Stamp.of(status))
    return Listing(files, started), diagnostics


def read_found(listing: Listing) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The bytes of each file found, by path as shown; a diagnostic for each that cannot be read."""
    files: dict[str, bytes] = {}
    diagnostics: list[Diagnostic] = []
    for shown, found in listing.files.items():
        try:
            with open(found.full, "rb") as handle:
                files[shown] = handle.read()
        except OSError as exc:
            diagnostics.append(error(shown, None, f"cannot read file: {exc.strerror}"))
    return files, diagnostics


@dataclass(frozen=True)
class SourceFile:
    """One assessment file, decoded."""

    path: str
    """Its path as diagnostics show it (content/assessments/x.md)."""
    slug: str
    text: str | None
    """None: not read, since the build's earlier work already holds what was made of these very bytes
    (`Reuse.known`)."""


@dataclass(frozen=True)
class Sources:
    """A content directory read once: the rubric parsed, every assessment file decoded with its slug,
    and what was wrong on the way (undecodable files, slugs two files share, a broken rubric)."""

    rubric: Rubric | None
    """None when the rubric has errors: nothing can be scored then."""
    rubric_bytes: bytes | None
    """content/rubric.yml as read; None when the site uses the default rubric."""
    files: tuple[SourceFile, ...]
    """Sorted by path."""
    slugs: frozenset[str]
    """The slug of every assessment file found, readable or not (a link to a broken file is not a missing link)."""
    diagnostics: tuple[Diagnostic, ...]


def assessment_slug(path: str, prefix: str) -> str | None:
    """The slug of the file at `path` when it is an assessment file of the content directory at
    `prefix` (a path from the site root or the repository's root), else None: the one rule for what
    is an assessment file, for the files on disk and those of a git revision alike."""
    folder = f"{prefix}/{ASSESSMENTS_DIR}/" if prefix else f"{ASSESSMENTS_DIR}/"
    if not path.startswith(folder) or not is_assessment_file(path[len(folder):]):
        return None
    return slug_for(PurePosixPath(path[len(folder):]))


def sources_from_files(files: Mapping[str, bytes], prefix: str, unread: Iterable[str] = ()) -> Sources:
    """Decode a content directory given as bytes keyed by path (from disk or from a git revision);
    the assessment files at the paths `unread` are there but not read (their text is None)."""
    rubric_path = f"{prefix}/{RUBRIC_FILE}"
    diagnostics: list[Diagnostic] = []
    rubric_text = None
    rubric_bytes = files.get(rubric_path)
    if rubric_bytes is not None:
        rubric_text, diagnostics = decode(rubric_bytes, rubric_path)
    rubric, problems = parse_site_rubric(rubric_text, rubric_path) if not diagnostics else (None, [])
    diagnostics += problems
    by_slug: dict[str, list[str]] = {}
    found = []
    unread = frozenset(unread)
    for shown in sorted({*files, *unread}):
        slug = assessment_slug(shown, prefix)
        if slug is None:
            continue
        if NO_SLUG in slug.split("/"):
            diagnostics.append(error(shown, None, "the file name has no letters or digits to make a slug from",
                                     "rename the file (or its folder) to say what the initiative is"))
            continue
        by_slug.setdefault(slug, []).append(shown)
        if shown in unread:
            found.append(SourceFile(shown, slug, None))
            continue
        text, problems = decode(files[shown], shown)
        diagnostics += problems
        if text is not None:
            found.append(SourceFile(shown, slug, text))
    diagnostics += slug_collisions(by_slug)
    return Sources(rubric, rubric_bytes, tuple(found), frozenset(by_slug), tuple(diagnostics))


def assemble_content(sources: Sources,
                     assessments: Iterable[Assessment | None]) -> tuple[Content | None, list[Diagnostic]]:
    """The content from its sources and their assessments as parsed (None for a file too broken to
    parse), with the problems only the whole content shows (a `related` entry naming no assessment)."""
    if sources.rubric is None:
        return None, []
    parsed = sorted((a for a in assessments if a is not None), key=lambda a: a.slug)
    broken = sources.slugs - {a.slug for a in parsed}  # files with errors: links to them are not "missing"
    problems = missing_related(parsed, set(sources.slugs), broken) + alias_clashes(parsed, set(sources.slugs))
    return Content(sources.rubric, tuple(parsed)), problems


def content_from_files(files: Mapping[str, bytes], prefix: str) -> tuple[Content | None, list[Diagnostic]]:
    """Parse a content directory given as bytes keyed by path (from disk or from a git revision)."""
    from scorecard.core.assessment import parse_assessment

    sources = sources_from_files(files, prefix)
    diagnostics = list(sources.diagnostics)
    assessments = []
    if sources.rubric is not None:
        for file in sources.files:  # every one read: none is `unread` here
            assert file.text is not None
            assessment, problems = parse_assessment(file.text, file.path, file.slug, sources.rubric)
            diagnostics += problems
            assessments.append(assessment)
    content, problems = assemble_content(sources, assessments)
    return content, diagnostics + problems


MAX_FOLDER_DEPTH = 16
"""Folders under content/assessments/ nest at most this deep (`team/area/x.md` is 2): each level is a
level of the site's URLs, and a thousand of them broke builds."""


def find_assessment_files(content_dir: Path, prefix: str) -> tuple[list[str], list[Diagnostic]]:
    """Every assessment file under content_dir/assessments/, as its path from content_dir
    (`assessments/team/x.md`), in sorted order, and what was skipped.

    Hidden files and folders (`.git`, `.obsidian`, `.draft.md`) are skipped silently. Symbolic
    links to folders are not followed (they could loop or lead anywhere): a warning each; when
    content/ or content/assessments/ is itself a link, nothing is read (an error). The walk is a
    loop over a stack, not recursion, and stops at MAX_FOLDER_DEPTH; names that are not UTF-8 are
    errors (they cannot become addresses).
    """
    base = os.fspath(content_dir)
    found: list[str] = []
    diagnostics: list[Diagnostic] = []
    top = os.path.join(base, ASSESSMENTS_DIR)
    for folder, shown in ((base, prefix), (top, f"{prefix}/{ASSESSMENTS_DIR}")):
        if os.path.islink(folder):
            return [], [error(shown, None, "symbolic link to a folder: not followed, nothing under it is read",
                              f"make {shown} a folder of its own")]
    stack = [(top, ASSESSMENTS_DIR, 0)]
    while stack:
        folder, here, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted((entry.name, entry.is_dir(follow_symlinks=False), entry.is_symlink())
                                for entry in entries if not entry.name.startswith("."))
        except OSError:
            continue  # gone, or not a folder: os.walk skipped these too
        for name, is_dir, is_link in listed:
            shown = f"{prefix}/{here}/{name}"
            if not is_utf8(name):
                if is_dir or is_assessment_name(name):  # shown with its bytes written out: caf\xe9.md
                    diagnostics.append(error(visible(shown), None, "the name is not UTF-8: not read",
                                             "rename it with letters your system writes as UTF-8"))
                continue
            if is_dir and depth + 1 > MAX_FOLDER_DEPTH:
                diagnostics.append(error(shown, None, f"folders nest more than {MAX_FOLDER_DEPTH} deep: not read",
                                         "keep assessments in a few levels of folders"))
            elif is_dir:
                stack.append((os.path.join(folder, name), f"{here}/{name}", depth + 1))
            elif is_link and os.path.isdir(os.path.join(folder, name)):
                diagnostics.append(warning(shown, None, "symbolic link to a folder: not followed",
                                           "move or copy the folder into content/assessments/"))
            elif is_assessment_name(name):
                found.append(f"{here}/{name}")
    return sorted(found), diagnostics


def is_utf8(name: str) -> bool:
    """Whether a name read from the file system was valid UTF-8 (Python keeps other bytes as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unsafe_path(path: Path, content_dir: Path, shown: str) -> Diagnostic | None:
    """Why the file at `path` must not be read: a link leading outside content/, or not a plain file."""
    target = path.resolve()  # the link itself, or a folder on the way (assessments/ linked elsewhere)
    if not target.is_relative_to(content_dir.resolve()):
        return error(shown, None, f"symbolic link to '{target}', outside the content directory: not followed",
                     "copy the file into content/ instead of linking to it")
    if path.is_symlink() and not target.exists():
        return error(shown, None, "broken symbolic link", "remove it, or point it at an existing file")
    if not path.is_file():
        return error(shown, None, "not a regular file",
                     "make it a plain file, or remove it to use the default rubric" if path.name == RUBRIC_FILE
                     and path.parent == content_dir else "only Markdown files belong under content/assessments/")
    return None


def too_large(shown: str, size: int) -> Diagnostic:
    """The diagnostic for a file over MAX_FILE_BYTES."""
    return error(shown, None, f"the file is {size / 1_000_000:.1f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB",
                 "the files scorecard reads are a few kilobytes of text: is this the right file?")


def decode(data: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's bytes as UTF-8 text, or a diagnostic: too large, binary, or the line of the first bad byte."""
    if len(data) > MAX_FILE_BYTES or isinstance(data, TooLarge):  # TooLarge: a blob in git, never read
        return None, [too_large(shown, data.size if isinstance(data, TooLarge) else len(data))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # the byte-order mark of UTF-16 (or UTF-32)
        return None, [error(shown, 1, "the file is UTF-16, not UTF-8", "save the file as UTF-8")]
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        return None, [error(shown, line, "a binary file, not text (it contains a NUL byte)",
                            "only Markdown text files belong under content/assessments/")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [error(shown, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")]


def display_path(path: Path, root: Path) -> str:
    """`path` relative to the site root when it lies inside it, for diagnostics."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def slug_collisions(by_slug: dict[str, list[str]]) -> list[Diagnostic]:
    """An error on each file whose slug another file also has."""
    diagnostics = []
    for slug, paths in by_slug.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                diagnostics.append(error(path, None, f"slug '{slug}' is also the slug of {others}",
                                         "rename one of the files; slugs ignore case and punctuation"))
    return diagnostics


def missing_related(assessments: list[Assessment], slugs: set[str],
                    broken: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """An error for each `related` entry that names no assessment file (one with errors exists: its errors are
    reported)."""
    diagnostics = []
    for assessment in assessments:
        # a `related` that is not a list has a line but no names
        for name, line in zip(assessment.related, assessment.related_lines, strict=False):
            if name not in slugs:
                diagnostics.append(error(assessment.path, line, f"related assessment '{name}' does not exist",
                                         hint_for_missing(name, slugs - broken, broken)))
    return diagnostics


def alias_clashes(assessments: list[Assessment], slugs: set[str]) -> list[Diagnostic]:
    """An error for each alias that is the slug of a file, or an alias of an earlier assessment (path order)."""
    diagnostics = []
    taken: dict[str, str] = {}
    for a in sorted(assessments, key=lambda a: a.path):
        for alias, line in zip(a.aliases, a.alias_lines, strict=True):
            if alias in slugs:
                diagnostics.append(error(a.path, line, f"alias '{alias}' is the address of a live assessment",
                                         "an alias is a former slug, kept so old links still work; "
                                         "remove it or rename that file"))
            elif alias in taken:
                diagnostics.append(error(a.path, line, f"alias '{alias}' is also an alias of {taken[alias]}",
                                         "an old address can redirect to one assessment only"))
            else:
                taken[alias] = a.path
    return diagnostics


def hint_for_missing(name: str, slugs: Iterable[str], broken: Iterable[str]) -> str | None:
    """did_you_mean over every assessment file, saying so when the nearest one has errors."""
    broken = set(broken)
    hint = did_you_mean(name, [*slugs, *broken])
    for slug in broken:
        if hint == f"did you mean '{slug}'?":
            return f"{hint} ('{slug}' exists but has errors)"
    return hint
