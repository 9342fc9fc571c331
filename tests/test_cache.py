"""The build cache and the writer: a cached build writes exactly what a cold build writes.

Each scenario edits the fixture site, builds it with the cache left by the previous build, and
compares the output, file by file, with a build of the same site from nothing (no cache, fresh
output directory). Files whose bytes did not change keep their modification time.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import snapshot

from scorecard.core.options import BuildOptions
from scorecard.incremental import cache as cache_module
from scorecard.incremental import cachefiles
from scorecard.incremental.cache import BuildCache, InputRecord, input_records, reuse_for
from scorecard.incremental.cachefiles import CACHE_DIR
from scorecard.pipeline.build import BuildResult
from scorecard.pipeline.build import build as build_without_cache
from scorecard.source.content import Found, Listing, Stamp


def build(options: BuildOptions, reuse: BuildCache | None = None) -> BuildResult:
    """A build through the cache at the site's root (as `scorecard build` makes it), or through `reuse`."""
    return build_without_cache(options, reuse or reuse_for(options))


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
    assert build_without_cache(BuildOptions.at(site, output_dir=cold, **options)).ok
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


def backlink_added(site: Path) -> None:
    # Only alpha.md changes, but beta's page must now list alpha under "Referenced by": beta's
    # view changes though its file did not.
    path = site / "content/assessments/team/alpha.md"
    path.write_text(path.read_text() + "\nSee also [[beta]].\n")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "edit one file": edit_one, "title edit (shows on the leaderboard, groups and criterion pages)": title_edit,
    "title edit of a related assessment": related_title_edit,
    "rubric edit": rubric_edit, "rename": rename, "delete": delete,
    "a new link to an assessment (its page lists the linking one)": backlink_added,
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
    # groups.html makes the four group indexes (tags, owners, authors, statuses); nothing else uses
    # it. Kept: every other page, and the three assessments' badges.
    assert result.kept == (result.pages - 4) + 3
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


def test_a_build_leaves_nothing_of_the_site_to_the_cyclic_collector(site: Path):
    """What a build made is freed by reference counting as soon as it returns. Held in a reference
    cycle, every view of a site waits for the cyclic collector instead: at 4,000 assessments that
    was half a second at the end of every `scorecard build`, before the command could exit."""
    gc.collect()
    for change in (None, edit_one):  # a cold build, then one that reuses the cache
        if change:
            change(site)
        assert build(BuildOptions.at(site)).ok
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            left = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("scorecard.")})
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert left == []


def test_a_touched_output_file_is_rendered_again(site: Path, tmp_path: Path):
    build(BuildOptions.at(site))
    page = site / "output/assessments/beta/index.html"
    page.write_text("defaced")
    result = build(BuildOptions.at(site))
    assert result.ok
    assert_same_as_cold_build(site, tmp_path)


@pytest.mark.parametrize("damage",
                         ["truncate", "flip a byte", "other format", "empty", "another version", "another machine"])
def test_a_damaged_or_foreign_cache_is_ignored(site: Path, tmp_path: Path, damage: str,
                                               monkeypatch: pytest.MonkeyPatch):
    build(BuildOptions.at(site))
    edit_one(site)
    for part in (site / CACHE_DIR).glob("*.pickle"):
        data = part.read_bytes()
        if damage == "truncate":
            part.write_bytes(data[: len(data) // 2])
        elif damage == "flip a byte":
            part.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
        elif damage == "other format":
            part.write_bytes(data.replace(cachefiles.MAGIC + bytes([cachefiles.FORMAT]), cachefiles.MAGIC + b"\x63", 1))
        elif damage == "empty":
            part.write_bytes(b"")
    if damage == "another version":
        monkeypatch.setattr(cachefiles, "tool_fingerprint", lambda: b"x" * 20)
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
    from scorecard.core import parallel
    from scorecard.pipeline import prepare
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)  # the fixture's three files are split between workers too
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)  # even on one core
    monkeypatch.setattr(parallel, "can_fork", lambda: True)  # even if an earlier test left a thread behind
    pools: list[int] = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda *args,
                        **kwargs: pools.append(1) or ProcessPoolExecutor(*args, **kwargs))
    assert build(BuildOptions.at(site, cache=False)).ok
    assert len(pools) == 2  # files parsed, then bodies rendered, in workers
    assert_same_as_cold_build_in_one_process(site, tmp_path, pools)


