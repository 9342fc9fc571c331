"""The site model: from scored assessments to the pages of the site, each with its view.

Everything here is pure: it decides which pages exist, where they go and what each shows,
and leaves templates and files to `render.py` and `writer.py`.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from scorecard import __version__
from scorecard.core.assessment import Assessment, Response
from scorecard.core.lift import NextGrade
from scorecard.core.ratings import DISAGREEMENT_STEPS
from scorecard.core.rubric import Rubric, Scale, Section
from scorecard.core.scoring import ItemScore, Scorecard, one_decimal
from scorecard.core.shared import shared
from scorecard.core.slugs import slugify
from scorecard.core.staleness import DEFAULT_MAX_AGE_DAYS, staleness
from scorecard.site.badge import LABEL, badge_value
from scorecard.site.charts import Spoke, TrendPoint, radar, trend
from scorecard.site.compare import compare_page
from scorecard.site.movement import movement, summarise
from scorecard.site.portfolio_map import MapAxes, portfolio_map
from scorecard.site.portfolio_trend import portfolio_trend
from scorecard.site.urls import (
    CHANGES_URL,
    FEED_URL,
    GROUP_KINDS,
    NOT_FOUND_URL,
    assessment_url,
    badge_url,
    group_index_url,
    group_url,
    item_url,
    published_url,
)
from scorecard.site.views import (
    AssessmentView,
    BandView,
    ChangesView,
    ChangeView,
    Count,
    FeedView,
    GroupIndexView,
    GroupView,
    HeatmapColumn,
    ItemPageView,
    ItemView,
    LiftMoveView,
    LiftView,
    Link,
    NotFoundView,
    Page,
    PortfolioView,
    RankedRow,
    RatingView,
    RedirectView,
    RevisionView,
    RubricItemView,
    RubricSectionView,
    RubricView,
    SectionView,
    SiteView,
)
from scorecard.source.content import Content
from scorecard.source.history import HistoryPoint


@dataclass(frozen=True)
class Exports:
    """What the exports hold of one assessment, made where its file is prepared (in the workers, cached with it)."""

    json_entry: str
    """Its entry in scorecard.json (`assessment_entry`)."""
    csv_before: str
    """Its row of scorecard.csv as written up to the URL's cell, which depends on the base URL: the
    cells before it, each followed by a comma (`csv_fields`; text, not a tuple of cells, since the
    cache unpickles it at every build)."""
    csv_after: str
    """The row as written after the URL's cell: the ratings cell and the line's end."""
    badge: bytes
    """Its badge.svg."""


@dataclass(frozen=True)
class Scored:
    """An assessment with its scores and rendered body: what the site is built from."""

    assessment: Assessment
    scorecard: Scorecard
    body_html: str
    search_entry: str
    """Its entry in the search index (`search.search_entry`)."""
    exports: Exports
    """What the exports hold of it, made where its file is prepared."""
    lift: NextGrade | None
    """The next grade and the moves towards it (`lift.next_grade` of `scorecard`), made where its file is prepared."""
    links: tuple[str, ...] = ()
    """Slugs of the assessments its body links to."""


@dataclass(frozen=True)
class SiteModel:
    site: SiteView
    pages: tuple[Page, ...]


CHANGES_SHOWN = 100
"""How many of the most recent score changes the Changes page and the feed carry."""


def build_site_model(content: Content, scored: list[Scored], title: str, description: str = "", *,
                     history: Mapping[str, tuple[HistoryPoint, ...]] | None = None, today: dt.date | None = None,
                     stale_after_days: int = DEFAULT_MAX_AGE_DAYS, base_url: str = "", edit_url: str = "",
                     language: str = "en", known_views: Mapping[str, AssessmentView] | None = None,
                     map_axes: MapAxes | None = None) -> SiteModel:
    """Every page of the site, with its view model.

    `history` holds each slug's score changes from git (none outside git); with `today`, an
    assessment due for review is marked so. `base_url` is the site's published address, if
    known; `edit_url` a pattern for "Edit this page" links, with {path} for the file's path.
    `known_views` holds each assessment's own view (`assessment_view`) by slug, when the caller has
    it already; its body is set here.
    """
    rubric = content.rubric
    history = history or {}
    views = {}
    titles = {a.slug: a.title for a in content.assessments}
    backlinks = referenced_by(scored)
    for s in scored:
        view = (known_views or {}).get(s.assessment.slug) or assessment_view(rubric, s, titles)
        due = staleness(s.assessment, today, stale_after_days) if today else None
        views[view.slug] = page_view(view, s, history.get(s.assessment.slug, ()), backlinks.get(view.slug, ()),
                                     review_due=due or "", edit_url=edit_url, base_url=base_url)
    drafts = tuple(sorted((v for v in views.values() if v.draft), key=lambda v: (v.title.lower(), v.slug)))
    ranked = ranking([s for s in scored if not s.scorecard.draft])  # drafts are listed apart, never ranked
    leaderboard = tuple(views[s.assessment.slug] for s in ranked)
    rubric_view = build_rubric_view(rubric)

    pages = [
        portfolio_page(rubric, title, leaderboard, history, today or dt.date.today(), map_axes, drafts),
        Page("rubric/index.html", "rubric.html", f"Rubric: {rubric.name}", rubric_view),
    ]
    pages += [Page(view.url, "assessment.html", view.title, view) for view in leaderboard + drafts]
    pages += item_pages(rubric, rubric_view, rankings(ranked, views))
    pages += every_group_page(rubric, leaderboard + drafts)
    pages += changes_pages(title, history, {slug: view for slug, view in views.items() if not view.draft})
    pages.append(compare_page(leaderboard))
    pages += redirect_pages(scored, history, {view.url for view in views.values()}, base_url)

    pages.append(not_found_page(base_url))
    return SiteModel(site_view(title, description or rubric.description, language), tuple(pages))


NAVIGATION = (Link("Portfolio", "index.html"), Link("Rubric", "rubric/index.html"), Link("Tags", "tags/index.html"),
              Link("Owners", "owners/index.html"), Link("Authors", "authors/index.html"), Link("Changes", CHANGES_URL),
              Link("Compare", "compare/index.html"))
"""The links every page's navigation shows."""


