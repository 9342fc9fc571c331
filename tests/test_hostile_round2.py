"""The second round of hostile input (issue 16): each numbered finding reproduced, then shown fixed.

Each test names the item it reproduces. The finished site, a clear diagnostic with exit 1, never a
traceback, a file outside the site, code run, or an output line that starts with author text.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from scorecard.commands.serve import MAX_CONNECTIONS, SiteServer
from scorecard.incremental import cachefiles
from scorecard.incremental.cache import reuse_for
from scorecard.pipeline.build import BuildOptions, BuildResult
from scorecard.pipeline.build import build as build_without_cache
from tests.budget import assert_clean_end, run_scorecard
from tests.conftest import write_site

TODAY = dt.date(2026, 10, 1)
GOOD = """\
---
title: Forum
date: 2026-09-14
---
Body.
"""


def build(options: BuildOptions) -> BuildResult:
    """A build as the command line makes it: with the build cache at the site's root."""
    return build_without_cache(options, reuse_for(options))


def small_site(root: Path) -> Path:
    return write_site(root, {"content/assessments/forum.md": GOOD})


class RunsCode:
    """A pickle that runs code when it is loaded: what a forged cache would carry."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


# -- 1: the signing key -------------------------------------------------------------------------

def key_file(tmp_path: Path) -> Path:
    return tmp_path / "user-cache" / "scorecard" / "cache-key"  # XDG_CACHE_HOME from conftest


def test_1_an_empty_key_file_is_replaced_and_a_cache_signed_with_it_never_runs(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    key = key_file(tmp_path)
    key.parent.mkdir(parents=True)
    key.write_bytes(b"")  # what a build killed between creating the key file and writing it left
    marker = tmp_path / "ran"
    payload = pickle.dumps(RunsCode(marker))
    folder = root / cachefiles.CACHE_DIR
    folder.mkdir()
    # Signed exactly as the build signs, with the empty key: a cache anyone could forge.
    (folder / "site.pickle").write_bytes(cachefiles._head() + cachefiles._signed(b"", b"site", payload) + payload)

    result = build(BuildOptions.at(root, today=TODAY))

    assert result.ok
    assert not marker.exists()
    assert len(key.read_bytes()) == 32  # secrets.token_bytes(32)
    assert result.cache.startswith("ignored")


@pytest.mark.parametrize("content", [b"short", b"x" * 33])
def test_1_a_key_of_the_wrong_length_is_never_used(tmp_path: Path, content: bytes) -> None:
    key = key_file(tmp_path)
    key.parent.mkdir(parents=True)
    key.write_bytes(content)
    made = cachefiles.signing_key()
    assert made is not None and len(made) == 32 and made != content
    assert key.read_bytes() == made
    assert cachefiles.signing_key() == made  # kept from now on


def test_1_a_key_file_that_is_a_link_is_not_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"k" * 32)
    key = key_file(tmp_path)
    key.parent.mkdir(parents=True)
    key.symlink_to(elsewhere)
    made = cachefiles.signing_key()
    assert made is not None and made != b"k" * 32
    assert elsewhere.read_bytes() == b"k" * 32  # not written through the link


def test_1_a_key_that_cannot_be_written_whole_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cachefiles.os, "fsync", full_disk)
    assert cachefiles.signing_key() is None
    assert not key_file(tmp_path).exists()  # nothing half-written is left to be trusted later


# -- 12, 13: the cache and output folders a working tree can carry --------------------------------

def test_12_a_cache_folder_that_links_out_of_the_site_is_never_written(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / cachefiles.CACHE_DIR).symlink_to(outside)

    result = build(BuildOptions.at(root, today=TODAY))

    assert result.ok
    assert list(outside.iterdir()) == []
    assert result.cache.startswith("ignored")


def test_12_a_cache_gitignore_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    (root / cachefiles.CACHE_DIR).mkdir()
    target = tmp_path / "target"
    (root / cachefiles.CACHE_DIR / ".gitignore").symlink_to(target)
    assert build(BuildOptions.at(root, today=TODAY)).ok
    assert not target.exists()


@pytest.mark.parametrize("name", ["output", ".output.lock"])
def test_12_output_lock_or_spare_as_a_link_is_refused(tmp_path: Path, name: str) -> None:
    root = small_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target"
    if name != ".output.lock":
        target.mkdir()
    (root / name).symlink_to(target)

    result = build(BuildOptions.at(root, today=TODAY))

    assert not result.ok
    messages = [d.message for d in result.diagnostics if d.is_error]
    assert messages == [f"refusing to write the site: '{name}' is a symbolic link"]
    # nothing created or written outside: the lock's target is not made, the folders stay empty
    assert [p.name for p in outside.rglob("*")] == ([] if name == ".output.lock" else ["target"])
    assert not (root / "output").is_dir() or name == "output"


def test_12_a_spare_that_links_out_of_the_site_is_not_used(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".output.spare").symlink_to(outside)
    for _ in range(3):  # the third build would fill the spare
        assert build(BuildOptions.at(root, today=TODAY)).ok
    assert list(outside.iterdir()) == []


def test_12_a_lock_that_is_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    os.mkfifo(root / ".output.lock")
    result = build(BuildOptions.at(root, today=TODAY))
    assert [d.message for d in result.diagnostics if d.is_error] == [
        "refusing to write the site: '.output.lock' is not a regular file"]


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "oversize"])
def test_13_a_cache_file_that_is_a_device_a_pipe_or_too_big_is_ignored(
        tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = small_site(tmp_path / "site")
    folder = root / cachefiles.CACHE_DIR
    folder.mkdir()
    target = folder / "site.pickle"
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        monkeypatch.setattr(cachefiles, "CACHE_LIMIT", 100)
        target.write_bytes(b"x" * 101)

    result = build(BuildOptions.at(root, today=TODAY))

    assert result.ok
    assert result.cache.startswith("ignored")


@pytest.mark.parametrize("name", ["site.pickle", "prepared.pickle", "views.pickle", "prepared.delta"])
def test_13_a_cache_file_of_a_gigabyte_that_is_not_a_cache_is_not_read(tmp_path: Path, name: str) -> None:
    # 1 GB of zeros packs into about a megabyte in git, so a pull request can put it in the cache
    # folder beside the files a build left. Its first bytes are not a cache's: it is ignored there,
    # never read whole (site.pickle took over 1 GB of memory that way; the budget is 300 MB).
    root = small_site(tmp_path / "site")
    assert_clean_end(run_scorecard(root, "build", "--today", TODAY.isoformat()), 0)  # a cache of this machine
    with (root / cachefiles.CACHE_DIR / name).open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: no disk is used
    (root / "content/assessments/forum.md").write_text(GOOD.replace("Forum", "Forum, edited"))

    run = run_scorecard(root, "build", "--today", TODAY.isoformat())

    assert_clean_end(run, 0)
    assert "Forum, edited" in (root / "output/assessments/forum/index.html").read_text()


# -- 5, 8, 9: git history -----------------------------------------------------------------------

def git(root: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
    base = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
            "GIT_COMMITTER_EMAIL": "a@b", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, input=input,
                          env={**os.environ, **base, **(env or {})})
    return done.stdout.decode()


def commit_all(root: Path, message: str, **env: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, env=env)


def assessment(evidence: str, title: str = "Forum", score: int = 4) -> str:
    return (f"---\ntitle: {title}\ndate: 2026-09-14\nslates:\n  search: {{score: {score}, evidence: {evidence}}}\n"
            "---\nBody.\n")


@pytest.mark.parametrize("hostile", ["subject", "author", "date"])
def test_5_one_hostile_commit_does_not_break_the_build(tmp_path: Path, hostile: str) -> None:
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    git(root, "init", "-q")
    page = root / "content/assessments/forum.md"
    page.write_text(assessment("one", score=2))
    commit_all(root, "first")
    page.write_text(assessment("two", score=3))  # each commit moves the score, so each is a change
    if hostile == "date":  # git itself refuses GIT_AUTHOR_DATE=@999999999999 now; an old git wrote such commits
        git(root, "add", "-A")
        tree, parent = git(root, "write-tree").strip(), git(root, "rev-parse", "HEAD").strip()
        raw = (f"tree {tree}\nparent {parent}\nauthor a <a@b> 999999999999 +0000\n"
               "committer a <a@b> 1700000000 +0000\n\nsecond\n")
        made = git(root, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw.encode()).strip()
        git(root, "update-ref", "HEAD", made)
    else:
        env = {"GIT_AUTHOR_NAME": "Eve\x1eEvil\x1e"} if hostile == "author" else {}
        commit_all(root, "second\x1eb\x1e\x1e" if hostile == "subject" else "second", **env)
    page.write_text(assessment("three", score=4))
    commit_all(root, "third")

    run = run_scorecard(root, "build")

    assert_clean_end(run, 0)
    changes = (root / "output/changes.xml").read_text(encoding="utf-8")
    assert "third" in changes and "first" in changes
    if hostile == "date":  # the year 33658 cannot be a date here: that commit is left out
        assert "<title>" in changes and "second" not in changes
    else:
        assert "second" in changes


def test_8_a_huge_blob_in_git_is_not_read_by_diff_or_history(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "content/assessments/forum.md").write_text(assessment("e"))
    commit_all(root, "first")
    for n in range(3):  # three blobs of 120 MB each, which compress to almost nothing
        blob = git(root, "hash-object", "-w", "--stdin", input=bytes([n]) + bytes(120 << 20)).strip()
        git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},content/assessments/big-{n}.md")
    git(root, "commit", "-q", "-m", "big")
    for n in range(3):  # the working tree has the small files; git holds the huge ones
        (root / f"content/assessments/big-{n}.md").write_text(assessment("e", f"Big {n}"))

    diff = run_scorecard(root, "diff", "HEAD~1", "HEAD")
    assert_clean_end(diff)
    # 120 << 20 bytes + 1 = 125,829,121 bytes = 125.8 MB
    assert "HEAD:content/assessments/big-0.md: error: the file is 125.8 MB; the limit is 1 MB" in diff.stderr
    built = run_scorecard(root, "build")
    assert_clean_end(built, 0)


# -- 10, 11, 14: folders and names ----------------------------------------------------------------

def nest(folder: Path, depth: int) -> Path:
    """`depth` folders `a/a/…` under `folder`, made one by one (os.makedirs itself recurses)."""
    for _ in range(depth):
        folder = folder / "a"
        folder.mkdir()
    return folder


def unnest(deep: Path, top: Path) -> None:
    """Remove what `nest` made, deepest first (shutil.rmtree, and so pytest's clean-up, recurses)."""
    for file in deep.iterdir():
        file.unlink()
    while deep != top:
        deep.rmdir()
        deep = deep.parent


def test_10_a_thousand_nested_folders_are_a_diagnostic(request: pytest.FixtureRequest) -> None:
    # Not in tmp_path: pytest removes old temporary folders with shutil.rmtree, which cannot remove
    # 1,000 levels, so a run killed before the clean-up here would break every later run's clean-up.
    root = small_site(Path(tempfile.mkdtemp(prefix="scorecard-nest-")))
    deep = nest(root / "content/assessments", 1000)
    request.addfinalizer(lambda: (unnest(deep, root / "content/assessments"), shutil.rmtree(root)))
    (deep / "x.md").write_text(GOOD)
    for command in ("check", "build"):
        run = run_scorecard(root, command)
        assert_clean_end(run, 1)
        # the 17th folder is refused: 16 `a/` are allowed, then content/assessments/ + 17 × "a" separated by "/"
        refused = "content/assessments/" + "/".join(["a"] * 17) + ": error: folders nest more than 16 deep"
        assert refused in run.stdout + run.stderr


def test_11_an_assessments_folder_linked_to_the_root_is_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content/assessments").symlink_to("/")
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    assert run.stdout.splitlines() == [
        ("content/assessments: error: symbolic link to a folder: not followed, nothing under it is read "
         "(hint: make content/assessments a folder of its own)")]


def test_14_a_file_name_that_is_not_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    (root / "content/assessments").joinpath(os.fsdecode(b"caf\xe9.md")).write_text(GOOD)
    for args in (("check",), ("check", "--format", "github"), ("build",)):
        run = run_scorecard(root, *args)
        assert_clean_end(run, 1)
        shown = "content/assessments/caf\\xe9.md"  # the byte 0xE9 written out
        assert shown in run.stdout + run.stderr


def test_14_a_site_folder_whose_name_is_not_utf8_builds(tmp_path: Path) -> None:
    root = small_site(tmp_path / os.fsdecode(b"s\xe9te"))
    git(root, "init", "-q")
    commit_all(root, "first")
    for args in (("check", "--format", "github"), ("build",), ("diff", "HEAD")):
        run = run_scorecard(root, *args)
        assert_clean_end(run, 0)


# -- 4, 6, 7, 9, 15: sizes that multiply ----------------------------------------------------------

def test_4_twenty_thousand_equal_headings_check_in_linear_time(tmp_path: Path) -> None:
    root = tmp_path / "site"
    body = "# h\n" * 20_000  # 80 KB; the ids are h, h-1, …, h-19999
    write_site(root, {"content/assessments/forum.md": GOOD + body})
    run = run_scorecard(root, "build")
    assert_clean_end(run, 0)
    page = (root / "output/assessments/forum/index.html").read_text(encoding="utf-8")
    assert 'id="h"' in page and 'id="h-1"' in page and 'id="h-19999"' in page and 'id="h-20000"' not in page


def test_4_headings_that_take_the_next_number_of_another_keep_unique_ids(tmp_path: Path) -> None:
    from scorecard.publish.markdown import make_markdown, render_body
    # "a", "a-1" written as a heading, then "a" twice more: a, a-1, then a-2 and a-3 (a-1 is taken)
    html = render_body(make_markdown(), "# a\n# a-1\n# a\n# a\n", slug="x", path="x.md", body_line=1, titles={}).html
    assert [part.split('"')[0] for part in html.split('id="')[1:]] == ["a", "a-1", "a-2", "a-3"]


def merge_bomb(levels: int) -> str:
    """Each level merges the one before twice: 2 pairs, then 4, 8, … 2^(levels+1) (2^22 = 4 million for 21)."""
    lines = ["x0: &a0 {k: 0, j: 1}"] + [f"x{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_6_a_merge_key_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    from scorecard.core.yamlsource import MAX_NODES, parse_yaml
    document, diagnostics = parse_yaml(merge_bomb(21), "bomb.md")
    assert document is None
    assert [d.message for d in diagnostics] == [f"YAML expands to more than {MAX_NODES} values"]
    root = tmp_path / "site"
    write_site(root, {"content/assessments/bomb.md": "---\ntitle: T\ndate: 2026-09-14\n" + merge_bomb(21) + "---\n"})
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    assert len(run.stdout.splitlines()) == 1  # one error, not a million


def test_6_merge_keys_still_merge() -> None:
    from scorecard.core.yamlsource import parse_yaml
    document, diagnostics = parse_yaml("a: &a {x: 1, y: 2}\nb: &b {w: 3}\nc:\n  <<: [*b, *a]\n  z: 4\n", "m.md")
    assert diagnostics == [] and document is not None
    assert document.data["c"] == {"x": 1, "y": 2, "w": 3, "z": 4}
    # A key both merged and written (or merged twice) is a duplicate, as every duplicate key is here.
    _, diagnostics = parse_yaml("a: &a {x: 1}\nc:\n  <<: *a\n  x: 2\n", "m.md")
    assert [d.message for d in diagnostics] == ["duplicate key 'x'"]


def rubric(scale: str, items: int = 1, extra: str = "") -> str:
    entries = ", ".join(f"{{id: i{n}}}" for n in range(items))
    return (f"name: R\n{extra}bands:\n  - {{grade: A, min: 50, verdict: Good}}\n"
            "  - {grade: B, min: 0, verdict: Bad}\n"
            f"sections:\n  - id: only\n    weight: 1\n    scale: {scale}\n    items: [{entries}]\n")


def test_7_a_huge_score_scale_is_a_diagnostic(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    scale = "{min: 0, max: 1000000000000}"
    (root / "content/rubric.yml").write_text(rubric(scale).replace("items: [{id: i0}]",
                                                                  "items: [{id: i0, gate: {when: 7, verdict: x}}]"))
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    # 10^12 - 0 = 1000000000000 steps, over the limit of 10,000
    assert "content/rubric.yml:8: error: a score scale spans at most 10000 steps; 0 to 1000000000000 is 1000000000000" \
        in run.stdout


def test_7_a_rubric_of_many_items_is_a_diagnostic(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    (root / "content/rubric.yml").write_text(rubric("{min: 0, max: 5}", items=61))
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    assert "a section has at most 60 items, not 61" in run.stdout


def test_9_ten_thousand_tags_are_a_diagnostic_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "site"
    tags = ", ".join(f"t{n}" for n in range(10_000))  # about 70 KB
    write_site(root, {"content/assessments/forum.md": f"---\ntitle: Forum\ndate: 2026-09-14\ntags: [{tags}]\n---\nB\n"})
    run = run_scorecard(root, "build")
    assert_clean_end(run, 1)
    # line 4 is `tags: [...]`; its value starts after the 6 characters of "tags: ", in column 7
    refused = "content/assessments/forum.md:4:7: error: 'tags' lists 10000 names; the limit is 50"
    assert refused in run.stdout + run.stderr
    assert not (root / "output").exists()


def test_9_a_long_title_is_a_diagnostic(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/assessments/forum.md": f"---\ntitle: {'x' * 201}\ndate: 2026-09-14\n---\nB\n"})
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    assert "content/assessments/forum.md:2:8: error: 'title' is 201 characters; the limit is 200" in run.stdout


def test_9_a_long_commit_subject_is_cut(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "content/assessments/forum.md").write_text(assessment("e"))
    commit_all(root, "s" * 100_000)
    run = run_scorecard(root, "build")
    assert_clean_end(run, 0)
    changes = (root / "output/changes.xml").read_text(encoding="utf-8")
    assert "s" * 199 + "…" in changes and "s" * 200 not in changes  # 199 characters and an ellipsis: 200


@pytest.mark.parametrize("statuses", ["[pilot, Pilot]", "[in use, in-use]"])
def test_15_two_statuses_that_share_a_page_are_an_error(tmp_path: Path, statuses: str) -> None:
    root = small_site(tmp_path / "site")
    (root / "content/rubric.yml").write_text(rubric("{min: 0, max: 5}", extra=f"statuses: {statuses}\n"))
    for command in ("check", "build"):
        run = run_scorecard(root, command)
        assert_clean_end(run, 1)
        first, second = statuses.strip("[]").split(", ")
        assert (f"content/rubric.yml:2: error: statuses '{first}' (line 2) and '{second}' would share one page"
                in run.stdout + run.stderr)


# -- 3, 16, 19: serve -----------------------------------------------------------------------------

@pytest.fixture
def served(site: Path) -> Iterator[tuple[SiteServer, list[str]]]:
    logged: list[str] = []
    running = SiteServer(site, "127.0.0.1", 0, log=lambda text, colour: logged.append(text), log_requests=True)
    running.start()
    yield running, logged
    running.stop()


def raw_request(server: SiteServer, target: bytes) -> bytes:
    """The whole answer to `GET target HTTP/1.0`, the target sent as it is."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(b"GET " + target + f" HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_16_a_url_segment_over_255_bytes_is_not_found_without_a_traceback(served: tuple[SiteServer, list[str]],
                                                                            capfd: pytest.CaptureFixture[str]) -> None:
    server, _ = served
    for path in ("/" + "a" * 300, "/assessments/" + "%C3%A9" * 200 + "/index.html"):
        answer = raw_request(server, path.encode())
        assert answer.startswith(b"HTTP/1.0 404 ")
    assert "Traceback" not in capfd.readouterr().err


def test_3_request_lines_are_logged_visibly(served: tuple[SiteServer, list[str]]) -> None:
    server, logged = served
    raw_request(server, b"/x\x1b]0;PWNED\x07\xc2\x85")
    assert logged, "the request was logged"
    assert all(text.isprintable() for text in logged), logged
    assert any("\\x1b]0;PWNED\\x07" in text for text in logged)


def test_19_idle_connections_are_capped_and_time_out(served: tuple[SiteServer, list[str]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = served
    host, port = server.httpd.server_address[:2]
    before = threading.active_count()
    idle = [socket.create_connection((host, port), timeout=10) for _ in range(MAX_CONNECTIONS + 100)]
    try:
        time.sleep(1)
        # at most MAX_CONNECTIONS threads were started for them, not one each (164)
        assert threading.active_count() - before <= MAX_CONNECTIONS
        readable, _, _ = select.select(idle, [], [], 1.0)
        refused = sum(connection.recv(1) == b"" for connection in readable)  # closed by the server at once
        assert refused >= 100  # 164 connections, at most 64 of them served
    finally:
        for connection in idle:
            connection.close()
    # once they are gone, the server answers again
    assert raw_request(server, b"/").startswith(b"HTTP/1.0 200 ")


def test_19_a_connection_that_sends_nothing_is_closed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scorecard.commands import serve
    monkeypatch.setattr(serve.SiteRequestHandler, "timeout", 0.5)
    running = SiteServer(site, "127.0.0.1", 0)
    running.start()
    try:
        host, port = running.httpd.server_address[:2]
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(b"GET / HTTP/1.0\r\n")  # and then nothing
            started = time.monotonic()
            assert connection.recv(1) == b""
            assert time.monotonic() - started < 5
    finally:
        running.stop()


# -- 17: XML outputs ------------------------------------------------------------------------------

def test_17_control_characters_in_a_title_and_a_commit_leave_the_xml_readable(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    git(root, "init", "-q")
    page = root / "content/assessments/forum.md"
    page.write_text(assessment("e", title='"Bell\\a and \\x01 and \\uFFFE"', score=2))
    commit_all(root, "first \x01\x07")
    page.write_text(assessment("e", title='"Bell\\a and \\x01 and \\uFFFE"', score=3))
    commit_all(root, "second \x1b[31m")

    assert_clean_end(run_scorecard(root, "build"), 0)

    xml_files = [root / "output/changes.xml", *sorted((root / "output").rglob("*.svg"))]
    assert any(p.name == "badge.svg" for p in xml_files)
    for path in xml_files:
        ElementTree.parse(path)  # raises on a character XML cannot hold
    changes = (root / "output/changes.xml").read_text(encoding="utf-8")
    assert "Bell\ufffd and \ufffd and \ufffd" in changes  # each of \a, \x01, \uFFFE replaced by U+FFFD


# -- 18: scorecard new ------------------------------------------------------------------------------

def test_18_rubric_text_cannot_write_the_body_of_a_new_assessment(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    phish = "\n---\nLog in at [your bank](https://evil.example/)\n"
    for separator in ("\n", "\u2028", "\x85"):
        hostile = phish.replace("\n", separator)
        (root / "content/rubric.yml").write_text(
            "name: R\nstatuses: [" + json.dumps("draft" + hostile) + "]\n"
            "bands:\n  - {grade: A, min: 50, verdict: Good}\n  - {grade: B, min: 0, verdict: Bad}\n"
            "sections:\n  - id: only\n    title: " + json.dumps("Only" + hostile) + "\n    weight: 1\n"
            "    scale: {choices: {" + json.dumps("yes" + hostile) + ": 1, no: 0}}\n"
            "    items: [{id: x, prompt: " + json.dumps("Why?" + hostile) + "}]\n", encoding="utf-8")
        slug = f"n{ord(separator)}"
        run = run_scorecard(root, "new", slug)
        assert_clean_end(run, 0)
        text = (root / f"content/assessments/{slug}.md").read_text(encoding="utf-8")
        # The front matter ends where the skeleton ends it; the body is the skeleton's own headings.
        assert text.split("\n---\n", 1)[1] == "## Context\n\n## What changes for the customer\n\n## Risks\n"
        # Elsewhere the rubric's text is inside a comment, or a quoted value (the status), on one line.
        for line in text.split("\n"):
            if "evil.example" in line:
                assert line.startswith(f"status: {json.dumps('draft' + hostile, ensure_ascii=True)}") or \
                    ("#" in line and line.index("#") < line.index("evil.example")), line
        assert text.splitlines() == text.split("\n")[:-1]  # no line break but \n (YAML also breaks at \x85, \u2028)


def test_4_a_megabyte_of_headings_is_a_diagnostic_within_budget(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/assessments/forum.md": GOOD + "# h\n" * 245_000})  # 980 KB
    run = run_scorecard(root, "check")
    assert_clean_end(run, 1)
    # the body is "Body.\n" and 245,000 × "# h\n": 245,000 × ("#" + line break) + 1 line break = 490,001 marks
    assert ("content/assessments/forum.md:5: error: the body has 490001 Markdown marks "
            "(line breaks, #, *, _, |, [, …); the limit is 100000") in run.stdout


def test_12_a_folder_on_the_way_to_the_output_that_is_a_link_is_refused(tmp_path: Path) -> None:
    root = small_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "public").symlink_to(outside)
    result = build(BuildOptions.at(root, today=TODAY, output_dir=root / "public/site"))
    assert [d.message for d in result.diagnostics if d.is_error] == [
        "refusing to write the site: 'public' is a symbolic link"]
    assert list(outside.iterdir()) == []