def test_pages_rendered_in_worker_processes_give_the_same_site_in_every_scenario(site: Path, tmp_path: Path,
                                                                                  pages_in_workers: list[int]):
    # Each build renders its pages in two workers, which hand back the fragments they used: the next
    # build reuses them as it would those of a build in one process.
    assert build(BuildOptions.at(site)).ok
    assert pages_in_workers == [1]  # the fixture's three files are prepared here; only the pages go to workers
    assert_same_as_cold_build_in_one_process(site, tmp_path, pages_in_workers)
    for number, scenario in enumerate(SCENARIOS.values(), start=2):
        scenario(site)
        assert build(BuildOptions.at(site)).ok
        assert pages_in_workers == [1] * number
        assert_same_as_cold_build_in_one_process(site, tmp_path, pages_in_workers)


def assert_same_as_cold_build_in_one_process(site: Path, tmp_path: Path, pools: list[int]) -> None:
    """The site is the same as a cold build's; that build starts no worker process."""
    started = len(pools)
    with pytest.MonkeyPatch.context() as patch:
        from scorecard.core import parallel
        patch.setattr(parallel, "usable_cores", lambda: 1)
        assert_same_as_cold_build(site, tmp_path)
    assert len(pools) == started


# -- the cache saves what changed: a base and a delta per dict part ------------------------------

def add_paragraph(site: Path, number: int) -> None:
    path = site / "content/assessments/gamma.md"
    path.write_text(path.read_text() + f"\nParagraph {number} added at the end.\n")


def delta_size(site: Path) -> int:
    path = site / CACHE_DIR / "prepared.delta"
    return path.stat().st_size if path.exists() else 0


def test_edits_in_sequence_append_to_the_delta_then_compact_and_stay_identical(site: Path, tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)  # compact once the delta holds more entries than the base
    assert build(BuildOptions.at(site)).ok
    base = (site / CACHE_DIR / "prepared.pickle").read_bytes()
    # Each edit of gamma adds one prepared file and leaves one unused; the base holds the three files.
    # Edits 1-3: the delta holds 1, 2, 3 entries (not more than the base's 3), each edit one more chunk.
    # Edit 4: the delta would hold 4 > 3: the part is written whole again, without a delta.
    sizes = []
    for number in range(1, 5):
        add_paragraph(site, number)
        result = build(BuildOptions.at(site))
        assert result.ok and result.cache == "used" and result.kept > 0
        assert_same_as_cold_build(site, tmp_path)
        sizes.append(delta_size(site))
        if number < 4:
            assert (site / CACHE_DIR / "prepared.pickle").read_bytes() == base  # only the delta was written
    assert 0 < sizes[0] < sizes[1] < sizes[2] and sizes[3] == 0
    assert (site / CACHE_DIR / "prepared.pickle").read_bytes() != base


def test_every_scenario_in_turn_stays_identical_through_deltas(site: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 10)  # renames, deletions and the rubric edit go to the delta too
    assert build(BuildOptions.at(site)).ok
    for scenario in SCENARIOS.values():
        scenario(site)
        result = build(BuildOptions.at(site))
        assert result.ok and result.cache == "used"
        assert_same_as_cold_build(site, tmp_path)
    assert delta_size(site) > 0


def test_going_back_to_an_earlier_version_writes_nothing_new(site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)
    gamma = site / "content/assessments/gamma.md"
    original = gamma.read_text()
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, 1)
    assert build(BuildOptions.at(site)).ok
    size = delta_size(site)
    gamma.write_text(original)  # the base holds this version's prepared file still
    assert build(BuildOptions.at(site)).ok
    assert delta_size(site) == size > 0


def test_a_delta_left_for_another_base_is_ignored(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)  # one edit goes to the delta
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, 1)
    assert build(BuildOptions.at(site)).ok
    left = (site / CACHE_DIR / "prepared.delta").read_bytes()
    rubric_edit(site)  # every prepared file changes: the part is written whole again, a new base
    assert build(BuildOptions.at(site)).ok
    assert delta_size(site) == 0
    (site / CACHE_DIR / "prepared.delta").write_bytes(left)  # as a build killed before removing it would leave it
    add_paragraph(site, 2)
    result = build(BuildOptions.at(site))
    assert result.ok and result.kept > 0
    assert result.cache == "used; prepared delta ignored: written for another base (left by another build)"
    assert_same_as_cold_build(site, tmp_path)
    assert build(BuildOptions.at(site)).cache == "used"  # the build wrote a delta of its own


