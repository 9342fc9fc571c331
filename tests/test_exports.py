"""The files other tools and people take away from the site: scorecard.csv and the badges."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import assessment_text, write_site

from scorecard.core.options import BuildOptions
from scorecard.core.rubric import Band, default_rubric
from scorecard.pipeline.build import build
from scorecard.publish import export
from scorecard.publish.export import neutralise
from scorecard.site.badge import badge_svg, band_colour


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
    # The columns in the order docs/exports.md gives for the default rubric.
    assert list(rows[0]) == ["slug", "title", "status", "owner", "authors", "tags", "score", "grade", "verdict",
                             "gated", "evidence_coverage", "trust", "trust.better_product", "trust.return",
                             "trust.recommend", "trust.builds_trust", "slates", "slates.search", "slates.links",
                             "slates.authorship", "slates.tags", "slates.extensions", "slates.signals", "date",
                             "review_by", "url", "ratings"]
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
        "date": "2026-06-01", "review_by": "", "url": "assessments/gamma/index.html", "ratings": "",
    }
    beta, alpha = rows[0], rows[2]
    assert (beta["score"], beta["grade"], beta["verdict"], beta["gated"]) == ("70.0", "Promising", "Erodes trust",
                                                                              "true")
    assert (alpha["score"], alpha["trust"], alpha["slates"],
            alpha["review_by"]) == ("80.0", "100.0", "50.0", "2027-03-20")
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
    assert row.startswith('x,"\'=HYPERLINK(""http://x"")",proposed,\'-2+3,'
                          '"\'@me; Zoë, Jr.","\'+tag; a ""quoted"" tag",')
    (parsed,) = read_csv(out)
    assert parsed["title"] == "'=HYPERLINK(\"http://x\")"
    # Items not in the file are empty cells.
    assert parsed["trust.better_product"] == "" and parsed["slates.search"] == ""


def test_a_row_written_in_pieces_reads_as_the_row_written_whole():
    """The cache keeps a row's cells before and after the URL as written text (`csv_fields`)."""
    # Each cell followed by a comma; a cell with a comma or a quote is quoted, its quotes doubled.
    assert export.csv_fields(["a", "", 'say "x", y']) == 'a,,"say ""x"", y",'
    # A lone empty cell stays empty: the csv module alone would write it as "" (an empty row).
    assert export.csv_fields([""]) == ","
    assert export.csv_fields(["=1+2"]) == "'=1+2,"
    cells = ["slug", "=SUM(A1)", "", "two\nlines", "", ""]
    whole = io.StringIO()
    csv.writer(whole, lineterminator="\r\n").writerow([neutralise(cell) for cell in cells])
    assert export.csv_fields(cells[:3]) + export.csv_fields(cells[3:4]) + export.csv_fields(cells[4:])[:-1] + "\r\n" \
        == whole.getvalue()


# -- badges -------------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def badge(out: Path, slug: str) -> ET.Element:
    return ET.fromstring((out / f"assessments/{slug}/badge.svg").read_bytes())


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def fills(svg: ET.Element) -> list[str]:
    return [r.get("fill", "") for r in svg.iter(f"{SVG}rect") if r.get("fill")]


def test_badge_shows_score_and_grade_in_the_grade_colour(site: Path):
    out = built_site(site)
    alpha = badge(out, "team/alpha")
    assert alpha.get("role") == "img"
    assert alpha.find(f"{SVG}title").text == "Alpha wiki: 80.0 out of 100, Strong, Makes customer sense"
    assert texts(alpha) == ["scorecard", "80.0 Strong"]
    # Default bands, best first: Strong green, …, Poor red; the label is grey.
    assert fills(alpha) == ["#555555", "#1b6e3a"]
    gamma = badge(out, "gamma")
    assert texts(gamma)[1] == "35.6 Poor" and fills(gamma)[1] == "#a3262a"
    # beta is Promising by the numbers, but a gate says "Erodes trust": the badge says so, in the worst colour.
    beta = badge(out, "beta")
    assert texts(beta)[1] == "70.0 Erodes trust" and fills(beta)[1] == "#a3262a"


