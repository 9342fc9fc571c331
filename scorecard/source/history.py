"""Score history from git: how each assessment's scores moved, commit by commit.

`replay` is pure: given the commits that touched the content directory (oldest first) and the
bytes of every blob they name, it replays the directory's files commit by commit and scores the
assessments each commit changed — all of them when the rubric changed. `read_history` is the thin
I/O wrapper around it: one `git log`, the blobs' sizes, and `git cat-file --batch` for the newest
revisions within the bounds (`history_budget`, MAX_PLANNED_SCORES, MAX_COMMITS).

History is best-effort: a revision that does not parse is skipped, and outside a git repository,
without commits or without git the history is simply empty. Uncommitted changes are not history.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from scorecard.source import gitrepo
from scorecard.source.content import RUBRIC_FILE, assessment_slug, parse_site_rubric

if TYPE_CHECKING:  # scoring is imported where history is read: the build cache holds `HistoryPoint`s
    from scorecard.core.rubric import Rubric

SHORT_SHA = 7


@dataclass(frozen=True)
class HistoryPoint:
    """One commit that changed an assessment's scores (the first one created it)."""

    sha: str
    short: str
    """The first seven hex digits of the commit id."""
    date: dt.datetime
    """The commit's author date, with its time zone."""
    author: str
    subject: str
    """The first line of the commit message."""
    overall: Decimal
    """The overall score as shown (one decimal) after this commit."""
    grade: str
    previous: Decimal | None
    """The overall score as shown before this commit; None at the assessment's creation."""
    moved: tuple[str, ...]
    """What moved, as short texts: "Search 3 → 4", "Builds trust yes → partly", "overall 62.0 → 70.8"."""
    index: int
    """The commit's position in the log, oldest 0: orders changes that share a date."""
    boundary: bool = False
    """The commit is where a shallow clone's history starts: the scores are as of it, not made by it
    (git shows every file there as added, whether the commit touched it or not)."""
    gated: str = ""
    """The verdict a gate question decided at this commit, whatever the grade ("" when none fired)."""
    rubric_version: str = ""
    """The version of the rubric this commit was scored with (`Rubric.version`)."""
    cut: bool = False
    """A boundary (above) where the history read stops, not a shallow clone's: the revisions before it
    were beyond the bounds of what history reads (`history_budget`, MAX_PLANNED_SCORES, MAX_COMMITS)."""
    former_slugs: tuple[str, ...] = ()
    """On an assessment's newest point: the slugs it had before git renamed its file, oldest first."""


History = Mapping[str, tuple[HistoryPoint, ...]]
"""Per assessment slug, its points oldest first."""


@dataclass(frozen=True)
class _Snapshot:
    """What a revision of an assessment scored: enough to say what moved."""

    overall: Decimal
    grade: str
    values: dict[tuple[str, str], tuple[str, str]]
    """(section, item) → (item title, value as written: "4", "yes", "n/a", "unknown")."""
    gated: str = ""
    """The verdict a gate question decided ("" when none fired)."""
    rubric_version: str = ""


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


class _Scorer:
    """Parses and scores revisions, each distinct (rubric, blob) pair once."""

    def __init__(self, blobs: Mapping[str, bytes], rubric_path: str):
        self.blobs = blobs
        self.rubric_path = rubric_path
        self.rubrics: dict[str | None, Rubric | None] = {}
        self.snapshots: dict[tuple[str | None, str], _Snapshot | None] = {}

    def rubric(self, blob: str | None) -> Rubric | None:
        """The rubric of a revision of rubric.yml (None: the file is absent, so the default)."""
        if blob not in self.rubrics:
            text = None if blob is None else _text(self.blobs.get(blob))
            if blob is not None and text is None:
                self.rubrics[blob] = None
            else:
                self.rubrics[blob] = parse_site_rubric(text, self.rubric_path)[0]
        return self.rubrics[blob]

    def snapshot(self, key: tuple[str | None, str], path: str, slug: str) -> _Snapshot | None:
        """The scores of assessment blob key[1] under rubric blob key[0]; None when either does not parse."""
        if key not in self.snapshots:
            rubric = self.rubric(key[0])
            self.snapshots[key] = None if rubric is None else _score(rubric, self.blobs.get(key[1]), path, slug)
        return self.snapshots[key]


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _score(rubric: Rubric, data: bytes | None, path: str, slug: str) -> _Snapshot | None:
    from scorecard.core.assessment import parse_assessment
    from scorecard.core.scoring import score_assessment

    text = _text(data)
    if text is None:
        return None
    assessment, _problems = parse_assessment(text, path, slug, rubric)
    if assessment is None:
        return None
    card = score_assessment(rubric, assessment)
    titles = {(s.id, i.id): i.title for s in rubric.sections for i in s.items}
    values = {}
    for section in card.sections:
        for item in section.items:
            value = item.response.value
            text = "unknown" if value is None else str(value)
            if item.response.ratings:  # several assessors: the median, and who said what
                said = (f"{r.by} {'unknown' if r.value is None else r.value}" for r in item.response.ratings)
                text += " (" + ", ".join(said) + ")"
            values[(item.section, item.item)] = (titles[(item.section, item.item)], text)
    return _Snapshot(card.shown, card.grade, values, card.verdict if card.gate is not None else "", rubric.version)


