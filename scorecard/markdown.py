"""Rendering an assessment's Markdown body to HTML.

Raw HTML in Markdown is escaped unless the site opts into `unsafe_html`, and `safe_link` keeps
`javascript:`, `vbscript:`, `data:` and `file:` URLs from becoming links or image sources, however
they are disguised (case, whitespace, control characters, entities, percent-encoding).
Headings move one level down (the page's title is the only h1) and get ids. A relative link to
another assessment's `.md` file becomes a link to that assessment's page; one to a missing file
is a diagnostic with its line.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin

from .content import is_assessment_name, slug_for
from .diagnostics import Diagnostic, did_you_mean, error


@dataclass
class _RenderEnv:
    """What the core rules of one render need to know, and what they report back."""

    slug: str
    path: str
    body_line: int
    slugs: frozenset[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _resolve_assessment_links(state: StateCore) -> None:
    env: _RenderEnv = state.env["scorecard"]
    for block in state.tokens:
        breaks = 0  # line breaks so far inside this block, to point at the link's own line
        for token in block.children or ():
            if token.type in ("softbreak", "hardbreak"):
                breaks += 1
            if token.type != "link_open":
                continue
            href = str(token.attrs.get("href", ""))
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not is_assessment_name(parts.path):
                continue
            here = posixpath.dirname(env.slug)
            target = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
            slug = slug_for(PurePosixPath(target))
            if slug not in env.slugs or target.startswith(".."):
                line = env.body_line + (block.map[0] if block.map else 0) + breaks
                env.diagnostics.append(error(env.path, line, f"link to '{href}': no such assessment",
                                             did_you_mean(slug, env.slugs)))
                continue
            # From assessments/<slug>/index.html to assessments/<target>/index.html.
            depth = env.slug.count("/") + 1
            url = "../" * depth + f"{slug}/index.html"
            token.attrs["href"] = url + (f"#{parts.fragment}" if parts.fragment else "")


UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
"""URL schemes that run code or read local files when followed; never made into links or images."""

_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
"""What browsers drop or trip over inside a scheme (tabs, newlines, controls) or before it (spaces)."""


def safe_link(url: str) -> bool:
    """Whether `url` may become an href or src: not one of UNSAFE_SCHEMES, however disguised.

    markdown-it has already decoded entities (`jav&#x09;ascript:`) and percent-encoded what
    is left (`jav%09ascript:`); undoing that encoding (and any entity markdown-it left alone)
    and dropping whitespace and control characters leaves the scheme a browser would see.
    This refuses more than a browser would run, which is the safe side to err on.
    """
    text = url
    for _ in range(3):  # %2509 → %09 → tab, &amp;#9; → &#9; → tab: undo any nesting a browser might
        text = unescape(unquote(text))
    text = _IGNORED_IN_SCHEME.sub("", text).lower()
    return not text.startswith(UNSAFE_SCHEMES)


def make_markdown(unsafe_html: bool = False) -> MarkdownIt:
    """The Markdown renderer for assessment bodies; `unsafe_html` lets raw HTML through unescaped."""
    md = MarkdownIt("commonmark", {"html": unsafe_html}).enable(["table", "strikethrough"])
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.use(anchors_plugin, min_level=1, max_level=3)
    md.core.ruler.push("scorecard_demote_headings", _demote_headings)
    md.core.ruler.push("scorecard_assessment_links", _resolve_assessment_links)
    return md


def render_body(md: MarkdownIt, text: str, *, slug: str, path: str, body_line: int, slugs: frozenset[str]) -> tuple[str, list[Diagnostic]]:
    """The body's HTML and the problems found in its links."""
    env = _RenderEnv(slug, path, body_line, slugs)
    html = md.render(text, {"scorecard": env})
    return html, env.diagnostics
