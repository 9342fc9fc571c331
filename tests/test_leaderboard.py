"""The leaderboard's HTML carries what static/leaderboard.js sorts and filters by (no browser needed).

Fixture site: alpha (adopted, Digital Workplace, knowledge + internal, 80.0 Strong), beta
(proposed, Loyalty & CRM, loyalty, 70.0 Promising but gated), gamma (pilot, Customer Experience,
support + internal, 35.6 Poor).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build


def home(site: Path) -> str:
    assert build(BuildOptions.at(site, today=dt.date(2026, 11, 22))).ok
    return (site / "output" / "index.html").read_text(encoding="utf-8")


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.DOTALL).group(1)
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select)


def test_filters_offer_every_status_grade_tag_and_owner_with_counts(site: Path):
    html = home(site)
    assert options(html, "status") == [("", "All statuses"), ("proposed", "proposed (1)"), ("pilot", "pilot (1)"),
                                       ("adopted", "adopted (1)"), ("retired", "retired (0)")]
    assert options(html, "grade") == [("", "All grades"), ("strong", "Strong (1)"), ("promising", "Promising (1)"),
                                      ("weak", "Weak (0)"), ("poor", "Poor (1)")]
    # Tags by name: internal is on alpha and gamma.
    # Several can be chosen at once: a check box each.
    assert re.findall(r'<input type="checkbox" name="tag" value="([^"]*)"> ([^<]*)</label>', html) == [
        ("internal", "internal (2)"), ("knowledge", "knowledge (1)"), ("loyalty", "loyalty (1)"),
        ("support", "support (1)")]
    assert options(html, "owner") == [("", "All owners"), ("customer-experience", "Customer Experience (1)"),
                                      ("digital-workplace",
                                       "Digital Workplace (1)"), ("loyalty-crm", "Loyalty &amp; CRM (1)")]
    # The filters need JavaScript: a <noscript> style hides them without it. They are not `hidden` in the HTML,
    # since a script that un-hides them after the first paint moves the page (layout shift).
    assert re.search(r'<form class="filters" data-filters-for="leaderboard" [^>]*>', html)
    assert not re.search(r'<form class="filters"[^>]*hidden', html)
    assert re.search(r'<noscript><style>[^<]*\[data-filters-for\][^<]*display: none', html)


def test_rows_carry_their_filter_values_in_score_order(site: Path):
    rows = [re.sub(r' data-(slug|history|due|gated)\b(="[^"]*")?', "", row)
            for row in re.findall(r'<tr (data-status[^>]*)>', home(site))]
    assert rows == [
        'data-status="adopted" data-grade="strong" data-tag="knowledge internal" data-owner="digital-workplace"',
        'data-status="proposed" data-grade="promising" data-tag="loyalty" data-owner="loyalty-crm"',
        'data-status="pilot" data-grade="poor" data-tag="support internal" data-owner="customer-experience"',
    ]