def moves(before: _Snapshot, after: _Snapshot) -> tuple[str, ...]:
    """What moved between two revisions: each answer or score that changed, then the overall score."""
    moved = [f"{title} {before.values[key][1]} → {value}"
             for key, (title, value) in after.values.items()
             if key in before.values and before.values[key][1] != value]
    if before.overall != after.overall:
        moved.append(f"overall {before.overall} → {after.overall}")
    return tuple(moved)


@dataclass(frozen=True)
class _Step:
    """What one commit does to the assessments, decided before anything is parsed."""

    commit: gitrepo.Commit
    index: int
    moves: tuple[tuple[str, str | None], ...]
    """(old path, new path) of each rename out of or within assessments/; new None when deleted."""
    scores: tuple[tuple[str, str, tuple[str | None, str]], ...]
    """(path, slug, (rubric blob, assessment blob)) of each assessment to score at this commit."""
    added: frozenset[str] = frozenset()
    """The assessments this commit adds (not changes, renames or only scores again)."""


@dataclass(frozen=True)
class _Plan:
    """What the commits do, decided before anything is read or parsed."""

    steps: list[_Step]
    alive: dict[str, str]
    """The assessments at the last commit: path → slug."""
    final: dict[str, str]
    """The assessments at the last commit: path → blob."""
    first: int = 0
    """The oldest commit whose revisions are scored: those before were more than MAX_PLANNED_SCORES
    allows (their `scores` are left empty)."""
    cut: bool = False
    """The log holds only the newest MAX_COMMITS commits: the history before them is not read."""


def _plan(commits: list[gitrepo.Commit], prefix: str) -> _Plan:
    """Replay the file tree commit by commit: the steps, and the assessments alive at the end."""
    rubric_path = _join(prefix, RUBRIC_FILE)

    def is_assessment(path: str) -> bool:
        return assessment_slug(path, prefix) is not None

    def slug(path: str) -> str:
        return assessment_slug(path, prefix) or path

    tree: dict[str, str] = {}  # assessment path → blob id, at the commit being replayed
    rubric_blob: str | None = None
    steps: list[_Step] = []
    planned, first = 0, 0
    for index, commit in enumerate(commits):
        touched: set[str] = set()
        added: set[str] = set()
        renamed: list[tuple[str, str | None]] = []
        rubric_changed = False
        for change in commit.changes:
            if change.status == "R" and is_assessment(change.old_path):
                # The history travels with the file (git mv); moved out of assessments/, it ends.
                tree.pop(change.old_path, None)
                renamed.append((change.old_path, change.new_path if is_assessment(change.new_path) else None))
            if change.new_path == rubric_path or (change.status == "R" and change.old_path == rubric_path):
                rubric_changed = True
                rubric_blob = None if change.status == "D" or change.new_path != rubric_path else change.blob
            if not is_assessment(change.new_path):
                continue
            if change.status == "D":
                tree.pop(change.new_path, None)
                renamed.append((change.new_path, None))
            else:
                tree[change.new_path] = change.blob
                touched.add(change.new_path)
                if change.status == "A":
                    added.add(change.new_path)
        scores = tuple((path, slug(path), (rubric_blob, tree[path]))
                       for path in sorted(tree if rubric_changed else touched))
        steps.append(_Step(commit, index, tuple(renamed), scores, frozenset(added)))
        planned += len(scores)
        while planned > MAX_PLANNED_SCORES:  # the oldest revisions give way (every rubric change scores all)
            planned -= len(steps[first].scores)
            steps[first] = replace(steps[first], scores=())
            first += 1
    return _Plan(steps, {path: slug(path) for path in tree}, tree, first)


