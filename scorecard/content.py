"""Reading a site's content directory: the rubric and every assessment file.

This is the I/O edge of loading: it finds files, reads their bytes and hands the text to the
pure parsers, then checks what only the whole set can tell (slugs that collide, `related`
entries that name no assessment).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Mapping

from .assessment import Assessment, parse_assessment
from .diagnostics import Diagnostic, did_you_mean, error, warning
from .rubric import Rubric, default_rubric, parse_rubric
from .slugs import NO_SLUG, slugify

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


def slug_for(relative: Path) -> str:
    """The slug of an assessment file: its path under assessments/, without extension, slugified."""
    parts = list(relative.with_suffix("").parts)
    return "/".join(slugify(part) for part in parts)


def parse_site_rubric(text: str | None, path: str) -> tuple[Rubric | None, list[Diagnostic]]:
    """The site's rubric from the text of content/rubric.yml, or the default when there is none."""
    base = default_rubric()
    if text is None:
        return base, []
    return parse_rubric(text, path, base)


def load_content(content_dir: Path, root: Path) -> tuple[Content | None, list[Diagnostic]]:
    """Read the rubric and all assessments under `content_dir`, collecting every problem."""
    prefix = display_path(content_dir, root)
    if not content_dir.is_dir():
        return None, [error(prefix, None, "content directory not found",
                            "run scorecard at the root of a site, where content/ is")]
    files, diagnostics = read_content_files(content_dir, prefix)
    content, problems = content_from_files(files, prefix)
    return content, diagnostics + problems


