"""The portfolio read in a meeting and on a phone: movement since a day, filters the heatmap and the
map follow, compare, phones, and no layout shift.

Movement and filters run on a scratch git history built here, with the default rubric:
trust = (better_product + return + recommend + 2 × builds_trust) / 5 × 100 (yes 1, partly ½, no 0);
SLATES = mean of six scores / 5 × 100; overall = 0.6 × trust + 0.4 × SLATES.

    alpha  [support, community]
      2026-08-01  trust all yes = 100; SLATES all 3 = 60      → 60 + 24      = 84.0
      2026-09-15  SLATES all 4 = 80                            → 60 + 32      = 92.0
      2026-10-20  search 5, the rest 4: 25/30 = 83.33…         → 60 + 33.33…  = 93.3
    beta   [support]
      2026-08-01  trust all yes = 100; SLATES all 5 = 100     → 60 + 40      = 100.0
      2026-10-10  builds_trust no: 3 / 5 = 60                  → 36 + 40      = 76.0, gated (newly)
    gamma  [community]
      2026-10-15  trust all yes = 100; SLATES all 0 = 0       → 60 + 0       = 60.0
    delta  [wiki]
      2026-08-01  trust partly ×3, builds_trust no: 1.5/5 = 30; SLATES all 2 = 40 → 18 + 16 = 34.0, gated

By default each row moves since its previous scored revision: alpha 92.0 → 93.3 = +1.3, beta
100.0 → 76.0 = −24.0 and its gate newly fired; gamma and delta have one revision each, so no arrow.
Since 2026-09-01: alpha 84.0 → 93.3 = +9.3, beta −24.0 (gate newly fired), gamma new (created after),
delta 34.0 → 34.0 (gated then too, so not newly).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build

from .conftest import Session, check_session, open_session
from .test_pages import PAGE_TYPES

TODAY = dt.date(2026, 11, 1)


def assessment(title: str, tags: list[str], trust: dict[str, str], slates: dict[str, int]) -> str:
    lines = ["---", f"title: {title}", "owner: Ops", "status: pilot", "date: 2026-08-01", f"tags: [{', '.join(tags)}]",
             "trust:"]
    lines += [f'  {key}: {{answer: "{value}", evidence: "Seen."}}' for key, value in trust.items()]
    lines += ["slates:"] + [f'  {key}: {{score: {value}, evidence: "Seen."}}' for key, value in slates.items()]
    return "\n".join([*lines, "---", "Notes.", ""])


SLATES = ("search", "links", "authorship", "tags", "extensions", "signals")
ALL_YES = {"better_product": "yes", "return": "yes", "recommend": "yes", "builds_trust": "yes"}


def slates(score: int, **other: int) -> dict[str, int]:
    return {key: other.get(key, score) for key in SLATES}


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch site above, committed on the days above, built into <root>/output."""
    root = tmp_path_factory.mktemp("history")

    def write(slug: str, text: str) -> None:
        path = root / "content" / "assessments" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def git(*args: str, when: str = "") -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else None
        subprocess.run(["git", "-C", str(root), "-c", "user.name=Ana", "-c", "user.email=a@example.org", *args],
                       check=True, capture_output=True, env=env)

    def commit(day: str) -> None:
        git("add", "-A")
        git("commit", "-q", "-m", f"scores of {day}", when=f"{day}T10:00:00+00:00")

    git("init", "-q", "-b", "main")
    write("alpha", assessment("Alpha", ["support", "community"], ALL_YES, slates(3)))
    write("beta", assessment("Beta", ["support"], ALL_YES, slates(5)))
    write("delta", assessment("Delta", ["wiki"], {"better_product": "partly", "return": "partly", "recommend": "partly",
                                                  "builds_trust": "no"}, slates(2)))
    commit("2026-08-01")
    write("alpha", assessment("Alpha", ["support", "community"], ALL_YES, slates(4)))
    commit("2026-09-15")
    write("beta", assessment("Beta", ["support"], {**ALL_YES, "builds_trust": "no"}, slates(5)))
    commit("2026-10-10")
    write("gamma", assessment("Gamma", ["community"], ALL_YES, slates(0)))
    commit("2026-10-15")
    write("alpha", assessment("Alpha", ["support", "community"], ALL_YES, slates(4, search=5)))
    commit("2026-10-20")
    result = build(BuildOptions.at(root, today=TODAY))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "output"