def replay(commits: list[gitrepo.Commit], blobs: Mapping[str, bytes], prefix: str,
           workers: int = 1, boundary: frozenset[str] = frozenset()) -> dict[str, tuple[HistoryPoint, ...]]:
    """Per slug, the commits that changed each assessment's scores, from the log and its blobs.

    Each distinct (rubric, assessment) revision is parsed and scored once, by up to `workers`
    processes when there are many. `boundary` holds a shallow clone's boundary commits: an
    assessment first seen at one is marked "as of" it, not created by it.
    """
    return _replay(_plan(commits, prefix), blobs, prefix, workers, boundary)


def _replay(plan: _Plan, blobs: Mapping[str, bytes], prefix: str, workers: int = 1,
            boundary: frozenset[str] = frozenset(), first: int = 0) -> dict[str, tuple[HistoryPoint, ...]]:
    """`replay` of a plan, scoring only the commits from index `first` on: an assessment that was there
    before is marked "as of" the first commit that scores it, as at a shallow clone's boundary."""
    first = max(first, plan.first)
    wanted: dict[tuple[str | None, str], tuple[str, str]] = {}
    for step in plan.steps[first:]:
        for path, slug, key in step.scores:
            wanted.setdefault(key, (path, slug))
    snapshots = _score_all(wanted, blobs, _join(prefix, RUBRIC_FILE), workers)
    lines = _Lines(prefix, boundary, cut=first > 0 or plan.cut)
    for step in plan.steps:
        for old, new in step.moves:
            lines.move(old, new)
        if step.index < first:
            continue
        for path, _slug, key in step.scores:
            if (snap := snapshots.get(key)) is not None:  # None: this revision (or the rubric at it) does not parse
                lines.score(path, snap, step)
    return lines.by_slug(plan.alive)


MAX_COMMITS = 100_000
"""History reads the newest this many commits that touched the content directory."""
MAX_PLANNED_SCORES = 500_000
"""History scores at most this many assessment revisions (a commit that changes the rubric scores every
assessment again); the oldest give way."""
HISTORY_BYTES = 256_000_000
HISTORY_TIMES = 8
"""History reads and parses at most HISTORY_BYTES of revisions, or HISTORY_TIMES the size of the
assessments at the last commit when that is more (`history_budget`)."""


def history_budget(final_bytes: int) -> int:
    """How many bytes of revisions (assessments and rubrics) history reads and parses at most: HISTORY_BYTES,
    or HISTORY_TIMES the size of the assessments the last commit holds (`final_bytes`) when that is more.
    A history is bounded by the work tree it ends in, not by how many commits a pull request can pack
    into a few kilobytes (thousands of revisions of a 1 MB file, or of the rubric, which scores every
    assessment again)."""
    return max(HISTORY_BYTES, HISTORY_TIMES * final_bytes)


def _parsed_bytes(sizes: Mapping[str, int], blob: str) -> int:
    """The bytes history parses of a blob: its size, or none for one that is missing or never read
    (over MAX_BLOB_BYTES)."""
    size = sizes.get(blob, 0)
    return size if size <= gitrepo.MAX_BLOB_BYTES else 0


def _first_scored(steps: Sequence[_Step], sizes: Mapping[str, int], allowed: int) -> int:
    """The index of the oldest commit whose revisions are scored: newest first, each distinct revision
    counted once with the bytes it parses (its rubric's too, once), until `allowed` is spent."""
    def cost(blob: str | None) -> int:
        return 0 if blob is None else _parsed_bytes(sizes, blob)

    counted: set[tuple[str | None, str]] = set()
    rubrics: set[str | None] = set()
    spent = 0
    for step in reversed(steps):
        new = {key for _path, _slug, key in step.scores if key not in counted}
        step_cost = sum(cost(blob) for _rubric, blob in new)
        step_cost += sum(cost(rubric) for rubric in {rubric for rubric, _blob in new} - rubrics)
        if spent + step_cost > allowed:
            return step.index + 1
        spent += step_cost
        counted |= new
        rubrics |= {rubric for rubric, _blob in new}
    return 0


