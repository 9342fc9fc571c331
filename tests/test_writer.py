"""Output is never lost: a failed, killed or concurrent build leaves a whole site behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import snapshot
from scorecard.build import BuildOptions, build
from scorecard.writer import MARKER, exchange, lock_path, output_lock, write_site


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
        from scorecard.writer import output_lock
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
    assert [p.name for p in site.iterdir() if p.name.startswith(".output.") and p.is_dir()] == []


KILLABLE_BUILD = textwrap.dedent("""
    # A build whose every file write is slowed down, so that it can be killed half-way through.
    import pathlib, sys, time
    write_bytes = pathlib.Path.write_bytes
    def slow_write_bytes(self, data):
        time.sleep(0.02)
        return write_bytes(self, data)
    pathlib.Path.write_bytes = slow_write_bytes
    from scorecard.cli import main
    sys.argv = ["scorecard", "build"]
    main()
""")


def test_killing_a_build_while_it_writes_leaves_the_previous_output(site: Path) -> None:
    assert build(BuildOptions.at(site)).ok
    before = snapshot(site / "output")
    assert len(before) > 20  # enough files that the slowed build takes about half a second to write
    # A new site title changes every page, so every page is written again (none can be carried over).
    (site / "scorecard.yml").write_text("title: Changed\n")

    process = subprocess.Popen([sys.executable, "-c", KILLABLE_BUILD], cwd=site,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staging: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        staging = [p for p in site.glob(".output.*.new") if len(list(p.rglob("*"))) >= 5]
        if staging:
            break
        time.sleep(0.005)
    assert staging, "the build never reached the write stage"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL

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
    with pytest.raises(OSError):
        write_site(files, out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] in ([], [lock_path(out).name])


def test_many_files_are_all_written(tmp_path: Path) -> None:
    files = {f"assessments/a{n}/index.html": f"page {n}".encode() for n in range(500)}
    assert write_site(files, tmp_path / "out") == []
    assert snapshot(tmp_path / "out") == files | {MARKER: snapshot(tmp_path / "out")[MARKER]}
