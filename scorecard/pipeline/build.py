"""The build, stage by stage: load → validate → score → history → site model → render → write.

`build` reads as its stages. Each stage is a function of this module or a call into the layer
that owns the work; earlier work is reused only through the `Reuse` the build is handed
(`reuse.py`), so the same stages run with the cache and without it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scorecard.core.diagnostics import Diagnostic, sort_diagnostics
from scorecard.core.diagnostics import strict as promote_warnings
from scorecard.core.options import BuildOptions
from scorecard.core.staleness import future_date_warnings, staleness_warnings
from scorecard.pipeline.reuse import Files, NoReuse, Reuse
from scorecard.pipeline.timings import Progress, StageTime, Stopwatch, collector_paused, collector_released
from scorecard.publish.writer import FileData, Streamed, check_output_dir, write_site
from scorecard.source.config import default_theme_dir, theme_file_problems
from scorecard.source.content import (
    Content,
    Listing,
    Sources,
    assemble_content,
    content_dir_problem,
    display_path,
    find_content_files,
    read_found,
    sources_from_files,
)
from scorecard.source.history import HistoryPoint, read_history

if TYPE_CHECKING:
    from scorecard.core.assessment import Assessment
    from scorecard.core.rubric import Rubric
    from scorecard.pipeline.prepare import Body, Parsed
    from scorecard.site.model import Scored, SiteModel

# The stages after "load" import what they work with (parsing, Markdown, scoring, the site model,
# templates, exports) where they first need it: a build that finds nothing changed stops after
# "load" and never imports them (`scorecard build` twice in a row is the command run most often).

STAGES = ("load", "validate", "history", "site model", "render", "write", "save cache")
"""The stages of a build, in order, as `--timings` and the progress bar name them."""


@dataclass(frozen=True)
class BuildResult:
    """What a build did: its diagnostics, and what it wrote."""

    diagnostics: tuple[Diagnostic, ...]
    assessments: int = 0
    files: int = 0
    pages: int = 0
    """How many of the files are HTML pages."""
    seconds: float = 0.0
    timings: tuple[StageTime, ...] = ()
    """Seconds per stage, in order."""
    kept: int = 0
    """Files not made again (pages, badges): the cache knew they had not changed."""
    cache: str = ""
    """How the build cache was found ("used", "empty", "off", or why it was ignored)."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)


@dataclass(frozen=True)
class Checked:
    """The content loaded, validated and scored: everything a build knows before it renders."""

    content: Content | None
    """None when the rubric cannot be read: nothing could be scored."""
    scored: tuple[Scored, ...]
    diagnostics: tuple[Diagnostic, ...]


def build(options: BuildOptions, reuse: Reuse | None = None, progress: Progress | None = None) -> BuildResult:
    """Build the site; on any error nothing is written and the previous output stays."""
    with collector_released():  # the one place the collector is given back what the stages froze
        return _build(options, reuse or NoReuse(), Stopwatch(progress))