class _Lines:
    """Each assessment's line of history as the commits are replayed, keyed by its current path."""

    def __init__(self, prefix: str, boundary: frozenset[str], cut: bool = False):
        self.prefix, self.boundary = prefix, boundary
        self.cut = cut
        """The history read starts after the first commit (it was cut): an assessment first scored at a
        commit that does not add it was there before, so its first point is "as of" that commit."""
        self.points: dict[str, list[HistoryPoint]] = {}
        self.last: dict[str, _Snapshot] = {}
        self.former: dict[str, list[str]] = {}
        """Current path → the slugs it had before, oldest first."""

    def move(self, old: str, new: str | None) -> None:
        """The file at `old` was renamed to `new`, or deleted (None)."""
        line, snap, was = self.points.pop(old, None), self.last.pop(old, None), self.former.pop(old, [])
        if new is None:
            return
        if line is not None and snap is not None:
            self.points[new], self.last[new] = line, snap
        old_slug = assessment_slug(old, self.prefix) or old
        self.former[new] = [s for s in was if s != old_slug] + [old_slug]

    def score(self, path: str, snap: _Snapshot, step: _Step) -> None:
        """The file at `path` scored `snap` at this step: a point when it is new or its scores moved."""
        before, commit = self.last.get(path), step.commit
        moved = moves(before, snap) if before is not None else ()
        if before is None or moved:
            cut = before is None and self.cut and path not in step.added
            self.points.setdefault(path, []).append(HistoryPoint(
                commit.sha, commit.sha[:SHORT_SHA], commit.date, commit.author, commit.subject,
                snap.overall, snap.grade, before.overall if before else None, moved, step.index,
                boundary=before is None and (commit.sha in self.boundary or cut), gated=snap.gated,
                rubric_version=snap.rubric_version, cut=cut))
        self.last[path] = snap

    def by_slug(self, alive: Mapping[str, str]) -> dict[str, tuple[HistoryPoint, ...]]:
        """The lines of the files still there, by their slug; the newest point names the former slugs."""
        for path, line in self.points.items():
            gone = tuple(s for s in self.former.get(path, ()) if s != alive.get(path))
            if gone and line:
                line[-1] = replace(line[-1], former_slugs=gone)
        return {alive[path]: tuple(line) for path, line in sorted(self.points.items()) if path in alive}


PARALLEL_FROM = 2000
"""Below this many revisions to score, starting processes costs more than it saves."""

def _score_chunk(chunk: Sequence[tuple[tuple[str | None, str], tuple[str, str]]],
                 scorer: _Scorer) -> list[_Snapshot | None]:
    return [scorer.snapshot(key, path, slug) for key, (path, slug) in chunk]


def _score_all(wanted: dict[tuple[str | None, str], tuple[str, str]], blobs: Mapping[str, bytes], rubric_path: str,
               workers: int) -> dict[tuple[str | None, str], _Snapshot | None]:
    """Score every wanted revision: in this process, or split between forked workers."""
    from scorecard.core.parallel import parallel_map

    items = list(wanted.items())
    results = parallel_map(_score_chunk, items, _Scorer(blobs, rubric_path), parallel_from=PARALLEL_FROM,
                           workers=workers)
    return {key: snap for (key, _), snap in zip(items, results, strict=True)}


def read_history(root: Path, content_dir: Path) -> dict[str, tuple[HistoryPoint, ...]]:
    """The score history of the site at `root` from git: empty outside a repository or without git."""
    repo = gitrepo.repo_root(root) if root.is_dir() else None
    if repo is None:
        return {}
    try:
        prefix = content_dir.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return {}  # the content directory lies outside the repository
    prefix = "" if prefix == "." else prefix
    try:
        commits = gitrepo.log(repo, prefix, most=MAX_COMMITS)
        plan = replace(_plan(commits, prefix), cut=len(commits) == MAX_COMMITS)
        sizes = gitrepo.blob_sizes(repo, _blobs(plan.steps))
        allowed = history_budget(sum(_parsed_bytes(sizes, blob) for blob in plan.final.values()))
        first = _first_scored(plan.steps, sizes, allowed)
        blobs = gitrepo.read_blobs(repo, _blobs(plan.steps[first:]), sizes)
    except gitrepo.GitError:
        return {}
    return _replay(plan, blobs, prefix, os.cpu_count() or 1, gitrepo.shallow_boundary(repo), first)


def _blobs(steps: Sequence[_Step]) -> list[str]:
    """The blobs that scoring `steps` reads: each revision of an assessment, and of the rubric it is scored with."""
    return [blob for step in steps for _path, _slug, key in step.scores for blob in key if blob is not None]


def history_state(root: Path, content_dir: Path) -> str:
    """What `read_history` depends on, as a key: the repository, its HEAD, whether it is shallow and where
    the content is ("" outside git)."""
    state = gitrepo.top_and_head(root) if root.is_dir() else None
    if state is None:
        return ""  # outside a repository, or one without commits: the history is empty either way
    return state + "\0" + content_dir.resolve().as_posix()
