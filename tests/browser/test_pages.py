"""Every page in the browser: no console errors, nothing fetched from elsewhere, axe-clean, keyboard-usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Session, check_session, open_session, search

PAGE_TYPES = {
    "home": "index.html",
    "assessment": "assessments/customer-community-forum/index.html",
    "criterion": "rubric/slates/search/index.html",
    "question": "rubric/trust/builds_trust/index.html",
    "rubric": "rubric/index.html",
    "group index": "tags/index.html",
    "group": "tags/support/index.html",
    "changes": "changes/index.html",
    "404": "404.html",
}
"""One page of each kind the site has (404.html once the site has one)."""


def test_no_page_logs_an_error_or_fetches_from_elsewhere(browse: Session, site_url: str, site_dir: Path) -> None:
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    assert len(pages) > 40
    for path in pages:
        browse.page.goto(site_url + path)
        if 'http-equiv="refresh"' in (site_dir / path).read_text(encoding="utf-8"):
            # An old address (issue 13): it sends the browser on at once; let it arrive before the next page.
            browse.page.wait_for_url(lambda url, path=path: url != site_url + path)
            browse.page.wait_for_load_state()
    # The `browse` fixture then fails the test on any console error or request off the site.
    assert any(url.endswith("/static/search.js") for url in browse.requests)
    # The search index and its library wait until someone uses the search box.
    assert not any(url.endswith(("/search-index.js", "/minisearch.js")) for url in browse.requests)
    browse.page.get_by_role("searchbox", name="Search").focus()
    browse.page.wait_for_function("() => window.SCORECARD_SEARCH !== undefined")
    assert browse.requests[-2:] == [site_url + "static/vendor/minisearch.js", site_url + "search-index.js"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(browser, site_url: str, site_dir: Path, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context, session = open_session(browser, site_url, site_dir, color_scheme=scheme)
    page = session.page
    reports = {}
    for kind, path in PAGE_TYPES.items():
        if not (site_dir / path).is_file():
            continue
        page.goto(site_url + path)
        reports[kind] = axe.run(page)
    # The enhanced states too: search results open, the leaderboard sorted and filtered.
    page.goto(site_url + "index.html")
    search(page, "support")
    reports["search results"] = axe.run(page)
    page.goto(site_url + "index.html?status=adopted&sort=owner&order=asc")
    reports["filtered leaderboard"] = axe.run(page)
    page.goto(site_url + "index.html?tag=support&tag=community&match=all&show=gated&since=2026-10-01&status=nonsense")
    reports["several tags, lifecycle, since, an unknown value"] = axe.run(page)
    page.goto(site_url + "compare/index.html?a=talk-to-a-human&b=chatbot-first-support"
                         "&c=customer-community-forum&d=enterprise-wiki")
    reports["compare four"] = axe.run(page)
    context.close()
    check_session(session)
    failing = {kind: report.generate_report() for kind, report in reports.items() if report.violations_count}
    assert not failing, "\n\n".join(f"{kind} ({scheme}):\n{text}" for kind, text in failing.items())


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), type: el.type || "",
          name: (el.getAttribute("aria-label") || el.textContent).trim(),
          visible: el.matches(":focus-visible") && style.outlineStyle !== "none"
                   && parseFloat(style.outlineWidth) >= 2};
}"""


def test_keyboard_reaches_search_and_sort_buttons_with_visible_focus(browse: Session, site_url: str) -> None:
    page = browse.page
    page.goto(site_url + "index.html")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen[0]["name"] == "Skip to content"
    assert any(f["type"] == "search" for f in seen)
    assert any(f["tag"] == "select" for f in seen)
    assert any(f["tag"] == "button" and f["name"] == "Score" for f in seen)
    assert [f for f in seen if not f["visible"]] == []

    # Type in the search box, Tab to the first result, Enter opens it.
    page.get_by_role("searchbox", name="Search").focus()
    page.keyboard.type("wiki")
    page.locator(".search-results a").first.wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["visible"]
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "assessments/internal/enterprise-wiki/index.html")

    # Enter on a sort button sorts.
    page.goto(site_url + "index.html")
    page.get_by_role("button", name="Date", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.locator("#leaderboard th[aria-sort]").inner_text().startswith("Date")


def test_an_old_address_lands_on_the_page(browse: Session, site_url: str) -> None:
    # The demo's loyalty-points-programme.md has `aliases: [loyalty-programme]` (issue 13).
    browse.page.goto(site_url + "assessments/loyalty-programme/index.html")
    browse.page.wait_for_url(site_url + "assessments/loyalty-points-programme/index.html")
    assert browse.page.get_by_role("heading", level=1).inner_text() == "Loyalty points programme"