def _build(options: BuildOptions, reuse: Reuse, watch: Stopwatch) -> BuildResult:
    """The stages, in order."""
    if problems := [*check_output_dir(options.output_dir, [options.root], [options.content_dir, *options.themes]),
                    *theme_file_problems(options.themes, options.root)]:
        return BuildResult(tuple(problems))
    themes = [*options.themes, default_theme_dir()]
    with watch.stage("load"):  # stat before reading: the files are read only when the last build cannot stand
        listing, read_problems = find(options)
        last = None if read_problems else reuse.unchanged(options, listing, themes)
        # and then only those whose stamp changed since the last build prepared them
        unread = frozenset() if last or read_problems else reuse.known(listing, content_prefix(options),
                                                                       options.unsafe_html)
        files, read_problems = ({}, read_problems) if last else read(listing, read_problems, unread)
    if last:  # nothing the site is made from changed, and the output is as the last build left it
        return BuildResult(last.diagnostics, last.assessments, len(last.paths), count_pages(last.paths),
                           watch.total(), watch.timings(), len(last.paths), reuse.status())
    with watch.stage("validate"), collector_paused():  # parse, score and render each assessment's body
        sources = sources_from_files(files, content_prefix(options), unread)
        del files  # decoded: the bytes are not needed again, nor copied into the worker processes
        checked = validate(options, sources, read_problems, reuse)
        del sources
    if checked.content is None or any(d.is_error for d in checked.diagnostics):
        return BuildResult(checked.diagnostics, len(checked.scored), timings=watch.timings(), cache=reuse.status())
    with watch.stage("history"), collector_paused():  # best-effort: empty outside git
        history = reuse.history(options, lambda: read_history(options.root, options.content_dir))
    # All data is gathered and valid; from here on the site is assembled and written.
    with watch.stage("site model"), collector_paused():
        model = site_model(options, checked, history, reuse)
    with watch.stage("render"):  # what to make, and the worker processes that render the pages when there are many
        made, kept = render(options, themes, model, checked, reuse)
    with watch.stage("write"):
        failed = write(options, made, kept)
        del model  # written: the pages' views need not outlive this stage (the cache keeps what it needs)
    watch.move(made.seconds, "write", "render")  # files are made (or taken from the workers) as the writer takes them
    if failed:
        return BuildResult((*checked.diagnostics, *failed), len(checked.scored), timings=watch.timings(),
                           cache=reuse.status())
    with watch.stage("save cache"):
        reuse.finish(checked.diagnostics, len(checked.scored), kept, options.output_dir)
    every = [*made.paths, *kept]
    return BuildResult(checked.diagnostics, len(checked.scored), len(every), count_pages(every), watch.total(),
                       watch.timings(), len(kept), reuse.status())


def content_prefix(options: BuildOptions) -> str:
    """The content directory as diagnostics show it (from the site root)."""
    return display_path(options.content_dir, options.root)


def find(options: BuildOptions) -> tuple[Listing, list[Diagnostic]]:
    """The content directory's files by path, found with their stamps but not read, and what cannot be read."""
    if problem := content_dir_problem(options.content_dir, options.root):
        return Listing({}, 0), [problem]
    return find_content_files(options.content_dir, content_prefix(options))


