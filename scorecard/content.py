"""Reading a site's content directory: the rubric and every assessment file.

This is the I/O edge of loading: it finds files, reads their bytes and hands the text to the
pure parsers, then checks what only the whole set can tell (slugs that collide, `related`
entries that name no assessment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping

from .assessment import Assessment, parse_assessment
from .diagnostics import Diagnostic, did_you_mean, error
from .rubric import Rubric, default_rubric, parse_rubric

ASSESSMENTS_DIR = "assessments"
RUBRIC_FILE = "rubric.yml"
EXTENSIONS = (".md", ".markdown")


@dataclass(frozen=True)
class Content:
    """Everything a build reads from the content directory."""

    rubric: Rubric
    assessments: tuple[Assessment, ...]
    """Sorted by slug."""


def slugify(text: str) -> str:
    """A URL-safe lowercase name: runs of anything but letters and digits become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "-"


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
    """The rubric and assessment files under `content_dir`, keyed by `prefix/relative/path`."""
    files: dict[str, bytes] = {}
    diagnostics = []
    paths = [content_dir / RUBRIC_FILE] if (content_dir / RUBRIC_FILE).is_file() else []
    paths += [path for path, _ in find_assessment_files(content_dir / ASSESSMENTS_DIR)]
    for path in paths:
        shown = f"{prefix}/{path.relative_to(content_dir).as_posix()}"
        try:
            files[shown] = path.read_bytes()
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
    for shown in sorted(p for p in files if p.startswith(folder) and p.endswith(EXTENSIONS)):
        slug = slug_for(PurePosixPath(shown[len(folder):]))
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
    diagnostics += missing_related(assessments, set(by_slug))
    assessments.sort(key=lambda a: a.slug)
    return Content(rubric, tuple(assessments)), diagnostics


def find_assessment_files(directory: Path) -> list[tuple[Path, Path]]:
    """Every assessment file below `directory`, with its path relative to it, in sorted order."""
    if not directory.is_dir():
        return []
    found = [(p, p.relative_to(directory)) for p in directory.rglob("*") if p.suffix in EXTENSIONS and p.is_file()]
    return sorted(found, key=lambda pair: pair[1].as_posix())


def decode(data: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's bytes as UTF-8 text, or a diagnostic naming the line of the first bad byte."""
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


def missing_related(assessments: list[Assessment], slugs: set[str]) -> list[Diagnostic]:
    """An error for each `related` entry that names no assessment."""
    diagnostics = []
    for assessment in assessments:
        for name, line in zip(assessment.related, assessment.related_lines):
            if name not in slugs:
                diagnostics.append(error(assessment.path, line, f"related assessment '{name}' does not exist",
                                         did_you_mean(name, slugs)))
    return diagnostics
