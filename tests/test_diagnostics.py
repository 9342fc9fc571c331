"""Every problem an author can make in an assessment file, and the diagnostic it must produce.

Each case is "the valid file below, except …": a few of its lines replaced, inserted or
dropped. The expected line of each diagnostic is counted by hand in the literal text and
written next to the case; nothing here is copied from the program's output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from scorecard.core.assessment import parse_assessment
from scorecard.core.diagnostics import Diagnostic, Severity
from scorecard.core.options import BuildOptions
from scorecard.core.rubric import default_rubric
from scorecard.pipeline.build import check
from scorecard.source.content import load_content

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# A complete, valid assessment for the default rubric. The comment is each line's number.
VALID = [
    "---",                                                                               # 1
    "title: Customer community forum",                                                   # 2
    "summary: Move product support from email to a forum.",                              # 3
    "status: pilot",                                                                     # 4
    "date: 2026-09-14",                                                                  # 5
    "tags: [support, community]",                                                        # 6
    "trust:",                                                                            # 7
    '  better_product: {answer: "yes", evidence: "Median answer time fell from 26 h to 4 h."}',  # 8
    '  return:         {answer: partly, evidence: "41% of pilot customers posted again."}',       # 9
    '  recommend:      {answer: "no", evidence: "Nobody named the forum in the referral survey."}',  # 10
    '  builds_trust:   {answer: "yes", evidence: "71% trust the answers they find."}',            # 11
    "slates:",                                                                           # 12
    '  search:     {score: 4, evidence: "Search ended 62% of sessions without a new post."}',  # 13
    '  links:      {score: 3, evidence: "Every thread has a stable address."}',         # 14
    '  authorship: {score: 5, evidence: "All 1,184 posts are under named accounts."}',  # 15
    '  tags:       {score: 2, evidence: "Only 14 fixed categories."}',                  # 16
    '  extensions: {score: n/a, reason: "No integrations are planned."}',               # 17
    '  signals:    {score: 4, evidence: "Customers follow threads and categories."}',   # 18
    "---",                                                                               # 19
    "## Context",                                                                        # 20
    "",                                                                                  # 21
    "Support has run on a shared inbox since 2019.",                                     # 22
]


def assessment(replace: dict[int, str] | None = None, *, insert: dict[int, str] | None = None,
               drop: tuple[int, ...] = (), newline: str = "\n", bom: bool = False) -> str:
    """The valid file with some of its lines changed; every number is a line of VALID.

    `replace={n: text}` puts `text` in place of line n; `insert={n: text}` puts the lines of
    `text` just before line n (so the first of them becomes line n); `drop` removes lines.
    """
    replace, insert = replace or {}, insert or {}
    lines: list[str] = []
    for number, line in enumerate(VALID, start=1):
        if number in insert:
            lines += insert[number].split("\n")
        if number not in drop:
            lines.append(replace.get(number, line))
    return ("\ufeff" if bom else "") + newline.join(lines) + newline


@dataclass(frozen=True)
class Expect:
    """One expected diagnostic: its severity, line, and substrings of its message and hint."""

    severity: Severity
    line: int | None
    message: str
    hint: str | None = None
    """A substring the hint must contain; None leaves the hint unchecked."""
    path: str = "a.md"


# E and W, named after the letter of their severity, keep the tables of expected diagnostics short
def E(line: int | None, message: str, hint: str | None = None, path: str = "a.md") -> Expect:  # noqa: N802
    return Expect(ERROR, line, message, hint, path)


def W(line: int | None, message: str, hint: str | None = None, path: str = "a.md") -> Expect:  # noqa: N802
    return Expect(WARNING, line, message, hint, path)


def assert_diagnostics(found: list[Diagnostic], expected: list[Expect]) -> None:
    """`found` are exactly the `expected` diagnostics, matched in order of path and line."""
    shown = [d.format() for d in found]
    ordered = sorted(found, key=lambda d: (d.path, d.line or 0, d.severity.value, d.message))
    wanted = sorted(expected, key=lambda e: (e.path, e.line or 0, e.severity.value, e.message))
    assert len(ordered) == len(wanted), shown
    for diagnostic, expect in zip(ordered, wanted, strict=True):
        assert (diagnostic.path, diagnostic.severity, diagnostic.line) == (expect.path, expect.severity,
                                                                           expect.line), shown
        assert expect.message in diagnostic.message, shown
        if expect.hint is not None:
            assert diagnostic.hint is not None and expect.hint in diagnostic.hint, shown


def case(name: str, given: object, *expected: Expect):
    """A table row: the input (a file's text, or files by path) and every diagnostic it must give."""
    return pytest.param(given, list(expected), id=name)


# -- one file, one problem ------------------------------------------------------------------

CASES = [
    case("valid file", assessment()),
    # The whole file is "": the problem is on line 1.
    case("empty file", "", E(1, "the file is empty", "start the file with a line '---'")),
    case("only blank lines", "\n\n  \n", E(1, "the file is empty", "start the file with a line '---'")),
    # Line 1 is now "title: Customer community forum".
    case("no front matter", assessment(drop=(1,)),
         E(1, "no front matter", "start the file with a line '---'")),
    # The closing '---' (line 19) is gone; the opening fence on line 1 is the one left open.
    case("unclosed front matter", assessment(drop=(19,)),
         E(1, "front matter is not closed", "add a line '---'")),
    # Line 9 opens '{' and never closes it; line 10 is a correct line on its own.
    case("invalid YAML: unclosed flow mapping",
         assessment(replace={9: '  return:         {answer: partly, evidence: "41% posted again."'}),
         E(9, "invalid YAML")),
    # Line 14 is indented 4 spaces under siblings indented 2.
    case("invalid YAML: bad indent",
         assessment(replace={14: '    links:      {score: 3, evidence: "Every thread has a stable address."}'}),
         E(14, "invalid YAML")),
    # Line 3: an unquoted value may not itself contain ': '.
    case("invalid YAML: unquoted ': ' in a value",
         assessment(replace={3: "summary: Support: now on a forum"}),
         E(3, "invalid YAML", "quote values")),
    # Front matter (line 2 onwards) is a list.
    case("front matter is a list", "---\n- title: Forum\n- date: 2026-09-14\n---\nBody.\n",
         E(2, "must be a mapping of fields, not a list", "field: value")),
    # Line 2 no longer sets the title; a missing field is reported where the front matter starts (line 2).
    case("missing title", assessment(replace={2: "owner: Support Operations"}),
         E(2, "missing required field 'title'", "title:")),
    case("missing date", assessment(replace={5: "owner: Support Operations"}),
         E(2, "missing required field 'date'", "YYYY-MM-DD")),
    # Line 5.
    case("date 2026-13-45", assessment(replace={5: "date: 2026-13-45"}),
         E(5, "'date' is not a valid date: '2026-13-45'", "YYYY-MM-DD")),
    case("date 'next week'", assessment(replace={5: "date: next week"}),
         E(5, "'date' is not a valid date: 'next week'", "YYYY-MM-DD")),
    # Line 4.
    case("unknown status", assessment(replace={4: "status: pilto"}),
         E(4, "unknown status 'pilto'", "did you mean 'pilot'?")),
    # Line 3.
    case("unknown top-level field", assessment(replace={3: "sumary: Move product support from email to a forum."}),
         E(3, "unknown field 'sumary'", "did you mean 'summary'?")),
    # Line 10 names 'recomend'; so 'recommend' itself is unanswered, reported on 'trust:' (line 7).
    case("unknown question in trust",
         assessment(replace={10: '  recomend:       {answer: "no", evidence: "Nobody named it."}'}),
         E(10, "unknown question 'recomend' in 'trust'", "did you mean 'recommend'?"),
         W(7, "question 'recommend' of 'trust' is not answered")),
    # Line 13 names 'serach'; 'search' is unanswered, reported on 'slates:' (line 12).
    case("unknown criterion in slates",
         assessment(replace={13: '  serach:     {score: 4, evidence: "Search ended 62% of sessions."}'}),
         E(13, "unknown criterion 'serach' in 'slates'", "did you mean 'search'?"),
         W(12, "criterion 'search' of 'slates' is not answered")),
    # Line 14 in each of the next three.
    case("score 7 out of range", assessment(replace={14: '  links:      {score: 7, evidence: "Stable addresses."}'}),
         E(14, "score of 'links' is 7, outside 0–5", "whole number from 0 to 5")),
    case("score 3.5 not whole", assessment(replace={14: '  links:      {score: 3.5, evidence: "Stable addresses."}'}),
         E(14, "score of 'links' must be a whole number, not '3.5'", "whole number from 0 to 5")),
    case("score 'four' not a number",
         assessment(replace={14: '  links:      {score: four, evidence: "Stable addresses."}'}),
         E(14, "score of 'links' must be a whole number, not 'four'", "whole number from 0 to 5")),
    # Line 9: 'maybe' is close to none of the answers, so the hint lists them.
    case("answer off the scale",
         assessment(replace={9: '  return:         {answer: maybe, evidence: "41% came back."}'}),
         E(9, "answer 'maybe' to 'return' is not on the scale", "partly")),
    # Line 10: a trust question given a 'score'.
    case("score instead of answer in trust",
         assessment(replace={10: '  recommend:      {score: 1, evidence: "Nobody named it."}'}),
         E(10, "unknown key 'score' in 'recommend'", "'answer'")),
    # Line 17: n/a needs a reason.
    case("n/a without a reason", assessment(replace={17: "  extensions: {score: n/a}"}),
         E(17, "'extensions' is n/a without a reason", "reason")),
    # Line 14: a reason on a score is dropped with a warning; on 'unknown' (line 16) it is kept.
    case("reason on an answered item",
         assessment(replace={14: '  links:      {score: 3, evidence: "Stable addresses.", reason: "Not planned."}'}),
         W(14, "'reason' in 'links' is only for n/a, and is ignored here", "'evidence'")),
    case("reason on an unknown item",
         assessment(replace={16: '  tags:       {score: unknown, reason: "Not measured yet."}'})),
    # Line 10: trust questions have no n/a.
    case("n/a on a trust question",
         assessment(replace={10: '  recommend:      {answer: n/a, reason: "Too early to say."}'}),
         E(10, "'recommend' cannot be n/a", "yes, partly, no or unknown")),
    # The inserted line becomes line 3; the first 'title' is on line 2.
    case("duplicate key", assessment(insert={3: "title: Forum, second try"}),
         E(3, "duplicate key 'title'", "line 2")),
    # Line 3 / line 6: a Python tag is refused, on a plain value, a list or a mapping alike.
    case("python tag refused", assessment(replace={3: 'summary: !!python/object/apply:os.system ["echo hacked"]'}),
         E(3, "unsupported YAML value", "only plain values")),
    case("python name tag refused", assessment(replace={3: "summary: !!python/name:os.system"}),
         E(3, "unsupported YAML value", "only plain values")),
    case("python tag on a list refused", assessment(replace={6: "tags: !!python/object/apply:os.system [support]"}),
         E(6, "unsupported YAML value", "only plain values")),
    case("python tag on a mapping refused",
         assessment(replace={6: "extra: !!python/object:os.Popen {args: [ls]}"}),
         E(6, "unsupported YAML value", "only plain values")),
    # Line 14: a score above 0 with nothing to back it.
    case("score without evidence warns", assessment(replace={14: "  links:      {score: 3}"}),
         W(14, "unsupported: criterion 'links' is 3 without evidence", "add evidence")),
    # Line 10: a yes without evidence is a claim too.
    case("answer without evidence warns", assessment(replace={10: '  recommend:      {answer: "yes"}'}),
         W(10, "unsupported: question 'recommend' is 'yes' without evidence", "add evidence")),
    # A 0 and a "no" claim nothing, so they need no evidence.
    case("score 0 without evidence is fine", assessment(replace={14: "  links:      {score: 0}"})),
    case("answer no without evidence is fine", assessment(replace={10: '  recommend:      {answer: "no"}'})),
    # Line 10 becomes a comment, so 'recommend' is missing; reported on 'trust:' (line 7).
    case("missing question warns", assessment(replace={10: "  # recommend: not asked yet"}),
         W(7, "question 'recommend' of 'trust' is not answered", "recommend: {answer: unknown}")),
    # YAML 1.1 would read these as booleans; here they are the answers "yes" and "no".
    case("unquoted yes and no are answers",
         assessment(replace={8: '  better_product: {answer: yes, evidence: "Faster answers."}',
                             10: '  recommend:      {answer: no, evidence: "Not named."}'})),
    case("CRLF line endings", assessment(newline="\r\n")),
    case("byte-order mark", assessment(bom=True)),
    case("BOM and CRLF", assessment(newline="\r\n", bom=True)),
    # Same as "unknown status" (line 4) and "score 7" (line 14): the line numbers survive CRLF and a BOM.
    case("CRLF keeps line numbers", assessment(replace={4: "status: pilto"}, newline="\r\n"),
         E(4, "unknown status 'pilto'", "did you mean 'pilot'?")),
    case("BOM keeps line numbers",
         assessment(replace={14: '  links:      {score: 7, evidence: "Stable addresses."}'}, bom=True, newline="\r\n"),
         E(14, "score of 'links' is 7, outside 0–5")),
    # Three problems, three diagnostics: line 3 (unknown field), line 4 (status), line 14 (score).
    case("every problem reported in one run",
         assessment(replace={3: "sumary: Move product support from email to a forum.",
                             4: "status: pilto",
                             14: '  links:      {score: 7, evidence: "Stable addresses."}'}),
         E(3, "unknown field 'sumary'", "did you mean 'summary'?"),
         E(4, "unknown status 'pilto'", "did you mean 'pilot'?"),
         E(14, "score of 'links' is 7, outside 0–5")),
    # A broken date makes the file unscorable, yet the other problems are still reported.
    case("a fatal problem does not hide the others",
         assessment(replace={4: "status: pilto", 5: "date: next week", 16: "  tags:       {score: 9}"}),
         E(4, "unknown status 'pilto'"),
         E(5, "'date' is not a valid date"),
         E(16, "score of 'tags' is 9, outside 0–5")),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_assessment_diagnostics(text: str, expected: list[Expect]) -> None:
    _, diagnostics = parse_assessment(text, "a.md", "a", default_rubric())
    assert_diagnostics(diagnostics, expected)


def test_unquoted_yes_is_the_answer_yes() -> None:
    text = assessment(replace={8: '  better_product: {answer: yes, evidence: "Faster answers."}',
                               10: '  recommend:      {answer: no, evidence: "Not named."}'})
    parsed, _ = parse_assessment(text, "a.md", "a", default_rubric())
    assert parsed is not None
    assert parsed.response("trust", "better_product").value == "yes"
    assert parsed.response("trust", "recommend").value == "no"


def test_crlf_and_bom_read_the_same_file() -> None:
    plain, _ = parse_assessment(assessment(), "a.md", "a", default_rubric())
    windows, _ = parse_assessment(assessment(newline="\r\n", bom=True), "a.md", "a", default_rubric())
    assert plain is not None and windows is not None
    assert windows.title == "Customer community forum"  # no BOM or '\r' left in the first field
    assert windows.body_line == 20  # '## Context' is line 20
    assert windows == plain


# -- a content directory: what only the whole set of files can tell --------------------------

ASSESSMENTS = "content/assessments"


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, data in files.items():
        path = root / ASSESSMENTS / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


CONTENT_CASES = [
    # 'related:' is inserted before line 6, so it is line 6 and its entries lines 7 and 8.
    case("related names a missing slug",
         {"support-on-social.md": assessment(insert={6: "related:\n  - talk-to-a-human\n  - custmer-forum"}),
          "talk-to-a-human.md": assessment(),
          "customer-forum.md": assessment()},
         E(8, "related assessment 'custmer-forum' does not exist", "did you mean 'customer-forum'?",
           path=f"{ASSESSMENTS}/support-on-social.md")),
    # Flow style: both entries are on line 6.
    case("related in flow style names a missing slug",
         {"support-on-social.md": assessment(insert={6: "related: [talk-to-a-human, internal/wikki]"}),
          "talk-to-a-human.md": assessment(),
          "internal/wiki.md": assessment()},
         E(6, "related assessment 'internal/wikki' does not exist", "did you mean 'internal/wiki'?",
           path=f"{ASSESSMENTS}/support-on-social.md")),
    # 'customer forum' and 'customer-forum' both slugify to 'customer-forum': an error on each file.
    case("two files with one slug",
         {"customer forum.md": assessment(), "customer-forum.md": assessment()},
         E(None, "slug 'customer-forum' is also the slug of content/assessments/customer-forum.md", "rename",
           path=f"{ASSESSMENTS}/customer forum.md"),
         E(None, "slug 'customer-forum' is also the slug of content/assessments/customer forum.md", "rename",
           path=f"{ASSESSMENTS}/customer-forum.md")),
    # 'Customer_Forum' and 'customer-forum' differ in case and punctuation only.
    case("slugs ignore case",
         {"Customer_Forum.md": assessment(), "customer-forum.md": assessment()},
         E(None, "is also the slug of content/assessments/customer-forum.md", path=f"{ASSESSMENTS}/Customer_Forum.md"),
         E(None, "is also the slug of content/assessments/Customer_Forum.md", path=f"{ASSESSMENTS}/customer-forum.md")),
    # Line 3 holds the Latin-1 byte 0xe9 (é), which is not UTF-8.
    case("file not in UTF-8",
         {"cafe.md": assessment(replace={3: "summary: Support in the caf\u00e9."}).encode("latin-1")},
         E(3, "not valid UTF-8 (byte 0xe9)", "UTF-8", path=f"{ASSESSMENTS}/cafe.md")),
    case("file problems carry the file's path",
         {"internal/wiki.md": assessment(replace={4: "status: pilto"})},
         E(4, "unknown status 'pilto'", "did you mean 'pilot'?", path=f"{ASSESSMENTS}/internal/wiki.md")),
]


@pytest.mark.parametrize(("files", "expected"), CONTENT_CASES)
def test_content_diagnostics(tmp_path: Path, files: dict[str, str | bytes], expected: list[Expect]) -> None:
    write_files(tmp_path, files)
    _, diagnostics = load_content(tmp_path / "content", tmp_path)
    assert_diagnostics(diagnostics, expected)


def test_names_that_share_a_group_page_are_warned(tmp_path: Path) -> None:
    # Both files get an owner inserted at line 6, so their tags move to line 7. b.md writes 'Support'
    # and 'ann lee' where a.md wrote 'support' and 'Ann Lee'; files are read in path order, so b.md is
    # the one warned. b.md's repeated 'community' is one name, not a clash.
    write_files(tmp_path, {
        "a.md": assessment(insert={6: "owner: Ann Lee"}),
        "b.md": assessment(insert={6: "owner: ann lee"},
                           replace={2: "title: Support on social", 6: "tags: [Support, community, community]"}),
    })
    diagnostics = list(check(BuildOptions.at(tmp_path, today=dt.date(2026, 9, 14))).diagnostics)
    assert_diagnostics(diagnostics, [
        W(7, "tag 'Support' shares a page with 'support' (content/assessments/a.md:7)",
          "write the name one way everywhere",
          path=f"{ASSESSMENTS}/b.md"),
        W(6, "owner 'ann lee' shares a page with 'Ann Lee' (content/assessments/a.md:6)",
          "write the name one way everywhere",
          path=f"{ASSESSMENTS}/b.md"),
    ])


def test_sub_folder_file_has_a_slug_with_its_folder(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "internal/Wiki.md": assessment(replace={2: "title: Enterprise wiki"}),
        "support-on-social.md": assessment(insert={6: "related: [internal/wiki]"}),
    })
    content, diagnostics = load_content(tmp_path / "content", tmp_path)
    assert diagnostics == []
    assert content is not None
    assert [(a.slug, a.title) for a in content.assessments] == [
        ("internal/wiki", "Enterprise wiki"),
        ("support-on-social", "Customer community forum"),
    ]


def test_hints_list_a_few_choices_but_only_count_many() -> None:
    from scorecard.core.diagnostics import did_you_mean
    assert did_you_mean("zzz", ["alpha", "beta"]) == "expected one of: alpha, beta"
    # 13 slugs, none close to "zzz": listing them all would bury the message; 13 are counted instead.
    many = [f"initiative-{n}" for n in range(13)]
    assert did_you_mean("zzz", many) == "none of the 13 names is close"
    assert did_you_mean("initiative-7x", many) == "did you mean 'initiative-7'?"
