"""Output is never lost: a failed, killed or concurrent build leaves a whole site behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import snapshot

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish.writer import MARKER, Streamed, exchange, lock_path, output_lock, write_site


def test_a_failed_build_leaves_the_previous_output_byte_identical(site: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    before = snapshot(site / "output")
    (site / "content/assessments/beta.md").write_text("---\ntitle: [unclosed\n---\n")
    assert not build(BuildOptions.at(site)).ok
    assert snapshot(site / "output") == before


@pytest.mark.parametrize("out", [".", "content", "content/assessments", "themes-x"])
def test_the_site_root_content_and_themes_are_never_the_output(site: Path, out: str) -> None:
    (site / "themes-x/templates").mkdir(parents=True)
    before = snapshot(site)
    result = build(BuildOptions.at(site, output_dir=site / out, themes=(site / "themes-x",)))
    assert [d.message for d in result.diagnostics] == [
        f"refusing to write the site to '{site / out}': it would replace "
        + str(site / ("themes-x" if out == "themes-x" else "content" if out.startswith("content") else ""))
        .rstrip("/")]
    assert snapshot(site) == before


def test_a_second_writer_waits_for_the_lock_then_reports(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site({"index.html": b"first"}, out)
    with output_lock(out):  # another build is writing
        started = time.monotonic()
        problems = write_site({"index.html": b"second"}, out, wait=0.3)
        waited = time.monotonic() - started
    assert [d.message for d in problems] == [f"another scorecard build is writing to '{out}'"]
    assert problems[0].hint is not None and lock_path(out).name in problems[0].hint
    assert waited >= 0.3
    assert (out / "index.html").read_bytes() == b"first"
    # Once the lock is free the same call succeeds.
    assert write_site({"index.html": b"second"}, out) == []
    assert (out / "index.html").read_bytes() == b"second"


def test_a_writer_that_gets_the_lock_in_time_writes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site({"index.html": b"first"}, out)
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from scorecard.publish.writer import output_lock
        with output_lock(Path({str(out)!r})):
            print("locked", flush=True)
            time.sleep(0.5)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert write_site({"index.html": b"second"}, out, wait=10) == []
    assert (out / "index.html").read_bytes() == b"second"


def test_two_builds_at_once_both_succeed_and_leave_one_whole_site(site: Path) -> None:
    assert build(BuildOptions.at(site, today=None)).ok
    expected = snapshot(site / "output")
    command = [sys.executable, "-m", "scorecard", "build"]
    builds = [subprocess.Popen(command, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(3)]
    for process in builds:
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, errors
    assert snapshot(site / "output") == expected
    # Nothing is left beside the output but the spare, the site before last, kept for the next build.
    assert [p.name for p in site.iterdir() if p.name.startswith(".output.") and p.is_dir()] in ([], [".output.spare"])


KILLABLE_BUILD = textwrap.dedent("""
    # A build whose every new file is written slowly, by one thread, so that it can be killed half-way through.
    import sys, time
    from scorecard.publish import writer
    write_new = writer.write_new
    def slow_write_new(path, data):
        time.sleep(0.05)
        return write_new(path, data)
    writer.write_new = slow_write_new
    writer.FileWriters.THREADS = 1
    from scorecard.commands.cli import main
    sys.argv = ["scorecard", "build"]
    main()