@pytest.mark.parametrize("damage", ["truncate", "torn append", "flip a byte"])
def test_a_damaged_delta_is_ignored(site: Path, tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)  # one edit goes to the delta
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, 1)
    assert build(BuildOptions.at(site)).ok
    delta = site / CACHE_DIR / "prepared.delta"
    data = delta.read_bytes()
    if damage == "truncate":
        delta.write_bytes(data[:-5])
    elif damage == "torn append":  # a build killed while appending a chunk: its length says more than there is
        delta.write_bytes(data + (1000).to_bytes(8, "little") + bytes(40))
    else:
        delta.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    add_paragraph(site, 2)
    result = build(BuildOptions.at(site))
    assert result.ok and result.kept > 0
    reason = "not signed on this machine, or damaged" if damage == "flip a byte" else "truncated"
    assert result.cache == f"used; prepared delta ignored: {reason}"
    assert_same_as_cold_build(site, tmp_path)
    assert build(BuildOptions.at(site)).cache == "used"


class RunsCode:
    """Unpickling this touches a file: what a hostile cache could do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_an_unsigned_delta_is_never_unpickled(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)  # one edit goes to the delta
    assert build(BuildOptions.at(site)).ok
    head = len(cachefiles.MAGIC) + 1 + 20
    base = (site / CACHE_DIR / "prepared.pickle").read_bytes()
    marker = tmp_path / "code ran"
    payload = pickle.dumps({b"key": RunsCode(marker)})
    chunk = len(payload).to_bytes(8, "little") + bytes(32) + payload  # a signature of zeros: not signed
    (site / CACHE_DIR / "prepared.delta").write_bytes(base[:head] + base[head:head + 32] + chunk)
    add_paragraph(site, 1)
    result = build(BuildOptions.at(site))
    assert result.ok and result.cache == "used; prepared delta ignored: not signed on this machine, or damaged"
    assert not marker.exists()
    assert_same_as_cold_build(site, tmp_path)


def test_a_build_after_a_killed_save_works_and_clears_what_it_left(site: Path, tmp_path: Path):
    assert build(BuildOptions.at(site)).ok
    folder = site / CACHE_DIR
    old, recent = folder / ".prepared.pickle.killed", folder / ".prepared.pickle.another-build-saving"
    old.write_bytes(b"half a pickle")
    recent.write_bytes(b"half a pickle")
    hours_ago = old.stat().st_mtime - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    rubric_edit(site)  # the prepared part is written whole
    result = build(BuildOptions.at(site))
    assert result.ok and result.cache == "used"
    assert_same_as_cold_build(site, tmp_path)
    assert not old.exists() and recent.exists()  # one saving right now must not lose its file


def test_after_an_edit_the_next_build_trusts_every_file(site: Path):
    assert build(BuildOptions.at(site)).ok
    edit_one(site)
    assert build(BuildOptions.at(site)).ok
    again = build(BuildOptions.at(site))  # the records of files carried over and of files written are both right
    assert again.ok and again.kept == again.files


def test_scores_come_back_from_the_cache_as_the_same_fractions(tmp_path: Path):
    cachefiles.save_part(tmp_path, "numbers", {b"k": (Fraction(2, 6), Fraction(-7, 1), Fraction(0))})
    third, minus_seven, zero = cachefiles.load_part(tmp_path, "numbers")[b"k"]
    assert (third, minus_seven, zero) == (Fraction(1, 3), -7, 0)
    assert third + Fraction(2, 3) == 1 and str(third) == "1/3" and hash(third) == hash(Fraction(1, 3))


def opened(site: Path) -> BuildCache:
    """The cache at `site` as a new build finds it."""
    cache = BuildCache(site)
    cache.open()
    return cache


def test_any_dict_part_is_kept_as_a_base_and_a_delta(site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)
    first = opened(site)
    first.set_part("extra", {b"a": "<p>A</p>", b"b": "<p>B</p>"})  # a part no stage uses, as a later one would
    first.save()
    second = opened(site)
    assert second.part("extra") == {b"a": "<p>A</p>", b"b": "<p>B</p>"}
    second.set_part("extra", {b"a": "<p>A</p>", b"b": "<p>B</p>", b"c": "<p>C</p>"})
    second.save()
    assert (site / CACHE_DIR / "extra.delta").exists()
    third = opened(site)
    assert third.part("extra") == {b"a": "<p>A</p>", b"b": "<p>B</p>", b"c": "<p>C</p>"} and third.status() == "used"


def test_a_part_of_more_entries_than_one_pickle_holds_reads_back_whole(site: Path, monkeypatch: pytest.MonkeyPatch):
    # Entries are pickled BATCH at a time (here 2), in the base and in each chunk of the delta:
    # 5 entries make pickles of 2, 2 and 1, and 3 more a chunk of 2 and 1; all 8 read back as one dict.
    monkeypatch.setattr(cachefiles, "BATCH", 2)
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)
    five = {f"k{n}".encode(): f"<p>{n}</p>" for n in range(5)}
    first = opened(site)
    first.set_part("extra", five)
    first.save()
    second = opened(site)
    assert second.part("extra") == five
    eight = five | {f"k{n}".encode(): f"<p>{n}</p>" for n in range(5, 8)}
    second.set_part("extra", eight)
    second.save()
    assert (site / CACHE_DIR / "extra.delta").exists()
    third = opened(site)
    assert third.part("extra") == eight and third.status() == "used"


def test_pickles_after_the_first_are_read_only_as_more_entries_of_a_dict(monkeypatch: pytest.MonkeyPatch):
    # What is signed is read to its end: a dict in batches is one dict; anything else after a first
    # pickle (a second value that is not a dict's batch, or bytes that are no pickle) is damage.
    monkeypatch.setattr(cachefiles, "BATCH", 1)
    out = io.BytesIO()
    cachefiles._pickled_entries({b"a": 1, b"b": 2}, out)  # two pickles: {a: 1}, then {b: 2}
    batches = out.getvalue()
    assert cachefiles._unpickled(b"head" + batches, 4, 4 + len(batches)) == {b"a": 1, b"b": 2}
    for after in (pickle.dumps(["not", "a", "dict"]), b"junk"):
        with pytest.raises(cachefiles.CacheIgnoredError, match="damaged"):
            cachefiles._unpickled(batches + after, 0, len(batches) + len(after))
    with pytest.raises(cachefiles.CacheIgnoredError, match="damaged"):  # a first value that is not a dict
        cachefiles._unpickled(pickle.dumps(("x",)) + batches, 0, len(pickle.dumps(("x",))) + len(batches))


def test_two_builds_saving_one_after_the_other_leave_a_cache_that_reads_whole(site: Path,
                                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 1)
    start = opened(site)
    start.set_part("extra", {b"a": "A", b"b": "B"})
    start.save()
    earlier = opened(site)
    earlier.set_part("extra", {**earlier.part("extra"), b"x": "X"})
    earlier.save()  # base a, b; delta x
    one, other = opened(site), opened(site)
    one.set_part("extra", {**one.part("extra"), b"c": "C"})
    other.set_part("extra", {**other.part("extra"), b"d": "D"})
    one.save()  # appends its chunk to the delta
    other.save()  # the delta is not the one it read: it writes the part whole, without c
    assert not (site / CACHE_DIR / "extra.delta").exists()
    after = opened(site)
    assert after.part("extra") == {b"a": "A", b"b": "B", b"x": "X", b"d": "D"} and after.status() == "used"


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


# -- one process, many builds (scorecard serve): the cache stays in memory ----------------------

def test_builds_in_one_process_take_the_cache_from_memory_and_still_leave_it_on_disk(site: Path, tmp_path: Path,
                                                                                       monkeypatch: pytest.MonkeyPatch):
    from scorecard.incremental import cache as cache_module
    monkeypatch.setattr(cachefiles, "COMPACT_AT", 10)  # saves append to the deltas, as with thousands of files
    kept_in_memory = BuildCache(site)  # as `scorecard serve` keeps it between its builds
    result = build(BuildOptions.at(site), kept_in_memory)
    reads: list[str] = []
    read = cache_module.load_dict_part
    monkeypatch.setattr(cache_module, "load_dict_part", lambda root, name: reads.append(name) or read(root, name))
    for scenario in SCENARIOS.values():
        scenario(site)
        result = build(BuildOptions.at(site), kept_in_memory)
        assert result.ok and result.cache == "used" and result.kept > 0
        assert_same_as_cold_build(site, tmp_path)
    assert reads == []  # every part came from the last build's memory, none from the files
    # What those builds saved (bases and deltas written from memory) is whole and right for a new process.
    alpha = site / "content/assessments/team/alpha.md"  # gamma is gone: the scenarios delete it
    alpha.write_text(alpha.read_text() + "\nA paragraph added by hand.\n")
    fresh = build(BuildOptions.at(site))
    assert fresh.ok and fresh.cache == "used"  # nothing of it ignored
    assert sorted(set(reads)) == ["fragments", "prepared", "views"]
    assert fresh.kept > 0
    assert_same_as_cold_build(site, tmp_path)


def test_a_cache_that_was_off_or_ignored_is_read_again_from_disk(site: Path):
    assert build(BuildOptions.at(site, cache=False)).cache == "off"
    assert build(BuildOptions.at(site)).cache == "empty"  # not "used": the build without cache kept nothing


class _RunsCode:
    """Pickled as a call to os.system, as a forged cache would be."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os
        return os.system, (f"touch {self.marker}",)


