"""Property-based tests: generated front matter and Markdown thrown at the loader and the build.

Whatever the input, no exception escapes, every problem is a diagnostic with a file and a line,
and no generated string reaches the output unescaped. The examples are derandomised and no
example database is kept, so a CI run is reproducible; the sizes keep the file well under a
minute on a slow machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Self
from xml.etree import ElementTree

import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from scorecard.commands.report import format_diagnostics
from scorecard.commands.skeleton import assessment_skeleton as skeleton
from scorecard.core.assessment import parse_assessment
from scorecard.core.options import BuildOptions
from scorecard.core.rubric import MAX_SCALE_STEPS, default_rubric, parse_rubric
from scorecard.pipeline.build import build
from scorecard.publish.markdown import make_markdown, render_body, safe_link
from scorecard.source.gitrepo import MAX_BLOB_BYTES, TooLarge, read_blobs
from tests.budget import assert_clean_end, run_scorecard

RUBRIC = default_rubric()
MD = make_markdown()

# Reproducible and bounded: the same examples on every run, no database, no timing deadline
# (the shared CI machine is slow and noisy).
FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                phases=[Phase.explicit, Phase.generate])  # a whole build per example: report, do not shrink

HOSTILE = ["<script>alert(1)</script>", "]]>", "\"", "'", "&amp;", "<img src=x onerror=alert(1)>",
           "javascript:alert(1)", "jav&#x09;ascript:", "{{ 7*7 }}", "{% raw %}", "</title>", "<!--", "\u202e",
           "---", "...", ": ", "- ", "#", "*a", "&a", "!!python/object:os.system", "\t", "\r\n", "\r", "\ufeff"]

any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), any_text), min_size=1, max_size=4).map("".join)
scalar = st.one_of(hostile_text, st.integers(-10, 10), st.booleans(), st.none(), st.floats(allow_nan=True),
                   st.dates(), st.sampled_from(["yes", "no", "partly", "unknown", "n/a", "pilot", "2026-02-30"]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(hostile_text, inner, max_size=3)), max_leaves=8)
FIELDS = ["title", "summary", "owner", "authors", "status", "date", "review_by", "tags", "related", "extra", "trust",
          "slates"]
ITEMS = {"trust": ["better_product", "return", "recommend", "builds_trust"],
         "slates": ["search", "links", "authorship", "tags", "extensions", "signals"]}


@st.composite
def answers(draw: st.DrawFn, section: str) -> dict[str, Any]:
    """A section mapping: mostly well-formed items with generated values and evidence."""
    key = "answer" if section == "trust" else "score"
    items = draw(st.lists(st.sampled_from(ITEMS[section] + ["serach"]), unique=True, max_size=7))
    return {item: draw(st.one_of(value, st.fixed_dictionaries({key: scalar}, optional={"evidence": hostile_text,
                                                                                       "reason": hostile_text})))
            for item in items}


@st.composite
def front_matter(draw: st.DrawFn) -> dict[str, Any]:
    """A front-matter mapping of real and made-up fields with generated values."""
    data: dict[str, Any] = {}
    if draw(st.booleans()):  # half the files have a usable title and date, so that the rest is checked too
        data.update(title=draw(hostile_text), date=draw(st.dates()))
    for field in draw(st.lists(st.sampled_from([*FIELDS, "sumary"]), unique=True, max_size=len(FIELDS))):
        if field in data:
            continue
        data[field] = draw(answers(field)) if field in ITEMS else draw(value)
    return data


def dump(data: Any) -> str:
    """YAML text for `data`, written the way an author might (block style)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


markdown_piece = st.one_of(
    hostile_text,
    st.sampled_from(["\n\n", "# ", "## ", "> ", "- ", "1. ", "```\n", "    ", "|a|b|\n|-|-|\n", "**", "_", "`",
                     "~~", "<", ">", "\\", "[x]", "(", ")", "![i]", "[r]: ", "<https://e.org>", "[x](y.md)",
                     "[[y]]", "[[y|", "[[", "]]", "|"]),
    st.builds("[{}]({})".format, hostile_text, st.sampled_from(["javascript:x", "JAVASCRIPT:x", "data:x",
                                                                 "%6Aavascript:x", "java\nscript:x", "vbscript:x",
                                                                 "file:///x"])),
)
markdown = st.lists(markdown_piece, max_size=12).map("".join)