def read_content_files(content_dir: Path, prefix: str) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The rubric and assessment files under `content_dir`, keyed by `prefix/relative/path`.

    Thousands of files are read on every build, even one that then finds nothing changed: paths
    are plain strings here (pathlib's objects cost more than the reading), and a folder's place
    inside content/ is checked once for all of its files.
    """
    files: dict[str, bytes] = {}
    rubric = content_dir / RUBRIC_FILE
    paths = [RUBRIC_FILE] if rubric.is_file() or rubric.is_symlink() else []
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
            size = status.st_size if plain else os.stat(full).st_size
            if size > MAX_FILE_BYTES:  # refused before it is read into memory
                diagnostics.append(too_large(shown, size))
                continue
            with open(full, "rb") as handle:
                files[shown] = handle.read()
        except OSError as exc:
            diagnostics.append(error(shown, None, f"cannot read file: {exc.strerror}"))
    return files, diagnostics


Parse = Callable[[str, str, str, Rubric], tuple[Assessment | None, list[Diagnostic]]]


def content_from_files(files: Mapping[str, bytes], prefix: str,
                       parse: Parse = parse_assessment) -> tuple[Content | None, list[Diagnostic]]:
    """Parse a content directory given as bytes keyed by path (from disk or from a git revision).

    `parse` parses one assessment (text, path, slug, rubric); the build passes one that reuses
    files it has already parsed.
    """
    rubric_path = f"{prefix}/{RUBRIC_FILE}"
    diagnostics: list[Diagnostic] = []
    rubric_text = None
    if rubric_path in files:
        rubric_text, diagnostics = decode(files[rubric_path], rubric_path)
        if rubric_text is None:
            return None, diagnostics
    rubric, problems = parse_site_rubric(rubric_text, rubric_path)
    diagnostics += problems
    if rubric is None:
        return None, diagnostics
    folder = f"{prefix}/{ASSESSMENTS_DIR}/"
    by_slug: dict[str, list[str]] = {}
    assessments = []
    for shown in sorted(p for p in files if p.startswith(folder) and is_assessment_file(p[len(folder):])):
        slug = slug_for(PurePosixPath(shown[len(folder):]))
        if NO_SLUG in slug.split("/"):
            diagnostics.append(error(shown, None, "the file name has no letters or digits to make a slug from",
                                     "rename the file (or its folder) to say what the initiative is"))
            continue
        by_slug.setdefault(slug, []).append(shown)
        text, problems = decode(files[shown], shown)
        diagnostics += problems
        if text is None:
            continue
        assessment, problems = parse(text, shown, slug, rubric)
        diagnostics += problems
        if assessment is not None:
            assessments.append(assessment)
    diagnostics += slug_collisions(by_slug)
    diagnostics += missing_related(assessments, set(by_slug), frozenset(by_slug) - {a.slug for a in assessments})
    diagnostics += alias_clashes(assessments, set(by_slug))
    assessments.sort(key=lambda a: a.slug)
    return Content(rubric, tuple(assessments)), diagnostics


def find_assessment_files(content_dir: Path, prefix: str) -> tuple[list[str], list[Diagnostic]]:
    """Every assessment file under content_dir/assessments/, as its path from content_dir
    (`assessments/team/x.md`), in sorted order, and what was skipped.

    Hidden files and folders (`.git`, `.obsidian`, `.draft.md`) are skipped silently. Symbolic
    links to folders are not followed (they could loop or lead anywhere): a warning each.
    """
    base = os.fspath(content_dir)
    found: list[str] = []
    diagnostics = []
    for folder, dirnames, filenames in os.walk(os.path.join(base, ASSESSMENTS_DIR)):  # does not follow links to folders
        here = Path(folder).relative_to(content_dir).as_posix()  # once per folder
        for name in sorted(dirnames):
            if not name.startswith(".") and os.path.islink(os.path.join(folder, name)):
                diagnostics.append(warning(f"{prefix}/{here}/{name}", None, "symbolic link to a folder: not followed",
                                           "move or copy the folder into content/assessments/"))
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        found += [f"{here}/{name}" for name in filenames if not name.startswith(".") and is_assessment_name(name)]
    return sorted(found), diagnostics


def unsafe_path(path: Path, content_dir: Path, shown: str) -> Diagnostic | None:
    """Why the file at `path` must not be read: a link leading outside content/, or not a plain file."""
    target = path.resolve()  # the link itself, or a folder on the way (assessments/ linked elsewhere)
    if not target.is_relative_to(content_dir.resolve()):
        return error(shown, None, f"symbolic link to '{target}', outside the content directory: not followed",
                     "copy the file into content/ instead of linking to it")
    if path.is_symlink() and not target.exists():
        return error(shown, None, "broken symbolic link", "remove it, or point it at an existing file")
    if not path.is_file():
        return error(shown, None, "not a regular file", "only Markdown files belong under content/assessments/")
    return None


def too_large(shown: str, size: int) -> Diagnostic:
    """The diagnostic for a file over MAX_FILE_BYTES."""
    return error(shown, None, f"the file is {size / 1_000_000:.1f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB",
                 "an assessment is a few kilobytes of text: is this the right file?")


def decode(data: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's bytes as UTF-8 text, or a diagnostic: too large, binary, or the line of the first bad byte."""
    if len(data) > MAX_FILE_BYTES:
        return None, [too_large(shown, len(data))]
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


def missing_related(assessments: list[Assessment], slugs: set[str], broken: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """An error for each `related` entry that names no assessment file (one with errors exists: its errors are reported)."""
    diagnostics = []
    for assessment in assessments:
        for name, line in zip(assessment.related, assessment.related_lines):
            if name not in slugs:
                diagnostics.append(error(assessment.path, line, f"related assessment '{name}' does not exist",
                                         hint_for_missing(name, slugs - broken, broken)))
    return diagnostics


def alias_clashes(assessments: list[Assessment], slugs: set[str]) -> list[Diagnostic]:
    """An error for each alias that is the slug of a file, or an alias of an earlier assessment (path order)."""
    diagnostics = []
    taken: dict[str, str] = {}
    for a in sorted(assessments, key=lambda a: a.path):
        for alias, line in zip(a.aliases, a.alias_lines):
            if alias in slugs:
                diagnostics.append(error(a.path, line, f"alias '{alias}' is the address of a live assessment",
                                         "an alias is a former slug, kept so old links still work; remove it or rename that file"))
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
