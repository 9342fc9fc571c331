"""Cached fragments (`{% cache … %}`): rows of the list pages rendered once and reused, never stale.

The row counts are worked out from the fixture site (tests/fixtures/site): three assessments,
the default rubric's 10 items (4 trust questions, 6 SLATES criteria), so each assessment has 13
rows: one on the portfolio's leaderboard, one in its heatmap, one on each of the 10 criterion
pages, and one on the group pages (all at the same depth, so the same HTML on each).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
import pytest
from conftest import snapshot, write_site

from scorecard.core.options import BuildOptions
from scorecard.incremental import fragments as fragments_module
from scorecard.incremental.cache import reuse_for
from scorecard.incremental.fragments import FragmentStore
from scorecard.pipeline.build import BuildResult
from scorecard.pipeline.build import build as build_without_cache
from scorecard.publish import render
from scorecard.publish.fragments import storing_in
from scorecard.publish.render import make_environment
from scorecard.source.config import default_theme_dir


def build(options: BuildOptions) -> BuildResult:
    """A build through the cache at the site's root, as `scorecard build` makes it."""
    return build_without_cache(options, reuse_for(options))


DEFAULT_TEMPLATES = default_theme_dir() / "templates"
CACHE_TAG = re.compile(r"[ \t]*\{% (cache [^%]*|endcache) %\}\n")


def environment(tmp_path: Path, templates: dict[str, str]) -> jinja2.Environment:
    """The build's environment over a theme holding only `templates`."""
    for name, text in templates.items():
        (tmp_path / "templates").mkdir(parents=True, exist_ok=True)
        (tmp_path / "templates" / name).write_text(text)
    return make_environment([tmp_path])


def syntax_error(tmp_path: Path, templates: dict[str, str], name: str = "page.html") -> jinja2.TemplateSyntaxError:
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        environment(tmp_path, templates).get_template(name)
    return caught.value


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch) -> list[FragmentStore]:
    """The fragment store of each build, in order."""
    made: list[FragmentStore] = []

    class Recorded(FragmentStore):
        def __init__(self, *args: object, **kwargs: object):
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(fragments_module, "FragmentStore", Recorded)  # the cache imports it when it first renders
    return made


# -- the tag ----------------------------------------------------------------------------------

def test_a_fragment_is_rendered_once_per_key_and_the_page_is_the_same_as_without(tmp_path: Path):
    env = environment(tmp_path, {"page.html": (
        "{% for a in xs %}\n"
        "{% cache a, root %}\n"
        "<li>{{ root }}{{ a }}</li>\n"
        "{% endcache %}\n"
        "{% endfor %}\n")})
    page = env.get_template("page.html")
    without = page.render(xs=["x", "y", "x"], root="../")
    assert without == "<li>../x</li>\n<li>../y</li>\n<li>../x</li>\n"
    store = FragmentStore(b"templates")
    with storing_in(env, store):
        assert page.render(xs=["x", "y", "x"], root="../") == without
        assert (store.rendered, store.shared) == (2, 1)  # "x" once, "y" once; the second "x" is the first's
        assert page.render(xs=["x"], root="") == "<li>x</li>\n"  # another root: another fragment
        assert store.rendered == 3
    assert env.fragment_store is None  # type: ignore[attr-defined]  # the next build starts clean


def test_keys_of_different_kinds_are_different_fragments(tmp_path: Path):
    env = environment(tmp_path, {"page.html": "{% for a in xs %}{% cache a %}[{{ a }}]{% endcache %}{% endfor %}"})
    store = FragmentStore(b"templates")
    with storing_in(env, store):
        # The string "1" and the number 1 print the same here, but a template could tell them apart.
        assert env.get_template("page.html").render(xs=["1", 1, 1.0, True, None,
                                                        "None"]) == "[1][1][1.0][True][None][None]"
    assert store.rendered == 6


def test_fragments_of_the_last_build_are_reused_and_only_those_used_are_kept(tmp_path: Path):
    env = environment(tmp_path, {"page.html": "{% for a in xs %}{% cache a %}<{{ a }}>{% endcache %}{% endfor %}"})
    first = FragmentStore(b"templates")
    with storing_in(env, first):
        env.get_template("page.html").render(xs=["a", "b", "c"])
    second = FragmentStore(b"templates", first.used)
    with storing_in(env, second):
        assert env.get_template("page.html").render(xs=["a", "d"]) == "<a><d>"
    assert (second.reused, second.rendered) == (1, 1)
    assert sorted(second.used.values()) == ["<a>", "<d>"]  # "b" and "c" are not carried on
    other_templates = FragmentStore(b"other templates", second.used)
    with storing_in(env, other_templates):
        env.get_template("page.html").render(xs=["a", "d"])
    assert (other_templates.reused, other_templates.rendered) == (0, 2)