def test_a_cache_file_signed_with_the_right_key_still_cannot_run_code(site: Path, tmp_path: Path):
    # Even a cache file that got past its signature (a leaked key, a bug) makes only data: a pickle
    # that names a function such as os.system is refused before anything is called, and the build
    # goes on without the cache.
    marker = tmp_path / "ran"
    assert build(BuildOptions.at(site)).ok
    cachefiles.save_part(site, "site", (_RunsCode(marker), None))  # signed with this machine's own key
    with pytest.raises(cachefiles.CacheIgnoredError, match="damaged"):
        cachefiles.load_part(site, "site")
    assert not marker.exists()
    result = build(BuildOptions.at(site))
    assert result.ok and result.cache == "ignored: damaged"
    assert not marker.exists()


# -- content files: stat before reading ------------------------------------------------------------

def digests_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The content files the cache reads to digest them, from now on."""
    taken: list[str] = []
    real = cache_module.file_digest

    def counted(path: str) -> bytes:
        taken.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(cache_module, "file_digest", counted)
    return taken


def test_a_build_with_nothing_changed_reads_no_content_file_once_the_stamps_have_settled(
        site: Path, monkeypatch: pytest.MonkeyPatch):
    taken = digests_taken(monkeypatch)
    assert build(BuildOptions.at(site)).ok
    files = 3  # team/alpha.md, beta.md and gamma.md; the fixture has no rubric.yml
    assert len(taken) == files  # the first build digests every file
    # The fixture was copied a moment ago: each stamp is too new to trust (SETTLED_NS), so the next
    # build reads each file again, finds the same bytes, and keeps the stamps, now two seconds old.
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    taken.clear()
    second = build(BuildOptions.at(site))
    assert second.ok and second.kept == second.files
    assert len(taken) == files
    taken.clear()
    third = build(BuildOptions.at(site))
    assert third.ok and third.kept == third.files
    assert taken == []  # stat only


def test_a_touched_content_file_is_read_but_nothing_is_built(site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)  # trust the stamps of files written a moment ago
    taken = digests_taken(monkeypatch)
    assert build(BuildOptions.at(site)).ok
    os.utime(site / "content/assessments/gamma.md")  # `touch`: a new modification time, the same bytes
    taken.clear()
    result = build(BuildOptions.at(site))
    assert taken == ["gamma.md"]
    assert result.ok and result.kept == result.files
    assert [stage for stage, _ in result.timings] == ["load"]


def files_read(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The content files each build reads to parse them (by name), from now on."""
    from scorecard.pipeline import build as build_module

    reads: list[list[str]] = []
    real = build_module.read_found

    def counted(listing: Listing) -> tuple[dict[str, bytes], list[object]]:
        reads.append(sorted(Path(path).name for path in listing.files))
        return real(listing)  # type: ignore[return-value]

    monkeypatch.setattr(build_module, "read_found", counted)
    return reads