@pytest.fixture
def local(browser: Any, history_site: Path) -> Iterator[Session]:
    """A page for the scratch site, opened from disk; no console error and no request off the site."""
    context, session = open_session(browser, history_site.as_uri() + "/", history_site, color_scheme="light")
    yield session
    context.close()
    check_session(session)


def rows(session: Session) -> dict[str, str]:
    """Visible leaderboard rows: title → the text of its movement mark ("" without one)."""
    found = {}
    for row in session.page.locator("#leaderboard tbody tr:visible").all():
        mark = row.locator("[data-move]")
        found[row.locator("th a").inner_text()] = mark.inner_text().replace("\xa0", " ") if mark.count() else ""
    return found


def gates(session: Session) -> list[str]:
    """Titles of the visible rows marked "gate newly fired"."""
    return [row.locator("th a").inner_text() for row in session.page.locator("#leaderboard tbody tr:visible").all()
            if row.locator("[data-gate-fired]").is_visible()]


def visible_heatmap(session: Session) -> list[str]:
    return session.page.locator(".heatmap tbody tr:visible th a").all_inner_texts()


def visible_map(session: Session) -> list[str]:
    return sorted(a.get_attribute("data-slug") for a in session.page.locator(".portfolio-map a[data-slug]").all()
                  if a.is_visible())


def test_movement_arrows_and_the_since_summary(local: Session, history_site: Path) -> None:
    page = local.page
    page.goto((history_site / "index.html").as_uri())
    summary = page.locator("[data-movement-summary]")
    assert summary.inner_text() == "Since each assessment's previous scored revision: 1 up, 1 down, 0 unchanged."
    assert rows(local) == {"Alpha": "▲ +1.3", "Beta": "▼ -24.0", "Gamma": "", "Delta": ""}
    assert page.get_by_role("img", name="Up 1.3 since 2026-09-15 (92.0 → 93.3)").count() == 1
    assert page.get_by_role("img", name="Down 24.0 since 2026-08-01 (100.0 → 76.0)").count() == 1
    assert gates(local) == ["Beta"]

    page.goto((history_site / "index.html").as_uri() + "?since=2026-09-01")
    assert summary.inner_text() == "Since 2026-09-01: 1 up, 1 down, 1 new."
    assert rows(local) == {"Alpha": "▲ +9.3", "Beta": "▼ -24.0", "Gamma": "New", "Delta": "▶ 0.0"}
    assert gates(local) == ["Beta"]  # delta was gated on 2026-09-01 already
    assert page.get_by_role("img", name="Up 9.3 since 2026-09-01 (84.0 → 93.3)").count() == 1
    assert page.get_by_label("Movement since").input_value() == "2026-09-01"

    # The last 30 days from 2026-11-01 start on 2026-10-02: alpha from 92.0 (2026-09-15) = +1.3.
    page.get_by_label("Movement since").select_option("2026-10-02")
    assert "since=2026-10-02" in page.url
    assert rows(local)["Alpha"] == "▲ +1.3"
    assert summary.inner_text() == "Since 2026-10-02: 1 up, 1 down, 1 new."


def test_no_history_no_arrows_and_no_gap(tmp_path: Path) -> None:
    """The demo built outside git: no movement marks, no summary, no "since" control."""
    out = tmp_path / "site"
    content = Path(__file__).resolve().parents[2] / "content"
    shutil.copytree(content, tmp_path / "content")
    assert build(BuildOptions.at(tmp_path, output_dir=out, today=TODAY)).ok
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "data-move" not in html and "data-movement-summary" not in html and 'name="since"' not in html


