"""sitemap.xml: the address of every HTML page, for search engines.

The sitemap protocol wants absolute URLs, so there is a sitemap only when the site's published
address (`base_url`) is known; relative `<loc>`s would be ignored or misread.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from markupsafe import escape

from scorecard.site.urls import NOT_FOUND_URL, published_url

SITEMAP_URL = "sitemap.xml"


def sitemap_xml(base_url: str, paths: Iterable[str]) -> str:
    """A sitemap of the HTML pages among `paths` (not the 404 page), sorted, under `base_url`."""
    pages = sorted(p for p in set(paths) if p.endswith(".html") and p != NOT_FOUND_URL)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(published_url(base_url, quote(path)))}</loc></url>" for path in pages]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
