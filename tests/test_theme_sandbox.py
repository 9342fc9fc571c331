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
    "a huge range": ("{% for i in range(10**9) %}{% endfor %}", "template error: OverflowError: Range too big."),
}


@pytest.mark.parametrize(("body", "message"), FAILURES.values(), ids=list(FAILURES))
def test_what_a_theme_template_raises_is_a_diagnostic_on_its_line(tmp_path: Path, body: str, message: str):
    root = site_with_template(tmp_path, body)
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 1)  # no traceback
    assert f"themes/ours/templates/404.html:1: error: {message}" in run.stderr
    assert not (root / "output").exists()
