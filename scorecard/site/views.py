"""The view models templates get: plain, frozen, already formatted for display.

URLs are relative to the site root ("assessments/forum/index.html"); templates put the page's
`root` ("../../") in front, so the site works from any sub-path and from disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from scorecard.site.movement import MovementSummary, MovementView
    from scorecard.site.portfolio_trend import PortfolioTrend


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Count:
    """A named group with how many assessments it holds (a status, a grade, a tag…)."""

    name: str
    url: str | None
    count: int
    css: str = ""


@dataclass(frozen=True)
class RatingView:
    """One person's rating of an item rated by several."""

    by: str
    label: str
    """The answer or score as written ("4", "yes", "unknown")."""
    evidence: str


@dataclass(frozen=True)
class ItemView:
    """One answer or score in one assessment."""

    id: str
    title: str
    prompt: str
    url: str
    label: str
    """The answer or score as written: "yes", "4", "n/a", "unknown", "missing"."""
    level: str
    """CSS class for its colour: "lvl-0" … "lvl-5", "na" or "unknown"."""
    evidence: str
    reason: str
    unsupported: bool
    """A claim (above 0) without evidence."""
    ratings: tuple[RatingView, ...] = ()
    """Each rater's rating, when several rated the item (`label` is then their median)."""
    spread: str = ""
    """How far apart the ratings are: "2 steps apart: disagreement", "1 step apart"; "" without ratings."""
    shown: str = ""
    """The label with its scale where it has one: "4 of 5", "2 on 1–4", "3.5 of 5"; choices and n/a as `label`."""
    exemption: str = ""
    """The item's exemption in words: "Exempt until 2027-03-31, approved by Dana Lee."; "" without one."""
    exemption_expired: bool = False


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    score: str
    """One decimal, or "n/a" when every item is n/a."""
    items: tuple[ItemView, ...]
    is_choice: bool


@dataclass(frozen=True)
class RevisionView:
    """One commit that changed an assessment's scores."""

    date: dt.date
    """The commit's author date (the day, in the author's time zone)."""
    timestamp: str
    """The author date in full, ISO 8601 with its offset: "2026-09-14T10:00:00+02:00"."""
    author: str
    subject: str
    """The first line of the commit message."""
    sha: str
    short: str
    score: str
    """The overall score after the commit, one decimal."""
    previous: str
    """The overall score before the commit; "" when the commit created the assessment."""
    grade: str
    grade_css: str
    moved: tuple[str, ...]
    """What moved: "Search 3 → 4", "Builds trust yes → partly", "overall 62.0 → 70.8"; empty at creation."""
    as_of: bool = False
    """Where a shallow clone's history starts, or where the history read stops (`cut`): the score as of
    this commit, which may not have made it."""
    cut: bool = False
    """The history before this commit was there but longer than scorecard reads (docs/history.md)."""
    gated: str = ""
    """The verdict a gate question decided ("Erodes trust"), shown instead of the grade; "" when none fired."""
    rubric_version: str = ""
    rubric_changed: bool = False
    """The rubric's version differs from the previous revision's: the score moved (also) because the rubric did."""


@dataclass(frozen=True)
class LiftMoveView:
    """One item going to the top of its scale, and what the overall score gains."""

    item: Link
    section: str
    to: str
    points: str
    """The gain, one decimal: "12.0"."""
    reaches: bool


@dataclass(frozen=True)
class LiftView:
    """What lifts the grade: the next band, the points it needs, the single moves, best first."""

    grade: str
    needed: str
    moves: tuple[LiftMoveView, ...]


@dataclass(frozen=True)
class AssessmentView:
    slug: str
    url: str
    title: str
    summary: str
    owner: Link | None
    authors: tuple[Link, ...]
    status: Link
    date: dt.date
    review_by: dt.date | None
    tags: tuple[Link, ...]
    related: tuple[Link, ...]
    score: str
    grade: str
    grade_css: str
    verdict: str
    gated: bool
    coverage: str
    """Evidence coverage as a percentage ("88%"), or "—" with nothing to back."""
    unanswered: tuple[str, ...]
    """Titles of the items answered `unknown` or missing."""
    sections: tuple[SectionView, ...]
    body: Markup
    radar: Markup | None
    radar_section: str
    """The id of the section the radar chart shows ("" when there is none)."""
    radar_caption: str
    """What the radar chart shows, in words, with its scale ("" when there is no chart)."""
    source: str
    review_due: str = ""
    """Why the assessment is due for review ("" when it is not): a past `review_by`, or its age."""
    trend: Markup | None = None
    """Sparkline of the overall score per revision (inline SVG); None without history."""
    history: tuple[RevisionView, ...] = ()
    """The commits that changed its scores, newest first; empty outside git."""
    referenced_by: tuple[Link, ...] = ()
    """The assessments whose bodies link to this one, by title."""
    edit_url: str = ""
    """Where to edit its file ("Edit this page"); "" when the site has no edit URL."""
    badge_url: str = ""
    """Its badge (assessments/<slug>/badge.svg)."""
    badge_alt: str = ""
    """What the badge says: "scorecard: 72.3 Promising"."""
    badge_markdown: str = ""
    """Markdown that shows the badge, linked to the page: absolute URLs with a base URL, else paths from the site
    root."""
    badge_absolute: bool = False
    """The Markdown's URLs are absolute (the site's base URL is known)."""
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The author's own `extra:` fields (JSON-safe data), for themes that show them."""
    movement: MovementView | None = None
    """How its overall score moved since its previous scored revision (movement.py); None without history."""
    draft: bool = False
    """A draft: not scored, graded or ranked yet (score "—", grade "Draft", verdict "")."""
    answered: str = ""
    """How much is answered: "3 of 10 questions and criteria answered"."""
    gate_question: str = ""
    """The gate question that decided the verdict, as its prompt ("" when no gate fired)."""
    gate_item: str = ""
    """That question's short title."""
    gate_answer: str = ""
    """The answer that fired the gate."""
    lift: LiftView | None = None
    """How to reach the next grade; None at the top band and for a draft."""