@pytest.mark.parametrize(("body", "line", "name"), [
    ("{% for a in xs %}\n{% cache a %}\n<p>{{ a }}</p>\n<p>{{ page.title }}</p>\n{% endcache %}\n{% endfor %}\n", 4,
     "page"),
    # the enclosing loop's `loop` is a variable like any other
    ("{% for a in xs %}\n{% cache a %}{{ loop.index }}{% endcache %}\n{% endfor %}\n", 2, "loop"),
    # a `set` inside an `if` counts only inside it: when the branch is not taken, `x` is the page's
    ("{% cache a %}\n{% if a %}{% set x = 1 %}{% endif %}\n{{ x }}\n{% endcache %}\n", 3, "x"),
    # a loop's target exists inside the loop only
    ("{% cache xs %}\n{% for a in xs %}{% endfor %}{{ a }}\n{% endcache %}\n", 2, "a"),
])
def test_a_fragment_that_reads_a_variable_it_does_not_list_is_a_syntax_error(tmp_path: Path, body: str, line: int,
                                                                             name: str):
    error = syntax_error(tmp_path, {"page.html": body})
    keys = "a" if "{% cache a %}" in body else "xs"
    assert error.message == f"the cached fragment uses '{name}', which is not one of its keys ({keys})"
    assert error.lineno == line and error.name == "page.html"


def test_a_fragment_may_read_its_keys_its_own_variables_the_templates_macros_imports_and_globals(tmp_path: Path):
    env = environment(tmp_path, {
        "lib.html": "{% macro em(x) %}<em>{{ x }}</em>{% endmacro %}",
        "page.html": (
            '{% from "lib.html" import em %}\n'
            "{% macro strong(x) %}<b>{{ em(x) }}</b>{% endmacro %}\n"
            "{% for a in xs %}\n"
            "{% cache a, root %}\n"
            "{% set n = a | length %}\n"
            "{% for i in range(n) %}{{ loop.index }}{% endfor %}\n"
            "{{ strong(a) }} {{ em(root) }}\n"
            "{% endcache %}\n"
            "{% endfor %}\n"),
    })
    with storing_in(env, FragmentStore(b"templates")):
        # trim_blocks: no newline after a tag
        assert env.get_template("page.html").render(xs=["ab"], root="up") == "12<b><em>ab</em></b> <em>up</em>\n"


def test_a_fragment_may_not_call_a_macro_that_reads_a_page_variable(tmp_path: Path):
    error = syntax_error(tmp_path, {"page.html": (
        "{% macro title() %}{{ page.title }}{% endmacro %}\n"
        "{% cache a %}\n"
        "{{ title() }}\n"
        "{% endcache %}\n")})
    assert error.message == ("the cached fragment calls the macro 'title', which uses 'page' (line 1): "
                             "a cached fragment may use only its keys (a)")
    assert error.lineno == 3


@pytest.mark.parametrize("macro", [
    "{% macro title(t=page.title) %}{{ t }}{% endmacro %}",  # a default is read where the macro is called
    "{% macro title() %}{{ heading() }}{% endmacro %}{% macro heading() %}{{ page.title }}{% endmacro %}",
])
def test_a_macro_that_reads_a_page_variable_through_a_default_or_another_macro_is_refused_too(
        tmp_path: Path, macro: str):
    error = syntax_error(tmp_path, {"page.html": macro + "\n{% cache a %}\n{{ title() }}\n{% endcache %}\n"})
    assert error.message.startswith("the cached fragment calls the macro 'title', which uses 'page' (line 1)")


def test_a_fragment_may_not_include_a_template(tmp_path: Path):
    error = syntax_error(tmp_path,
                         {"row.html": "{{ page }}",
                          "page.html": "{% cache a %}\n{% include 'row.html' %}\n{% endcache %}\n"})
    assert error.message == "a cached fragment cannot include a template (it would see every variable)"
    assert error.lineno == 2


def test_a_fragment_of_an_override_that_reads_an_unlisted_variable_fails_the_build_with_its_file_and_line(site: Path):
    macros = (DEFAULT_TEMPLATES / "macros.html").read_text()
    lines = macros.split("\n")
    row = next(number for number, text in enumerate(lines, 1) if "<tr data-status" in text)
    lines[row - 1] = lines[row - 1].replace("<tr ", "<tr title=\"{{ caption }}\" ", 1)
    write_site(site, {"themes/ours/templates/macros.html": "\n".join(lines)})
    result = build(BuildOptions.at(site, themes=(site / "themes/ours",)))
    assert not result.ok
    [problem] = [d for d in result.diagnostics if d.is_error]
    assert problem.path.endswith("themes/ours/templates/macros.html") and problem.line == row
    assert problem.message == ("template syntax error: the cached fragment uses 'caption', "
                               "which is not one of its keys (a, root)")
    assert not (site / "output").exists()


