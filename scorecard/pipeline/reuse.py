"""What a build may take from the builds before it: the one interface the build is handed.

The build runs the same stages whatever it is handed. `NoReuse` takes nothing and makes
everything afresh; the incremental layer's cache (`scorecard.incremental.cache.BuildCache`) is
the other implementation, and the tests compare the sites the two make byte for byte. Keys,
digests and records are the cache's business: the build only says what it is about to make and
how to make it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from scorecard.core.diagnostics import Diagnostic
from scorecard.core.options import BuildOptions
from scorecard.publish.writer import FileData
from scorecard.source.history import HistoryPoint

if TYPE_CHECKING:  # what the later stages make: a build with nothing changed never imports them
    import jinja2

    from scorecard.core.assessment import Assessment
    from scorecard.pipeline.prepare import Body, Job, Parsed
    from scorecard.publish.fragments import Fragments
    from scorecard.site.model import Scored, SiteModel
    from scorecard.site.views import AssessmentView
    from scorecard.source.content import Listing, Sources

History = Mapping[str, tuple[HistoryPoint, ...]]
"""Each assessment's revisions that changed its scores, by slug."""
Files = Iterator[tuple[str, FileData]]
"""Output files as (path from the site root, bytes or `Streamed` pieces), made one at a time."""


@dataclass(frozen=True)
class LastBuild:
    """A build that nothing has changed since, and whose output is as it left it."""

    diagnostics: tuple[Diagnostic, ...]
    assessments: int
    paths: tuple[str, ...]
    """Every file of its output."""


@dataclass(frozen=True)
class RenderPlan:
    """What the render stage can skip, and where the themes' cached fragments come from."""

    kept: frozenset[str] = frozenset()
    """Output files that are already what this build would make: carried over, not made again."""
    fragments: Fragments | None = None
    """None: each `{% cache %}` fragment is rendered where it stands."""


class Reuse(Protocol):
    """Earlier work a build may take instead of doing it again."""

    def status(self) -> str:
        """How the earlier work was found ("used", "empty", "off", or why it was ignored)."""
        ...

    def unchanged(self, options: BuildOptions, listing: Listing, themes: Sequence[Path]) -> LastBuild | None:
        """The last build, when nothing the site is made from changed and its output is intact (the
        content files are listed, not read: a file is read here only if its stamp changed)."""
        ...

    def known(self, listing: Listing, prefix: str, unsafe_html: bool) -> frozenset[str]:
        """The assessment files (by path as shown) that need not be read: what `prepared` gives for
        each is at hand, made from the bytes the file still has (its stamp is unchanged). `prefix` is the
        content directory as paths show it."""
        ...

    def prepared(self, sources: Sources, unsafe_html: bool,
                 prepare: Callable[[list[Job]], list[Parsed]]) -> dict[str, Parsed]:
        """Every assessment file parsed and scored, by path: `prepare` makes what is not known (every
        file not read is: `known`)."""
        ...

    def bodies(self, assessments: Sequence[Assessment], titles: Mapping[str, str],
               render: Callable[[list[Assessment]], list[Body]]) -> dict[str, Body]:
        """Every assessment's body rendered, by path: `render` makes what is not known."""
        ...

    def history(self, options: BuildOptions, read: Callable[[], History]) -> History:
        """The git history of the content: `read` reads it when it is not known."""
        ...

    def views(self, scored: Sequence[Scored], make: Callable[[Scored], AssessmentView]) -> dict[str, AssessmentView]:
        """Each assessment's own view (without its body), by slug: `make` makes what is not known."""
        ...

    def plan(self, model: SiteModel, env: jinja2.Environment, made: Mapping[str, bytes],
             output_dir: Path) -> RenderPlan:
        """What of the site need not be made again; `made` holds the files made already (badges)."""
        ...

    def watch(self, files: Files) -> Files:
        """The files on their way to the writer (the cache notes what each was made from)."""
        ...

    def finish(self, diagnostics: Sequence[Diagnostic], assessments: int, kept: frozenset[str],
               output_dir: Path) -> None:
        """The build wrote its site: keep what the next build may take."""
        ...


class NoReuse:
    """Reuses nothing: every build makes everything afresh."""

    def __init__(self, status: str = "off"):
        self._status = status

    def status(self) -> str:
        return self._status

    def unchanged(self, options: BuildOptions, listing: Listing, themes: Sequence[Path]) -> LastBuild | None:
        return None

    def known(self, listing: Listing, prefix: str, unsafe_html: bool) -> frozenset[str]:
        return frozenset()

    def prepared(self, sources: Sources, unsafe_html: bool,
                 prepare: Callable[[list[Job]], list[Parsed]]) -> dict[str, Parsed]:
        from scorecard.pipeline.prepare import Job

        jobs = [Job(f.path, f.slug, f.text) for f in sources.files if f.text is not None]  # all: none is known
        return dict(zip((job.path for job in jobs), prepare(jobs), strict=True))

    def bodies(self, assessments: Sequence[Assessment], titles: Mapping[str, str],
               render: Callable[[list[Assessment]], list[Body]]) -> dict[str, Body]:
        return dict(zip((a.path for a in assessments), render(list(assessments)), strict=True))

    def history(self, options: BuildOptions, read: Callable[[], History]) -> History:
        return read()

    def views(self, scored: Sequence[Scored], make: Callable[[Scored], AssessmentView]) -> dict[str, AssessmentView]:
        return {s.assessment.slug: make(s) for s in scored}

    def plan(self, model: SiteModel, env: jinja2.Environment, made: Mapping[str, bytes],
             output_dir: Path) -> RenderPlan:
        return RenderPlan()

    def watch(self, files: Files) -> Files:
        return files

    def finish(self, diagnostics: Sequence[Diagnostic], assessments: int, kept: frozenset[str],
               output_dir: Path) -> None:
        return None
