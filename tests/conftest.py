"""Shared helpers: literal assessment texts and small sites written into a temporary directory."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scorecard.core.assessment import Assessment, parse_assessment
from scorecard.core.rubric import Rubric, default_rubric


def assessment_text(*, trust: dict[str, str] | None = None, slates: dict[str, str] | None = None,
                    extra: str = "", title: str = "Forum", body: str = "Body.\n") -> str:
    """An assessment file; `trust` and `slates` map item ids to the YAML written after `id: `."""
    lines = ["---", f"title: {title}", "date: 2026-09-14"]
    if extra:
        lines += textwrap.dedent(extra).strip("\n").split("\n")
    for section, items in (("trust", trust), ("slates", slates)):
        if items is not None:
            lines.append(f"{section}:")
            lines += [f"  {key}: {value}" for key, value in items.items()]
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def parse(text: str, rubric: Rubric | None = None, slug: str = "forum") -> Assessment:
    """Parse an assessment that must load (diagnostics may be warnings)."""
    assessment, diagnostics = parse_assessment(text, f"{slug}.md", slug, rubric or default_rubric())
    assert assessment is not None, [d.format() for d in diagnostics]
    assert not [d for d in diagnostics if d.is_error], [d.format() for d in diagnostics]
    return assessment


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (path relative to the site root → text) and return the root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
"""A small site of three assessments whose scores are worked out in test_build.py."""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the fixture site, outside any git repository."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, root)
    return root


@pytest.fixture
def rubric() -> Rubric:
    return default_rubric()


@pytest.fixture(autouse=True)
def own_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds sign their cache with a key from the user's cache directory: keep it inside the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


# -- links in a built site ----------------------------------------------------------------------

class Anchors(HTMLParser):
    """The URLs a page links to or loads, and the ids it has."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def read_anchors(path: Path) -> Anchors:
    parser = Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> tuple[list[str], int]:
    """Internal links (href and src) of every page that miss their file or id, and how many were checked."""
    pages = {page: read_anchors(page) for page in sorted(site.rglob("*.html"))}
    checked, broken = 0, []
    for page, anchors in pages.items():
        for url in anchors.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # an external link is the author's business; the browser tests catch external loads
            assert not parts.path.startswith("/"), f"{page}: {url} is absolute and breaks sub-path hosting"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} → {url}")
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{page.relative_to(site)} → {url} (no element has id {parts.fragment!r})")
    return broken, checked


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` and its bytes."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def user_cache_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Builds keep their cache's signing key in the user's cache folder: during the tests, a folder of
    the test run's own, never the real ~/.cache (commands run in subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("user-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folder))
    yield folder
    patch.undo()


SLOW_MODULES = {
    "test_cache", "test_demo_site", "test_fragments", "test_hostile", "test_parallel", "test_properties",
    "test_serve", "test_writer",
}
"""Modules that drive a browser, the Nu checker, generated inputs, worker processes, the writer, the
cache or the server: `pytest -m "not slow"` leaves them out (with tests/browser) for a quick run."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.stem
        if module in SLOW_MODULES or "browser" in item.path.parts:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def pages_in_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Builds render their pages in two forked worker processes, however few pages and cores there are;
    the list gets the number of forked workers each time a pool of them starts."""
    from concurrent.futures import ProcessPoolExecutor

    from scorecard.core import parallel
    from scorecard.publish import render

    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)  # even if an earlier test left a thread behind
    pools: list[int] = []

    def counted(workers: int, **kwargs: object) -> ProcessPoolExecutor:
        pools.append(workers)
        return ProcessPoolExecutor(workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", counted)
    return pools
