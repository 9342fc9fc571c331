"""Real-browser tests: the demo site built once, served under a sub-path, driven by Chromium.

Chromium is Debian's (`/usr/bin/chromium`, or $SCORECARD_CHROMIUM), launched through Playwright
for Python; `playwright install` is never needed. Without a browser the tests skip, saying why —
unless $SCORECARD_REQUIRE_BROWSER is set (CI sets it), when a missing browser fails them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SCORECARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SUB_PATH = "sub/site/"
"""Where the site sits on the test server: every link must work below the server's root."""
TODAY = dt.date(2026, 11, 1)
"""A fixed day for "review due", so the pages do not change with the calendar."""


def unavailable(reason: str) -> None:
    """Skip, or fail under CI, when the browser cannot run."""
    if os.environ.get("SCORECARD_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (SCORECARD_REQUIRE_BROWSER is set, so this is a failure, not a skip)")
    pytest.skip(f"{reason}; browser tests need Playwright for Python (pip install -e '.[test]') "
                f"and Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site (the repository's content/), built once into <tmp>/sub/site/."""
    out = tmp_path_factory.mktemp("serve") / SUB_PATH
    result = build(BuildOptions.at(REPO, output_dir=out, today=TODAY))
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's name
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """The demo site served on 127.0.0.1 by a threaded http.server, at http://127.0.0.1:PORT/sub/site/."""
    server_root = site_dir.parents[len(Path(SUB_PATH).parts) - 1]
    handler = functools.partial(QuietHandler, directory=str(server_root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(str(CHROMIUM)):
        unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Session:
    """A browser page with what it logged and asked for, checked when the test ends."""

    page: Any
    allowed: tuple[str, ...]
    """URL prefixes requests may go to: the test server's site and the site's file:// directory."""
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.allowed)]


def open_session(browser: Any, site_url: str, site_dir: Path, **context_options: Any) -> tuple[Any, Session]:
    context = browser.new_context(**context_options)
    page = context.new_page()
    session = Session(page, (site_url, site_dir.as_uri() + "/"))
    page.on("console", lambda msg: session.errors.append(f"{msg.type}: {msg.text} ({page.url})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: session.errors.append(f"uncaught: {exc} ({page.url})"))
    context.on("request", lambda request: session.requests.append(request.url))
    return context, session


def check_session(session: Session) -> None:
    assert session.errors == [], "the pages logged console errors"
    assert session.outside() == [], "requests left the site"


@pytest.fixture
def browse(browser: Any, site_url: str, site_dir: Path) -> Iterator[Session]:
    """A fresh page (light colour scheme); when the test ends, no console error and no request off the site."""
    context, session = open_session(browser, site_url, site_dir, color_scheme="light")
    yield session
    context.close()
    check_session(session)


def search(page: Any, text: str) -> None:
    """Type `text` into the search box and wait until the results (or "no match") are shown."""
    page.get_by_role("searchbox", name="Search").fill(text)
    page.wait_for_function("""() => {
        const status = document.getElementById("site-search-status").textContent;
        return status !== "" && !status.startsWith("Loading");
    }""")
