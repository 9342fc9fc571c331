"""`scorecard serve` in the browser: a save reloads the open tab, a broken file shows its error, a fix brings the site
back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scorecard.commands.serve import SiteServer

from .conftest import REPO

WAIT_MS = 10_000
"""How long the page may take to change (generous on a busy machine; the one-second goal is measured by hand)."""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[SiteServer, Path]]:
    """A copy of the demo site (content and scorecard.yml) under `scorecard serve` on a free loopback port."""
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "scorecard.yml", site / "scorecard.yml")
    server = SiteServer(site, "127.0.0.1", 0)
    server.start()
    yield server, site
    server.stop()


def test_a_save_reloads_the_open_tab_and_errors_show_in_place(browser: Any, served: tuple[SiteServer, Path]) -> None:
    server, site = served
    page_file = site / "content/assessments/product-council.md"
    text = page_file.read_text(encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + "assessments/product-council/index.html")
        assert page.locator("h1").first.inner_text() == "Customer product council"
        page.evaluate("window.notReloaded = true")  # gone once the page has reloaded

        page_file.write_text(text.replace("title: Customer product council", "title: Customer product board"),
                             encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.includes('Customer product board')",
                               timeout=WAIT_MS)
        assert page.evaluate("window.notReloaded") is None

        # Line 4 is `owner:`; the [ that is never closed is at column 8.
        page_file.write_text(text.replace("owner: Product Management", "owner: [Product Management"),
                             encoding="utf-8")
        page.wait_for_function("document.title.startsWith('Build failed')", timeout=WAIT_MS)
        # (other files' links to product-council are errors too while it cannot be read)
        error = page.locator("li.error", has_text="content/assessments/product-council.md:4:8").inner_text()
        assert error.startswith("content/assessments/product-council.md:4:8 error: invalid YAML")

        page_file.write_text(text, encoding="utf-8")
        page.wait_for_function("document.querySelector('h1') && "
                               "document.querySelector('h1').textContent.includes('Customer product council')",
                               timeout=WAIT_MS)
        assert page.url == server.url + "assessments/product-council/index.html"
    finally:
        context.close()