def test_badge_is_as_wide_as_its_text():
    # Verdana 11px estimates, in tenths of a pixel: "scorecard" = s66 c66 o66 r45 e66 c66 a66 r45 d66 = 552 → 56 px;
    # "72.3 Promising" = 3 digits × 70 + "." 33 + " " 39 + "P" 77 + r45 o66 m107 i33 s66 i33 n66 g66 = 841 → 85 px.
    # Each part gets 6 px either side, rounded up to even: 68 and 98, 166 in all.
    svg = ET.fromstring(badge_svg("scorecard", "72.3 Promising", "#5a7d12", "t"))
    assert svg.get("width") == "166"
    assert [r.get("width") for r in svg.iter(f"{SVG}rect")][1:] == ["68", "98"]
    assert [(t.get("x"), t.get("textLength")) for t in svg.iter(f"{SVG}text")] == [("34", "56"), ("117", "85")]


def test_badge_text_is_escaped(tmp_path: Path):
    write_site(tmp_path, {"content/assessments/x.md": assessment_text(title="'<script>&\"'")})
    svg = badge(built_site(tmp_path), "x")  # parses as XML: nothing came through unescaped
    assert svg.find(f"{SVG}title").text.startswith('<script>&": ')
    assert not list(svg.iter(f"{SVG}script"))


@pytest.mark.parametrize(("bands", "colours"), [
    # Position i of n bands maps to colour round(i × 3 / (n − 1)) of the 4, half up.
    (2, ["#1b6e3a", "#a3262a"]),                                     # 0, 3
    (3, ["#1b6e3a", "#9a5b00", "#a3262a"]),                          # 0, 1.5 → 2, 3
    (5, ["#1b6e3a", "#5a7d12", "#9a5b00", "#9a5b00", "#a3262a"]),    # 0, 0.75 → 1, 1.5 → 2, 2.25 → 2, 3
    (1, ["#1b6e3a"]),
])
def test_any_number_of_bands_spreads_from_green_to_red(bands: int, colours: list[str]):
    rubric = replace(default_rubric(), bands=tuple(Band(f"g{i}", Fraction(100 - 10 * i), "v") for i in range(bands)))
    assert [band_colour(rubric, f"g{i}") for i in range(bands)] == colours


def test_assessment_page_shows_its_badge_and_markdown_to_embed_it(site: Path):
    page = "assessments/team/alpha/index.html"
    relative = built_site(site) / page
    html = relative.read_text(encoding="utf-8")
    # height="20": the badge's height is known before it loads, so the page does not move when it does.
    assert '<img src="../../../assessments/team/alpha/badge.svg" alt="scorecard: 80.0 Strong" height="20">' in html
    assert ("[![scorecard: 80.0 Strong](assessments/team/alpha/badge.svg)](assessments/team/alpha/index.html)"
            in html) and "in front of both paths" in html
    built_site(site, base_url="https://example.org/cards/", output_dir=site / "public")
    absolute = site / "public" / page
    html = absolute.read_text(encoding="utf-8")
    assert ("[![scorecard: 80.0 Strong](https://example.org/cards/assessments/team/alpha/badge.svg)]"
            "(https://example.org/cards/assessments/team/alpha/index.html)") in html
    assert "in front of both paths" not in html


def test_scorecard_json_is_the_whole_document_indented_by_two(site: Path):
    # Each assessment's entry is encoded on its own; joined, they must read as one json.dumps(indent=2).
    assert build(BuildOptions.at(site)).ok
    text = (site / "output/scorecard.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert [a["slug"] for a in document["assessments"]] == sorted(a["slug"] for a in document["assessments"])
    assert len(document["assessments"]) >= 2
    assert text == export.script_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


@pytest.mark.parametrize("value", [
    {"a": [], "b": {}, "c": [1, 2.5, None, True, False], "d": {"e": {"f": "é \" \\ \n \u2028 \t"}}},
    {"extra": {2: "a number key", True: "a boolean key"}, "pairs": (1, 2), "inf": float("inf")},
    [], {}, "text", 0, -1.0,
])
def test_the_quick_indented_json_is_json_dumps_indented_by_two(value: object):
    # The json module is the reference: the quick encoder must write exactly what it writes.
    assert export.indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)
