"""Issue 13, point 8: every score is read with its scale; the radar leaves n/a out and clips no label."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

from conftest import assessment_text, write_site

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.site.charts import Spoke, radar

RUBRIC = """\
extends: default
sections:
  - id: fit
    title: Fit
    weight: 0.2
    scale: {min: 1, max: 4}
    items:
      - {id: urgency, title: Urgency}
"""
SLATES = {"search": '{score: 4, evidence: "e"}', "links": '{score: 3, evidence: "e"}',
          "authorship": '{score: 5, evidence: "e"}',
          "tags": '{score: 2, evidence: "e"}', "extensions": '{score: n/a, reason: "r"}',
          "signals": '{score: 4, evidence: "e"}'}


def test_scores_show_their_scale(tmp_path: Path) -> None:
    text = assessment_text(slates=SLATES, extra="fit:\n  urgency: {score: 2, evidence: \"e\"}")
    root = write_site(tmp_path, {"content/rubric.yml": RUBRIC, "content/assessments/forum.md": text})
    result = build(BuildOptions.at(root, today=dt.date(2026, 9, 14)))
    assert not [d for d in result.diagnostics if d.is_error], [d.format() for d in result.diagnostics]
    page = (root / "output/assessments/forum/index.html").read_text()
    assert '<span class="value lvl-4">4 of 5</span>' in page  # search 4 on 0–5: 4/5 → level round(5 × 4/5) = 4
    assert ">2 on 1–4</span>" in page  # a 2 on 1–4 is not a 2 of 5
    assert '<span class="value na">n/a</span>' in page
    index = (root / "output/index.html").read_text()
    assert 'title="Search: 4 of 5"' in index and 'title="Urgency: 2 on 1–4"' in index
    ranking = (root / "output/rubric/fit/urgency/index.html").read_text()
    assert ">2 on 1–4</span>" in ranking


def test_the_radar_leaves_n_a_out_and_makes_room_for_long_labels() -> None:
    spokes = [Spoke("Search", Fraction(4, 5), "4"), Spoke("Links", Fraction(3, 5), "3"),
              Spoke("A very long criterion name indeed", Fraction(1), "5"), Spoke("Tags", Fraction(2, 5), "2"),
              Spoke("Extensions", None, "n/a"), Spoke("Signals", Fraction(4, 5), "4")]
    svg = str(radar(spokes, title="t", chart_id="r"))
    shape = re.search(r'<polygon class="radar-shape" points="([^"]*)"', svg)
    assert shape and len(shape.group(1).split()) == 5  # six spokes, one n/a: five corners, not a dent to 0
    assert svg.count('class="radar-na"') == 1
    # The longest label, "A very long criterion name indeed 5", is 35 characters: 35 × 7.5 + 8 = 270.5 px beside
    # the circle, which starts (320 / 2 − 40) × 1.15 = 138 px from the centre: width ⌈2 × 408.5⌉ = 817.
    assert 'viewBox="0 0 817 320"' in svg
    # Without it the longest is "Extensions n/a", 14 characters: 2 × (138 + 14 × 7.5 + 8) = 502, more than 320 + 160.
    assert 'viewBox="0 0 502 320"' in str(radar(spokes[:2] + spokes[3:], title="t", chart_id="r"))
    # Short labels keep the usual width, 320 + 160: "Search 4" needs 2 × (138 + 8 × 7.5 + 8) = 412.
    assert 'viewBox="0 0 480 320"' in str(radar([spokes[0], spokes[1], spokes[3]], title="t", chart_id="r"))