def site_view(title: str, description: str, language: str) -> SiteView:
    return SiteView(title, description, NAVIGATION, f"scorecard {__version__}", language)


def not_found_page(base_url: str) -> Page:
    """The page web servers show at unknown addresses: shown at any depth, so its links are absolute
    when they can be, else from the site root."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    return Page(NOT_FOUND_URL, "404.html", "Page not found", NotFoundView("Page not found", base))


def page_view(view: AssessmentView, s: Scored, points: tuple[HistoryPoint, ...], backlinks: tuple[Link, ...], *,
              review_due: str, edit_url: str, base_url: str) -> AssessmentView:
    """An assessment's page: its own view with what the rest of the site adds (body, history, backlinks, badge)."""
    return replace(
        view, body=as_markup(s.body_html), review_due=review_due, history=revision_views(points),
        trend=trend_chart(view.title, points), referenced_by=backlinks,
        edit_url=edit_link(edit_url, s.assessment.path), **badge_fields(s, base_url),
        movement=movement(points, s.scorecard.shown, s.scorecard.gate is not None))


def every_group_page(rubric: Rubric, listed: tuple[AssessmentView, ...]) -> list[Page]:
    """The pages of every tag, owner, author and status (every status of the rubric, even an empty one)."""
    return [page for kind in GROUP_KINDS
            for page in group_pages(kind, listed, rubric.statuses if kind == "status" else None)]


def ranking(scored: list[Scored]) -> list[Scored]:
    """Highest overall score first (as shown, whole tenths), then by title and slug."""
    overall = whole_numbers([s.scorecard.overall for s in scored])
    order = sorted(range(len(scored)), key=lambda n: (-overall[n], scored[n].assessment.title.lower(),  # type: ignore[operator]
                                                      scored[n].assessment.slug))
    return [scored[n] for n in order]


