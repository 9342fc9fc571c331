"""Rendering an assessment's Markdown body to HTML.

Raw HTML in Markdown is escaped unless the site opts into `unsafe_html`, and `safe_link` keeps
`javascript:`, `vbscript:`, `data:` and `file:` URLs from becoming links or image sources, however
they are disguised (case, whitespace, control characters, entities, percent-encoding).
Headings move one level down (the page's title is the only h1) and get ids, never one the theme
uses. Links between assessments, written as wiki-links (`[[slug]]`, `[[slug|text]]`) or as
relative links to another assessment's `.md` file, become links to that assessment's page and are
reported back as data (for "Referenced by"); one to a missing assessment is a diagnostic with its
line.

Most bodies are rendered by markdown-it-pyrs (the Rust port of markdown-it by markdown-it-py's
maintainers, about 13 times faster) when it is installed, with the rules above applied to its HTML;
a body it might render otherwise than markdown-it-py (wiki-links, images, tables, block quotes, raw
HTML under `unsafe_html`, link reference definitions, a refused URL, a link to a missing assessment,
unusual whitespace or symbols) goes through markdown-it-py. Both give the same bytes
(tests/test_markdown_fast.py).
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors.index import slugify as heading_slug

try:  # optional: without it (or on a platform it has no wheel for) every body takes markdown-it-py
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - depends on the platform
    markdown_it_pyrs = None  # type: ignore[assignment]

from scorecard.core.diagnostics import Diagnostic, error, warning
from scorecard.core.slugs import slugify
from scorecard.source.content import hint_for_missing, is_assessment_name, slug_for


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
    return _href_target(env.slug, str(token.attrs.get("href", "")))


def _href_target(page_slug: str, href: str) -> tuple[str, str, str] | None:
    """(slug, fragment, as written) of a link from the assessment `page_slug` to a `.md` file; None for any other."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not is_assessment_name(parts.path):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_slug), unquote(parts.path)))
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


class UniqueIds:
    """Heading ids made unique as mdit-py-plugins' anchors plugin does ("next-steps", then "next-steps-1"
    for the second), but in linear time: the plugin tries `-1`, `-2`, … from the start for every
    repeat, so 20,000 equal headings took 48 s. Here each name remembers the last number it tried;
    ids only ever get taken, so the first free one is never below it and the ids are the same."""

    def __init__(self, taken: Iterable[str] = ()):
        self.taken = set(taken)
        self.tried: dict[str, int] = {}

    def take(self, base: str) -> str:
        """The first of `base`, `base-1`, `base-2`… not taken yet; taken from now on."""
        number = self.tried.get(base, 0)
        candidate = f"{base}-{number}" if number else base
        while candidate in self.taken:
            number += 1
            candidate = f"{base}-{number}"
        self.tried[base] = number
        self.taken.add(candidate)
        return candidate


def _heading_ids(state: StateCore) -> None:
    """Give headings 1–3 ids as mdit-py-plugins' anchors plugin does, in linear time (`UniqueIds`)."""
    ids = UniqueIds(str(t.attrGet("id")) for t in state.tokens if t.type == "heading_open" and t.attrGet("id"))
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or token.tag not in HEADING_TAGS or token.attrGet("id"):
            continue
        inline = state.tokens[index + 1]
        title = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        token.attrSet("id", ids.take(body_heading_id(title)))


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
                titles: Mapping[str, str], broken: frozenset[str] = frozenset(), fast: bool = True) -> RenderedBody:
    """The body's HTML, the assessments it links to, and the problems found in its links.

    `titles` maps every assessment's slug to its title (a wiki-link without text shows the title);
    `broken` are the slugs of files that exist but have errors. With `fast`, markdown-it-pyrs renders
    it where it gives the same bytes (see fast_render); a link to a file that is not in `titles` always
    takes markdown-it-py's path.
    """
    marks = markdown_marks(text)
    if marks > MAX_MARKS:
        message = f"the body has {marks} Markdown marks (line breaks, #, *, _, |, [, …); the limit is {MAX_MARKS}"
        return RenderedBody("", (), (error(path, body_line, message, "an assessment body is a few pages of text"),))
    if fast:
        rendered = fast_render(text, slug=slug, titles=titles, unsafe_html=bool(md.options["html"]))
        if rendered is not None:
            return rendered
    env = _RenderEnv(slug, path, body_line, titles, broken)
    html = md.render(text, {"scorecard": env})
    return RenderedBody(html, tuple(dict.fromkeys(env.links)), tuple(env.diagnostics), env.named_broken)


# -- the fast path ------------------------------------------------------------------------------

_FAST_RULES: list[Any] = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
                          "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
                          "newline", "table", "strikethrough"]
"""markdown-it-pyrs's rules that make make_markdown's set: CommonMark without raw HTML, with tables and
strikethrough."""


@functools.cache
def _fast_parser() -> Any:
    """markdown-it-pyrs set up as make_markdown is (less raw HTML), or None when it is not installed."""
    if markdown_it_pyrs is None:
        return None
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(_FAST_RULES)


