"""Wiki-links in the demo's bodies and the "Referenced by" list, followed in the browser.

In content/: customer-community-forum.md links [[product-council|customer product council]];
support-on-social.md links [[internal/micro-blogging]] (shown with its title, one folder down).
"""

from __future__ import annotations

from pathlib import Path

from .conftest import Session


def follow(session: Session, where: str, text: str) -> None:
    session.page.locator(where).get_by_role("link", name=text, exact=True).click()


def test_follow_a_wiki_link_and_come_back_by_its_backlink(browse: Session, site_url: str) -> None:
    page = browse.page
    page.goto(site_url + "assessments/customer-community-forum/index.html")
    follow(browse, ".body", "customer product council")
    page.wait_for_url(site_url + "assessments/product-council/index.html")
    follow(browse, ".referenced-by", "Customer community forum")
    page.wait_for_url(site_url + "assessments/customer-community-forum/index.html")


def test_a_wiki_link_into_a_folder_from_disk(browse: Session, site_dir: Path) -> None:
    page = browse.page
    page.goto((site_dir / "assessments" / "support-on-social" / "index.html").as_uri())
    follow(browse, ".body", "Internal micro-blogging")      # [[internal/micro-blogging]] shows the title
    page.wait_for_url((site_dir / "assessments" / "internal" / "micro-blogging" / "index.html").as_uri())
    follow(browse, ".referenced-by", "Support on a public social network")
    page.wait_for_url((site_dir / "assessments" / "support-on-social" / "index.html").as_uri())
