"""The files of a content directory, however odd: each is read correctly or reported with a
diagnostic naming it, never a traceback, and nothing outside content/ is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assessment_text

from scorecard.commands.cli import main
from scorecard.core.diagnostics import sort_diagnostics
from scorecard.core.options import BuildOptions
from scorecard.core.slugs import slugify
from scorecard.pipeline.build import build
from scorecard.source.content import MAX_FILE_BYTES, content_from_files, load_content

FOLDER = "content/assessments"
TRUST = ("better_product", "return", "recommend", "builds_trust")
SLATES = ("search", "links", "authorship", "tags", "extensions", "signals")


def valid(**changes: str) -> str:
    """A file that loads without a warning: every item answered `unknown`."""
    return assessment_text(trust=dict.fromkeys(TRUST, "unknown"), slates=dict.fromkeys(SLATES, "unknown"), **changes)


def load(root: Path) -> tuple[list[str], list[str]]:
    """The slugs that loaded, and every diagnostic as text."""
    content, diagnostics = load_content(root / "content", root)
    slugs = [a.slug for a in content.assessments] if content else []
    return slugs, [d.format() for d in sort_diagnostics(diagnostics)]


def put(root: Path, relative: str, data: str | bytes | None = None) -> Path:
    path = root / FOLDER / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if data is not None else valid(), encoding="utf-8")
    return path


# -- slugs -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "slug"), [
    ("São Paulo", "sao-paulo"),          # the accent is dropped, not turned into '-'
    ("Crème brûlée", "creme-brulee"),
    ("Straße", "strasse"),               # ß has no decomposition; it is spelt out
    ("Łódź", "lodz"),
    ("Ærø", "aero"),
    ("Q3 review (draft)", "q3-review-draft"),
    ("東京", "u6771-u4eac"),              # no Latin spelling: U+6771 U+4EAC by code point
    ("Tokyo 東京", "tokyo-u6771-u4eac"),
    ("!!!", "-"),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_file_names_with_spaces_and_accents_get_readable_slugs(tmp_path: Path) -> None:
    put(tmp_path, "São Paulo.md")
    put(tmp_path, "Região Sul/Porto Alegre.md")
    put(tmp_path, "東京.md")
    assert load(tmp_path) == (["regiao-sul/porto-alegre", "sao-paulo", "u6771-u4eac"], [])
    assert build(BuildOptions.at(tmp_path)).ok
    assert (tmp_path / "output/assessments/sao-paulo/index.html").is_file()


def test_a_file_name_without_letters_or_digits_is_an_error(tmp_path: Path) -> None:
    put(tmp_path, "!!!.md")
    put(tmp_path, "---.md")
    slugs, diagnostics = load(tmp_path)
    assert slugs == []
    assert diagnostics == [
        (f"{FOLDER}/!!!.md: error: the file name has no letters or digits to make a slug from "
         "(hint: rename the file (or its folder) to say what the initiative is)"),
        (f"{FOLDER}/---.md: error: the file name has no letters or digits to make a slug from "
         "(hint: rename the file (or its folder) to say what the initiative is)"),
    ]


def test_slugs_that_differ_only_in_case_collide(tmp_path: Path) -> None:
    put(tmp_path, "Forum.md")
    put(tmp_path, "forum.md")
    _, diagnostics = load(tmp_path)
    assert [d.split(": error: ")[0] for d in diagnostics] == [f"{FOLDER}/Forum.md", f"{FOLDER}/forum.md"]
    assert all("slug 'forum' is also the slug of" in d for d in diagnostics)


def test_a_tag_or_owner_without_letters_is_an_error_on_its_line(tmp_path: Path) -> None:
    # Lines: 1 '---', 2 title, 3 date, 4 owner, 5 tags.
    put(tmp_path, "a.md", valid(extra='owner: "?"\ntags: [support, "!!", 東京]'))
    _, diagnostics = load(tmp_path)
    assert (f"{FOLDER}/a.md:4:8: error: 'owner' entry '?' has no letters or digits to name its page "
            "(hint: use a name with at least one letter or digit)") in diagnostics
    assert any(d.startswith(f"{FOLDER}/a.md:5:7: error: 'tags' entry '!!' has no letters") for d in diagnostics)
    assert not any("東京" in d for d in diagnostics)  # a name in another script is fine


# -- which files are read ----------------------------------------------------------------

def test_upper_case_extensions_are_read(tmp_path: Path) -> None:
    put(tmp_path, "Forum.MD")
    put(tmp_path, "wiki.Markdown")
    put(tmp_path, "notes.txt", "not an assessment")
    assert load(tmp_path) == (["forum", "wiki"], [])


def test_the_build_reads_the_same_files_as_the_loader(tmp_path: Path) -> None:
    # The build parses files through its cache; an upper-case extension or a hidden folder must be
    # treated there exactly as the loader treats them.
    put(tmp_path, "Forum.MD")
    put(tmp_path, ".obsidian/x.md", "not an assessment")
    result = build(BuildOptions.at(tmp_path))
    assert result.ok and result.assessments == 1, [d.format() for d in result.diagnostics]
    assert (tmp_path / "output/assessments/forum/index.html").is_file()


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    put(tmp_path, "forum.md")
    put(tmp_path, ".git/objects/x.md", b"\x00\x01binary")
    put(tmp_path, ".obsidian/workspace.md", "{}")
    put(tmp_path, ".draft.md", "not finished")
    put(tmp_path, "team/.trash/old.md", "")
    assert load(tmp_path) == (["forum"], [])


def test_hidden_and_upper_case_paths_from_git_are_treated_alike() -> None:
    # content_from_files is what `diff` and history use on a revision's files.
    text = valid().encode()
    content, diagnostics = content_from_files({
        f"{FOLDER}/Forum.MD": text, f"{FOLDER}/.drafts/x.md": b"", f"{FOLDER}/.obsidian/y.md": b"\x00",
    }, "content")
    assert content is not None and [a.slug for a in content.assessments] == ["forum"] and diagnostics == []


def test_a_symbolic_link_out_of_the_content_directory_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(valid(title="Secret"))
    put(tmp_path, "forum.md")
    (tmp_path / FOLDER / "leak.md").symlink_to(secret)
    (tmp_path / FOLDER / "up").symlink_to(tmp_path, target_is_directory=True)
    slugs, diagnostics = load(tmp_path)
    assert slugs == ["forum"]
    assert diagnostics == [
        (f"{FOLDER}/leak.md: error: symbolic link to '{secret}', outside the content directory: not followed "
         "(hint: copy the file into content/ instead of linking to it)"),
        (f"{FOLDER}/up: warning: symbolic link to a folder: not followed "
         "(hint: move or copy the folder into content/assessments/)"),
    ]
    result = build(BuildOptions.at(tmp_path))
    assert not result.ok and not (tmp_path / "output").exists()


def test_an_assessments_folder_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text(valid(title="Secret"))
    (tmp_path / "content").mkdir()
    (tmp_path / FOLDER).symlink_to(elsewhere, target_is_directory=True)
    slugs, diagnostics = load(tmp_path)
    assert slugs == []
    # Refused as a whole, not file by file: a link to / would otherwise walk the whole file system.
    assert diagnostics == [
        (f"{FOLDER}: error: symbolic link to a folder: not followed, nothing under it is read "
         f"(hint: make {FOLDER} a folder of its own)")]


def test_a_symbolic_link_inside_the_content_directory_is_read(tmp_path: Path) -> None:
    put(tmp_path, "forum.md")
    (tmp_path / FOLDER / "alias.md").symlink_to("forum.md")
    assert load(tmp_path) == (["alias", "forum"], [])


def test_a_rubric_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "rubric.yml").write_text("extends: default\n")
    put(tmp_path, "forum.md")
    (tmp_path / "content/rubric.yml").symlink_to(tmp_path / "rubric.yml")
    _, diagnostics = load(tmp_path)
    assert len(diagnostics) == 1 and diagnostics[0].startswith("content/rubric.yml: error: symbolic link to")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_broken_links_and_special_files_are_errors(tmp_path: Path) -> None:
    put(tmp_path, "forum.md")
    (tmp_path / FOLDER / "gone.md").symlink_to(tmp_path / FOLDER / "nowhere.md")
    os.mkfifo(tmp_path / FOLDER / "pipe.md")  # reading it would wait for ever
    slugs, diagnostics = load(tmp_path)
    assert slugs == ["forum"]
    assert diagnostics == [
        f"{FOLDER}/gone.md: error: broken symbolic link (hint: remove it, or point it at an existing file)",
        f"{FOLDER}/pipe.md: error: not a regular file (hint: only Markdown files belong under content/assessments/)",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["named pipe", "folder"])
def test_a_rubric_or_a_configuration_that_is_not_a_file_is_an_error_not_the_default(tmp_path: Path, make,
                                                                                       monkeypatch) -> None:
    """A pipe named content/rubric.yml was passed over, and the default rubric scored every file in its
    place, without a word; a pipe named scorecard.yml gave the default settings the same way."""
    put(tmp_path, "forum.md")
    make(tmp_path / "content/rubric.yml")
    _, diagnostics = load(tmp_path)
    assert diagnostics == [("content/rubric.yml: error: not a regular file "
                            "(hint: make it a plain file, or remove it to use the default rubric)")]
    (os.remove if make is os.mkfifo else os.rmdir)(tmp_path / "content/rubric.yml")
    make(tmp_path / "scorecard.yml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert ("scorecard.yml: error: not a regular file (hint: make it a plain file, or remove it to build with the "
            "defaults)") in result.output
    assert not (tmp_path / "output").exists()


def test_a_configuration_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    # a comment line of 1,500,000 characters: the file is 1,500,010 bytes, shown as 1.5 MB
    (tmp_path / "scorecard.yml").write_text("title: x\n#" + "x" * 1_499_999 + "\n")
    put(tmp_path, "forum.md")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "scorecard.yml: error: the file is 1.5 MB; the limit is 1 MB" in result.output


# -- what is in them ---------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    # 1 MB is 1,000,000 bytes; 2,500,000 bytes shows as 2.5 MB.
    put(tmp_path, "huge.md", valid(body="x" * 2_500_000))
    put(tmp_path, "fits.md", valid(body="y" * (MAX_FILE_BYTES - 1000)))
    slugs, diagnostics = load(tmp_path)
    assert slugs == ["fits"]
    assert diagnostics == [(f"{FOLDER}/huge.md: error: the file is 2.5 MB; the limit is 1 MB "
                            "(hint: the files scorecard reads are a few kilobytes of text: is this the right file?)")]


def test_a_binary_file_named_md_is_an_error(tmp_path: Path) -> None:
    # A PNG's first bytes: 89 'PNG' \r \n ends line 1, 1a \n ends line 2, so the first NUL is on line 3.
    put(tmp_path, "logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _, diagnostics = load(tmp_path)
    assert diagnostics == [(f"{FOLDER}/logo.md:3: error: a binary file, not text (it contains a NUL byte) "
                            "(hint: only Markdown text files belong under content/assessments/)")]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "1: error: the file is empty"),
    (b"\n \n\t\n", "1: error: the file is empty"),
    (b"\xef\xbb\xbf", "1: error: the file is empty"),  # a BOM and nothing else
    # UTF-16 starts with the byte-order mark FF FE, which is not UTF-8.
    ("---\ntitle: x\n---\n".encode("utf-16"), "1: error: the file is UTF-16, not UTF-8"),
    # Line 3 holds Latin-1 é (0xe9).
    ("---\ntitle: x\nsummary: café\n---\n".encode("latin-1"), "3: error: not valid UTF-8 (byte 0xe9)"),
])
def test_unreadable_text_is_a_diagnostic_with_its_line(tmp_path: Path, data: bytes, expected: str) -> None:
    put(tmp_path, "a.md", data)
    _, diagnostics = load(tmp_path)
    assert len(diagnostics) == 1 and diagnostics[0].startswith(f"{FOLDER}/a.md:{expected}"), diagnostics


def test_crlf_and_lone_cr_keep_line_numbers(tmp_path: Path) -> None:
    # Line 4 (after '---', title and date) holds the bad status, whatever ends the lines.
    for name, newline in (("dos.md", "\r\n"), ("mac.md", "\r")):
        put(tmp_path, name, valid(extra="status: pilto").replace("\n", newline))
    _, diagnostics = load(tmp_path)
    bad_status = [d for d in diagnostics if "unknown status" in d]
    assert [d.split(": error")[0] for d in bad_status] == [f"{FOLDER}/dos.md:4:9", f"{FOLDER}/mac.md:4:9"]



def test_new_refuses_a_title_without_letters_or_digits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / FOLDER).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "!!!"])
    assert result.exit_code == 2
    assert "'!!!' has no letters or digits to make a file name from" in result.output
    assert list((tmp_path / FOLDER).iterdir()) == []
    assert CliRunner().invoke(main, ["new", "São Paulo"]).exit_code == 0
    assert (tmp_path / FOLDER / "sao-paulo.md").is_file()
