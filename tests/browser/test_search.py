"""Search in a real browser: type, then Enter or an arrow key reaches the assessment."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import REPO, Session, search

WORD = "telephony"
"""In the demo, this word is only in the evidence of talk-to-a-human (checked below)."""


def test_the_word_is_only_in_one_assessments_evidence() -> None:
    holding = {}
    for path in sorted((REPO / "content" / "assessments").rglob("*.md")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if WORD in line.lower()]
        if lines:
            holding[path.name] = lines
    assert list(holding) == ["talk-to-a-human.md"]
    assert all("evidence:" in line.split(WORD)[0] for line in holding["talk-to-a-human.md"])


def search_box(session: Session):
    return session.page.get_by_role("searchbox", name="Search")


def test_type_then_enter_opens_the_assessment_found_by_its_evidence(browse: Session, site_url: str) -> None:
    page = browse.page
    page.goto(site_url + "index.html")
    search(page, WORD)                              # keystroke 1: type
    results = page.locator(".search-results a")
    assert results.first.inner_text().startswith("Talk to a human")
    assert results.first.inner_text().endswith("Found in the evidence")
    assert "1 assessment found" in page.get_by_role("status").first.inner_text()
    search_box(browse).press("Enter")               # keystroke 2: Enter opens the first result
    page.wait_for_url(site_url + "assessments/talk-to-a-human/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Talk to a human"


def test_arrow_key_then_enter_from_a_deep_page(browse: Session, site_url: str) -> None:
    page = browse.page
    # Three levels down (root is "../../../"): the result's link must still reach the assessment.
    page.goto(site_url + "rubric/slates/search/index.html")
    search(page, "council")                         # in the title "Customer product council" only
    search_box(browse).press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.startswith("Customer product council")
    page.keyboard.press("ArrowUp")                  # back to the box, and down again
    assert page.evaluate("document.activeElement.type") == "search"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "assessments/product-council/index.html")


def test_search_by_owner_and_tag_and_escape_clears(browse: Session, site_url: str) -> None:
    page = browse.page
    page.goto(site_url + "index.html")
    box = search_box(browse)
    search(page, "Digital Workplace")               # the owner of the two internal assessments
    titles = page.locator(".search-results a").all_inner_texts()
    assert sorted(t.split("\n")[0] for t in titles) == ["Enterprise wiki", "Internal micro-blogging"]
    box.press("ArrowDown")
    box.page.keyboard.press("Escape")               # from a result: cleared, and focus back in the box
    assert box.input_value() == ""
    assert page.evaluate("document.activeElement.type") == "search"
    assert not page.locator(".search-results").is_visible()
    search(page, "zzzqqq")
    assert page.get_by_role("status").first.inner_text() == "No assessment matches “zzzqqq”."


def test_search_works_from_disk(browse: Session, site_dir: Path) -> None:
    page = browse.page
    page.goto((site_dir / "index.html").as_uri())
    # Enter straight after typing, without waiting for results: the first result opens when the
    # index has arrived.
    search_box(browse).fill(WORD)
    search_box(browse).press("Enter")
    page.wait_for_url((site_dir / "assessments" / "talk-to-a-human" / "index.html").as_uri())
    assert re.match(r"file://", page.url)


def test_without_javascript_there_is_no_dead_search_box(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "index.html")
    assert page.get_by_role("searchbox").count() == 0
    # The leaderboard is complete and its filters (which need JavaScript) are not shown either.
    assert page.locator("#leaderboard tbody tr").count() == 10
    assert not page.get_by_role("combobox", name="Status").is_visible()
    context.close()