def item_pages(rubric: Rubric, rubric_view: RubricView, ranked_items: list[tuple[RankedRow, ...]]) -> list[Page]:
    """One page per question and criterion, ranking every assessment by it (`rankings`, in rubric order)."""
    rows = iter(ranked_items)
    return [Page(item_view.url, "item.html", item_view.title,
                 ItemPageView(item_view.title, section.title, item_view, next(rows, ())))
            for section_view, section in zip(rubric_view.sections, rubric.sections, strict=True)
            for item_view in section_view.items]


def revision_views(points: tuple[HistoryPoint, ...]) -> tuple[RevisionView, ...]:
    """The revisions that changed an assessment's scores, newest first, each knowing the one before."""
    return tuple(revision_view(p, points[n - 1] if n else None) for n, p in reversed(list(enumerate(points))))


# -- assessments ----------------------------------------------------------------------------

def level(points: Fraction | None, answered: bool) -> str:
    """The colour class of a value between 0 and 1."""
    if not answered:
        return "unknown"
    if points is None:
        return "na"
    return shared(f"lvl-{round_half_up(points, 5)}")


def round_half_up(value: Fraction, times: int = 1) -> int:
    """`value × times` rounded to a whole number, halves up: floor(n·t/d + 1/2) = (2·n·t + d) // 2d,
    in whole numbers (Fraction arithmetic costs more, thousands of times per build)."""
    return (2 * value.numerator * times + value.denominator) // (2 * value.denominator)


def item_views(section: Section, scorecard: Scorecard) -> tuple[ItemView, ...]:
    section_score = scorecard.section(section.id)
    assert section_score is not None
    views = []
    for item, scored_item in zip(section.items, section_score.items, strict=True):
        response = scored_item.response
        if response.missing:
            label = "missing"
        elif response.value is None:
            label = "unknown"
        else:
            label = str(response.value)
        views.append(ItemView(
            id=item.id, title=item.title, prompt=item.prompt, url=shared(item_url(section.id, item.id)), label=label,
            level=level(scored_item.points, response.is_answered), evidence=response.evidence, reason=response.reason,
            unsupported=scored_item.is_claim and not scored_item.is_supported,
            ratings=tuple(RatingView(r.by, "unknown" if r.value is None else str(r.value), r.evidence)
                          for r in response.ratings),
            spread=spread_text(response.spread) if response.ratings else "",
            exemption=exemption_text(response), exemption_expired=response.expired,
            shown=with_scale(label, section.scale, response),
        ))
    return tuple(views)


def with_scale(label: str, scale: Scale, response: Response) -> str:
    """A score with its scale, so that a 2 on 1–4 does not read as a 2 of 5: "4 of 5", "2 on 1–4"."""
    if scale.is_choice or not response.is_answered or response.is_na:
        return label
    return shared(f"{label} of {scale.max}" if scale.min == 0 else f"{label} on {scale.min}–{scale.max}")


def exemption_text(response: Response) -> str:
    """An item's exemption in words, or "" without one."""
    if not response.approved_by and response.expires is None:
        return ""
    who = f"approved by {response.approved_by}" if response.approved_by else "approver not named"
    if response.expired and response.expires:
        return f"Exemption expired on {response.expires.isoformat()} ({who}): counted as unanswered."
    until = f" until {response.expires.isoformat()}" if response.expires else ""
    return f"Exempt{until}, {who}."


def spread_text(steps: int) -> str:
    """How far apart several ratings are, in words."""
    said = f"{steps} step{'s' if steps != 1 else ''} apart"
    return said + ": disagreement" if steps > DISAGREEMENT_STEPS else said


def percent(fraction: Fraction | None) -> str:
    return "—" if fraction is None else shared(f"{round_half_up(fraction, 100)}%")