@dataclass(frozen=True)
class ChangeView:
    """One score change on the Changes page and in the feed."""

    assessment: Link
    revision: RevisionView
    id: str
    """A permanent id for the feed entry: urn:uuid built from the slug and the commit."""


@dataclass(frozen=True)
class ChangesView:
    """The Changes page: recent score changes across all assessments, newest first."""

    title: str
    changes: tuple[ChangeView, ...]
    total: int
    """How many changes the history holds (the page shows the most recent)."""
    feed_url: str
    """The Atom feed ("changes.xml"), or "" when there is nothing to put in one."""


@dataclass(frozen=True)
class FeedView:
    """The Atom feed of score changes (changes.xml)."""

    title: str
    id: str
    updated: str
    """The newest change's date (ISO 8601): never the time of the build."""
    page_url: str
    changes: tuple[ChangeView, ...]


@dataclass(frozen=True)
class RubricItemView:
    id: str
    title: str
    prompt: str
    top: str
    weight: str
    gate: str
    url: str


@dataclass(frozen=True)
class RubricSectionView:
    id: str
    title: str
    description: str
    weight: str
    share: str
    """The section's share of the overall score, as a percentage."""
    scale: str
    choices: tuple[tuple[str, str], ...]
    items: tuple[RubricItemView, ...]


@dataclass(frozen=True)
class BandView:
    grade: str
    css: str
    min: str
    verdict: str


@dataclass(frozen=True)
class RubricView:
    name: str
    description: str
    sections: tuple[RubricSectionView, ...]
    bands: tuple[BandView, ...]
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class HeatmapColumn:
    section: str
    title: str
    url: str


@dataclass(frozen=True)
class PortfolioView:
    """The home page."""

    title: str
    assessments: tuple[AssessmentView, ...]
    """Leaderboard order: highest score first."""
    by_status: tuple[Count, ...]
    by_grade: tuple[Count, ...]
    columns: tuple[HeatmapColumn, ...]
    sections: tuple[tuple[str, int], ...]
    """Heatmap column groups: section title and how many columns it spans."""
    tags: tuple[Count, ...] = ()
    """Every tag in use, by name (case ignored), with its page: the leaderboard's tag filter."""
    drafts: tuple[AssessmentView, ...] = ()
    """Drafts, by title: listed apart, never ranked or counted by grade."""
    disagreements: tuple[tuple[AssessmentView, ItemView], ...] = ()
    """Items whose raters are more than one step of the scale apart, by assessment title."""
    owners: tuple[Count, ...] = ()
    """Every owner named, by name (case ignored), with its page: the leaderboard's owner filter."""
    movement: MovementSummary | None = None
    """The portfolio's moves since each assessment's previous scored revision; None without history."""
    map: Markup | None = None
    """The map of assessments by two section scores (portfolio_map.py); None with fewer than two sections."""
    map_table: tuple[tuple[AssessmentView, str, str], ...] = ()
    """The map's numbers: each assessment placed on it, with its two section scores."""
    map_axes: tuple[str, str] = ("", "")
    """The titles of the map's sections: across, then up."""
    trend: PortfolioTrend | None = None
    """The portfolio's overall scores over time (portfolio_trend.py); None without history."""


@dataclass(frozen=True)
class RankedRow:
    assessment: AssessmentView
    item: ItemView


@dataclass(frozen=True)
class ItemPageView:
    """A question or criterion, with every assessment ranked by it."""

    title: str
    section: str
    item: RubricItemView
    rows: tuple[RankedRow, ...]


@dataclass(frozen=True)
class GroupView:
    """The assessments of one tag, owner, author or status."""

    title: str
    kind: str
    kind_plural: str
    name: str
    index_url: str
    assessments: tuple[AssessmentView, ...]


@dataclass(frozen=True)
class GroupIndexView:
    """All tags (or owners, authors, statuses) with their counts."""

    title: str
    kind: str
    groups: tuple[Count, ...]


@dataclass(frozen=True)
class RedirectView:
    """A page at an assessment's old address that sends the reader to its page (an alias or a git rename)."""

    title: str
    target: Link
    """The assessment's page, from the site root."""
    canonical: str
    """The target's absolute URL when the base URL is known, else "" (the template links it relatively)."""


@dataclass(frozen=True)
class NotFoundView:
    """The 404 page, which a web server shows at whatever address it did not find."""

    title: str
    base: str
    """Put in front of every link: the site's base URL ending in "/", or "" when it is not known
    (the links then work where the page is shown at the top level of the site)."""


@dataclass(frozen=True)
class Page:
    """One HTML page to render: where it goes, with which template and view."""

    path: str
    template: str
    title: str
    view: object

    @property
    def root(self) -> str:
        """The relative path from this page back to the site root."""
        return "../" * self.path.count("/")


@dataclass(frozen=True)
class SiteView:
    """What every page knows about the site."""

    title: str
    description: str
    nav: tuple[Link, ...]
    generator: str
    language: str = "en"
    """The `lang` of every page (`language` in scorecard.yml)."""