def test_an_edit_reads_the_edited_file_alone_and_builds_the_same_site_as_a_cold_build(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)  # trust the stamps of files written a moment ago
    reads = files_read(monkeypatch)
    assert build(BuildOptions.at(site)).ok
    assert reads == [["alpha.md", "beta.md", "gamma.md"]]  # the first build reads every file
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text().replace("search:     {score: 3", "search:     {score: 4"))
    result = build(BuildOptions.at(site))
    assert result.ok and reads[-1] == ["gamma.md"]  # alpha and beta: prepared by the last build from these bytes
    assert_same_as_cold_build(site, tmp_path)  # (which reads every file: it has no cache)
    # A file the cache does not know (new, or with an error: it is never prepared) is read as it should be.
    (site / "content/assessments/delta.md").write_text(gamma.read_text().replace("Gamma", "Delta"))
    result = build(BuildOptions.at(site))
    assert result.ok and reads[-1] == ["delta.md"]
    assert_same_as_cold_build(site, tmp_path)


def test_a_rubric_edit_reads_every_file_again(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    reads = files_read(monkeypatch)
    assert build(BuildOptions.at(site)).ok
    (site / "content/rubric.yml").write_text(RUBRIC)
    result = build(BuildOptions.at(site))
    assert result.ok and reads[-1] == ["alpha.md", "beta.md", "gamma.md", "rubric.yml"]
    assert_same_as_cold_build(site, tmp_path)
    # The rubric is known now: an edit of one file reads it and the rubric (always read: it is what scores)
    beta = site / "content/assessments/beta.md"
    beta.write_text(beta.read_text() + "\nOne more sentence.\n")
    assert build(BuildOptions.at(site)).ok and reads[-1] == ["beta.md", "rubric.yml"]
    assert_same_as_cold_build(site, tmp_path)


def test_a_file_rewritten_with_its_size_and_modification_time_kept_is_built_again(site: Path, tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch):
    """As `rsync -t` or `cp -p` over the file leave it: only the change time (ctime), which no tool
    can set, tells the file changed."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    assert build(BuildOptions.at(site)).ok
    path = site / "content/assessments/gamma.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Gamma hotline" in text
    path.write_text(text.replace("Gamma hotline", "Gamma hotlime"), encoding="utf-8")  # one letter for another
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert build(BuildOptions.at(site)).ok
    assert "Gamma hotlime" in (site / "output/assessments/gamma/index.html").read_text(encoding="utf-8")
    assert_same_as_cold_build(site, tmp_path)


def test_a_stamp_taken_within_two_seconds_of_a_change_is_not_trusted(tmp_path: Path):
    """A second change in the same tick of the clock can leave the stamp as the first one left it
    (git calls such entries "racily clean"): the file is read again however its stamp looks."""
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    stamp = Stamp.of(path.stat())
    changed = max(stamp.mtime_ns, stamp.ctime_ns)

    def listed(after_ns: int) -> Listing:
        return Listing({"content/a.md": Found(str(path), stamp)}, changed + after_ns)

    soon = input_records(listed(1_000_000), {})  # listed 1 ms after the change
    assert soon["content/a.md"] == InputRecord(None, cachefiles.digest(b"one"))
    path.write_bytes(b"two")  # suppose this change left the same stamp
    assert input_records(listed(1_000_000), soon)["content/a.md"].digest == cachefiles.digest(b"two")
    late = input_records(listed(3_000_000_000), {})  # listed 3 s after the change: the stamp is kept
    assert late["content/a.md"] == InputRecord(stamp, cachefiles.digest(b"two"))
    path.unlink()  # with that stamp, the file is not read again: its record stands
    assert input_records(listed(4_000_000_000), late) == late


def test_another_install_of_a_library_it_renders_with_is_another_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each library that shapes what the cache holds is stamped by its installed code: installing another
    version rewrites its entry file, so the stamp (and the cache's fingerprint) changes. Found without importing it."""
    library = tmp_path / "lib" / "scorecard_test_library"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text("VERSION = '1.0'\n")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    first = cachefiles.library_stamp("scorecard_test_library")
    (library / "__init__.py").write_text("VERSION = '1.10'\n")  # one byte longer: another size
    assert cachefiles.library_stamp("scorecard_test_library") != first
    assert "scorecard_test_library" not in sys.modules  # stamped, not imported
    assert cachefiles.library_stamp("scorecard_no_such_library") == "scorecard_no_such_library missing"
    # the Markdown fast path renders the bodies the cache keeps, as much as markdown-it-py does
    assert {"markdown_it", "markdown_it_pyrs", "jinja2", "yaml"} <= set(cachefiles.LIBRARIES)
