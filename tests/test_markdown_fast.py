"""The fast Markdown path (markdown-it-pyrs, then this project's rules on its HTML) gives the very bytes of
the markdown-it-py path, or steps aside: on the benchmark corpus, the demo, the fixtures, the hostile corpus
and generated Markdown with raw HTML and URLs; and a site built with the fallback alone is the same site."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish import markdown
from scorecard.publish.markdown import RenderedBody, fast_render, make_markdown, render_body

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import corpus  # (bench/corpus.py: the benchmark's generator)

pytestmark = pytest.mark.skipif(markdown.markdown_it_pyrs is None, reason="markdown-it-pyrs is not installed here")

ROOT = Path(__file__).resolve().parent.parent

FRONT = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
TITLES = {"y": "<script>Y</script>", "x": "X & co", "internal/wiki": "Wiki", "initiative-00001": "Initiative 1"}


def slow(text: str, slug: str, titles: dict[str, str], unsafe_html: bool = False) -> RenderedBody:
    return render_body(make_markdown(unsafe_html), text, slug=slug, path="x.md", body_line=5, titles=titles, fast=False)


def body_of(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return FRONT.sub("", text, count=1)


def test_every_body_of_the_benchmark_corpus_takes_the_fast_path_and_gives_the_same_bytes() -> None:
    total = 1000
    titles = {corpus.slug(n): f"Initiative {n}" for n in range(total)}
    for number in range(0, total, 25):  # 40 of the 1,000 bodies
        text = FRONT.sub("", corpus.assessment(number, total), count=1)
        fast = fast_render(text, slug=corpus.slug(number), titles=titles)
        assert fast is not None, f"body {number} fell back"
        assert fast == slow(text, corpus.slug(number), titles)
        # Each body links to eight other assessments' .md files (two per section, see bench/corpus.py).
        assert fast.html.count('href="../initiative-') == 8


SOURCES = sorted([*(ROOT / "content").rglob("*.md"), *(ROOT / "tests" / "fixtures").rglob("*.md"),
                  *(ROOT / "tests" / "hostile").glob("*.md")])

DEMO_TITLES = {p.relative_to(ROOT / "content" / "assessments").with_suffix("").as_posix(): p.stem.title()
               for p in (ROOT / "content" / "assessments").rglob("*.md")}
"""The demo's slugs (its wiki-links and .md links resolve), each with a title."""


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
@pytest.mark.parametrize("unsafe_html", [False, True])
def test_demo_fixtures_and_hostile_bodies_give_the_same_bytes(path: Path, unsafe_html: bool) -> None:
    text = body_of(path)
    titles = {**TITLES, **DEMO_TITLES}
    fast = fast_render(text, slug="x", titles=titles, unsafe_html=unsafe_html)
    if fast is not None:
        assert fast == slow(text, "x", titles, unsafe_html)


def test_what_the_fast_path_leaves_to_markdown_it_py() -> None:
    titles = {"y": "Y"}
    assert fast_render("See [[y]].\n", slug="x", titles=titles) is None  # wiki-link
    assert fast_render("![a](https://e.org/a.png)\n", slug="x", titles=titles) is None  # image
    assert fast_render("[a][r]\n\n[r]: y.md\n", slug="x", titles=titles) is None  # reference definition
    assert fast_render("[a](missing.md)\n", slug="x", titles=titles) is None  # a broken link: its line
    assert fast_render("<https://e.org> x\n", slug="x", titles=titles, unsafe_html=True) is None  # raw HTML allowed
    assert fast_render("[a](data:image/png;base64,x)\n", slug="x", titles=titles) is None  # safe_link refuses
    taken = fast_render("# A\n\n[a](y.md#top) and <https://e.org>\n", slug="x", titles=titles)
    assert taken == RenderedBody('<h2 id="a">A</h2>\n<p><a href="../y/index.html#top">a</a> and '
                                 '<a href="https://e.org">https://e.org</a></p>\n', ("y",), ())