def assessment_view(rubric: Rubric, scored: Scored, titles: Mapping[str, str]) -> AssessmentView:
    """The view of one assessment; `titles` maps every slug to its title, for `related` links."""
    a, card = scored.assessment, scored.scorecard
    sections = section_views(rubric, card)
    chart, chart_section, caption = radar_of(rubric, card, sections, a.title)
    item_titles = {(s.id, i.id): i.title for s in rubric.sections for i in s.items}
    count = len(item_titles)
    answered = f"{count - len(card.unanswered)} of {count} questions and criteria answered"
    fired = card.gated_by
    gate_item = rubric.section(fired.section).item(fired.item) if fired else None  # type: ignore[union-attr]
    return AssessmentView(
        slug=a.slug, url=assessment_url(a.slug), title=a.title, summary=a.summary,
        owner=group_link("owner", a.owner) if a.owner else None,
        authors=tuple(group_link("author", name) for name in a.authors),
        status=group_link("status", a.status),
        date=a.date, review_by=a.review_by,
        tags=tuple(group_link("tag", tag) for tag in a.tags),
        related=tuple(Link(titles.get(slug, slug), assessment_url(slug)) for slug in a.related),
        score="—" if card.draft else shared(str(card.shown)), grade=card.grade, grade_css=shared(slugify(card.grade)),
        verdict="" if card.draft else card.verdict,
        gated=card.gate is not None, coverage=percent(card.coverage),
        unanswered=tuple(item_titles[key] for key in card.unanswered),
        sections=tuple(sections), body=as_markup(scored.body_html), radar=chart, radar_section=chart_section,
        radar_caption=shared(caption),
        source=a.path, extra=a.extra, draft=card.draft, answered=shared(answered),
        gate_question=(gate_item.prompt or gate_item.title) if gate_item else "",
        gate_item=gate_item.title if gate_item else "",
        gate_answer=fired.answer if fired else "", lift=lift_view(rubric, scored.lift),
    )


def section_views(rubric: Rubric, card: Scorecard) -> list[SectionView]:
    """Each section of the rubric with its score and its items' answers."""
    sections = []
    for section in rubric.sections:
        section_score = card.section(section.id)
        assert section_score is not None
        shown = section_score.shown
        sections.append(SectionView(section.id, section.title, "n/a" if shown is None else shared(str(shown)),
                                    item_views(section, card), section.scale.is_choice))
    return sections


def radar_of(rubric: Rubric, card: Scorecard, sections: list[SectionView],
             title: str) -> tuple[Markup | None, str, str]:
    """The radar chart of the first scored section with three items or more: the chart, its section and its caption."""
    for section, shown in zip(rubric.sections, sections, strict=True):
        if not section.scale.is_choice and len(section.items) >= 3:
            section_score = card.section(section.id)
            assert section_score is not None
            spokes = [Spoke(i.title, s.points, i.label) for i, s in zip(shown.items, section_score.items, strict=True)]
            chart = radar(spokes, title=f"{section.title} scores of {title}", chart_id=f"radar-{section.id}")
            caption = (f"{section.title} scores, {section.scale.min} at the centre to {section.scale.max} at the edge; "
                       "the table below gives the same numbers.")
            return chart, section.id, caption
    return None, "", ""


def lift_view(rubric: Rubric, found: NextGrade | None) -> LiftView | None:
    """The next grade and the single moves towards it (`lift.next_grade`), for the page."""
    if found is None:
        return None
    titles = {(s.id, i.id): (s.title, i.title) for s in rubric.sections for i in s.items}
    moves = tuple(shared(LiftMoveView(shared(Link(titles[(m.section, m.item)][1], item_url(m.section, m.item))),
                                      titles[(m.section, m.item)][0],
                                      m.to, shared(str(one_decimal(m.points))), m.reaches)) for m in found.moves)
    return LiftView(found.grade, shared(str(one_decimal(found.points_needed))), moves)


def group_link(kind: str, name: str) -> Link:
    """A link to the page of the group `name` of this kind (one object for each: a tag is on many views)."""
    return shared(Link(name, group_url(kind, name)))


def as_markup(html: str) -> Markup:
    """`html` as Markup; itself when it is Markup already (Markup() would copy it: bodies are many and long)."""
    return html if isinstance(html, Markup) else Markup(html)


