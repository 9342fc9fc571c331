"""The build, stage by stage: load → validate → score → history → site model → render → write."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .content import Content, display_path, load_content
from .diagnostics import Diagnostic, sort_diagnostics, strict as promote_warnings
from .export import badge_files, scorecard_csv, scorecard_json
from .groups import spelling_clashes
from .history import read_history
from .markdown import make_markdown, render_body
from .render import default_theme_dir, render_site
from .scoring import score_assessment
from .search import search_documents, search_index_js
from .site import Scored, build_site_model
from .sitemap import SITEMAP_URL, sitemap_xml
from .staleness import DEFAULT_MAX_AGE_DAYS, staleness_warnings
from .writer import check_output_dir, write_site


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

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)


def check(options: BuildOptions) -> tuple[list[Scored], list[Diagnostic], Content | None]:
    """Load, validate and score the content: everything a build knows before it renders."""
    content, diagnostics = load_content(options.content_dir, options.root)
    if content is None:
        return [], diagnostics, None
    md = make_markdown(unsafe_html=options.unsafe_html)
    titles = {a.slug: a.title for a in content.assessments}
    scored = []
    for assessment in content.assessments:
        body = render_body(md, assessment.body, slug=assessment.slug, path=assessment.path,
                           body_line=assessment.body_line, titles=titles)
        diagnostics += body.diagnostics
        scored.append(Scored(assessment, score_assessment(content.rubric, assessment), body.html, body.links))
    diagnostics += spelling_clashes(content.assessments)
    diagnostics += staleness_warnings(content.assessments, options.today or dt.date.today(), options.stale_after_days)
    return scored, diagnostics, content


def build(options: BuildOptions) -> BuildResult:
    """Build the site; on any error nothing is written and the previous output stays."""
    started = time.perf_counter()
    diagnostics = check_output_dir(options.output_dir, [options.root], [options.content_dir, *options.themes])
    if diagnostics:
        return BuildResult(tuple(diagnostics))
    scored, diagnostics, content = check(options)
    if options.strict:
        diagnostics = promote_warnings(diagnostics)
    diagnostics = sort_diagnostics(diagnostics)
    if content is None or any(d.is_error for d in diagnostics):
        return BuildResult(tuple(diagnostics), len(scored))

    history = read_history(options.root, options.content_dir)  # best-effort: empty outside git
    today = options.today or dt.date.today()

    # All data is gathered and valid; from here on the site is assembled and written.
    model = build_site_model(content, scored, options.title, options.description, history=history, today=today,
                             stale_after_days=options.stale_after_days, base_url=options.base_url,
                             edit_url=options.edit_url, language=options.language)
    files, problems = render_site(model, [*options.themes, default_theme_dir()])
    if problems:  # template errors name the theme's file: shown from the site root when it is inside
        problems = [replace(d, path=display_path(Path(d.path), options.root)) for d in problems]
        return BuildResult(tuple(diagnostics + problems), len(scored))
    files["scorecard.json"] = scorecard_json(content.rubric, scored).encode("utf-8")
    files["scorecard.csv"] = scorecard_csv(content.rubric, scored, options.base_url).encode("utf-8")
    files.update(badge_files(content.rubric, scored))
    if options.base_url:  # the sitemap protocol needs absolute addresses
        files[SITEMAP_URL] = sitemap_xml(options.base_url, [page.path for page in model.pages]).encode("utf-8")
    files["search-index.js"] = search_index_js(search_documents(scored)).encode("utf-8")
    problems = write_site(files, options.output_dir)
    if problems:
        return BuildResult(tuple(diagnostics + problems), len(scored))
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuildResult(tuple(diagnostics), len(scored), len(files), pages, time.perf_counter() - started)
