"""The build cache and the writer: a cached build writes exactly what a cold build writes.

Each scenario edits the fixture site, builds it with the cache left by the previous build, and
compares the output, file by file, with a build of the same site from nothing (no cache, fresh
output directory). Files whose bytes did not change keep their modification time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from conftest import snapshot
from scorecard import cache as cache_module
from scorecard.build import BuildOptions, build
from scorecard.cache import CACHE_DIR

RUBRIC = """\
extends: default
sections:
  - id: customer_job
    title: Customer job
    weight: 0.2
    scale: {min: 0, max: 5}
    items:
      - {id: importance, title: Job importance, prompt: How important is the job?, top: Essential.}
"""


def assert_same_as_cold_build(site: Path, tmp_path: Path, **options: object) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    assert build(BuildOptions.at(site, output_dir=cold, cache=False, **options)).ok
    cached = snapshot(site / "output")
    fresh = snapshot(cold)
    assert sorted(cached) == sorted(fresh)
    assert [path for path in fresh if cached[path] != fresh[path]] == []


def edit_one(site: Path) -> None:
    path = site / "content/assessments/gamma.md"
    path.write_text(path.read_text() + "\nA paragraph added at the end.\n")


def rename(site: Path) -> None:
    # beta.md links to team/alpha.md: after the rename that link must fail, not be served from the cache.
    folder = site / "content/assessments"
    (folder / "gamma.md").rename(folder / "delta.md")


def delete(site: Path) -> None:
    folder = site / "content/assessments"
    (folder / "gamma.md" if (folder / "gamma.md").exists() else folder / "delta.md").unlink()


def rubric_edit(site: Path) -> None:
    (site / "content/rubric.yml").write_text(RUBRIC)


def title_edit(site: Path) -> None:
    path = site / "content/assessments/gamma.md"
    path.write_text(path.read_text().replace("title: ", "title: Renamed ", 1))


def related_title_edit(site: Path) -> None:
    # beta.md lists team/alpha under related: beta's page shows alpha's title, so beta's cached view is stale.
    path = site / "content/assessments/team/alpha.md"
    path.write_text(path.read_text().replace("title: ", "title: Retitled ", 1))


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "edit one file": edit_one, "title edit (shows on the leaderboard, groups and criterion pages)": title_edit,
    "title edit of a related assessment": related_title_edit,
    "rubric edit": rubric_edit, "rename": rename, "delete": delete,
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_a_cached_build_after_an_edit_is_byte_identical_to_a_cold_one(site: Path, tmp_path: Path, scenario: str):
    first = build(BuildOptions.at(site))
    assert first.ok and first.cache == "empty"
    SCENARIOS[scenario](site)
    second = build(BuildOptions.at(site))
    assert second.cache == "used"
    assert second.kept > 0  # the cache was actually used for something
    assert_same_as_cold_build(site, tmp_path)


def test_every_scenario_in_turn_stays_identical(site: Path, tmp_path: Path):
    assert build(BuildOptions.at(site)).ok
    for scenario in SCENARIOS.values():
        scenario(site)
        assert build(BuildOptions.at(site)).ok
        assert_same_as_cold_build(site, tmp_path)


def test_a_renamed_link_target_is_an_error_even_when_the_linking_file_is_cached(site: Path):
    assert build(BuildOptions.at(site)).ok
    folder = site / "content/assessments"
    (folder / "team/alpha.md").rename(folder / "team/omega.md")  # beta.md links to team/alpha.md
    result = build(BuildOptions.at(site))
    assert not result.ok
    assert any("team/alpha.md" in d.message and d.path.endswith("beta.md") for d in result.diagnostics)


def test_a_template_edit_renders_again_what_uses_it(site: Path, tmp_path: Path):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    default = Path(__file__).parent.parent / "themes/default/templates/groups.html"
    (theme / "templates/groups.html").write_text(default.read_text())
    assert build(BuildOptions.at(site, themes=(theme,))).ok
    (theme / "templates/groups.html").write_text(default.read_text().replace("</h1>", "</h1><p>Edited theme</p>", 1))
    result = build(BuildOptions.at(site, themes=(theme,)))
    assert result.ok
    assert "Edited theme" in (site / "output/tags/index.html").read_text()
    # groups.html makes the four group indexes (tags, owners, authors, statuses); nothing else uses it.
    assert result.kept == result.pages - 4
    assert_same_as_cold_build(site, tmp_path, themes=(theme,))


def test_nothing_changed_means_nothing_rewritten(site: Path):
    first = build(BuildOptions.at(site))
    before = {path: (site / "output" / path).stat().st_mtime_ns for path in snapshot(site / "output")}
    second = build(BuildOptions.at(site))
    assert second.ok and second.kept == second.files == first.files
    assert {path: (site / "output" / path).stat().st_mtime_ns for path in snapshot(site / "output")} == before


def test_an_edit_rewrites_only_the_files_it_changes(site: Path):
    build(BuildOptions.at(site))
    out = site / "output"
    past = 1_000_000_000_000_000_000  # 2001-09-09, so a rewritten file is plain to see
    for path in snapshot(out):
        os.utime(out / path, ns=(past, past))
    edit_one(site)  # gamma's body: only its own page and the search index hold it (not scorecard.json, nor any list)
    build(BuildOptions.at(site))
    rewritten = sorted(path for path in snapshot(out) if (out / path).stat().st_mtime_ns != past)
    assert rewritten == ["assessments/gamma/index.html", "search-index.js"]


def test_a_touched_output_file_is_rendered_again(site: Path, tmp_path: Path):
    build(BuildOptions.at(site))
    page = site / "output/assessments/beta/index.html"
    page.write_text("defaced")
    result = build(BuildOptions.at(site))
    assert result.ok
    assert_same_as_cold_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "other format", "empty", "another version", "another machine"])
def test_a_damaged_or_foreign_cache_is_ignored(site: Path, tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch):
    build(BuildOptions.at(site))
    edit_one(site)
    for part in (site / CACHE_DIR).glob("*.pickle"):
        data = part.read_bytes()
        if damage == "truncate":
            part.write_bytes(data[: len(data) // 2])
        elif damage == "flip a byte":
            part.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
        elif damage == "other format":
            part.write_bytes(data.replace(cache_module.MAGIC + bytes([cache_module.FORMAT]), cache_module.MAGIC + b"\x63", 1))
        elif damage == "empty":
            part.write_bytes(b"")
    if damage == "another version":
        monkeypatch.setattr(cache_module, "_fingerprint", b"x" * 20)
    if damage == "another machine":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    result = build(BuildOptions.at(site))
    assert result.ok
    assert result.cache.startswith("ignored") and result.kept == 0
    assert_same_as_cold_build(site, tmp_path)


def test_the_cache_ignores_itself_in_git_and_no_cache_builds_without_it(site: Path):
    build(BuildOptions.at(site))
    assert (site / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"
    result = build(BuildOptions.at(site, cache=False))
    assert result.cache == "off" and result.kept == 0


def test_a_wiki_link_shows_the_new_title_of_its_target_even_when_the_linking_file_is_cached(site: Path, tmp_path: Path):
    beta = site / "content/assessments/beta.md"
    beta.write_text(beta.read_text() + "\nSee [[gamma]].\n")  # a wiki-link without text shows gamma's title
    assert build(BuildOptions.at(site)).ok
    title_edit(site)  # gamma's title becomes "Renamed …"; beta.md itself is unchanged
    assert build(BuildOptions.at(site)).ok
    assert ">Renamed " in (site / "output/assessments/beta/index.html").read_text()
    assert_same_as_cold_build(site, tmp_path)


def test_work_shared_between_worker_processes_gives_the_same_site(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    from scorecard import prepare
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)  # the fixture's three files are split between workers too
    monkeypatch.setattr(prepare.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # even on one core
    assert build(BuildOptions.at(site, cache=False)).ok
    assert_same_as_cold_build_in_one_process(site, tmp_path, monkeypatch)


def assert_same_as_cold_build_in_one_process(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scorecard import prepare
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 10**9)
    assert_same_as_cold_build(site, tmp_path)


def test_list_pages_made_of_rows_from_the_last_build_are_identical_to_a_cold_build(site: Path, tmp_path: Path):
    # The portfolio, criterion and group pages are made of rows cached by the previous build
    # (`{% cache %}` in the default theme): after each edit, only the edited assessment's rows are new.
    folder = site / "content/assessments"
    edits = [
        (folder / "gamma.md", "search:     {score: 3", "search:     {score: 4"),  # gamma moves up
        (folder / "beta.md", "links:      {score: 5", "links:      {score: 1"),  # beta moves down
        (folder / "team/alpha.md", "title: Alpha wiki", "title: Alpha knowledge base"),  # shown in every row of alpha
        (folder / "gamma.md", "search:     {score: 4", "search:     {score: 3"),  # back: its first rows are long gone
    ]
    assert build(BuildOptions.at(site)).ok
    for path, old, new in edits:
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))
        assert build(BuildOptions.at(site)).ok
        assert_same_as_cold_build(site, tmp_path)