def referenced_by(scored: list[Scored]) -> dict[str, tuple[Link, ...]]:
    """For each slug, the assessments whose bodies link to it (not itself), by title, each once."""
    sources: dict[str, list[Assessment]] = {}
    for s in scored:
        for target in s.links:
            if target != s.assessment.slug:
                sources.setdefault(target, []).append(s.assessment)
    return {slug: tuple(Link(a.title, assessment_url(a.slug))
                        for a in sorted(found, key=lambda a: (a.title.lower(), a.slug)))
            for slug, found in sources.items()}


def redirect_pages(scored: list[Scored], history: Mapping[str, tuple[HistoryPoint, ...]], live: set[str],
                   base_url: str) -> list[Page]:
    """A redirect page at every old address of an assessment: its `aliases`, and the slugs git renamed it from.

    An old address that a live page has now (a new file took the name) is left to it.
    """
    pages, seen = [], set(live)
    for s in sorted(scored, key=lambda s: s.assessment.slug):
        a = s.assessment
        points = history.get(a.slug, ())
        former = points[-1].former_slugs if points else ()
        for old in dict.fromkeys((*a.aliases, *former)):
            url = assessment_url(old)
            if url in seen:
                continue
            seen.add(url)
            target = Link(a.title, assessment_url(a.slug))
            pages.append(Page(url, "redirect.html", f"Moved: {a.title}",
                              RedirectView(f"Moved: {a.title}", target,
                                           published_url(base_url, target.url) if base_url else "")))
    return pages


def edit_link(pattern: str, path: str) -> str:
    """The "Edit this page" URL: `pattern` with {path} replaced by the URL-quoted file path; "" without a pattern."""
    return pattern.replace("{path}", quote(path)) if pattern else ""


def badge_fields(scored: Scored, base_url: str) -> dict[str, Any]:
    """The badge's address and alt text, and Markdown that embeds it linked to the page."""
    slug = scored.assessment.slug
    alt = f"{LABEL}: {badge_value(scored.scorecard)}"
    image, page = published_url(base_url, badge_url(slug)), published_url(base_url, assessment_url(slug))
    markdown_alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return {"badge_url": badge_url(slug), "badge_alt": alt, "badge_markdown": f"[![{markdown_alt}]({image})]({page})",
            "badge_absolute": bool(base_url)}


# -- history: trends, the Changes page and its feed ---------------------------------------------

def revision_view(point: HistoryPoint, before: HistoryPoint | None = None) -> RevisionView:
    return RevisionView(
        date=point.date.date(), timestamp=point.date.isoformat(), author=point.author, subject=point.subject,
        sha=point.sha, short=point.short, score=str(point.overall),
        previous="" if point.previous is None else str(point.previous),
        grade=point.grade, grade_css=slugify(point.grade), moved=point.moved, as_of=point.boundary, cut=point.cut,
        gated=point.gated,
        rubric_version=point.rubric_version, rubric_changed=rubric_changed(point, before))


def rubric_changed(point: HistoryPoint, before: HistoryPoint | None) -> bool:
    return before is not None and bool(point.rubric_version) and point.rubric_version != before.rubric_version


def trend_chart(title: str, points: tuple[HistoryPoint, ...]) -> Markup | None:
    """The sparkline of an assessment's overall score per revision; None without history."""
    if not points:
        return None
    changed = [rubric_changed(p, points[n - 1] if n else None) for n, p in enumerate(points)]
    spots = [TrendPoint(f"{p.date.date().isoformat()} ({p.short}{', rubric changed' if c else ''})",
                        Fraction(p.overall), str(p.overall), c)
             for p, c in zip(points, changed, strict=True)]
    return trend(spots, title=f"Overall score of {title} over {len(points)} revision{'s' if len(points) != 1 else ''}",
                 chart_id="trend")


