"""A site's own theme runs in Jinja's sandbox: its templates come from the working tree, which a pull
request can change, and in a plain Jinja environment a template reaches Python's internals and runs
commands. The default theme, the package's own, runs as before."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.sandbox
import pytest

from scorecard.publish.render import _BytecodeCache, make_environment
from scorecard.source.config import default_theme_dir
from tests.budget import assert_clean_end, run_scorecard
from tests.conftest import write_site

GADGETS = {
    "template reference": "self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch {marker}')",
    "cycler globals": "cycler.__init__.__globals__.os.popen('touch {marker}')",
    "attr filter": "(page|attr('__class__')).__init__.__globals__['os'].popen('touch {marker}')",
    "a view's method": "page.__class__.__mro__[1].__subclasses__()",
}


def site_with_template(tmp_path: Path, body: str) -> Path:
    return write_site(tmp_path / "site", {
        "scorecard.yml": "title: Ours\ntheme: ours\n",
        "content/assessments/forum.md": "---\ntitle: Forum\ndate: 2026-09-14\n---\nBody.\n",
        "themes/ours/templates/404.html": '{% extends "default/base.html" %}{% block content %}' + body
                                          + "{% endblock %}\n",
    })


@pytest.mark.parametrize("gadget", GADGETS.values(), ids=list(GADGETS))
def test_a_theme_template_cannot_reach_python(tmp_path: Path, gadget: str):
    marker = tmp_path / "ran"
    root = site_with_template(tmp_path, "{{ " + gadget.format(marker=marker) + " }}")

    run = run_scorecard(root, "build", "--today", "2026-10-01")

    assert_clean_end(run, 1)
    assert not marker.exists()
    assert "themes/ours/templates/404.html:1: error: template error: access to attribute '" in run.stderr
    assert "is unsafe" in run.stderr
    assert not (root / "output").exists()


def test_a_theme_template_still_reads_every_field_of_its_view(tmp_path: Path):
    """The sandbox reads a view model's fields directly (its check costs as much as the rest of rendering):
    the same page as the default theme's own fields, and a method or property still goes through the check."""
    root = site_with_template(tmp_path, "[{{ page.title }}|{{ site.title }}|{{ page.path is defined }}]")
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 0)
    # NotFoundView's title is "Page not found" (docs/themes.md), the site's is scorecard.yml's
    assert "[Page not found|Ours|" in (root / "output/404.html").read_text()


def test_only_a_site_theme_is_sandboxed_and_its_compiled_templates_are_kept_apart(tmp_path: Path):
    plain = make_environment([default_theme_dir()])
    sandboxed = make_environment([tmp_path, default_theme_dir()])
    assert not plain.sandboxed and sandboxed.sandboxed
    cache = _BytecodeCache(tmp_path / "bytecode")
    source = "{{ x() }}"  # compiled to context.call(...) plain, environment.call(context, ...) sandboxed
    keys = {cache.get_bucket(env, "a.html", None, source).key for env in (plain, sandboxed)}
    assert len(keys) == 2
    assert isinstance(sandboxed, jinja2.sandbox.SandboxedEnvironment)


FAILURES = {
    "division": ("{{ 1 / 0 }}", "template error: ZeroDivisionError: division by zero"),
    "recursion": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
                  "template error: a macro, block or include that uses itself without end"),
    # the sandbox's range stops at 100,000 items (jinja2.sandbox.MAX_RANGE)
    "a huge range": ("{% for i in range(200000) %}{% endfor %}", "template error: OverflowError: Range too big."),
}


@pytest.mark.parametrize(("body", "message"), FAILURES.values(), ids=list(FAILURES))
def test_what_a_theme_template_raises_is_a_diagnostic_on_its_line(tmp_path: Path, body: str, message: str):
    root = site_with_template(tmp_path, body)
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 1)  # no traceback
    assert f"themes/ours/templates/404.html:1: error: {message}" in run.stderr
    assert not (root / "output").exists()


