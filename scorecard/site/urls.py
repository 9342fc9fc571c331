"""Where each page and file of the site lives: one place for every address, relative to the site root."""

from __future__ import annotations

from scorecard.core.slugs import slugify


def assessment_url(slug: str) -> str:
    return f"assessments/{slug}/index.html"


def badge_url(slug: str) -> str:
    return f"assessments/{slug}/badge.svg"


def published_url(base_url: str, path: str) -> str:
    """A path from the site root as an absolute URL under `base_url`; the path itself when it is ""."""
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def item_url(section: str, item: str) -> str:
    return f"rubric/{section}/{item}/index.html"


GROUP_KINDS = {
    # kind: (title of the index page, directory)
    "tag": ("Tags", "tags"),
    "owner": ("Owners", "owners"),
    "author": ("Authors", "authors"),
    "status": ("Statuses", "status"),
}


def group_url(kind: str, name: str) -> str:
    return f"{GROUP_KINDS[kind][1]}/{slugify(name)}/index.html"


def group_index_url(kind: str) -> str:
    return f"{GROUP_KINDS[kind][1]}/index.html"


NOT_FOUND_URL = "404.html"
"""The page a web server shows for an address it does not have (GitHub Pages, Netlify, nginx's error_page)."""
CHANGES_URL = "changes/index.html"
FEED_URL = "changes.xml"