_SLOW_ALWAYS = ("[[", "]:", "![", "~~~", "|")
"""Wiki-links (our own rule); link reference definitions (one that markdown-it-py refuses for its URL stays
a paragraph, where markdown-it-pyrs drops it); images (one from another site is a warning with its line);
and where the two renderers differ: tables and `~~~` fences (one left open at the end)."""
_ODD_SPACE = re.compile(r"[^\S \t\n]")
"""Whitespace other than space, tab and line end: markdown-it-py strips a no-break space or a form feed
(Python's `strip`) where markdown-it-pyrs keeps it."""
_QUOTE = re.compile(r"^[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*>", re.MULTILINE)
"""A block quote, at the start of a line or of a list item: the two end one differently at a list."""


def fast_render(text: str, *, slug: str, titles: Mapping[str, str], unsafe_html: bool = False) -> RenderedBody | None:
    """The body rendered by markdown-it-pyrs, exactly as render_body's markdown-it-py path renders it; None where
    that cannot be decided exactly from its output (then markdown-it-py renders it), or without markdown-it-pyrs."""
    parser = _fast_parser()
    if parser is None:
        return None
    text = _NEWLINES.sub("\n", text)  # as markdown-it-py's normalize rule does before parsing
    if _needs_slow_path(text, unsafe_html):
        return None
    links: list[str] = []
    html = _render_fast(parser, text, slug, titles, links)
    return None if html is None else RenderedBody(html, tuple(dict.fromkeys(links)), ())


def _needs_slow_path(text: str, unsafe_html: bool) -> bool:
    """Whether `text` holds something only markdown-it-py renders as this module wants (judged on the source)."""
    return (any(mark in text for mark in _SLOW_ALWAYS) or _ODD_SPACE.search(text) is not None
            or (">" in text and _QUOTE.search(text) is not None) or (unsafe_html and "<" in text)
            or ("`" in text and _backticks_may_panic(text)) or _has_symbols(text))


_NON_ASCII = re.compile(r"[^\x01-\x7f]")


def _has_symbols(text: str) -> bool:
    """Whether the text has NUL or a Unicode symbol (€, ©, →…): markdown-it-py counts symbols as punctuation
    beside `*` and `_` (CommonMark 0.31), markdown-it-pyrs does not, so emphasis could differ."""
    return any(char == "\0" or unicodedata.category(char)[0] == "S" for char in set(_NON_ASCII.findall(text)))


_BACKTICKS = re.compile(r"`+")


def _backticks_may_panic(text: str) -> bool:
    """Whether a backtick run might be left without its closer, which markdown-it-pyrs 0.4 can panic on.

    (Its code-span cache is indexed out of bounds when a run that found no closer is scanned again, as
    a link label's scan and then the text's do; the panic is caught, but Rust prints it on stderr.)
    Conservative: every run must find a run of its length later on its own line, and no backtick may
    stand where a link destination, an autolink, an escape or a table cell could take it.
    """
    if "\\`" in text:
        return True
    for line in text.splitlines():
        if "`" not in line:
            continue
        destination = line.find("](")
        if "|" in line or "<" in line or (destination >= 0 and "`" in line[destination:]):
            return True
        runs = [len(run) for run in _BACKTICKS.findall(line)]
        while runs:
            opener = runs.pop(0)
            if opener not in runs:
                return True
            del runs[:runs.index(opener) + 1]
    return False


_NEWLINES = re.compile(r"\r\n?")
_HREF = re.compile(r'<a href="([^"]*)"')
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _render_fast(parser: Any, text: str, page_slug: str, titles: Mapping[str, str], links: list[str]) -> str | None:
    """The body rendered by markdown-it-pyrs with this module's rules applied to its HTML; None where it
    cannot be exact (a URL safe_link refuses, a link to a missing assessment, an image).

    Without raw HTML every `<` of the text is escaped, so each tag in the HTML is markdown-it-pyrs's own:
    `<a href="…"` is a link or autolink and `<hN>` a heading, in the order markdown-it-py's tokens have them.
    """
    try:
        html: str = parser.render(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic (pyo3's PanicException is a BaseException): markdown-it-py decides
        return None
    if "<img" in html or "<table" in html or "<blockquote" in html:  # left to markdown-it-py, see _SLOW_ALWAYS
        return None
    pieces: list[str] = []
    done = 0
    for match in _HREF.finditer(html):
        href = unescape(match.group(1))
        if not safe_link(href):
            return None
        found = _href_target(page_slug, href)
        if found is None:
            continue
        slug, fragment, _ = found
        if slug not in titles:
            return None  # a diagnostic with its line: markdown-it-py's tokens know it
        links.append(slug)
        url = "../" * (page_slug.count("/") + 1) + f"{slug}/index.html" + (f"#{fragment}" if fragment else "")
        pieces += [html[done:match.start(1)], escapeHtml(url)]
        done = match.end(1)
    if pieces:
        html = "".join(pieces) + html[done:]
    if "<h" in html:
        html = _HEADING.sub(_heading_replacer(), html)
    return html


def _heading_replacer() -> Callable[[re.Match[str]], str]:
    """Headings one level down, with ids on those that were levels 1–3, as anchors_plugin and _demote_headings do."""
    ids = UniqueIds()

    def replace(match: re.Match[str]) -> str:
        level, inner = int(match.group(1)), match.group(2)
        tag = f"h{min(level + 1, 6)}"
        if level > 3:
            return f"<{tag}>{inner}</{tag}>"
        # anchors_plugin's title: the text and inline code of the heading, not image alt text or line breaks.
        slug = ids.take(body_heading_id(unescape(_TAG.sub("", inner)).replace("\n", "")))
        return f'<{tag} id="{escapeHtml(slug)}">{inner}</{tag}>'

    return replace
