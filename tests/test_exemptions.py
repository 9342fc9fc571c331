"""Issue 13, point 5: an n/a or unknown item approved until a date; after that it counts as unanswered.

The file: trust all yes (100); SLATES search 4, links 3, authorship 5, tags 2, signals 4, and
extensions n/a, approved by Dana Lee until 2026-10-01.

- While the exemption holds, n/a leaves the denominator: SLATES = 100 × (4+3+5+2+4) / 25 = 72,
  overall = 0.6 × 100 + 0.4 × 72 = 60 + 28.8 = 88.8.
- Once expired (from 2026-10-02), extensions counts 0: SLATES = 100 × 18 / 30 = 60,
  overall = 60 + 0.4 × 60 = 84.0.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import assessment_text, write_site

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build, check

TRUST = dict.fromkeys(("better_product", "return", "recommend", "builds_trust"), '{answer: "yes", evidence: "e"}')
SLATES = {"search": '{score: 4, evidence: "e"}', "links": '{score: 3, evidence: "e"}',
          "authorship": '{score: 5, evidence: "e"}', "tags": '{score: 2, evidence: "e"}',
          "extensions": '{score: n/a, reason: "Nothing to extend yet.", approved_by: Dana Lee, expires: 2026-10-01}',
          "signals": '{score: 4, evidence: "e"}'}
EXTENSIONS_LINE = 14  # ---, title, date, trust: + 4, slates:, search, links, authorship, tags, extensions


def site(tmp_path: Path) -> Path:
    return write_site(tmp_path, {"content/assessments/forum.md": assessment_text(trust=TRUST, slates=SLATES)})


@pytest.mark.parametrize(("today", "overall", "expected"), [
    # 2026-10-01 − 2026-08-31 = 31 days before: no warning yet (the default warns from 30 days before).
    (dt.date(2026, 8, 31), Fraction(888, 10), []),
    # 2026-10-01 − 2026-09-14 = 17 days: a warning that it will expire; it still holds.
    (dt.date(2026, 9, 14), Fraction(888, 10),
     ["the exemption of 'extensions' expires on 2026-10-01 (in 17 days), approved by Dana Lee"]),
    # Its last day: it still holds.
    (dt.date(2026, 10, 1), Fraction(888, 10),
     ["the exemption of 'extensions' expires on 2026-10-01 (today), approved by Dana Lee"]),
    # The day after: expired, counted as unanswered.
    (dt.date(2026, 10, 2), Fraction(84),
     ["the exemption of 'extensions' expired on 2026-10-01, approved by Dana Lee: it counts as unanswered"]),
])
def test_an_exemption_on_both_sides_of_its_date(tmp_path: Path, today: dt.date, overall: Fraction,
                                                expected: list[str]) -> None:
    checked = check(BuildOptions.at(site(tmp_path), today=today))
    scored, diagnostics = list(checked.scored), list(checked.diagnostics)
    diagnostics = [d for d in diagnostics if "in the future" not in d.message]  # the file is dated 2026-09-14
    assert [(d.line, d.message) for d in diagnostics] == [(EXTENSIONS_LINE, m) for m in expected]
    assert scored[0].scorecard.overall == overall


def test_the_page_and_json_show_the_exemption(tmp_path: Path) -> None:
    root = site(tmp_path)
    assert build(BuildOptions.at(root, today=dt.date(2026, 9, 14))).ok
    page = (root / "output/assessments/forum/index.html").read_text()
    assert "Exempt until 2026-10-01, approved by Dana Lee." in page
    assessment = json.loads((root / "output/scorecard.json").read_text())["assessments"][0]
    item = assessment["sections"]["slates"]["items"]["extensions"]
    assert item["exemption"] == {"approved_by": "Dana Lee", "expires": "2026-10-01", "expired": False}
    # A day after it expired, the same file builds into an unanswered item (the cache must not keep the old page).
    assert build(BuildOptions.at(root, today=dt.date(2026, 10, 2))).ok
    page = (root / "output/assessments/forum/index.html").read_text()
    assert "Exemption expired on 2026-10-01 (approved by Dana Lee): counted as unanswered." in page
    data = json.loads((root / "output/scorecard.json").read_text())["assessments"][0]
    assert data["overall"] == 84.0 and "slates.extensions" in data["unanswered"]
    assert data["sections"]["slates"]["items"]["extensions"]["exemption"]["expired"] is True


def test_an_exemption_on_an_answered_item_is_ignored_and_expires_must_be_a_date(tmp_path: Path) -> None:
    slates = dict(SLATES, search='{score: 4, evidence: "e", approved_by: Dana Lee}',
                  extensions='{score: n/a, reason: "r", expires: soon}')
    root = write_site(tmp_path, {"content/assessments/forum.md": assessment_text(trust=TRUST, slates=slates)})
    diagnostics = list(check(BuildOptions.at(root, today=dt.date(2026, 9, 14))).diagnostics)
    assert [(d.line, d.severity.value, d.message) for d in diagnostics] == [
        (10, "warning",
         "'search' is answered: 'approved_by' and 'expires' are only for n/a or unknown, and are ignored"),
        (EXTENSIONS_LINE, "error", "'expires' is not a date: 'soon'"),
    ]
