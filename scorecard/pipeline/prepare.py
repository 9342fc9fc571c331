"""Preparing assessment files one by one: parse and score each, then render each body.

Everything the build does per file happens here, as pure functions of the file's text, the
rubric and (for the body, whose links show other assessments' titles) the titles by slug. Being
independent, files are prepared in forked worker processes when there are enough of them, and a
prepared file is reused from the build cache as long as its inputs are the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from scorecard.core.assessment import Assessment, parse_assessment
from scorecard.core.diagnostics import Diagnostic
from scorecard.core.lift import NextGrade, next_grade
from scorecard.core.parallel import parallel_map
from scorecard.core.rubric import Rubric
from scorecard.core.scoring import Scorecard, score_assessment
from scorecard.publish.export import assessment_exports
from scorecard.publish.markdown import make_markdown, render_body
from scorecard.site.model import Exports
from scorecard.site.search import plain_text, search_document, search_entry

PARALLEL_FROM = 400
"""Below this many files, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class Job:
    """One file to prepare."""

    path: str
    """The file's path as diagnostics show it (content/assessments/x.md)."""
    slug: str
    text: str


@dataclass(frozen=True)
class Parsed:
    """One assessment file, parsed and scored."""

    assessment: Assessment | None
    """None when the file is too broken to be scored."""
    scorecard: Scorecard | None
    diagnostics: tuple[Diagnostic, ...]
    exports: Exports | None = None
    """What the exports hold of it (None when it is not scored)."""
    lift: NextGrade | None = None
    """The next grade and the moves towards it (`lift.next_grade`): None at the top band, for a draft, or unscored."""


@dataclass(frozen=True)
class Body:
    """One assessment's body, rendered."""

    html: str
    search: str
    """The assessment's entry in the search index (its body as plain text, with its front matter's text)."""
    links: tuple[str, ...]
    """Slugs of the assessments the body links to."""
    diagnostics: tuple[Diagnostic, ...]
    titles_seen: tuple[tuple[str, ...], tuple[str | None, ...]] | None
    """The slugs the body's links looked up, and each one's title then (None: no such assessment), in
    two tuples (two objects for the cache to unpickle, not one per link): the body's only dependence
    on the other files. None when it depends on all of them (a broken link's hint names the nearest
    slugs)."""

    def still_valid(self, titles: Mapping[str, str]) -> bool:
        """Whether the body renders the same with `titles` as the assessments' titles by slug."""
        if self.titles_seen is None:
            return False
        slugs, seen = self.titles_seen
        return all(titles.get(slug) == title for slug, title in zip(slugs, seen, strict=True))


class _Watched(Mapping[str, str]):
    """A read-only view of the titles by slug that remembers every slug looked up through it."""

    def __init__(self, titles: Mapping[str, str]):
        self.titles = titles
        self.seen: dict[str, str | None] = {}

    def __contains__(self, slug: object) -> bool:
        self.seen[str(slug)] = self.titles.get(str(slug))
        return slug in self.titles

    def __getitem__(self, slug: str) -> str:
        self.seen[slug] = self.titles.get(slug)
        return self.titles[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.titles)

    def __len__(self) -> int:
        return len(self.titles)


def parse_job(job: Job, rubric: Rubric) -> Parsed:
    """Parse and score one file."""
    assessment, problems = parse_assessment(job.text, job.path, job.slug, rubric)
    if assessment is None:
        return Parsed(None, None, tuple(problems))
    card = score_assessment(rubric, assessment)
    lift = next_grade(rubric, card)
    return Parsed(assessment, card, tuple(problems), assessment_exports(rubric, assessment, card, lift), lift)


def render_assessment_body(assessment: Assessment, titles: Mapping[str, str], md: Any = None,
                           broken: frozenset[str] = frozenset()) -> Body:
    """Render one assessment's body; `titles` maps every assessment's slug to its title, `broken`
    holds the slugs of files that exist but have errors."""
    watched = _Watched(titles)
    body = render_body(md or make_markdown(), assessment.body, slug=assessment.slug, path=assessment.path,
                       body_line=assessment.body_line, titles=watched, broken=broken)
    # A link to a broken file is not reported; whether it is once that file is gone depends on all of them.
    looked_up = sorted(watched.seen.items())
    seen = None if body.diagnostics or body.named_broken else (tuple(slug for slug, _ in looked_up),
                                                               tuple(title for _, title in looked_up))
    html = Markup(body.html)  # as the page shows it, made once
    return Body(html, search_entry(search_document(assessment, plain_text(html))), body.links, tuple(body.diagnostics),
                seen)


def parse_all(jobs: list[Job], rubric: Rubric) -> list[Parsed]:
    """Parse and score every job, in order, in worker processes when there are many."""
    return parallel_map(_parse_chunk, jobs, rubric, parallel_from=PARALLEL_FROM)


def render_all(assessments: list[Assessment], titles: Mapping[str, str], unsafe_html: bool = False,
               broken: frozenset[str] = frozenset()) -> list[Body]:
    """Render every body, in order, in worker processes when there are many."""
    return parallel_map(_render_chunk, assessments, (titles, unsafe_html, broken), parallel_from=PARALLEL_FROM)


def _parse_chunk(jobs: Sequence[Job], rubric: Rubric) -> list[Parsed]:
    return [parse_job(job, rubric) for job in jobs]


def _render_chunk(assessments: Sequence[Assessment],
                  context: tuple[Mapping[str, str], bool, frozenset[str]]) -> list[Body]:
    titles, unsafe_html, broken = context
    md = make_markdown(unsafe_html)
    return [render_assessment_body(a, titles, md, broken) for a in assessments]