def assert_located(diagnostics: list[Any], path: str) -> None:
    for d in diagnostics:
        assert d.path == path and d.line is not None and d.line >= 1, d.format()


@FAST
@given(st.text(max_size=300))
def test_any_text_loads_or_is_reported_with_its_line(text: str) -> None:
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    assert_located(diagnostics, "x.md")
    assert assessment is not None or any(d.is_error for d in diagnostics)


@FAST
@given(st.lists(st.one_of(st.sampled_from(["---\n", "...\n", "title: x\n", "date: 2026-09-14\n", "trust:\n",
                                           "  return: yes\n", "\t", "[", "{", "&a ", "*a", "!!", "? ", ": ", "- ",
                                           "\ufeff", "\r\n", "\r", "'", '"', "#"]),
                          any_text), max_size=25).map("".join))
def test_yaml_shaped_noise_loads_or_is_reported_with_its_line(text: str) -> None:
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    assert_located(diagnostics, "x.md")
    assert assessment is not None or any(d.is_error for d in diagnostics)


@FAST
@given(front_matter(), markdown)
def test_generated_front_matter_is_checked_field_by_field(data: dict[str, Any], body: str) -> None:
    text = "---\n" + dump(data) + "---\n" + body
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    event("loaded" if assessment is not None else "refused")
    assert_located(diagnostics, "x.md")
    lines = text.count("\n") + 1
    assert all(d.line <= lines for d in diagnostics)  # type: ignore[operator]
    if assessment is not None:
        assert isinstance(assessment.title, str) and assessment.title.strip()
        assert all(isinstance(t, str) for t in assessment.tags + assessment.authors)


@FAST
@given(markdown)
def test_generated_markdown_never_makes_a_script_link_or_raw_tag(body: str) -> None:
    rendered = render_body(MD, body, slug="x", path="x.md", body_line=5, titles={"y": "<script>Y</script>"})
    assert_located(list(rendered.diagnostics), "x.md")
    html = rendered.html
    assert "<script" not in html and "<img src=x" not in html
    for attribute in ("href", "src"):
        for url in html.split(f'{attribute}="')[1:]:
            assert safe_link(url.split('"', 1)[0])


def valid_assessment(title: str, owner: str, tag: str, evidence: str, body: str) -> str:
    data = {"title": title, "owner": owner, "tags": [tag, "plain"], "date": dt.date(2026, 9, 14),
            "trust": {item: {"answer": "yes", "evidence": evidence} for item in ITEMS["trust"]},
            "slates": {item: {"score": 3, "evidence": evidence} for item in ITEMS["slates"]}}
    return "---\n" + dump(data) + "---\n" + body


@SLOW
@given(hostile_text, hostile_text, hostile_text, hostile_text, markdown)
def test_no_generated_string_reaches_the_site_unescaped(title: str, owner: str, tag: str, evidence: str,
                                                        body: str) -> None:
    # Fenced by "qq" so that each value is never blank, and is found only where it is written out whole.
    title, owner, tag, evidence = (f"qq{text}qq" for text in (title, owner, tag, evidence))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        page = root / "content/assessments/x.md"
        page.parent.mkdir(parents=True)
        page.write_text(valid_assessment(title, owner, tag, evidence, body), encoding="utf-8")
        result = build(BuildOptions.at(root, today=dt.date(2026, 10, 1)))
        assert_located(list(result.diagnostics), "content/assessments/x.md")
        event("built" if result.ok else "refused: " + next(d.message for d in result.diagnostics if d.is_error))
        if not result.ok:
            assert not (root / "output").exists()
            return
        files = {p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8") for p in (root / "output").rglob("*")
                 if p.suffix in (".html", ".xml", ".json")}
    for generated in (title, owner, tag, evidence):
        for name, text in files.items():
            # Characters that are markup (or would end an attribute) in HTML and XML; in JSON a quote
            # is escaped by JSON itself, and <, > and & are escaped so the file can be inlined in a page.
            special = "<>&" if name.endswith(".json") else "<>&\"'"
            if any(c in generated for c in special):
                assert generated not in text, (name, generated)
    assert json.loads(files["output/scorecard.json"])["assessments"][0]["title"] == title


# -- the second round of hostile input (issue 16): names, histories, rubrics and sizes -------------