""")


def kill_when(site: Path, reached: Callable[[], bool]) -> None:
    """Run the slowed build and kill it (SIGKILL) as soon as `reached()` is true."""
    process = subprocess.Popen([sys.executable, "-c", KILLABLE_BUILD], cwd=site,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not reached():
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it was killed"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


def test_killing_a_build_while_it_writes_leaves_the_previous_output(site: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    before = snapshot(site / "output")
    assert len(before) > 20  # enough files that the slowed build takes about half a second to write
    # A new site title changes every page, so every page is written again (none can be carried over).
    (site / "scorecard.yml").write_text("title: Changed\n")

    staging: list[Path] = []

    def half_written() -> bool:
        staging[:] = [p for p in site.glob(".output.*.new") if len(list(p.rglob("*"))) >= 5]
        return bool(staging)
    kill_when(site, half_written)

    assert snapshot(site / "output") == before  # the previous site, byte for byte
    assert staging[0].exists()  # the half-written staging directory was left behind …
    # … and the next build (not blocked by a stale lock) clears it.
    subprocess.run([sys.executable, "-m", "scorecard", "build"], cwd=site, check=True, capture_output=True)
    assert not staging[0].exists()
    assert b"Changed" in (site / "output/assessments/beta/index.html").read_bytes()
    assert b"Changed" in (site / "output/index.html").read_bytes()
    assert (site / "output" / MARKER).is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_new_site_is_exchanged_for_the_old_in_one_step(tmp_path: Path) -> None:
    # With an atomic exchange there is no moment at which output/ is missing.
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "which").write_text("a")
    (b / "which").write_text("b")
    assert exchange(a, b)
    assert ((a / "which").read_text(), (b / "which").read_text()) == ("b", "a")
    assert not exchange(a, tmp_path / "missing")  # a failure is reported, not raised


def test_a_file_that_cannot_be_written_fails_the_write_and_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write_site({"index.html": b"old"}, out) == []
    before = snapshot(out)
    # "a" is a file, so "a/b.html" cannot be written: the writer thread's error must reach the caller,
    # after the files before it were written, and the new site must not be swapped in.
    files = {f"p{n}/index.html": b"x" for n in range(200)} | {"a": b"file", "a/b.html": b"under a file"}
    with pytest.raises(OSError):  # noqa: PT011 - which error "a" against "a/b.html" gives depends on which comes first
        write_site(files, out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] in ([], [lock_path(out).name])


def test_many_files_are_all_written(tmp_path: Path) -> None:
    files = {f"assessments/a{n}/index.html": f"page {n}".encode() for n in range(500)}
    assert write_site(files, tmp_path / "out") == []
    assert snapshot(tmp_path / "out") == files | {MARKER: snapshot(tmp_path / "out")[MARKER]}


# -- the spare: the site before last, brought up to date in place by the next build ---------------

def add_paragraph(site: Path, text: str) -> None:
    """Edit gamma's body: only its own page and the search index show it (not scorecard.json, nor any list)."""
    path = site / "content/assessments/gamma.md"
    path.write_text(path.read_text() + f"\n{text}\n")