def read(listing: Listing, problems: list[Diagnostic],
         skipped: frozenset[str] = frozenset()) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The files found but those `skipped`, as bytes by path, and `problems` with those of reading them."""
    if skipped:
        listing = replace(listing, files={path: found for path, found in listing.files.items() if path not in skipped})
    files, unreadable = read_found(listing)
    return files, problems + unreadable


def check(options: BuildOptions) -> Checked:
    """Load, validate and score the content, writing nothing (`scorecard check`)."""
    files, problems = read(*find(options))
    problems += theme_file_problems(options.themes, options.root)
    return validate(options, sources_from_files(files, content_prefix(options)), problems, NoReuse())


def validate(options: BuildOptions, sources: Sources, read_problems: list[Diagnostic], reuse: Reuse) -> Checked:
    """Parse and score every assessment file and render its body, and check what spans files.

    Each file is prepared on its own, in worker processes when there are many, unless `reuse`
    knows it already.
    """
    from scorecard.pipeline.prepare import parse_all, render_all

    diagnostics = [*read_problems, *sources.diagnostics]
    rubric = sources.rubric
    if rubric is None:
        return Checked(None, (), finish_diagnostics(diagnostics, options.strict))
    parsed = reuse.prepared(sources, options.unsafe_html, lambda jobs: parse_all(jobs, rubric))
    for file in sources.files:
        diagnostics += parsed[file.path].diagnostics
    content, problems = assemble_content(sources, (parsed[f.path].assessment for f in sources.files))
    diagnostics += problems
    assert content is not None
    titles = {a.slug: a.title for a in content.assessments}
    broken = sources.slugs - titles.keys()  # files with errors: a link to one is not "missing"
    bodies = reuse.bodies(content.assessments, titles,
                          lambda todo: render_all(todo, titles, options.unsafe_html, broken))
    today = options.today or dt.date.today()
    scored = []
    for assessment in content.assessments:
        diagnostics += bodies[assessment.path].diagnostics
        scored.append(scored_on(content.rubric, assessment, parsed[assessment.path], bodies[assessment.path], today))
    diagnostics += content_warnings(content, options, today)
    return Checked(content, tuple(scored), finish_diagnostics(diagnostics, options.strict))


def scored_on(rubric: Rubric, assessment: Assessment, prepared: Parsed, body: Body, today: dt.date) -> Scored:
    """An assessment as the site shows it on `today`: an exemption that has expired counts as
    unanswered (worked out here, not with the file: it depends on the day)."""
    from scorecard.core.exemptions import apply_expiry
    from scorecard.core.lift import next_grade
    from scorecard.publish.export import assessment_exports
    from scorecard.site.model import Scored

    assert prepared.scorecard is not None
    assert prepared.exports is not None
    card, exports, lift = prepared.scorecard, prepared.exports, prepared.lift
    if expired := apply_expiry(rubric, assessment, today):
        assessment, card = expired
        lift = next_grade(rubric, card)
        exports = assessment_exports(rubric, assessment, card, lift)
    return Scored(assessment, card, body.html, body.search, exports, lift, body.links)


def content_warnings(content: Content, options: BuildOptions, today: dt.date) -> list[Diagnostic]:
    """What only the content as a whole shows: names and titles that clash, reviews due, dates in the
    future, exemptions about to expire, a map of sections the rubric lacks."""
    from scorecard.core.exemptions import exemption_warnings
    from scorecard.core.groups import spelling_clashes, title_clashes
    from scorecard.site.portfolio_map import MapAxes, map_problems

    by_path = sorted(content.assessments, key=lambda a: a.path)
    return [*spelling_clashes(content.assessments), *title_clashes(by_path),
            *map_problems(content.rubric, MapAxes(options.map_across, options.map_up)),
            *staleness_warnings(content.assessments, today, options.stale_after_days),
            *future_date_warnings(content.assessments, today),
            *exemption_warnings(content.assessments, today, options.expiry_warning_days)]


def finish_diagnostics(diagnostics: list[Diagnostic], strict: bool) -> tuple[Diagnostic, ...]:
    """The diagnostics in the order they are shown; with `strict`, warnings count as errors."""
    return tuple(sort_diagnostics(promote_warnings(diagnostics) if strict else diagnostics))


def site_model(options: BuildOptions, checked: Checked, history: Mapping[str, tuple[HistoryPoint, ...]],
               reuse: Reuse) -> SiteModel:
    """Every page's view model; each assessment's own view is reused while what it shows is unchanged."""
    from markupsafe import Markup

    from scorecard.site.model import assessment_view, build_site_model
    from scorecard.site.portfolio_map import MapAxes

    content = checked.content
    assert content is not None
    titles = {s.assessment.slug: s.assessment.title for s in checked.scored}
    views = reuse.views(checked.scored, lambda s: replace(assessment_view(content.rubric, s, titles), body=Markup()))
    return build_site_model(content, list(checked.scored), options.title, options.description, history=history,
                            today=options.today or dt.date.today(), stale_after_days=options.stale_after_days,
                            base_url=options.base_url, edit_url=options.edit_url, language=options.language,
                            known_views=views, map_axes=MapAxes(options.map_across, options.map_up))


def render(options: BuildOptions, themes: list[Path], model: SiteModel, checked: Checked,
           reuse: Reuse) -> tuple[Made, frozenset[str]]:
    """Every file of the site that is not kept from the last build, made as the writer takes it,
    and the files kept. When there are many pages, worker processes are started here to render them
    (before the writer starts its threads: `render_site`)."""
    from scorecard.publish.export import badge_files
    from scorecard.publish.render import environment_for, render_site

    env = environment_for(themes)
    badges = dict(badge_files(list(checked.scored)))  # thousands of small files, made already
    plan = reuse.plan(model, env, badges, options.output_dir)
    pages = replace(model, pages=tuple(p for p in model.pages if p.path not in plan.kept))
    made = itertools.chain(render_site(pages, env, themes, plan.fragments),
                           (f for f in export_files(checked, model, options, badges) if f[0] not in plan.kept))
    return Made(reuse.watch(made)), plan.kept


def export_files(checked: Checked, model: SiteModel, options: BuildOptions, badges: dict[str, bytes]) -> Files:
    """The files made from the data rather than from templates: exports, badges, sitemap, search index.

    The exports of every assessment (tens of megabytes at thousands of assessments) are streamed:
    written a piece per assessment as they are made, never held whole."""
    from scorecard.publish.export import scorecard_csv_chunks, scorecard_json_chunks
    from scorecard.publish.sitemap import SITEMAP_URL, sitemap_xml
    from scorecard.site.compare import DATA_URL, compare_data_chunks, trends_of
    from scorecard.site.search import search_index_chunks

    assert checked.content is not None
    rubric = checked.content.rubric
    entries = [s.exports.json_entry for s in sorted(checked.scored, key=lambda s: s.assessment.slug)]
    yield "scorecard.json", encoded(scorecard_json_chunks(rubric, entries))
    yield DATA_URL, encoded(compare_data_chunks(scorecard_json_chunks(rubric, entries), trends_of(model.pages)))
    yield "scorecard.csv", encoded(scorecard_csv_chunks(rubric, checked.scored, options.base_url))
    yield from badges.items()
    if options.base_url:  # the sitemap protocol needs absolute addresses
        # a redirect is no page of its own
        pages = [page.path for page in model.pages if page.template != "redirect.html"]
        yield SITEMAP_URL, sitemap_xml(options.base_url, pages).encode("utf-8")
    yield "search-index.js", encoded(search_index_chunks((s.assessment.slug, s.search_entry) for s in checked.scored))


def encoded(chunks: Iterable[str]) -> Streamed:
    """A file streamed from pieces of text, each written in UTF-8 as it is made."""
    return Streamed(chunk.encode("utf-8") for chunk in chunks)


def write(options: BuildOptions, files: Iterable[tuple[str, FileData]],
          kept: frozenset[str]) -> tuple[Diagnostic, ...]:
    """Write the site, swapped in whole; what went wrong, if anything (nothing is written then)."""
    from scorecard.publish.render import RenderError

    try:
        return tuple(write_site(files, options.output_dir, kept=sorted(kept)))
    except RenderError as exc:  # template errors name the theme's file: shown from the site root when it is inside
        return (replace(exc.diagnostic, path=display_path(Path(exc.diagnostic.path), options.root)),)


def count_pages(paths: Iterable[str]) -> int:
    return sum(1 for path in paths if path.endswith(".html"))


class Made:
    """The files on their way to the writer, made as it takes each: their paths, and the time spent
    making them (counted as the render stage's, though it passes while the writer works)."""

    def __init__(self, files: Files):
        self.files = files
        self.paths: list[str] = []
        self.seconds = 0.0

    def __iter__(self) -> Files:
        while True:
            started = time.perf_counter()
            try:
                path, data = next(self.files)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
            self.paths.append(path)
            yield path, Streamed(self.timed(data.chunks)) if isinstance(data, Streamed) else data

    def timed(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """A streamed file's pieces, the time spent making them counted as the other files'."""
        pieces = iter(chunks)
        while True:
            started = time.perf_counter()
            try:
                chunk = next(pieces)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
            yield chunk