SECONDS_PER_CASE = 10.0
MEGABYTES_PER_CASE = 300
SOME = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                phases=[Phase.explicit, Phase.generate])
FEW = settings(SOME, max_examples=6)
ASSESSMENT = "---\ntitle: T\ndate: 2026-09-14\n---\nBody.\n"
LINE_START = ("content/", "::error file=content/", "::warning file=content/", "<site>")


class Budget:
    """Asserts that the block it measures stayed within the time and memory budget of one case."""

    def __enter__(self) -> Self:
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.monotonic() - self.started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        if exc[0] is None:
            assert seconds < SECONDS_PER_CASE, f"{seconds:.1f} s"
            assert peak < MEGABYTES_PER_CASE, f"{peak:.0f} MB"


def assert_printable_lines(diagnostics: list[Any]) -> None:
    """Every diagnostic prints as one line, with no control character, that starts with a path of the site."""
    for fmt in ("text", "github"):
        text = format_diagnostics(list(diagnostics), fmt)
        for line in text.split("\n")[:-1]:
            assert line.isprintable() or "\t" in line, repr(line)
            assert line.startswith(LINE_START), repr(line)
        assert text.splitlines() == text.split("\n")[:-1]
        text.encode("utf-8")  # printable: no lone surrogate from a name that is not UTF-8


file_name = st.binary(min_size=1, max_size=24).filter(lambda b: b"/" not in b and b"\0" not in b
                                                      and b not in (b".", b".."))


@SOME
@given(st.lists(file_name, min_size=1, max_size=4, unique=True), st.booleans())
def test_any_file_or_folder_name_is_read_or_reported(names: list[bytes], as_folders: bool) -> None:
    with tempfile.TemporaryDirectory() as directory, Budget():
        root = Path(directory)
        folder = root / "content/assessments"
        folder.mkdir(parents=True)
        for name in names:
            path = os.path.join(os.fsencode(folder), name, b"x.md") if as_folders else \
                os.path.join(os.fsencode(folder), name + b".md")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as out:
                out.write(ASSESSMENT)
        result = build(BuildOptions.at(root, today=dt.date(2026, 10, 1)))
        assert_printable_lines(list(result.diagnostics))
        event("built" if result.ok else "refused")
        if result.ok:
            written = [p.resolve() for p in (root / "output").rglob("*")]
            assert all(p.is_relative_to((root / "output").resolve()) for p in written)


def commit_object(tree: str, parent: str | None, author: str, seconds: int, subject: str) -> bytes:
    lines = [f"tree {tree}"] + ([f"parent {parent}"] if parent else []) + [
        f"author {author} <a@example.org> {seconds} +0000", "committer c <c@example.org> 1700000000 +0000", "", subject]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


git_text = st.text(st.characters(exclude_characters="\n\0", exclude_categories=["Cs"]), min_size=1, max_size=60)


@FEW
@given(st.lists(st.tuples(git_text, git_text, st.integers(-2**40, 2**45)), min_size=1, max_size=4))
def test_any_git_history_builds(commits: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        page = root / "content/assessments/forum.md"
        page.parent.mkdir(parents=True)

        def git(*args: str, input: bytes | None = None) -> str:
            env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": directory}
            return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, input=input,
                                  env=env).stdout.decode().strip()

        git("init", "-q")
        parent = None
        for score, (author, subject, seconds) in enumerate(commits):
            page.write_text(ASSESSMENT.replace("---\nBody", f"slates:\n  search: {{score: {score % 6}}}\n---\nBody"))
            git("add", "-A")
            made = git("hash-object", "-t", "commit", "-w", "--stdin", "--literally",
                       input=commit_object(git("write-tree"), parent, author, seconds, subject))
            git("update-ref", "HEAD", made)
            parent = made
        with Budget():
            result = build(BuildOptions.at(root, today=dt.date(2026, 10, 1)))
        assert result.ok, [d.format() for d in result.diagnostics]
        feed = root / "output/changes.xml"  # none when every commit's date is out of range
        event("feed" if feed.exists() else "no feed")
        if feed.exists():
            ElementTree.parse(feed)  # valid XML whatever the subjects and names