# A site's theme is bounded in what it may take: each of these would otherwise hold the build for hours or take
# gigabytes of memory (each is checked within tests/budget.py's 10 s and 300 MB).
BOUNDS = {
    # 'x' * 10**10 would be 10 GB of text: refused before it is made (the limit is 10,000,000 items)
    "a repetition": ("{{ 'x' * 10**10 }}", "template error: a repetition of more than 10,000,000 items"),
    # 10**(10**10) has some 33 billion bits: refused before it is computed (Jinja reads 10**10**10 as (10**10)**10)
    "a power": ("{{ 10**(10**10) }}", "template error: a power of more than 1,000,000 bits"),
    # 7**300000 has 842,249 bits (300000 × log2 7 = 300000 × 2.807), under the limit; its square 1,684,498 is over it
    "a product": ("{% set a = 7**300000 %}{{ a * a }}", "template error: a product of more than 1,000,000 bits"),
    # a width of 10**10 would be 10 GB of spaces
    "a width": ("{{ 'x'.center(10**10) }}",
                "template error: a call was given the number 10,000,000,000, more than the 10,000,000"),
    "lipsum": ("{{ lipsum(10**6) }}", "template error: 'lipsum' is undefined"),
    # 400 copies of a separator of 9,999,999 characters: some 4 GB in one string, past the 3 GiB the render may add
    "memory": ("{{ range(400)|join('x' * 9999999) }}",
               "template error: the template asked for more memory than a site's own theme may use"),
}


@pytest.mark.parametrize(("body", "message"), BOUNDS.values(), ids=list(BOUNDS))
def test_a_theme_template_cannot_take_unbounded_memory(tmp_path: Path, body: str, message: str):
    root = site_with_template(tmp_path, body)
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 1)  # within the budget, no traceback
    assert f"themes/ours/templates/404.html:1: error: {message}" in run.stderr
    assert not (root / "output").exists()


# Loops and recursion that would run for days: 99,999³ empty iterations, or a macro that calls itself twice at
# each of 60 levels (2**60 calls). Each is stopped when the render's time is up (here cut to 1 s).
ENDLESS = {
    "nested loops": "{% set r = range(99999) %}{% for a in r %}{% for b in r %}{% for c in r %}"
                    "{% endfor %}{% endfor %}{% endfor %}",
    "recursion": "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(60) }}",
}


@pytest.mark.parametrize("body", ENDLESS.values(), ids=list(ENDLESS))
@pytest.mark.parametrize("where", ["here", "workers"])
def test_a_theme_template_that_runs_without_end_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           request: pytest.FixtureRequest, body: str, where: str):
    from click.testing import CliRunner

    from scorecard.commands.cli import main
    from scorecard.publish import sandbox

    if where == "workers":
        request.getfixturevalue("pages_in_workers")
    monkeypatch.setattr(sandbox, "BASE_SECONDS", 1.0)
    monkeypatch.setattr(sandbox, "SECONDS_PER_PAGE", 0.0)
    root = site_with_template(tmp_path, body)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", "--today", "2026-10-01"])
    assert result.exit_code == 1
    assert ("themes/ours/templates/404.html:1: error: template error: the site theme's templates took longer "
            "than the build gives them") in result.output
    assert "Traceback" not in result.output
    assert not (root / "output").exists()


def test_a_theme_template_loops_and_computes_as_before_within_its_bounds(tmp_path: Path):
    """The bounds change nothing for a template within them: loops (with `loop` and `else`), repetition, powers."""
    root = site_with_template(tmp_path, "[{% for c in 'abc' %}{{ loop.index }}{{ c }}{{ loop.length }}{% endfor %}"
                                        "|{% for x in [] %}x{% else %}none{% endfor %}|{{ '-' * 3 }}|{{ 2**10 }}"
                                        "|{{ 3 * 4 }}|{{ [0] * 2 }}]")
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 0)
    # 'abc': index and item, length 3; an empty loop's else; '-' × 3; 2**10 = 1024; 3 × 4 = 12; [0] × 2 = [0, 0]
    assert "[1a32b33c3|none|---|1024|12|[0, 0]]" in (root / "output/404.html").read_text()


NESTED = {
    "parentheses": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "blocks": "{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000,
}


@pytest.mark.parametrize("body", NESTED.values(), ids=list(NESTED))
def test_a_theme_template_nested_too_deeply_to_read_is_a_diagnostic(tmp_path: Path, body: str):
    """Jinja's parser recurses: a template nested thousands deep is an error on its file, not a traceback
    (from the build cache's look at which templates a page uses, or from the render)."""
    root = site_with_template(tmp_path, body)
    for _ in range(2):  # the second build has the first one's cache
        run = run_scorecard(root, "build", "--today", "2026-10-01")
        assert_clean_end(run, 1)
        assert "themes/ours/templates/404.html: error: template error: nested too deeply to read" in run.stderr
        assert not (root / "output").exists()