def changes_pages(title: str, history: Mapping[str, tuple[HistoryPoint, ...]],
                  views: Mapping[str, AssessmentView]) -> list[Page]:
    """The Changes page, and the Atom feed when there is at least one change to carry."""
    # a shallow clone's boundary commit made none of the scores it shows: not a change
    found = [(point, views[slug]) for slug, points in history.items() if slug in views
             for point in points if not point.boundary]
    # Newest first; commits that share a date keep the log's order, then assessments their slugs'.
    found.sort(key=lambda pair: (-pair[0].date.timestamp(), -pair[0].index, pair[1].slug))
    changes = tuple(ChangeView(Link(view.title, view.url), revision_view(point), change_id(view.slug, point.sha))
                    for point, view in found[:CHANGES_SHOWN])
    page_title = "Changes"
    pages = [Page(CHANGES_URL, "changes.html", page_title,
                  ChangesView(page_title, changes, len(found), FEED_URL if changes else ""))]
    if changes:
        feed = FeedView(f"{title}: score changes",
                        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'scorecard:changes:' + title)}",
                        changes[0].revision.timestamp, CHANGES_URL, changes)
        pages.append(Page(FEED_URL, "changes.xml", feed.title, feed))
    return pages


def change_id(slug: str, sha: str) -> str:
    """A permanent, unique id for one assessment's change in one commit."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'scorecard:{slug}@{sha}')}"


# -- rubric, portfolio, rankings, groups ---------------------------------------------------------------

def build_rubric_view(rubric: Rubric) -> RubricView:
    total = sum((s.weight for s in rubric.sections), Fraction(0))
    sections = []
    for section in rubric.sections:
        items = tuple(
            RubricItemView(item.id, item.title, item.prompt, item.top, decimal_text(item.weight),
                           f"Answered “{item.gate.when}”, the verdict is “{item.gate.verdict}” whatever the numbers."
                           if item.gate else "",
                           item_url(section.id, item.id))
            for item in section.items
        )
        choices = tuple((name, decimal_text(value)) for name, value in section.scale.choices)
        sections.append(RubricSectionView(section.id, section.title, section.description, decimal_text(section.weight),
                                          percent(section.weight / total if total else None), section.scale.describe(),
                                          choices, items))
    bands = tuple(BandView(b.grade, slugify(b.grade), decimal_text(b.min), b.verdict) for b in rubric.bands)
    return RubricView(rubric.name, rubric.description, tuple(sections), bands, rubric.statuses)


def decimal_text(value: Fraction) -> str:
    """A weight or value as a short decimal: 2, 0.6, 0.5."""
    if value.denominator == 1:
        return str(value.numerator)
    return format(float(value), "g")


def portfolio_view(rubric: Rubric, title: str, leaderboard: tuple[AssessmentView, ...]) -> PortfolioView:
    by_status = tuple(Count(status, group_url("status", status), sum(1 for a in leaderboard if a.status.text == status))
                      for status in rubric.statuses)
    grades = [band.grade
              for band in rubric.bands] + sorted({a.grade for a in leaderboard} - {b.grade for b in rubric.bands})
    by_grade = tuple(Count(grade, None, sum(1 for a in leaderboard if a.grade == grade), slugify(grade))
                     for grade in grades)
    columns = tuple(HeatmapColumn(section.id, item.title, item_url(section.id, item.id))
                    for section in rubric.sections for item in section.items)
    spans = tuple((section.title, len(section.items)) for section in rubric.sections)
    return PortfolioView(title, leaderboard, by_status, by_grade, columns, spans,
                         tags=group_counts("tag", leaderboard), owners=group_counts("owner", leaderboard))


def portfolio_page(rubric: Rubric, title: str, leaderboard: tuple[AssessmentView, ...],
                   history: Mapping[str, tuple[HistoryPoint, ...]], today: dt.date, map_axes: MapAxes | None,
                   drafts: tuple[AssessmentView, ...] = ()) -> Page:
    """The home page: the portfolio with its movement, its trend over time and its map; drafts listed apart."""
    portfolio = portfolio_view(rubric, title, leaderboard)
    return Page("index.html", "index.html", title, replace(
        portfolio, drafts=drafts, disagreements=disagreements(leaderboard + drafts),
        movement=summarise([v.movement for v in leaderboard], today),
        trend=portfolio_trend(history, {v.slug for v in leaderboard}, tuple(c.name for c in portfolio.by_grade)),
        **portfolio_map(rubric, leaderboard, map_axes)))


def disagreements(views: tuple[AssessmentView, ...]) -> tuple[tuple[AssessmentView, ItemView], ...]:
    """Every item whose raters disagree, by assessment title."""
    found = [(view, item) for view in views for section in view.sections for item in section.items
             if item.spread.endswith("disagreement")]
    return tuple(sorted(found, key=lambda pair: (pair[0].title.lower(), pair[0].slug)))


def group_counts(kind: str, leaderboard: tuple[AssessmentView, ...]) -> tuple[Count, ...]:
    """Each name of this kind in use, sorted with case ignored, with its page and how many assessments it has."""
    counts: dict[str, tuple[str, int]] = {}
    for view in leaderboard:
        for name in GROUP_MEMBERSHIP[kind](view):
            shown, count = counts.get(slugify(name), (name, 0))
            counts[slugify(name)] = (shown, count + 1)
    return tuple(Count(name, group_url(kind, name), count)
                 for name, count in sorted(counts.values(), key=lambda pair: pair[0].lower()))


def rankings(ranked: list[Scored], views: Mapping[str, AssessmentView]) -> list[tuple[RankedRow, ...]]:
    """For every item of the rubric, in order, every assessment's answer to it, best first; n/a and
    unanswered last; ties keep the overall ranking.

    One pass over the assessments for all items at once (views and scores list sections and items
    in the rubric's order), sorted on whole numbers (points over one common denominator): exact,
    and much faster than comparing Fractions.
    """
    if not ranked:
        return []
    found: list[list[tuple[Fraction | None, RankedRow]]] = [[] for _ in flat_items(ranked[0].scorecard)]
    for s in ranked:
        view = views[s.assessment.slug]
        item_views = [item for section in view.sections for item in section.items]
        for rows, item_view, item_score in zip(found, item_views, flat_items(s.scorecard), strict=True):
            assert item_view.id == item_score.item
            rows.append((item_score.points if item_score.response.is_answered else None, RankedRow(view, item_view)))
    result = []
    for rows in found:
        keys = whole_numbers([points for points, _ in rows])
        order = sorted(range(len(rows)), key=lambda n: (True, 0) if keys[n] is None else (False, -keys[n]))  # type: ignore[operator]
        result.append(tuple(rows[n][1] for n in order))
    return result


def flat_items(card: Scorecard) -> list[ItemScore]:
    return [item for section in card.sections for item in section.items]


def whole_numbers(fractions: list[Fraction | None]) -> list[int | None]:
    """The fractions as whole numbers in one common unit (their order and ties kept); None stays None."""
    present = [f for f in fractions if f is not None]
    common = math.lcm(*{f.denominator for f in present}) if present else 1
    return [None if f is None else f.numerator * (common // f.denominator) for f in fractions]


def group_pages(kind: str, leaderboard: tuple[AssessmentView, ...], fixed: tuple[str, ...] | None) -> list[Page]:
    """An index page of every group of this kind, and a page per group (in leaderboard order)."""
    groups: dict[str, tuple[str, list[AssessmentView]]] = {}
    for view in leaderboard:
        for name in GROUP_MEMBERSHIP[kind](view):
            groups.setdefault(slugify(name), (name, []))[1].append(view)
    order = fixed or sorted((name for name, _ in groups.values()), key=str.lower)
    index_title, _ = GROUP_KINDS[kind]
    counts = tuple(Count(name, group_url(kind, name), len(groups.get(slugify(name), (name, []))[1])) for name in order)
    pages = [Page(group_index_url(kind), "groups.html", index_title, GroupIndexView(index_title, kind, counts))]
    for name in order:
        members = tuple(groups.get(slugify(name), (name, []))[1])
        title = f"{kind.capitalize()}: {name}"
        pages.append(Page(group_url(kind, name), "group.html", title,
                          GroupView(title, kind, index_title.lower(), name, group_index_url(kind), members)))
    return pages


GROUP_MEMBERSHIP: dict[str, Callable[[AssessmentView], Iterable[str]]] = {
    "tag": lambda view: [link.text for link in view.tags],
    "owner": lambda view: [view.owner.text] if view.owner else [],
    "author": lambda view: [link.text for link in view.authors],
    "status": lambda view: [view.status.text],
}