def test_several_tags_and_lifecycle_filters_with_the_heatmap_and_map_following(local: Session,
                                                                               history_site: Path) -> None:
    page = local.page
    home = (history_site / "index.html").as_uri()
    page.goto(home + "?tag=support&tag=community")
    # Any of support, community: alpha (both), beta (support), gamma (community); not delta (wiki).
    assert sorted(rows(local)) == ["Alpha", "Beta", "Gamma"]
    assert sorted(visible_heatmap(local)) == ["Alpha", "Beta", "Gamma"]
    assert visible_map(local) == ["alpha", "beta", "gamma"]
    page.get_by_label("all of them").check()
    assert "match=all" in page.url
    assert list(rows(local)) == ["Alpha"]  # only alpha has both
    assert visible_heatmap(local) == ["Alpha"]
    assert visible_map(local) == ["alpha"]

    page.goto(home + "?show=gated")
    assert list(rows(local)) == ["Beta", "Delta"]  # builds_trust "no"
    assert visible_heatmap(local) == ["Beta", "Delta"] and visible_map(local) == ["beta", "delta"]
    page.goto(home + "?since=2026-09-01&show=new")
    assert list(rows(local)) == ["Gamma"]
    assert visible_map(local) == ["gamma"]
    page.get_by_label("Show").select_option("down")
    assert list(rows(local)) == ["Beta"] and visible_heatmap(local) == ["Beta"]
    page.get_by_label("Show").select_option("up")
    assert list(rows(local)) == ["Alpha"]

    # A value in the address that matches nothing is named on the page.
    page.goto(home + "?status=nonsense&tag=nope")
    note = page.locator(".filter-unknown")
    assert "status “nonsense”" in note.inner_text() and "tag “nope”" in note.inner_text()
    assert len(rows(local)) == 4


