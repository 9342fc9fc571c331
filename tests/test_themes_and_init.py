"""A site's own theme over the default one, `scorecard init`, and what build prints."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_site

from scorecard.commands.cli import main
from scorecard.source.config import default_theme_dir


def run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, list(args))


def test_a_site_theme_overrides_one_template_and_one_static_file(site, monkeypatch):
    write_site(site, {
        "scorecard.yml": "theme: ours\n",
        # extends the default base.html by its "default/" name and changes one block
        "themes/ours/templates/base.html": """
            {% extends "default/base.html" %}
            {% block meta %}<meta name="theme" content="ours">{% endblock %}
        """,
        "themes/ours/templates/rubric.html": """
            {% extends "base.html" %}
            {% block content %}<h1 class="ours">{{ page.name }}</h1>{% endblock %}
        """,
        "themes/ours/static/style.css": "body { color: teal }\n",
        "themes/ours/static/extra/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    })
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 0, result.output
    out = site / "output"
    rubric = (out / "rubric/index.html").read_text()
    assert '<h1 class="ours">' in rubric and '<meta name="theme" content="ours">' in rubric
    index = (out / "index.html").read_text()  # the default index.html, on our base.html
    assert '<meta name="theme" content="ours">' in index and "<table" in index
    assert (out / "static/style.css").read_text() == "body { color: teal }\n"
    assert (out / "static/extra/logo.svg").is_file()


def test_an_undefined_variable_in_an_override_names_the_file_and_line(site, monkeypatch):
    write_site(site, {
        "scorecard.yml": "theme: ours\n",
        "themes/ours/templates/rubric.html": """
            {% extends "base.html" %}
            {% block content %}
            <h1>{{ page.name }}</h1>
            <p>{{ page.titel }}</p>
            {% endblock %}
        """,
    })
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 1
    assert "themes/ours/templates/rubric.html:4: error: template error: " in result.output
    assert "has no attribute 'titel'" in result.output
    assert not (site / "output").exists()


def test_a_template_error_on_a_page_rendered_in_a_worker_is_the_same_diagnostic(site, monkeypatch, pages_in_workers):
    write_site(site, {
        "scorecard.yml": "theme: ours\n",
        "themes/ours/templates/assessment.html": """
            {% extends "base.html" %}
            {% block content %}
            <h1>{{ page.title }}</h1>
            {% if page.slug == "gamma" %}{{ page.titel }}{% endif %}
            {% endblock %}
        """,
    })
    result = run(site, monkeypatch, "build")
    assert pages_in_workers == [1]  # the pages went to the workers
    assert result.exit_code == 1
    # Only gamma's page fails, on the override's line 4.
    assert "themes/ours/templates/assessment.html:4: error: template error: " in result.output
    assert "has no attribute 'titel'" in result.output
    assert "Traceback" not in result.output
    assert not (site / "output").exists()
    monkeypatch.setattr("scorecard.publish.render.PARALLEL_FROM", 10**9)  # the same build, the pages rendered here
    in_one_process = run(site, monkeypatch, "build")
    assert len(pages_in_workers) == 1
    assert in_one_process.exit_code == 1
    assert in_one_process.output.splitlines()[:-1] == result.output.splitlines()[:-1]  # the last line: the time taken


def test_init_makes_a_site_that_builds_cleanly(tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, "init", "mysite", "--title", 'Our "social" scorecard')
    assert result.exit_code == 0, result.output
    site = tmp_path / "mysite"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".gitignore", "content/assessments/example.md", "content/rubric.yml", "scorecard.yml"]
    assert "/output/" in (site / ".gitignore").read_text().splitlines()
    assert f"date: {dt.date.today().isoformat()}" in (site / "content/assessments/example.md").read_text()
    result = run(site, monkeypatch, "check")
    assert result.exit_code == 0
    assert "0 error(s), 0 warning(s)." in result.output
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 0
    assert "<title>Our &#34;social&#34; scorecard</title>" in (site / "output/index.html").read_text()
    assert (site / "output/assessments/example/index.html").is_file()


def test_init_refuses_a_directory_that_is_not_empty_and_never_overwrites(tmp_path, monkeypatch):
    site = tmp_path / "mysite"
    site.mkdir()
    (site / "scorecard.yml").write_text("title: Mine\n")
    result = run(tmp_path, monkeypatch, "init", "mysite")
    assert result.exit_code == 1
    assert "is not empty; nothing was written" in result.output
    assert sorted(p.name for p in site.iterdir()) == ["scorecard.yml"]
    result = run(tmp_path, monkeypatch, "init", "mysite", "--force")
    assert result.exit_code == 0
    assert "Kept mysite/scorecard.yml: it was already there." in result.output
    assert (site / "scorecard.yml").read_text() == "title: Mine\n"
    assert (site / "content/assessments/example.md").is_file()


def test_build_ends_with_a_one_line_summary_and_no_colour_off_a_terminal(site, monkeypatch):
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 0
    last = result.output.splitlines()[-1]
    # Pages: index, rubric, changes, compare, 404, 4 group indexes (tags, owners, authors, statuses) = 9;
    # 3 assessments; 4 trust + 6 SLATES item pages = 10; 4 statuses of the rubric; tags loyalty,
    # support, internal, knowledge = 4; 3 owners; authors Tom Becker, Ana Ruiz, Lena Park = 3.
    # 9 + 3 + 10 + 4 + 4 + 3 + 3 = 36 pages. Files: the pages, a badge.svg per assessment (3),
    # scorecard.json, scorecard.csv, search-index.js, compare-data.js (4), and the default theme's static files.
    static = sum(1 for p in (default_theme_dir() / "static").rglob("*") if p.is_file())
    assert last.startswith(f"Built 3 assessments into output/: 36 pages ({36 + 3 + 4 + static} files), "
                           "0 warnings, 0 errors, ")
    assert last.endswith(" s.")
    assert "\x1b[" not in result.output


def test_quiet_prints_only_errors_and_verbose_the_settings(site, monkeypatch):
    gamma = site / "content/assessments/gamma.md"
    gamma.write_text(gamma.read_text().replace('{score: 2, evidence: "Calls get a topic."}', "2"))
    result = run(site, monkeypatch, "build", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""  # a warning and the summary, both left out
    (site / "scorecard.yml").write_text("title: Ours\n")
    result = run(site, monkeypatch, "build", "--verbose", "--stale-after", "30")
    assert "  title = 'Ours' (scorecard.yml)" in result.output
    assert "  stale_after_days = 30 (command line)" in result.output
    assert "  language = 'en' (default)" in result.output
    assert "warning: unsupported: criterion 'tags' is 2 without evidence" in result.output
    result = run(site, monkeypatch, "build", "--quiet", "--strict")
    assert result.exit_code == 1
    assert "error: unsupported: criterion 'tags'" in result.output
    assert "Build failed: 3 assessments read, 0 warnings, 1 error" in result.output


def test_templates_added_or_edited_between_builds_in_one_process_are_used(site):
    # serve rebuilds in one process and reuses compiled templates; a new or changed file must show.
    from scorecard.core.options import BuildOptions
    from scorecard.pipeline.build import build

    options = BuildOptions.at(site, themes=(site / "themes/ours",))
    (site / "themes/ours/templates").mkdir(parents=True)
    assert build(options).ok
    assert "<h1>Ours</h1>" not in (site / "output/rubric/index.html").read_text()
    rubric = site / "themes/ours/templates/rubric.html"
    rubric.write_text('{% extends "base.html" %}{% block content %}<h1>Ours</h1>{% endblock %}\n')
    assert build(options).ok
    assert "<h1>Ours</h1>" in (site / "output/rubric/index.html").read_text()
    rubric.write_text('{% extends "base.html" %}{% block content %}<h1>Ours, edited</h1>{% endblock %}\n')
    os.utime(rubric, ns=(rubric.stat().st_atime_ns, rubric.stat().st_mtime_ns + 1_000_000))  # same-tick writes
    assert build(options).ok
    assert "<h1>Ours, edited</h1>" in (site / "output/rubric/index.html").read_text()
    rubric.unlink()
    assert build(options).ok
    assert "<h1>Ours" not in (site / "output/rubric/index.html").read_text()
