"""Rendering an assessment's Markdown body to HTML.

Raw HTML in Markdown is escaped unless the site opts into `unsafe_html`, and `safe_link` keeps
`javascript:`, `vbscript:`, `data:` and `file:` URLs from becoming links or image sources, however
they are disguised (case, whitespace, control characters, entities, percent-encoding).
Headings move one level down (the page's title is the only h1) and get ids, never one the theme
uses. Links between assessments, written as wiki-links (`[[slug]]`, `[[slug|text]]`) or as
relative links to another assessment's `.md` file, become links to that assessment's page and are
reported back as data (for "Referenced by"); one to a missing assessment is a diagnostic with its
line.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePosixPath
from typing import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors.index import slugify as heading_slug

from scorecard.source.content import hint_for_missing, is_assessment_name, slug_for, slugify
from scorecard.core.diagnostics import Diagnostic, error, warning


@dataclass(frozen=True)
class RenderedBody:
    """An assessment body as HTML, with the assessments it links to and the problems in its links."""

    html: str
    links: tuple[str, ...]
    """Slugs of the assessments the body links to (wiki-links and `.md` links), each once, in order met."""
    diagnostics: tuple[Diagnostic, ...]
    named_broken: bool = False
    """A link named an assessment whose file has errors (not reported: its own errors are)."""


@dataclass
class _RenderEnv:
    """What the core rules of one render need to know, and what they report back."""

    slug: str
    path: str
    body_line: int
    titles: Mapping[str, str]
    """Every assessment's slug → title."""
    broken: frozenset[str] = frozenset()
    """Slugs of assessment files too broken to parse: they exist, so a link to one is not "missing"."""
    links: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    named_broken: bool = False


# -- wiki-links ---------------------------------------------------------------------------------

_WIKILINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
"""`[[target]]` or `[[target|text]]` on one line; neither part may hold brackets."""


def _wikilink(state: StateInline, silent: bool) -> bool:
    """Inline rule: `[[target]]` and `[[target|text]]` become a link token marked as a wiki-link.

    mdit-py-plugins (0.7) has no wiki-link plugin and no maintained one exists for markdown-it-py,
    hence this rule; it runs before the link rule, so `[[x]]` is never read as a reference link.

    The target is resolved (and its title filled in) by `_resolve_assessment_links`, which knows
    every assessment and the line of the block.
    """
    if state.linkLevel > 0 or not state.src.startswith("[[", state.pos):
        return False  # no links inside a link's text
    match = _WIKILINK.match(state.src, state.pos)
    if not match or not match.group(1).strip():
        return False
    if not silent:
        opening = state.push("link_open", "a", 1)
        opening.attrs = {"href": ""}
        opening.markup = "wikilink"
        target, text = match.group(1).strip(), (match.group(2) or "").strip()
        opening.meta = {"wikilink": target, "show_title": not text}
        label = state.push("text", "", 0)
        label.content = text or target  # without text, the target's title once resolved
        state.push("link_close", "a", -1).markup = "wikilink"
    state.pos = match.end()
    return True


def wikilink_slug(target: str) -> str:
    """The slug a wiki-link target names: each folder and the name slugified, as file paths are."""
    return "/".join(slugify(part) for part in target.strip().strip("/").split("/"))


# -- core rules ---------------------------------------------------------------------------------

def _demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _link_target(env: _RenderEnv, token: Token) -> tuple[str, str, str] | None:
    """(slug, fragment, as written) of a link to an assessment; None for any other link."""
    wiki = token.meta.get("wikilink") if token.meta else None
    if wiki is not None:
        target, _, fragment = wiki.partition("#")
        return wikilink_slug(target), fragment.strip(), f"[[{wiki}]]"
    href = str(token.attrs.get("href", ""))
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not is_assessment_name(parts.path):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(env.slug), unquote(parts.path)))
    if target.startswith(".."):  # above assessments/: never an assessment
        return "", parts.fragment, href
    return slug_for(PurePosixPath(target)), parts.fragment, href