identifier = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
scale = st.one_of(
    st.fixed_dictionaries({"min": st.integers(-10**15, 10**3), "max": st.integers(-10**3, 10**15)},
                          optional={"allow_na": st.booleans()}),
    st.fixed_dictionaries({"choices": st.dictionaries(git_text, st.one_of(st.integers(-1, 2), st.floats()),
                                                      max_size=30)}),
)
rubric_data = st.fixed_dictionaries({
    "name": git_text,
    "bands": st.just([{"grade": "A", "min": 50, "verdict": "Good"}, {"grade": "B", "min": 0, "verdict": "Bad"}]),
    "sections": st.lists(st.fixed_dictionaries({
        "id": identifier, "weight": st.integers(0, 3), "scale": scale,
        "items": st.lists(st.fixed_dictionaries({"id": identifier}, optional={
            "prompt": git_text, "gate": st.fixed_dictionaries({"when": st.one_of(git_text, st.integers()),
                                                               "verdict": git_text})}), min_size=1, max_size=80),
    }, optional={"title": git_text}), min_size=1, max_size=3),
}, optional={"statuses": st.lists(git_text, min_size=1, max_size=25)})


@SOME
@given(rubric_data)
def test_any_rubric_loads_or_is_reported_within_budget(data: dict[str, Any]) -> None:
    with Budget():
        rubric, diagnostics = parse_rubric(json.dumps(data), "content/rubric.yml")
    assert (rubric is None) == any(d.is_error for d in diagnostics)
    assert_printable_lines(list(diagnostics))
    if rubric is not None:
        for section in rubric.sections:
            assert len(section.scale.answers()) <= MAX_SCALE_STEPS + 1
        assert len(skeleton(rubric, "T", dt.date(2026, 9, 14), []).split("\n---\n")) == 2  # nothing injected


@FEW
@given(st.sampled_from(["headings", "tags", "nesting", "merge"]), st.integers(0, 30_000))
@example("headings", 20_000)  # the largest of each, whatever the generator picks
@example("tags", 30_000)
@example("nesting", 30_000)
@example("merge", 30_000)
def test_sizes_that_multiply_stay_within_budget(kind: str, size: int) -> None:
    directory = tempfile.mkdtemp(prefix="scorecard-size-")
    root = Path(directory)
    folder = root / "content/assessments"
    folder.mkdir(parents=True)
    deep = folder
    try:
        if kind == "headings":
            (folder / "x.md").write_text(ASSESSMENT + "# h\n" * size)
        elif kind == "tags":
            tags = ", ".join(f"t{n}" for n in range(size))
            (folder / "x.md").write_text(ASSESSMENT.replace("date:", f"tags: [{tags}]\ndate:"))
        elif kind == "nesting":
            for _ in range(size // 20):  # up to 1,500 levels
                deep = deep / "a"
                deep.mkdir()
            (deep / "x.md").write_text(ASSESSMENT)
        else:
            levels = size.bit_length()  # up to 15 levels of merges of merges: 2^16 pairs
            bomb = "".join(f"x{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}\n" for i in range(1, levels + 1))
            (folder / "x.md").write_text(ASSESSMENT.replace("date:", "x0: &a0 {k: 0, j: 1}\n" + bomb + "date:"))
        # The installed command in a process of its own: its time and its peak memory are its own.
        run = run_scorecard(root, "build")
        assert_clean_end(run)
        for line in run.stderr.splitlines():
            assert line.startswith((*LINE_START, "Build failed", "Built ")), line
        event(f"{kind}: {'built' if run.code == 0 else 'refused'}")
        if run.code == 0:
            written = sum(p.stat().st_size for p in (root / "output").rglob("*") if p.is_file())
            source = sum(p.stat().st_size for p in folder.rglob("*.md"))
            assert written < 50 * source + 2_000_000, (written, source)  # the site without it is ~1 MB
    finally:
        for file in deep.iterdir():
            if file.is_file():
                file.unlink()
        while deep != folder:  # shutil.rmtree recurses once per level
            deep.rmdir()
            deep = deep.parent
        shutil.rmtree(root)


@FEW
@given(st.lists(st.integers(0, 40 << 20), min_size=1, max_size=3))
@example([40 << 20, 1_000_000, 1_000_001])  # the limit is 1,000,000 bytes: at it and one over
def test_blobs_of_any_size_are_read_within_budget(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        blobs = [subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, check=True, capture_output=True,
                                input=bytes([n % 256]) * size).stdout.decode().strip() for n, size in enumerate(sizes)]
        with Budget():
            read = read_blobs(root, blobs)
        for blob, size in zip(blobs, sizes, strict=True):
            if size > MAX_BLOB_BYTES:
                assert isinstance(read[blob], TooLarge) and read[blob].size == size
            else:
                assert len(read[blob]) == size