def identities(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file under `directory` and its (inode, modification time)."""
    stats = {path: (directory / path).stat() for path in snapshot(directory)}
    return {path: (info.st_ino, info.st_mtime_ns) for path, info in stats.items()}


def cli_build(site: Path, *options: str) -> None:
    subprocess.run([sys.executable, "-m", "scorecard", "build", *options], cwd=site, check=True, capture_output=True)


def cold_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site as a build without cache into a new directory makes it, by the command line as a user runs it."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    cli_build(site, "--no-cache", "--out", str(cold))
    return snapshot(cold)


SPARE = ".output.spare/site"


def test_an_edit_replaces_only_the_files_it_changes_and_every_other_keeps_its_inode(site: Path) -> None:
    out = site / "output"
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "First edit.")
    assert build(BuildOptions.at(site)).ok  # the site of the first build is the spare now
    assert (site / SPARE / MARKER).is_file()
    # The third build brings the spare (two edits behind) up to date; the fourth, the site the third replaced.
    for text in ("Second edit.", "Third edit."):
        before = identities(out)
        add_paragraph(site, text)
        assert build(BuildOptions.at(site)).ok
        after = identities(out)
        assert sorted(after) == sorted(before)
        assert sorted(path for path in after if after[path] != before[path]) == [
            "assessments/gamma/index.html", "search-index.js"]
        assert all(after[path][0] != before[path][0] for path in ("assessments/gamma/index.html", "search-index.js"))
        assert text in (out / "assessments/gamma/index.html").read_text()


def test_the_spare_shares_the_unchanged_files_with_the_output(site: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "An edit.")
    assert build(BuildOptions.at(site)).ok
    out, spare = identities(site / "output"), identities(site / SPARE)
    assert sorted(spare) == sorted(out)
    # One inode for both on disk, but for the two files the edit changed.
    assert sorted(path for path in out if out[path][0] != spare[path][0]) == ["assessments/gamma/index.html",
                                                                             "search-index.js"]
    assert all((site / "output" / path).stat().st_nlink == 2 for path in out if out[path] == spare[path])


def test_the_live_output_is_never_written_in_place(site: Path, tmp_path: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "An edit.")
    assert build(BuildOptions.at(site)).ok  # from here on the spare shares most of its files with the output
    for title in ("Changed", "Changed again", "Changed once more"):
        # Hold a second name of every file served now: whatever a build does, those inodes keep their bytes.
        held = tmp_path / f"held-{title}"
        held.mkdir()
        served = snapshot(site / "output")
        for n, path in enumerate(served):
            os.link(site / "output" / path, held / str(n))
        (site / "scorecard.yml").write_text(f"title: {title}\n")  # every page is written again
        cli_build(site)
        assert [n for n, path in enumerate(served) if (held / str(n)).read_bytes() != served[path]] == []
        assert f"<title>{title}".encode() in (site / "output/index.html").read_bytes()


def test_a_build_killed_while_it_brings_the_spare_up_to_date_leaves_the_output_and_the_next_builds_are_right(
        site: Path, tmp_path: Path) -> None:
    cli_build(site)
    add_paragraph(site, "An edit.")
    cli_build(site)
    before = snapshot(site / "output")
    (site / "scorecard.yml").write_text("title: Changed\n")  # every page is written again, slowly

    def spare_half_done() -> bool:
        try:
            pages = [p.read_bytes() for p in (site / SPARE).rglob("*.html")]
        except OSError:
            return False  # a file replaced while it was read
        return sum(b"Changed" in page for page in pages) >= 3

    kill_when(site, spare_half_done)
    assert snapshot(site / "output") == before
    cli_build(site)
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    add_paragraph(site, "Another edit.")  # this build starts from the site the killed build's successor replaced
    cli_build(site)
    assert snapshot(site / "output") == cold_build(site, tmp_path)


def test_a_file_added_to_the_output_by_hand_is_removed_and_does_not_come_back(site: Path, tmp_path: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "First edit.")
    assert build(BuildOptions.at(site)).ok
    (site / "output/notes.txt").write_text("added by hand")
    (site / "output/assessments/beta/extra").mkdir()
    (site / "output/assessments/beta/extra/x.html").write_text("added by hand")
    add_paragraph(site, "Second edit.")
    assert build(BuildOptions.at(site)).ok  # the output with the additions becomes the spare
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    add_paragraph(site, "Third edit.")
    assert build(BuildOptions.at(site)).ok  # … and the spare is the output again
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    assert not (site / "output/notes.txt").exists() and not (site / "output/assessments/beta/extra").exists()


def test_a_deleted_assessment_disappears_from_the_site(site: Path, tmp_path: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "An edit.")
    assert build(BuildOptions.at(site)).ok
    assert (site / "output/assessments/gamma/index.html").is_file()
    (site / "content/assessments/gamma.md").unlink()
    assert build(BuildOptions.at(site)).ok
    assert not (site / "output/assessments/gamma").exists()
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    (site / "scorecard.yml").write_text("title: Changed\n")
    cli_build(site)  # from the spare, which still held gamma's directory
    assert not (site / "output/assessments/gamma").exists()
    assert snapshot(site / "output") == cold_build(site, tmp_path)


def test_whatever_stands_in_the_spare_where_the_site_needs_something_else_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "c": b"c"}
    assert write_site(site, out) == []
    assert write_site(site, out) == []  # the first site is the spare
    spare = tmp_path / ".out.spare/site"
    shutil.rmtree(spare / "a")
    (spare / "a").write_text("a file where a directory goes")
    (spare / "c").unlink()
    (spare / "c").mkdir()
    (spare / "c/inside.html").write_text("a directory where a file goes")
    (spare / "b/index.html").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (spare / "b/index.html").symlink_to(elsewhere / "index.html")  # a link out of the spare is not followed
    (spare / "index.html").write_bytes(b"damaged")
    assert write_site(site | {"d/new.html": b"new"}, out) == []
    assert snapshot(out) == site | {"d/new.html": b"new", MARKER: (out / MARKER).read_bytes()}
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("spare", ["a file", "a link to a directory", "no marker"])
def test_a_spare_that_is_not_ours_is_not_used(tmp_path: Path, spare: str) -> None:
    out = tmp_path / "out"
    assert write_site({"index.html": b"one"}, out) == []
    home = tmp_path / ".out.spare"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "site").mkdir(parents=True)
    (elsewhere / "site" / MARKER).write_bytes(b"")
    if spare == "a file":
        home.write_text("someone's notes")
    elif spare == "a link to a directory":
        home.symlink_to(elsewhere)
    else:
        (home / "site").mkdir(parents=True)
        (home / "site/index.html").write_text("not a site of ours")
    for n in range(3):
        assert write_site({"index.html": f"build {n}".encode()}, out) == []
        assert (out / "index.html").read_bytes() == f"build {n}".encode()
    assert snapshot(elsewhere) == {f"site/{MARKER}": b""}
    if spare == "a file":
        assert home.read_text() == "someone's notes"
    elif spare == "no marker":  # a spare that lost its marker is replaced whole by the next site kept
        assert snapshot(home / "site") == {"index.html": b"build 1", MARKER: (out / MARKER).read_bytes()}


def test_without_an_atomic_exchange_no_spare_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scorecard.publish import writer
    monkeypatch.setattr(writer, "exchange", lambda a, b: False)
    out = tmp_path / "out"
    for n in range(3):
        assert write_site({"index.html": f"build {n}".encode(), "a/b.html": b"same"}, out) == []
        assert snapshot(out) == {"index.html": f"build {n}".encode(), "a/b.html": b"same",
                                 MARKER: (out / MARKER).read_bytes()}
    assert not (tmp_path / ".out.spare").exists()


def test_a_failed_write_into_the_spare_keeps_the_output_and_the_next_write_is_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = {f"p{n}/index.html": f"page {n}".encode() for n in range(50)}
    assert write_site(site, out) == []
    assert write_site(site, out) == []  # the spare is in use from here
    before = snapshot(out)
    with pytest.raises(OSError):  # noqa: PT011 - as above: the error depends on which of "a" and "a/b.html" comes first
        write_site({f"p{n}/index.html": b"new" for n in range(50)} | {"a": b"file", "a/b.html": b"under a file"}, out)
    assert snapshot(out) == before
    assert write_site(site | {"p1/index.html": b"changed"}, out) == []
    assert snapshot(out) == site | {"p1/index.html": b"changed", MARKER: (out / MARKER).read_bytes()}


def test_where_files_cannot_be_linked_they_are_copied_with_their_times(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    site = {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b"}
    assert write_site(site, out) == []

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError("this file system has no hard links")
    monkeypatch.setattr(os, "link", no_links)
    for n in range(3):  # a fresh staging directory, then the spare (whose files are not the output's)
        served = snapshot(out)
        held = {path: (out / path).stat() for path in served}
        assert write_site(site | {"a/index.html": f"a, edit {n}".encode()}, out) == []
        assert snapshot(out) == site | {"a/index.html": f"a, edit {n}".encode(), MARKER: served[MARKER]}
        assert [path for path in served if path != "a/index.html"
                and (out / path).stat().st_mtime_ns != held[path].st_mtime_ns] == []


def test_an_output_deleted_by_hand_is_made_again_and_the_stale_spare_brought_up_to_date(site: Path,
                                                                                         tmp_path: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    add_paragraph(site, "First edit.")
    assert build(BuildOptions.at(site)).ok
    shutil.rmtree(site / "output")
    (site / "content/assessments/beta.md").unlink()  # the spare still holds beta's pages
    assert build(BuildOptions.at(site)).ok
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    add_paragraph(site, "Second edit.")
    assert build(BuildOptions.at(site)).ok  # from the spare, two builds and a deletion behind
    assert snapshot(site / "output") == cold_build(site, tmp_path)
    assert not (site / "output/assessments/beta").exists()


# -- streamed files: written piece by piece, never held whole ------------------------------------

def pieces(*parts: bytes, fail_after: int | None = None) -> Streamed:
    """A streamed file of `parts`; with `fail_after`, making the next piece after that many fails."""
    def made() -> Iterator[bytes]:
        for n, part in enumerate(parts):
            if n == fail_after:
                raise RuntimeError("the export failed half way")
            yield part
    return Streamed(made())


def test_a_streamed_file_is_its_pieces_joined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write_site([("index.html", b"home"), ("data/all.js", pieces(b"window.X = [", b"1,", b"2", b"];\n")),
                       ("empty.js", pieces())], out) == []
    assert snapshot(out) == {"index.html": b"home", "data/all.js": b"window.X = [1,2];\n", "empty.js": b"",
                             MARKER: (out / MARKER).read_bytes()}


@pytest.mark.parametrize("spare", [False, True])
def test_a_streamed_file_failing_half_way_leaves_the_previous_output_intact(tmp_path: Path, spare: bool) -> None:
    out = tmp_path / "out"
    site = {"index.html": b"home", "all.js": b"old data"}
    assert write_site(site, out) == []
    if spare:
        assert write_site(site, out) == []  # the first site is the spare now, written into in place
    before = snapshot(out)
    with pytest.raises(RuntimeError, match="half way"):
        write_site([("index.html", b"new home"), ("all.js", pieces(b"new ", b"data", fail_after=1))], out)
    assert snapshot(out) == before
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".scorecard-stream")]
    assert leftovers == []
    assert write_site([("index.html", b"new home"), ("all.js", pieces(b"new ", b"data"))], out) == []
    assert snapshot(out) == {"index.html": b"new home", "all.js": b"new data", MARKER: before[MARKER]}


def test_a_streamed_file_whose_bytes_did_not_change_keeps_its_inode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write_site([("all.js", pieces(b"ab", b"c"))], out) == []
    for n in range(3):  # a fresh staging directory, then the spare
        before = (out / "all.js").stat()
        assert write_site([("all.js", pieces(b"a", b"bc"))], out) == []  # the same bytes, cut elsewhere
        after = (out / "all.js").stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), n
    # A prefix of the old bytes, and the old bytes and more, are new files.
    for data in ((b"ab",), (b"abc", b"d")):
        before = (out / "all.js").stat()
        assert write_site([("all.js", pieces(*data))], out) == []
        assert (out / "all.js").read_bytes() == b"".join(data)
        assert (out / "all.js").stat().st_ino != before.st_ino
