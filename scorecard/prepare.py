"""Preparing one assessment file: parse, score and render its body, independently of the others.

Everything the build does per file happens here, as one pure function of the file's text, the
rubric and the set of slugs (which body links consult). Being independent, files are prepared
in forked worker processes when there are enough of them, and a prepared file can be reused from
the build cache as long as its inputs are the same.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

from .assessment import Assessment, parse_assessment
from .diagnostics import Diagnostic
from .markdown import make_markdown, render_body
from .rubric import Rubric
from .scoring import Scorecard, score_assessment

PARALLEL_FROM = 400
"""Below this many files to prepare, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class Job:
    """One file to prepare."""

    path: str
    """The file's path as diagnostics show it (content/assessments/x.md)."""
    slug: str
    text: str


@dataclass(frozen=True)
class Prepared:
    """One assessment file, parsed, scored and with its body rendered."""

    assessment: Assessment | None
    """None when the file is too broken to be scored."""
    scorecard: Scorecard | None
    body_html: str
    parse_diagnostics: tuple[Diagnostic, ...]
    body_diagnostics: tuple[Diagnostic, ...]
    slugs_seen: tuple[tuple[str, bool], ...] | None
    """Each slug the body's links looked up, and whether it existed: the body's only dependence on
    the other files. None when the body depends on all of them (a broken link's hint names the nearest)."""

    def still_valid(self, slugs: frozenset[str]) -> bool:
        """Whether this body renders the same with `slugs` as the set of assessments."""
        return self.slugs_seen is not None and all((slug in slugs) == found for slug, found in self.slugs_seen)


class _Watched:
    """A view of a set of slugs that remembers every membership test made through it."""

    def __init__(self, slugs: frozenset[str]):
        self.slugs = slugs
        self.seen: dict[str, bool] = {}

    def __contains__(self, slug: object) -> bool:
        found = slug in self.slugs
        self.seen[str(slug)] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.slugs)

    def __len__(self) -> int:
        return len(self.slugs)


def prepare(job: Job, rubric: Rubric, slugs: frozenset[str], md=None) -> Prepared:
    """Parse, score and render one file (pure: the same inputs give the same result)."""
    assessment, parse_problems = parse_assessment(job.text, job.path, job.slug, rubric)
    if assessment is None:
        return Prepared(None, None, "", tuple(parse_problems), (), ())  # depends on no other file
    watched = _Watched(slugs)
    html, body_problems = render_body(md or make_markdown(), assessment.body, slug=assessment.slug, path=assessment.path,
                                      body_line=assessment.body_line, slugs=watched)  # type: ignore[arg-type]
    seen = None if body_problems else tuple(sorted(watched.seen.items()))
    return Prepared(assessment, score_assessment(rubric, assessment), html, tuple(parse_problems), tuple(body_problems), seen)


_shared: tuple[Rubric, frozenset[str]] | None = None  # what forked workers inherit


def _prepare_chunk(jobs: list[Job]) -> list[Prepared]:
    assert _shared is not None
    gc.freeze()  # leave the objects inherited from the parent alone: scanning them costs time and copies their pages
    md = make_markdown()
    return [prepare(job, *_shared, md=md) for job in jobs]


def prepare_all(jobs: list[Job], rubric: Rubric, slugs: frozenset[str], *, workers: int | None = None,
                done: Callable[[int], None] | None = None) -> list[Prepared]:
    """Prepare every job, in order: in this process, or shared between forked workers."""
    global _shared
    workers = workers or len(os.sched_getaffinity(0))
    if workers <= 1 or len(jobs) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        md = make_markdown()
        results = []
        for job in jobs:
            results.append(prepare(job, rubric, slugs, md=md))
            if done:
                done(1)
        return results
    _shared = (rubric, slugs)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = []
            for chunk in pool.map(_prepare_chunk, chunks(jobs, workers * 8)):
                results += chunk
                if done:
                    done(len(chunk))
    finally:
        _shared = None
    return results


def chunks(items: list, count: int) -> Iterator[list]:
    """`items` in about `count` consecutive slices."""
    size = max(1, -(-len(items) // count))
    return (items[i:i + size] for i in range(0, len(items), size))