def test_headings_move_down_a_level_with_markdown_it_pys_ids() -> None:
    text = "# A\n\n# A\n\n## A-1\n\n#### Deep\n\n# Main\n"
    fast = fast_render(text, slug="x", titles={})
    # One level down (h4 → h5), ids on the first three levels only; a repeated id takes -1 ("a-1"), so
    # the heading "A-1" takes "a-1-1"; "main" is the theme's, so the heading's is "main-notes".
    assert fast == RenderedBody('<h2 id="a">A</h2>\n<h2 id="a-1">A</h2>\n<h3 id="a-1-1">A-1</h3>\n<h5>Deep</h5>\n'
                                '<h2 id="main-notes">Main</h2>\n', (), ())
    assert fast == slow(text, "x", {})


# -- generated Markdown: the two paths agree, or the slow one is taken ---------------------------

URLS = ["y.md", "y.md#part", "./y.md", "../y.md", "internal/wiki.md", "missing.md", "Y.MD", "y%2Emd", "y.md?x=1",
        "https://e.org/a?b=1&c=2", "http://e.org/<x>", "mailto:a@b.c", "#here", "", "javascript:alert(1)",
        "JAVASCRIPT:x", "jav&#x09;ascript:x", "%6Aavascript:x", "data:text/html,x", "data:image/png;base64,x",
        "vbscript:x", "file:///etc/passwd", " y.md ", "<y.md>", "y.md \"title\"", "y.md 'the \"title\"'", "é.md",
        "a b.md", "a%20b.md", "&amp;.md", "\\*.md"]
PIECES = ["\n", "\n\n", "# ", "## ", "### ", "#### ", "###### ", "\n===\n", "\n---\n", "> ", "- ", "* ", "1. ", "2) ",
          "```\n", "~~~py\n", "    ", "\t", "|a|b|\n|:-|-:|\n|1|2|\n", "**", "__", "*", "_", "`", "``", "~~", "~", "\\",
          "  \n", "\\\n", "&amp;", "&lt;", "&#35;", "&nbsp;", "&bogus;", "&#X41;", "<", ">", "<b>", "</b>", "<div>\n",
          "</div>\n", "<!-- c -->", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<https://e.org>",
          "<mailto:a@b.c>", "<a@b.c>", "<javascript:alert(1)>", "[", "]", "(", ")", "[x]", "[x][]", "[^1]", "!",
          "[[y]]", "[[y|Why]]", "[r]: y.md\n", "\"", "'", "—", "é", "\u00a0", "\r\n", "\r", "\x00", "notes", "main",
          "section-a", "A", "a"]
piece = st.one_of(
    st.sampled_from(PIECES),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.builds("[{}]({})".format, st.sampled_from(["a", "*a*", "`a`", "", "[b]", "a\nb"]), st.sampled_from(URLS)),
    st.builds("![{}]({})".format, st.sampled_from(["a", ""]), st.sampled_from(URLS)),
)
generated = st.lists(piece, max_size=16).map("".join)
AGREE = settings(max_examples=600, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


@AGREE
@given(generated, st.booleans(), st.sampled_from(["x", "internal/page"]))
def test_generated_markdown_gives_the_same_bytes_on_both_paths(text: str, unsafe_html: bool, slug: str) -> None:
    titles = {"y": "Y", "internal/wiki": "Wiki", "x": "X"}
    fast = fast_render(text, slug=slug, titles=titles, unsafe_html=unsafe_html)
    event("fast" if fast is not None else "fell back")
    if fast is not None:
        assert fast == slow(text, slug, titles, unsafe_html)


# -- a whole site with the fallback alone ---------------------------------------------------------

def test_a_site_built_without_the_fast_path_is_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def site(name: str) -> dict[str, bytes]:
        root = tmp_path / name
        shutil.copytree(ROOT / "content", root / "content")
        total = 30
        for number in range(total):  # bodies the fast path takes (the demo's use wiki-links)
            (root / "content" / "assessments" / f"{corpus.slug(number)}.md").write_text(
                corpus.assessment(number, total), encoding="utf-8")
        result = build(BuildOptions.at(root, today=dt.date(2026, 10, 1), cache=False))
        assert result.ok, [d.format() for d in result.diagnostics]
        out = root / "output"
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    with_fast = site("fast")
    monkeypatch.setattr(markdown, "_fast_parser", lambda: None)
    fallback_only = site("slow")
    assert with_fast.keys() == fallback_only.keys()
    assert [name for name in with_fast if with_fast[name] != fallback_only[name]] == []
