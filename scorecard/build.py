"""The build, stage by stage: load → validate → score → history → site model → render → write."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from markupsafe import Markup

from .cache import (BuildCache, SiteRecord, digest, load_cache, output_unchanged, record_files, save_cache,
                    unchanged_file)
from .content import (ASSESSMENTS_DIR, RUBRIC_FILE, Content, content_from_files, decode, display_path,
                      is_assessment_file, load_content, parse_site_rubric, read_content_files, slug_for)
from .diagnostics import Diagnostic, sort_diagnostics, strict as promote_warnings
from .exemptions import DEFAULT_WARNING_DAYS, apply_expiry, exemption_warnings
from .export import assessment_exports, badge_files, scorecard_csv, scorecard_json
from .fragments import FragmentStore
from .groups import spelling_clashes, title_clashes
from .history import history_state, read_history
from .pagekeys import page_keys, templates_digest, theme_digest, view_keys
from .prepare import Body, Job, Parsed, parse_all, render_all
from .render import RenderFailed, default_theme_dir, render_site
from .rubric import Rubric
from .search import search_index_js
from .site import Scored, SiteModel, assessment_view, build_site_model
from .sitemap import SITEMAP_URL, sitemap_xml
from .staleness import DEFAULT_MAX_AGE_DAYS, future_date_warnings, staleness_warnings
from .timings import Progress, Stopwatch, collector_paused
from .views import AssessmentView
from .writer import check_output_dir, write_site


STAGES = ("cache", "load", "history", "site model", "render", "write", "save cache")
"""The stages of a build, in order, as `--timings` and the progress bar name them."""


@dataclass(frozen=True)
class BuildOptions:
    """Where to read and write, and how strict to be."""

    root: Path
    content_dir: Path
    output_dir: Path
    title: str = "Scorecard"
    description: str = ""
    strict: bool = False
    themes: tuple[Path, ...] = ()
    """Theme directories tried before the default theme."""
    stale_after_days: int = DEFAULT_MAX_AGE_DAYS
    expiry_warning_days: int = DEFAULT_WARNING_DAYS
    """How many days before an exemption expires `check` warns."""
    """An assessment whose `date` is older than this is marked "Review due"."""
    today: dt.date | None = None
    """The day staleness is judged on; None means the day the build runs (resolved once)."""
    base_url: str = ""
    """Absolute URL the site is published at (sitemap, feed); "" when unknown."""
    edit_url: str = ""
    """Pattern for "Edit this page" links, with {path} for the file's path from the site root; "" for none."""
    language: str = "en"
    """The `lang` of every page."""
    unsafe_html: bool = False
    """Let raw HTML in Markdown bodies through unescaped (unsafe: only for fully trusted authors)."""
    cache: bool = True
    """Reuse what the last build left in .scorecard-cache/ for files and pages that did not change."""

    @classmethod
    def at(cls, root: Path, **changes: Any) -> BuildOptions:
        """Options for the site at `root`, with the default content/ and output/ directories."""
        return replace(cls(root=root, content_dir=root / "content", output_dir=root / "output"), **changes)


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    assessments: int = 0
    files: int = 0
    pages: int = 0
    """How many of the files are HTML pages."""
    seconds: float = 0.0
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds per stage, in order."""
    kept: int = 0
    """Files not made again (pages, badges): the cache knew they had not changed."""
    cache: str = ""
    """How the build cache was found ("used", "empty", "off", or why it was ignored)."""
    cache_state: BuildCache | None = field(default=None, repr=False, compare=False)
    """The cache as this build left it, for the next build in the same process (`build`'s `previous`)."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)


def check(options: BuildOptions, cache: BuildCache | None = None,
          read: tuple[dict[str, bytes], list[Diagnostic]] | None = None) -> tuple[list[Scored], list[Diagnostic], Content | None]:
    """Load, validate and score the content: everything a build knows before it renders.

    Each assessment file is prepared (parsed, scored, its body rendered) on its own: taken from
    `cache` when nothing it depends on changed, else in worker processes; `cache` then holds
    what this build prepared. `read` is the content directory as `read_content_files` gave it,
    when the caller has read it already.
    """
    if not options.content_dir.is_dir():
        return [], load_content(options.content_dir, options.root)[1], None
    prefix = display_path(options.content_dir, options.root)
    files, diagnostics = read or read_content_files(options.content_dir, prefix)
    diagnostics = list(diagnostics)
    parsed = parse_files(files, prefix, cache or BuildCache(), options)
    content, problems = content_from_files(files, prefix, parse=lambda text, path, slug, rubric: (
        parsed[path][0].assessment, list(parsed[path][0].diagnostics)))
    diagnostics += problems
    if content is None:
        return [], diagnostics, None
    folder = f"{prefix}/{ASSESSMENTS_DIR}/"  # files that exist but have errors: links to them are not "missing"
    broken = frozenset(slug_for(PurePosixPath(path[len(folder):])) for path, (p, _, _) in parsed.items() if p.assessment is None)
    bodies = render_bodies(content, parsed, cache or BuildCache(), options.unsafe_html, broken)
    scored = []
    today = options.today or dt.date.today()
    for assessment in content.assessments:
        prepared, body = parsed[assessment.path][0], bodies[assessment.path]
        assert prepared.scorecard is not None and prepared.exports is not None
        diagnostics += body.diagnostics
        card, exports = prepared.scorecard, prepared.exports
        expired = apply_expiry(content.rubric, assessment, today)  # depends on the day: not cached with the file
        if expired:
            assessment, card = expired
            exports = assessment_exports(content.rubric, assessment, card)
        scored.append(Scored(assessment, card, body.html, body.search, exports, body.links))
    diagnostics += spelling_clashes(content.assessments)
    diagnostics += staleness_warnings(content.assessments, options.today or dt.date.today(), options.stale_after_days)
    diagnostics += future_date_warnings(content.assessments, options.today or dt.date.today())
    diagnostics += title_clashes(sorted(content.assessments, key=lambda a: a.path))
    diagnostics += exemption_warnings(content.assessments, today, options.expiry_warning_days)
    return scored, diagnostics, content


def parse_files(files: dict[str, bytes], prefix: str, cache: BuildCache,
                options: BuildOptions) -> dict[str, tuple[Parsed, Body | None, bytes]]:
    """Every assessment file parsed and scored, by path, with its cached body if any and its key.

    A file's key is a digest of everything its parsing reads: its path, text and the rubric.
    Files whose key the cache holds are not parsed again.
    """
    rubric_path = f"{prefix}/{RUBRIC_FILE}"
    rubric_bytes = files.get(rubric_path)
    rubric_text = decode(rubric_bytes, rubric_path)[0] if rubric_bytes is not None else None
    if rubric_bytes is not None and rubric_text is None:
        return {}  # content_from_files reports why
    rubric, _ = parse_site_rubric(rubric_text, rubric_path)
    if rubric is None:
        return {}
    folder = f"{prefix}/{ASSESSMENTS_DIR}/"
    jobs = {}
    for path, data in files.items():
        if path.startswith(folder) and is_assessment_file(path[len(folder):]):
            text, _ = decode(data, path)
            if text is not None:
                jobs[path] = Job(path, slug_for(PurePosixPath(path[len(folder):])), text)
    rubric_key = digest(b"" if rubric_bytes is None else rubric_bytes, repr(options.unsafe_html).encode())
    keys = {path: digest(rubric_key, path.encode(), job.slug.encode(), job.text.encode()) for path, job in jobs.items()}
    known = cache.prepared
    found = {path: (*known[key], key) for path, key in keys.items() if key in known}
    todo = [job for path, job in jobs.items() if path not in found]
    found.update((job.path, (parsed, None, keys[job.path])) for job, parsed in zip(todo, parse_all(todo, rubric)))
    return found


def render_bodies(content: Content, parsed: dict[str, tuple[Parsed, Body | None, bytes]],
                  cache: BuildCache, unsafe_html: bool = False, broken: frozenset[str] = frozenset()) -> dict[str, Body]:
    """Every assessment's body rendered, by path: the cached one where the titles it showed are unchanged."""
    titles = {a.slug: a.title for a in content.assessments}
    bodies = {a.path: parsed[a.path][1] for a in content.assessments
              if parsed[a.path][1] is not None and parsed[a.path][1].still_valid(titles)}  # type: ignore[union-attr]
    todo = [a for a in content.assessments if a.path not in bodies]
    bodies.update(zip((a.path for a in todo), render_all(todo, titles, unsafe_html, broken)))
    cache.prepared = {key: (p, bodies.get(path)) for path, (p, _, key) in parsed.items()}
    cache.file_keys = {path: key for path, (_, _, key) in parsed.items()}
    return bodies  # type: ignore[return-value]


def build(options: BuildOptions, progress: Progress | None = None, previous: BuildCache | None = None) -> BuildResult:
    """Build the site; on any error nothing is written and the previous output stays.

    `previous` is the `BuildResult.cache_state` of the last build in this process, if any: its
    cache is taken from memory instead of being read back from `.scorecard-cache/`.
    """
    try:
        return build_stages(options, progress, previous)
    finally:
        gc.unfreeze()  # what the stages froze for the collector (`collector_paused`) is its to scan again


def build_stages(options: BuildOptions, progress: Progress | None = None, previous: BuildCache | None = None) -> BuildResult:
    """The build, stage by stage."""
    started = time.perf_counter()
    diagnostics = check_output_dir(options.output_dir, [options.root], [options.content_dir, *options.themes])
    if diagnostics:
        return BuildResult(tuple(diagnostics))
    themes = [*options.themes, default_theme_dir()]
    today = options.today or dt.date.today()
    with Stopwatch(progress) as watch:
        with watch.stage("cache"):
            cache = load_cache(options.root, previous) if options.cache else BuildCache(status="off")
        with watch.stage("load"), collector_paused():  # read, parse, score and render each assessment's body
            read = read_content_files(options.content_dir, display_path(options.content_dir, options.root)) \
                if options.content_dir.is_dir() else None
            git_state = history_state(options.root, options.content_dir)
            site_key = digest(repr(replace(options, today=today)).encode(), git_state.encode(), theme_digest(themes),
                              *(part for path, data in sorted(read[0].items()) for part in (path.encode(), data)) if read else ())
            last = cache.site
            unchanged = bool(read and not read[1] and last and last.key == site_key
                             and output_unchanged(last.files, options.output_dir))
            if not unchanged:
                scored, diagnostics, content = check(options, cache, read)
                read = None  # the files' bytes are not needed again: let them go
        if unchanged and last:
            # Nothing the site is made from changed, and the output is as the last build left it.
            return BuildResult(last.diagnostics, last.assessments, files=len(last.files),
                               pages=sum(1 for path in last.files if path.endswith(".html")),
                               seconds=time.perf_counter() - started, timings=tuple(watch.stages), kept=len(last.files),
                               cache=cache.status, cache_state=cache)
        if options.strict:
            diagnostics = promote_warnings(diagnostics)
        diagnostics = sort_diagnostics(diagnostics)
        if content is None or any(d.is_error for d in diagnostics):
            return BuildResult(tuple(diagnostics), len(scored), timings=tuple(watch.stages), cache_state=cache)

        with watch.stage("history"):  # best-effort: empty outside git
            if cache.history is not None and cache.history[0] == git_state:
                history = cache.history[1]
            else:
                history = read_history(options.root, options.content_dir)
                cache.history = (git_state, history)

        # All data is gathered and valid; from here on the site is assembled and written.
        with watch.stage("site model"), collector_paused():
            views, view_digests = assessment_views(content.rubric, scored, cache)
            model = build_site_model(content, scored, options.title, options.description, history=history, today=today,
                                     stale_after_days=options.stale_after_days, base_url=options.base_url,
                                     edit_url=options.edit_url, language=options.language, known_views=views)
        with watch.stage("render"):  # which files need making; they are made one by one as the writer takes them
            known = view_keys(model, views, view_digests)
            keys = page_keys(model, themes, known)
            keys.update((path, digest(data)) for path, data in badge_files(scored))  # thousands of small files, made already
            out = os.fspath(options.output_dir)
            kept = {path for path, key in keys.items() if cache.site and unchanged_file(cache.site.files.get(path), key,
                                                                                         os.path.join(out, path))}
            made = Made(keys)
            # The list pages' rows, reused from the last build (fragments.py), known by the keys of their views.
            fragments = FragmentStore(templates_digest(themes), cache.fragments, key_of=lambda view: known.get(id(view)))
            files = made.note(itertools.chain(render_site(replace(model, pages=tuple(p for p in model.pages if p.path not in kept)), themes, fragments),
                                              (file for file in export_files(content, scored, model, options) if file[0] not in kept)))
        with watch.stage("write"):
            try:
                problems = write_site(files, options.output_dir, kept=sorted(kept))
            except RenderFailed as exc:  # template errors name the theme's file: shown from the site root when it is inside
                problems = [replace(exc.diagnostic, path=display_path(Path(exc.diagnostic.path), options.root))]
            if problems:
                return BuildResult(tuple(diagnostics + problems), len(scored), timings=tuple(watch.stages), cache_state=cache)
        watch.move(made.seconds, "write", "render")
        if options.cache:
            with watch.stage("save cache"):
                cache.fragments = fragments.used
                previous = cache.site.files if cache.site else {}
                cache.site = SiteRecord(site_key, tuple(diagnostics), len(scored), record_files(
                    made.digests, options.output_dir, {path: previous[path] for path in kept}))
                save_cache(cache)
    every = [*made.paths, *kept]
    return BuildResult(tuple(diagnostics), len(scored), files=len(every), pages=sum(1 for p in every if p.endswith(".html")),
                       seconds=time.perf_counter() - started, timings=tuple(watch.stages), kept=len(kept), cache=cache.status,
                       cache_state=cache)


def export_files(content: Content, scored: list[Scored], model: SiteModel, options: BuildOptions) -> Iterator[tuple[str, bytes]]:
    """The files made from the data rather than from templates: exports, badges, sitemap, search index."""
    by_slug = sorted(scored, key=lambda s: s.assessment.slug)
    yield "scorecard.json", scorecard_json(content.rubric, [s.exports.json_entry for s in by_slug]).encode("utf-8")
    yield "scorecard.csv", scorecard_csv(content.rubric, scored, options.base_url).encode("utf-8")
    yield from badge_files(scored)
    if options.base_url:  # the sitemap protocol needs absolute addresses
        yield SITEMAP_URL, sitemap_xml(options.base_url, [page.path for page in model.pages if page.template != "redirect.html"]).encode("utf-8")
    yield "search-index.js", search_index_js((s.assessment.slug, s.search_entry) for s in scored).encode("utf-8")


class Made:
    """Keeps count of the files made for the writer: their paths, the digest of each (a page's is
    its key) for the cache's record, and the time spent making them. `keys` holds the keys known
    before the files are made (pages, badges)."""

    def __init__(self, keys: dict[str, bytes]):
        self.keys = keys
        self.digests = dict(keys)
        self.paths: list[str] = []
        self.seconds = 0.0

    def note(self, files: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
        while True:
            started = time.perf_counter()
            try:
                path, data = next(files)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
            if path not in self.keys:
                self.digests[path] = digest(data)
            self.paths.append(path)
            yield path, data


def assessment_views(rubric: Rubric, scored: list[Scored],
                     cache: BuildCache) -> tuple[dict[str, AssessmentView], dict[str, bytes]]:
    """Each assessment's own view without its body, and its key (a digest of everything it is made
    from), by slug: the cached view when its file and the titles of its related assessments are
    what they were; `cache` then holds this build's views.

    The body, which the cache holds already with the prepared files, is the site model's to add.
    """
    titles = {s.assessment.slug: s.assessment.title for s in scored}
    known, made, views, keys = cache.views, {}, {}, {}
    for s in scored:
        a = s.assessment
        key = keys[a.slug] = digest(cache.file_keys[a.path], *(titles.get(slug, slug).encode() for slug in a.related),
                                    *(f"expired {r.section}.{r.item}".encode() for r in a.responses if r.expired))
        views[a.slug] = made[key] = known.get(key) or replace(assessment_view(rubric, s, titles), body=Markup())
    cache.views = made
    return views, keys
