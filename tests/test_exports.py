"""The files other tools and people take away from the site: scorecard.csv and the badges."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from scorecard.build import BuildOptions, build
from scorecard.export import neutralise

from conftest import assessment_text, write_site


def built_site(root: Path, **options) -> Path:
    result = build(BuildOptions.at(root, today=dt.date(2026, 11, 22), **options))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "output"


def read_csv(out: Path) -> list[dict[str, str]]:
    data = (out / "scorecard.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte-order mark
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# -- scorecard.csv ----------------------------------------------------------------------------------

def test_csv_has_one_row_per_assessment_with_scores_answers_and_page(site: Path):
    out = built_site(site)
    rows = read_csv(out)
    assert [r["slug"] for r in rows] == ["beta", "gamma", "team/alpha"]
    gamma = rows[1]
    # gamma (tests/test_build.py): trust partly, unknown, no, partly → 30.0; SLATES 3, n/a, 2, 2, 2, 2 → 44.0;
    # overall 35.6 Poor. Claims above 0: 2 trust + 5 SLATES, all with evidence → coverage 7/7 = 1.
    assert gamma == {
        "slug": "gamma", "title": "Gamma hotline", "status": "pilot", "owner": "Customer Experience",
        "authors": "Lena Park", "tags": "support; internal", "score": "35.6", "grade": "Poor",
        "verdict": "Does not make customer sense", "gated": "false", "evidence_coverage": "1",
        "trust": "30.0", "trust.better_product": "partly", "trust.return": "unknown", "trust.recommend": "no",
        "trust.builds_trust": "partly",
        "slates": "44.0", "slates.search": "3", "slates.links": "n/a", "slates.authorship": "2", "slates.tags": "2",
        "slates.extensions": "2", "slates.signals": "2",
        "date": "2026-06-01", "review_by": "", "url": "assessments/gamma/index.html",
    }
    beta, alpha = rows[0], rows[2]
    assert (beta["score"], beta["grade"], beta["verdict"], beta["gated"]) == ("70.0", "Promising", "Erodes trust", "true")
    assert (alpha["score"], alpha["trust"], alpha["slates"], alpha["review_by"]) == ("80.0", "100.0", "50.0", "2027-03-20")
    assert (out / alpha["url"]).is_file()


def test_csv_urls_are_absolute_under_the_base_url(site: Path):
    rows = read_csv(built_site(site, base_url="https://example.org/cards/"))
    assert rows[2]["url"] == "https://example.org/cards/assessments/team/alpha/index.html"


@pytest.mark.parametrize(("cell", "expected"), [
    ('=HYPERLINK("http://x")', "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=b", "a=b"), ("", ""), ("72.3", "72.3"),
])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell: str, expected: str):
    assert neutralise(cell) == expected


def test_csv_quotes_and_neutralises_hostile_text(tmp_path: Path):
    write_site(tmp_path, {
        "content/assessments/x.md": assessment_text(
            title="'=HYPERLINK(\"http://x\")'",
            extra='owner: "-2+3"\nauthors: ["@me", "Zoë, Jr."]\ntags: ["+tag", "a \\"quoted\\" tag"]'),
    })
    out = built_site(tmp_path)
    raw = (out / "scorecard.csv").read_bytes().decode("utf-8")
    # RFC 4180: CRLF line ends, a cell holding a quote or a comma in quotes, quotes doubled.
    header, row, end = raw.split("\r\n")
    assert end == "" and header.startswith("slug,title,")
    assert row.startswith('x,"\'=HYPERLINK(""http://x"")",proposed,\'-2+3,"\'@me; Zoë, Jr.","\'+tag; a ""quoted"" tag",')
    (parsed,) = read_csv(out)
    assert parsed["title"] == "'=HYPERLINK(\"http://x\")"
    # Items not in the file are empty cells.
    assert parsed["trust.better_product"] == "" and parsed["slates.search"] == ""