def _resolve_assessment_links(state: StateCore) -> None:
    env: _RenderEnv = state.env["scorecard"]
    for block in state.tokens:
        breaks = 0  # line breaks so far inside this block, to point at the link's own line
        children = block.children or []
        for index, token in enumerate(children):
            if token.type in ("softbreak", "hardbreak"):
                breaks += 1
            if token.type == "image" and _is_external(str(token.attrs.get("src", ""))):
                line = env.body_line + (block.map[0] if block.map else 0) + breaks
                env.diagnostics.append(warning(
                    env.path, line, f"image from outside the site is shown as a link: {token.attrs['src']}",
                    "the site loads nothing from the internet; say in words what the image shows, or link to it"))
                token.type = "external_image"  # rendered by _render_external_image
                continue
            if token.type != "link_open":
                continue
            found = _link_target(env, token)
            if found is None:
                continue
            slug, fragment, written = found
            if slug not in env.titles:
                if slug in env.broken:  # the build fails on that file's own errors: no blame here
                    env.named_broken = True
                    continue
                line = env.body_line + (block.map[0] if block.map else 0) + breaks
                env.diagnostics.append(error(env.path, line, f"link to '{written}': no such assessment",
                                             hint_for_missing(slug, env.titles, env.broken) if slug else None))
                continue
            env.links.append(slug)
            # From assessments/<slug>/index.html to assessments/<target>/index.html.
            url = "../" * (env.slug.count("/") + 1) + f"{slug}/index.html"
            token.attrs["href"] = url + (f"#{fragment}" if fragment else "")
            if token.meta.get("show_title"):
                children[index + 1].content = env.titles[slug]


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def _render_external_image(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                           env: EnvType) -> str:
    """An image from another site as a link to it, named by its alt text: the page loads nothing from outside."""
    token = tokens[idx]
    src = str(token.attrs["src"])
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


THEME_IDS = re.compile(r"^(main|(section|site|radar|trend)-.*)$")
"""Ids the theme uses on an assessment page: `main`, and any starting `section-`, `site-`, `radar-`, `trend-`."""


def body_heading_id(title: str) -> str:
    """A heading's id as GitHub makes it ("Next steps" → "next-steps"), kept clear of the theme's ids."""
    slug = heading_slug(title)
    return f"{slug}-notes" if THEME_IDS.match(slug) else slug


HEADING_TAGS = ("h1", "h2", "h3")
"""The headings that get an id (before they are demoted)."""


def _heading_ids(state: StateCore) -> None:
    """Give headings 1–3 ids as mdit-py-plugins' anchors plugin does ("Next steps", then "next-steps-1"
    for the second), but in linear time: the plugin tries `-1`, `-2`, … from the start for every
    repeat, so 20,000 equal headings took 48 s. Here each name remembers the last number it tried;
    ids only ever get taken, so the first free one is never below it and the ids are the same."""
    taken = {str(t.attrGet("id")) for t in state.tokens if t.type == "heading_open" and t.attrGet("id")}
    tried: dict[str, int] = {}
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or token.tag not in HEADING_TAGS or token.attrGet("id"):
            continue
        inline = state.tokens[index + 1]
        title = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        base = body_heading_id(title)
        candidate, number = base, tried.get(base, 0)
        if number:
            candidate = f"{base}-{number}"
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        tried[base] = number
        taken.add(candidate)
        token.attrSet("id", candidate)


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
    md.core.ruler.push("anchor", _heading_ids)
    md.inline.ruler.before("link", "scorecard_wikilink", _wikilink)
    md.core.ruler.push("scorecard_demote_headings", _demote_headings)
    md.core.ruler.push("scorecard_assessment_links", _resolve_assessment_links)
    md.add_render_rule("external_image", _render_external_image)
    return md


MAX_MARKS = 100_000
"""The most Markdown marks a body may hold. Each can make a token, and markdown-it keeps every token
in memory, about 1 KB each: a 1 MB body of `# h` lines or table cells took 500–700 MB and seconds
to render. Plain text is not counted: a body of one long paragraph up to the 1 MB file limit is fine."""
_MARK_CHARACTERS = "\n#*_`[]<>!|~&\\-+"


def markdown_marks(text: str) -> int:
    """How many characters of `text` can start a Markdown token (an upper bound on the tokens)."""
    return sum(text.count(c) for c in _MARK_CHARACTERS)


def render_body(md: MarkdownIt, text: str, *, slug: str, path: str, body_line: int,
                titles: Mapping[str, str], broken: frozenset[str] = frozenset()) -> RenderedBody:
    """The body's HTML, the assessments it links to, and the problems found in its links.

    `titles` maps every assessment's slug to its title (a wiki-link without text shows the title);
    `broken` are the slugs of files that exist but have errors.
    """
    marks = markdown_marks(text)
    if marks > MAX_MARKS:
        message = f"the body has {marks} Markdown marks (line breaks, #, *, _, |, [, …); the limit is {MAX_MARKS}"
        return RenderedBody("", (), (error(path, body_line, message, "an assessment body is a few pages of text"),))
    env = _RenderEnv(slug, path, body_line, titles, broken)
    html = md.render(text, {"scorecard": env})
    return RenderedBody(html, tuple(dict.fromkeys(env.links)), tuple(env.diagnostics), env.named_broken)