# -- the default theme ------------------------------------------------------------------------

def test_the_default_theme_renders_the_same_site_as_without_the_tag_and_an_override_without_it_builds(
        site: Path, tmp_path: Path):
    theme = tmp_path / "untagged"
    (theme / "templates").mkdir(parents=True)
    for name in ("macros.html", "index.html", "item.html"):  # the templates that use the tag, without it
        text = (DEFAULT_TEMPLATES / name).read_text()
        assert CACHE_TAG.search(text), name
        (theme / "templates" / name).write_text(CACHE_TAG.sub("", text))
    assert build(BuildOptions.at(site, cache=False)).ok
    with_fragments = snapshot(site / "output")
    shutil.rmtree(site / "output")
    assert build(BuildOptions.at(site, cache=False, themes=(theme,))).ok
    without = snapshot(site / "output")
    assert with_fragments == without
    assert with_fragments["index.html"].count(b"<tr data-status") == 3


def test_rows_are_rendered_once_per_page_depth_then_reused_by_the_next_build(site: Path, stores: list[FragmentStore]):
    assert build(BuildOptions.at(site)).ok
    # 3 assessments × 13 rows; each assessment is on 5 group pages (tags, owner, authors, status):
    # its group-page row is rendered on the first and reused on the other 4.
    assert (stores[0].rendered, stores[0].reused, stores[0].shared) == (39, 0, 12)
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text().replace("search:     {score: 3", "search:     {score: 4"))
    assert build(BuildOptions.at(site)).ok
    # Gamma's overall score moved: its 13 rows are rendered again. The pages that list it are
    # rendered again (portfolio, 10 criterion pages, its 5 group pages, one of which also lists
    # alpha); alpha's 13 rows and beta's 12 (no page listing beta's group-page row is rendered)
    # come from the first build.
    assert (stores[1].rendered, stores[1].reused, stores[1].shared) == (13, 25, 4)
    assert len(stores[1].used) == 13 + 25


def test_rows_rendered_in_worker_processes_are_reused_by_the_next_build(site: Path, stores: list[FragmentStore],
                                                                       pages_in_workers: list[int]):
    assert build(BuildOptions.at(site)).ok
    assert pages_in_workers == [1]  # one worker beside this process
    # The worker rendered the portfolio (the first page, given to it before this process takes any): its 3
    # rows at least are not the build's own; the build's store has every row all the same, 3 assessments × 13.
    assert stores[0].rendered <= 39 - 3
    assert len(stores[0].used) == 39
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text().replace("search:     {score: 3", "search:     {score: 4"))
    with pytest.MonkeyPatch.context() as patch:  # the next build in this process, to count what it reuses
        patch.setattr(render, "PARALLEL_FROM", 10**9)
        assert build(BuildOptions.at(site)).ok
    # As after a build in one process (the test above): gamma's 13 rows again, 25 rows of alpha and beta reused.
    assert (stores[1].rendered, stores[1].reused) == (13, 25)


def test_a_template_edit_renders_every_fragment_again(site: Path, tmp_path: Path, stores: list[FragmentStore]):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/base.html").write_text((DEFAULT_TEMPLATES / "base.html").read_text())
    options = BuildOptions.at(site, themes=(theme,))
    assert build(options).ok
    (theme / "templates/macros.html").write_text(
        (DEFAULT_TEMPLATES / "macros.html").read_text().replace("<tr data-status", '<tr class="edited" data-status', 1))
    assert build(options).ok
    assert stores[1].reused == 0 and stores[1].rendered == 39
    assert (site / "output/index.html").read_text().count('<tr class="edited" data-status') == 3
    # A template the rows do not use changes too: still nothing is reused (any template edit invalidates all).
    (theme / "templates/base.html").write_text(
        (DEFAULT_TEMPLATES / "base.html").read_text().replace("<body>", "<body>\n", 1))
    assert build(options).ok
    assert stores[2].reused == 0


def test_a_value_that_can_change_between_two_uses_cannot_be_a_key(tmp_path: Path):
    env = environment(tmp_path, {"page.html": "{% for x in xs %}{% cache x, loop %}{{ x }}{% endcache %}{% endfor %}",
                                 "list.html": "{% cache xs %}{{ xs | join(',') }}{% endcache %}"})
    with storing_in(env, FragmentStore(b"templates")):
        # The same loop object changes at each turn; a list can be changed by the template itself.
        for name in ("page.html", "list.html"):
            with pytest.raises(jinja2.TemplateRuntimeError) as caught:
                env.get_template(name).render(xs=["a", "b"])
            assert str(caught.value).startswith("a cached fragment cannot be keyed by a ")
            assert str(caught.value).endswith(": list strings, numbers, tuples or view models")