def compare_table(page: Any) -> list[list[str]]:
    return [[cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in page.locator(".compare-table tr").all()]


def test_compare_two_and_four_from_disk(local: Session, history_site: Path) -> None:
    page = local.page
    base = (history_site / "compare" / "index.html").as_uri()
    page.goto(base + "?a=alpha&b=beta")
    table = compare_table(page)
    assert table[0] == ["Question or criterion", "Alpha", "Beta"]
    assert table[1] == ["Overall", "93.3 / 100", "76.0 / 100"]
    assert ["Builds trust", "yes\nSeen.", "no\nSeen."] in table
    assert page.locator(".compare-radar .cmp-shape").count() == 2
    assert page.locator(".compare-trend .cmp-dot").count() == 3 + 2  # alpha's three revisions, beta's two

    page.goto(base + "?a=alpha&b=beta&c=gamma&d=delta")
    table = compare_table(page)
    assert table[0] == ["Question or criterion", "Alpha", "Beta", "Gamma", "Delta"]
    assert table[1] == ["Overall", "93.3 / 100", "76.0 / 100", "60.0 / 100", "34.0 / 100"]
    assert table[3] == ["Verdict", "Makes customer sense", "Erodes trust", "Makes customer sense with gaps",
                        "Erodes trust"]
    assert page.locator(".compare-radar .cmp-shape").count() == 4
    assert page.get_by_label("4 (optional)").input_value() == "delta"
    # The picker changes the address; the links go to the assessments' pages.
    page.get_by_label("4 (optional)").select_option("")
    assert compare_table(page)[0] == ["Question or criterion", "Alpha", "Beta", "Gamma"]
    page.get_by_role("link", name="Gamma").first.click()
    assert page.url == (history_site / "assessments" / "gamma" / "index.html").as_uri()


def test_compare_under_a_sub_path(browse: Session, site_url: str) -> None:
    browse.page.goto(site_url + "compare/index.html?a=talk-to-a-human&b=chatbot-first-support&c=missing")
    assert compare_table(browse.page)[0] == ["Question or criterion", "Talk to a human", "Chatbot-first support"]
    assert "c “missing”" in browse.page.locator(".compare-unknown").inner_text()


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("path", ["index.html", "assessments/customer-community-forum/index.html",
                                  "assessments/chatbot-first-support/index.html"])
def test_phone_no_sideways_scroll_and_the_verdict_in_view(browser: Any, site_url: str, site_dir: Path,
                                                          path: str) -> None:
    context, session = open_session(browser, site_url, site_dir, viewport=PHONE)
    page = session.page
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if path == "index.html":
        verdicts = page.locator("#leaderboard tbody tr > :nth-child(4)").all()
        assert len(verdicts) == 10
    else:
        verdicts = [page.locator(".headline .verdict")]
    assert_in_view(verdicts)
    context.close()
    check_session(session)


def assert_in_view(elements: list[Any]) -> None:
    """Each element inside a 390 px screen, and inside the box that would clip it (a table's scrolling wrapper)."""
    for element in elements:
        box = element.evaluate("""el => {
            const own = el.getBoundingClientRect(), wrap = el.closest('.table-wrap');
            const clip = wrap ? wrap.getBoundingClientRect() : {left: 0, right: innerWidth};
            return {left: own.left, right: own.right, clipLeft: clip.left, clipRight: clip.right};
        }""")
        assert 0 <= box["clipLeft"] <= box["left"] and box["right"] <= min(box["clipRight"], 390), element.inner_text()


def test_phone_with_movement_marks(browser: Any, history_site: Path) -> None:
    """Arrows, "New" and "gate newly fired" marks still leave the verdict in view at 390 px."""
    context, session = open_session(browser, history_site.as_uri() + "/", history_site, viewport=PHONE)
    page = session.page
    page.goto((history_site / "index.html").as_uri() + "?since=2026-09-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#leaderboard [data-gate-fired]:visible").count() == 1
    assert_in_view(page.locator("#leaderboard tbody tr > :nth-child(4)").all())
    context.close()
    check_session(session)


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 600);
})"""


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_layout_shift_under_a_tenth_on_every_page_type(browser: Any, site_url: str, site_dir: Path,
                                                       viewport: dict) -> None:
    context, session = open_session(browser, site_url, site_dir, viewport=viewport)
    page = session.page
    shifts = {}
    for kind, path in {**PAGE_TYPES, "compare": "compare/index.html?a=talk-to-a-human&b=chatbot-first-support",
                       "filtered home": "index.html?status=pilot&tag=support"}.items():
        page.goto(site_url + path, wait_until="load")
        shifts[kind] = page.evaluate(LAYOUT_SHIFT)
    context.close()
    check_session(session)
    assert {kind: shift for kind, shift in shifts.items() if shift >= 0.1} == {}


@pytest.mark.parametrize(("path", "wide_part"), [("index.html", '<section aria-labelledby="heatmap-heading">'),
                                                ("compare/index.html", '<div class="compare-result"')])
def test_the_width_of_a_page_is_known_before_its_wide_table_is_read(browse: Session, site_url: str, site_dir: Path,
                                                                    path: str, wide_part: str) -> None:
    # A slow device paints what it has parsed so far. If a wide table, further down, widened <main>
    # (as `main:has(table.heatmap)` once did: 1,152 px, then the whole 1,280 px window), the page already
    # shown would jump sideways (a layout shift of 0.69, seen under load). So the page cut just before
    # its wide part must lay out <main> as wide as the whole page does.
    page = browse.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_url + path)
    whole = page.locator("main").bounding_box()
    html = (site_dir / path).read_text(encoding="utf-8")
    cut = html[: html.index(wide_part)]
    page.route(site_url + path, lambda route: route.fulfill(body=cut, content_type="text/html"))
    page.goto(site_url + path)
    part = page.locator("main").bounding_box()
    assert whole is not None and part is not None
    assert (part["x"], part["width"]) == (whole["x"], whole["width"]) == (0, 1280)  # 96rem > the window: all of it


def test_an_assessments_trend_is_labelled_and_its_points_take_focus(local: Session, history_site: Path) -> None:
    page = local.page
    page.goto((history_site / "assessments" / "alpha" / "index.html").as_uri())
    chart = page.locator("svg.trend")
    assert chart.bounding_box()["width"] >= 600  # type: ignore[index]  # was 240 px: too small to read
    # alpha's three revisions, 84.0, 92.0 and 93.3 (worked out at the top), each labelled.
    assert chart.locator(".trend-value").all_text_contents() == ["84.0", "92.0", "93.3"]
    assert all(v.is_visible() for v in chart.locator(".trend-value").all())
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('trend-point')"):
            break
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("2026-08-01 (") and label.endswith("): 84.0")


def test_the_portfolio_over_time(local: Session, history_site: Path) -> None:
    page = local.page
    page.goto((history_site / "index.html").as_uri())
    rows = [[cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in page.locator(".portfolio-trend-table tbody tr").all()]
    # Day, count, median, lowest, highest, Strong, Promising, Weak, Poor — as of the end of each day:
    # (grades by score: Strong ≥ 80, Promising ≥ 60, Weak ≥ 40, Poor below)
    # 10-20  alpha 93.3, beta 76.0, gamma 60.0, delta 34.0: median (60.0 + 76.0) / 2 = 68.0
    # 10-15  alpha 92.0, beta 76.0, gamma 60.0, delta 34.0: median 68.0
    # 10-10  alpha 92.0, beta 76.0, delta 34.0: median 76.0
    # 09-15  alpha 92.0, beta 100.0, delta 34.0: median 92.0
    # 08-01  alpha 84.0, beta 100.0, delta 34.0: median 84.0
    assert rows == [
        ["2026-10-20", "4", "68.0", "34.0", "93.3", "1", "2", "0", "1"],
        ["2026-10-15", "4", "68.0", "34.0", "92.0", "1", "2", "0", "1"],
        ["2026-10-10", "3", "76.0", "34.0", "92.0", "1", "1", "0", "1"],
        ["2026-09-15", "3", "92.0", "34.0", "100.0", "2", "0", "0", "1"],
        ["2026-08-01", "3", "84.0", "34.0", "100.0", "2", "0", "0", "1"],
    ]
    chart = page.locator("svg.portfolio-trend")
    assert "over time" in chart.locator("title").first.text_content()
    assert chart.locator(".trend-point").count() == 5
    chart.locator(".trend-point").first.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        "2026-08-01: median 84.0 of 3 (lowest 34.0, highest 100.0)"


def test_no_page_type_scrolls_sideways_on_a_phone(browser: Any, site_url: str, site_dir: Path) -> None:
    context, session = open_session(browser, site_url, site_dir, viewport=PHONE)
    page = session.page
    widths = {}
    for kind, path in {**PAGE_TYPES, "compare": "compare/index.html?a=talk-to-a-human&b=chatbot-first-support"}.items():
        page.goto(site_url + path)
        widths[kind] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    check_session(session)
    assert {kind: width for kind, width in widths.items() if width > 390} == {}


def test_on_a_desktop_the_tables_fit_and_dates_do_not_wrap(browser: Any, site_url: str, site_dir: Path) -> None:
    """At 1280 px the demo's heatmap (three sections, 13 columns) fits without scrolling its box."""
    context, session = open_session(browser, site_url, site_dir, viewport={"width": 1280, "height": 800})
    page = session.page
    page.goto(site_url + "index.html")
    boxes = page.evaluate("() => [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)")
    assert len(boxes) >= 3 and boxes == [0] * len(boxes)
    wrapped = page.evaluate("() => [...document.querySelectorAll('time')].filter(t => "
                            "t.getClientRects().length > 1).length")
    assert wrapped == 0
    context.close()
    check_session(session)


def test_on_a_phone_evidence_tables_wrap_and_dates_stay_whole(browser: Any, site_url: str, site_dir: Path) -> None:
    """Tables of evidence and changes fit their box at 390 px (only the heatmap and the portfolio's
    grid of numbers scroll in theirs); no date is cut or wrapped."""
    context, session = open_session(browser, site_url, site_dir, viewport=PHONE)
    page = session.page
    scrolling, cut = {}, {}
    for kind, path in PAGE_TYPES.items():
        page.goto(site_url + path)
        scrolling[kind] = page.evaluate("""() => [...document.querySelectorAll('.table-wrap table')]
            .filter(t => !t.matches('.heatmap, .portfolio-trend-table')
                         && t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
            .map(t => t.className)""")
        cut[kind] = page.evaluate("""() => [...document.querySelectorAll('time')].filter(t => {
            const cell = t.closest('td, th, dd');
            return t.getClientRects().length > 1
                   || (cell && t.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1);
        }).length""")
    context.close()
    check_session(session)
    assert {kind: found for kind, found in scrolling.items() if found} == {}
    assert {kind: n for kind, n in cut.items() if n} == {}
