"""Issue 13, point 1 and 11: YAML never changes what an author wrote without a word.

Each case changes lines of the valid file of test_diagnostics (the comment there numbers them)
and lists every diagnostic the change must give, at the line the author has to fix.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_diagnostics import ASSESSMENTS, E, W, assert_diagnostics, assessment, case, write_files

from scorecard.core.assessment import parse_assessment
from scorecard.core.options import BuildOptions
from scorecard.core.rubric import default_rubric
from scorecard.pipeline.build import check

CASES = [
    # Line 3: YAML reads ' #1…' as a comment, so the summary would be "Ranked" alone.
    case("an unquoted text cut by ' #'",
         assessment(replace={3: "summary: Ranked #1 for value by members"}),
         W(3, "the text of 'summary' stops before ' #1 for value by members'",
           'summary: "Ranked #1 for value by members"')),
    # The same inside a block mapping of an item (lines 9-11 replace line 9).
    case("an evidence cut by ' #'",
         assessment(replace={9: "  return:\n    answer: partly\n    evidence: Ranked #1 by members"}),
         W(11, "the text of 'evidence' stops before ' #1 by members'", 'evidence: "Ranked #1 by members"')),
    # A comment after a value that is not free text (status) is a comment: no warning.
    case("a comment after a status is fine", assessment(replace={4: "status: pilot   # proposed, pilot or adopted"})),
    # Line 6: one tag "community, support, motor" where three were meant.
    case("a list field written as one text with commas",
         assessment(replace={6: "tags: community, support, motor"}),
         W(6, "'tags' is one text containing commas: 'community, support, motor'",
           "tags: [community, support, motor]")),
    # Line 13: YAML 1.1 reads 010 as octal: 1×8 + 0 = 8, which is also outside 0–5.
    case("a score with a leading zero",
         assessment(replace={13: "  search:     {score: 010, evidence: \"Search ends sessions.\"}"}),
         W(13, "YAML reads the score '010' as 8", "without the leading zeros: 10"),
         E(13, "score of 'search' is 8, outside 0–5")),
    # Point 11: the message quotes `true` as written, not Python's `True`.
    case("answer: true is quoted as written",
         assessment(replace={8: "  better_product: {answer: true}"}),
         E(8, "answer 'true' to 'better_product' is not on the scale")),
    # Flow mappings: the brace is closed on its line, so the hint is to quote, not to close.
    case("an unquoted ': ' inside { }",
         assessment(replace={8: "  better_product: {answer: partly, evidence: Median time: 26 h}"}),
         E(8, "invalid YAML", "quote the text")),
    case("an unquoted '#' inside { }",
         assessment(replace={8: "  better_product: {answer: partly, evidence: Ranked #1}"}),
         E(8, "invalid YAML", "quote the text")),
    case("a quote inside a quoted text inside { }",
         assessment(replace={8: '  better_product: {answer: partly, evidence: "He said "fine" twice"}'}),
         E(8, "invalid YAML", "quote the text")),
    # A ',' inside { } starts a new key 'two' with no value.
    case("an unquoted ',' inside { }",
         assessment(replace={8: "  better_product: {answer: partly, evidence: one, two}"}),
         E(8, "unknown key 'two' in 'better_product'", "quote that text")),
    # Line 6: tags YAML reads as a date, a number with a dot, nothing and a boolean: each said on its own,
    # with the text as written (1.10 is the number 1.1 to YAML), instead of one "must be a list of names".
    case("tags YAML does not read as names",
         assessment(replace={6: "tags: [2026-01-01, 1.10, ~, true]"}),
         E(6, "'tags' entry '2026-01-01' is read by YAML as a date, not a name", 'quote it: "2026-01-01"'),
         E(6, "'tags' entry '1.10' is read by YAML as the number 1.1, not a name", 'quote it: "1.10"'),
         E(6, "'tags' entry 3 is empty (YAML reads '~', 'null' and nothing as no value)"),
         E(6, "'tags' entry 'true' is read by YAML as the boolean true, not a name", 'quote it: "true"')),
    case("a tag that is a mapping", assessment(replace={6: "tags: [support, {team: north}]"}),
         E(6, "'tags' entry 2 is a mapping, not a name", "write each name as text")),
    # A brace really left open still gets the hint to close it (line 9 of test_diagnostics).
    case("an unclosed { }",
         assessment(replace={9: '  return:         {answer: partly, evidence: "41% posted again."'}),
         E(9, "invalid YAML", "close the { … } opened here")),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_yaml_surprises_are_reported(text: str, expected: list) -> None:
    _, diagnostics = parse_assessment(text, "a.md", "a", default_rubric())
    assert_diagnostics(diagnostics, expected)


def test_values_yaml_would_turn_into_numbers_or_dates_keep_their_text() -> None:
    text = assessment(replace={3: "summary: 1.10", 8: '  better_product: {answer: "yes", evidence: 2026-01-01}'},
                      insert={6: "owner: 007"})
    parsed, diagnostics = parse_assessment(text, "a.md", "a", default_rubric())
    assert parsed is not None and not [d for d in diagnostics if d.is_error]
    assert parsed.summary == "1.10"  # not the float 1.1
    assert parsed.owner == "007"  # not the octal 7
    assert parsed.response("trust", "better_product").evidence == "2026-01-01"


# -- point 4: no blame on the innocent; point 11: titles and dates ----------------------------

def test_a_link_to_a_file_with_errors_is_not_reported_missing(tmp_path: Path) -> None:
    # policyholder-forum.md has a YAML error on line 9 (an unclosed '{'). forum.md links to it
    # in its body (line 20 becomes the link) and in 'related' (inserted as line 6): neither is
    # "missing" - the file exists; only its own error is reported. A misspelt link's hint still
    # names it, and says it has errors.
    write_files(tmp_path, {
        "policyholder-forum.md": assessment(replace={2: "title: Policyholder forum",
                                                     9: '  return:         {answer: partly, evidence: "x"'}),
        "forum.md": assessment(insert={6: "related: [policyholder-forum]"},
                               replace={20: "See [[policyholder-forum]] and [[policyholder-forun]]."}),
    })
    diagnostics = list(check(BuildOptions.at(tmp_path, today=dt.date(2026, 9, 14))).diagnostics)
    # forum.md: the front matter grew by one line, so body line 20 is now line 21.
    assert_diagnostics(diagnostics, [
        E(9, "invalid YAML", path=f"{ASSESSMENTS}/policyholder-forum.md"),
        E(21, "link to '[[policyholder-forun]]': no such assessment",
          "did you mean 'policyholder-forum'? ('policyholder-forum' exists but has errors)",
          path=f"{ASSESSMENTS}/forum.md"),
    ])


def test_same_titles_and_future_dates_are_warned(tmp_path: Path) -> None:
    # b.md has a.md's title (line 2, case and spaces aside); c.md is dated 2026-09-15, one day
    # after the day the check is run (2026-09-14).
    write_files(tmp_path, {
        "a.md": assessment(),
        "b.md": assessment(replace={2: "title: customer  Community forum"}),
        "c.md": assessment(replace={2: "title: Talk to a human", 5: "date: 2026-09-15"}),
    })
    diagnostics = list(check(BuildOptions.at(tmp_path, today=dt.date(2026, 9, 14))).diagnostics)
    assert_diagnostics(diagnostics, [
        W(2, "the title 'customer  Community forum' is also the title of content/assessments/a.md",
          path=f"{ASSESSMENTS}/b.md"),
        W(5, "the date 2026-09-15 is in the future (today is 2026-09-14)", path=f"{ASSESSMENTS}/c.md"),
    ])
