"""Screenshots of the demo for the README: home, an assessment and compare, at 390 px and 1280 px.

Run from the repository root: `.venv/bin/python docs/screenshots/take.py` (Playwright for Python and
Debian's /usr/bin/chromium, as the browser tests use). Each picture is one screen high, not the
whole page, to keep the files small.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from scorecard.pipeline.build import build
from scorecard.source.config import load_config, options_for

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

PAGES = {
    # name: (path, the element scrolled to the top of the screen, or "" for the top of the page)
    "home": ("index.html", "#leaderboard-heading"),
    "assessment": ("assessments/customer-community-forum/index.html", ""),
    "compare": ("compare/index.html?a=talk-to-a-human&b=customer-community-forum&c=chatbot-first-support",
                "#compare-heading"),
}
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        config, _ = load_config(REPO)
        assert build(options_for(REPO, config, output_dir=out, today=dt.date(2026, 11, 1), cache=False)).ok
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for size, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport, color_scheme="light")
                for name, (path, top) in PAGES.items():
                    page.goto(out.as_uri() + "/" + path)
                    if top:
                        page.evaluate("selector => document.querySelector(selector).scrollIntoView()", top)
                    target = REPO / "docs" / "screenshots" / f"{name}-{size}.png"
                    page.screenshot(path=str(target))
                    print(target.relative_to(REPO), target.stat().st_size, "bytes")
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
