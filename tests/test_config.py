"""scorecard.yml: every key, its defaults, its diagnostics, and the command line on top of it."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.commands.cli import main
from scorecard.source.config import SiteConfig, load_config, options_for, parse_config


def config(text: str) -> tuple[SiteConfig, list[str]]:
    parsed, diagnostics = parse_config(textwrap.dedent(text).lstrip("\n"))
    return parsed, [d.format() for d in diagnostics]


def run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, list(args))


def test_no_file_means_every_default(tmp_path):
    parsed, diagnostics = load_config(tmp_path)
    assert diagnostics == []
    assert parsed == SiteConfig(title="Scorecard", description="", content_dir="content", output_dir="output",
                                theme="default", base_url="", edit_url="", stale_after_days=365, language="en",
                                unsafe_html=False)


def test_every_key_is_read():
    parsed, diagnostics = config("""
        title: Team scorecard
        description: What we run for customers.
        content_dir: docs/content
        output_dir: public
        theme: ours
        base_url: https://example.org/scorecard/
        edit_url: https://git.example.org/t/s/edit/main/{path}
        stale_after_days: 180
        language: de
        unsafe_html: true
        map_across: customer_job
        map_up: slates
    """)
    assert diagnostics == []
    assert parsed == SiteConfig("Team scorecard", "What we run for customers.", "docs/content", "public", "ours",
                                "https://example.org/scorecard/", "https://git.example.org/t/s/edit/main/{path}",
                                180, "de", True, "customer_job", "slates")


def test_an_empty_file_and_an_empty_value_mean_the_defaults():
    assert config("# nothing set\n") == (SiteConfig(), [])
    assert config("title:\nlanguage: fr\n") == (SiteConfig(language="fr"), [])


def test_unknown_key_has_its_line_and_a_suggestion():
    _, diagnostics = config("""
        title: Ours
        stale_after: 30
        colour: blue
    """)
    assert diagnostics == [
        "scorecard.yml:2: error: unknown setting 'stale_after' (hint: did you mean 'stale_after_days'?)",
        # no setting is close to 'colour': the hint lists all 13, in alphabetical order (docs/config.md's table)
        ("scorecard.yml:3: error: unknown setting 'colour' (hint: expected one of: base_url, content_dir, "
        "description, edit_url, expiry_warning_days, language, map_across, map_up, output_dir, "
        "stale_after_days, theme, title, unsafe_html)"),
    ]


def test_wrong_types_point_at_the_value():
    parsed, diagnostics = config("""
        title: [a, list]
        stale_after_days: soon
        unsafe_html: "yes"
        language: 3
    """)
    assert diagnostics == [
        "scorecard.yml:1:8: error: 'title' must be text, not a list (hint: put it in quotes)",
        "scorecard.yml:2:19: error: 'stale_after_days' must be a whole number of days, not 'soon'",
        "scorecard.yml:3:14: error: 'unsafe_html' must be true or false, not 'yes'",
        "scorecard.yml:4:11: error: 'language' must be text, not the number 3 (hint: put it in quotes)",
    ]
    assert parsed == SiteConfig()  # the wrong values are not used


def test_bad_values():
    _, diagnostics = config("""
        stale_after_days: 0
        theme: ../elsewhere
        edit_url: https://git.example.org/edit/main/
        output_dir: ""
    """)
    assert diagnostics == [
        "scorecard.yml:1:19: error: 'stale_after_days' must be at least 1, not 0",
        ("scorecard.yml:2:8: error: 'theme' is a name under themes/, not a path: '../elsewhere' "
         "(hint: write 'theme: mine' for themes/mine/)"),
        ("scorecard.yml:3:11: error: 'edit_url' has no {path} in it "
         "(hint: e.g. https://git.example.org/team/site/edit/main/{path})"),
        "scorecard.yml:4:13: error: 'output_dir' must not be empty (hint: leave 'output_dir' out for the default)",
    ]


@pytest.mark.parametrize("value", ["/etc", "../other-checkout/content", "content/../../elsewhere", "'..'",
                                   "'C:\\\\site'", "'\\\\server\\share'"])
@pytest.mark.parametrize("key", ["content_dir", "output_dir"])
def test_a_folder_setting_may_not_lead_outside_the_site(key, value):
    # scorecard.yml is in the working tree a pull request changes: it may not have the build read
    # another checkout's files into the site, nor write the site anywhere else on the machine.
    parsed, diagnostics = config(f"{key}: {value}\n")
    assert len(diagnostics) == 1
    assert diagnostics[0].startswith(f"scorecard.yml:1:{len(key) + 3}: error: '{key}' must be a folder inside the site")
    assert parsed == SiteConfig()  # the default is used (by `check`, which goes on)


def test_folder_settings_inside_the_site_are_kept():
    parsed, diagnostics = config("content_dir: docs/scorecard/content\noutput_dir: public/..site\n")
    assert (parsed.content_dir, parsed.output_dir, diagnostics) == ("docs/scorecard/content", "public/..site", [])


def test_a_folder_setting_on_more_than_one_line_is_refused():
    _, diagnostics = config('content_dir: "content\\n/etc: error: forged"\n')
    assert diagnostics == [("scorecard.yml:1:14: error: 'content_dir' holds a control character (a line break, "
                            "a tab…) (hint: write the folder's name on one line)")]


def test_a_content_folder_reached_through_a_link_outside_the_site_is_not_read(site, monkeypatch):
    elsewhere = site.parent / "other-checkout"
    (site / "content").rename(elsewhere)
    (site / "shared").symlink_to(site.parent, target_is_directory=True)  # a link a pull request can add
    (site / "scorecard.yml").write_text("content_dir: shared/other-checkout\n")
    before = sorted(elsewhere.rglob("*"))
    for command in (["build"], ["check"], ["new", "Leak"]):
        result = run(site, monkeypatch, *command)
        assert result.exit_code == 1, command
        assert (f"shared/other-checkout: error: the content directory leads to '{elsewhere.resolve()}', outside the "
                "site: nothing of it is read") in result.output
        assert "team/alpha" not in result.output  # nothing of it was read, not even to report on
    assert not (site / "output").exists()
    assert sorted(elsewhere.rglob("*")) == before  # `new` wrote nothing there


def test_the_command_line_may_write_the_site_outside_it(site, monkeypatch, tmp_path):
    result = run(site, monkeypatch, "build", "--out", str(tmp_path / "published"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "published/index.html").is_file()


def test_the_yaml_loader_refuses_duplicates_tags_and_non_mappings():
    _, diagnostics = config("title: A\ntitle: B\n")
    assert diagnostics[0].startswith("scorecard.yml:2:1: error: duplicate key 'title'")
    _, diagnostics = config("title: !!python/object:os.system x\n")
    assert diagnostics[0].startswith("scorecard.yml:1:8: error: unsupported YAML value")
    _, diagnostics = config("- title\n")
    assert diagnostics == [("scorecard.yml:1: error: scorecard.yml must be a mapping of settings "
                            "(hint: write one 'key: value' per line, e.g. 'title: Our scorecard')")]
    _, diagnostics = config("title: [unclosed\n")
    assert diagnostics[0].startswith("scorecard.yml:1:8: error: invalid YAML")


def test_options_come_from_the_file_and_the_command_line_wins(tmp_path):
    parsed, _ = config("output_dir: public\nstale_after_days: 30\ntheme: ours\ntitle: T\nunsafe_html: true\n")
    options = options_for(tmp_path, parsed)
    assert (options.output_dir, options.stale_after_days, options.themes, options.title, options.unsafe_html) == \
           (tmp_path / "public", 30, (tmp_path / "themes" / "ours",), "T", True)
    options = options_for(tmp_path, parsed, output_dir=Path("elsewhere"), stale_after_days=90, strict=None)
    assert (options.output_dir, options.stale_after_days, options.strict) == (tmp_path / "elsewhere", 90, False)


def test_build_uses_the_config(site, monkeypatch):
    (site / "scorecard.yml").write_text("title: Team scorecard\noutput_dir: public\nlanguage: fr\n")
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 0, result.output
    index = (site / "public/index.html").read_text()
    assert "<title>Team scorecard</title>" in index and '<html lang="fr">' in index
    assert '<html lang="fr">' in (site / "public/404.html").read_text()
    assert not (site / "output").exists()
    result = run(site, monkeypatch, "build", "--out", "other")  # the command line wins
    assert result.exit_code == 0
    assert (site / "other/index.html").is_file()


def test_stale_after_days_from_the_config_and_the_command_line(site, monkeypatch):
    # The fixture's oldest assessment is team/alpha, dated 2026-03-20; on 2026-11-22 it is
    # 12 (rest of March) + 30 + 31 + 30 + 31 + 31 + 30 + 31 (April–October) + 21 = 247 days old.
    (site / "scorecard.yml").write_text("stale_after_days: 246\n")
    result = run(site, monkeypatch, "check", "--today", "2026-11-22")
    assert "assessed on 2026-03-20, 247 days ago (more than 246)" in result.output
    result = run(site, monkeypatch, "check", "--today", "2026-11-22", "--stale-after", "247")
    assert "days ago" not in result.output


def test_a_broken_config_stops_every_command_with_its_line(site, monkeypatch):
    (site / "scorecard.yml").write_text("title: Ours\ntheme: ours\ntitel: x\n")
    result = run(site, monkeypatch, "build")
    assert result.exit_code == 1
    assert "scorecard.yml:3: error: unknown setting 'titel' (hint: did you mean 'title'?)" in result.output
    assert "theme 'ours' not found: themes/ours/ has no templates/ or static/" in result.output
    assert not (site / "output").exists()
    result = run(site, monkeypatch, "check", "--format", "github")
    assert result.exit_code == 1
    assert "::error file=scorecard.yml,line=3,title=scorecard::unknown setting 'titel'" in result.output
    for args in (["new", "X"], ["diff", "HEAD"]):
        result = run(site, monkeypatch, *args)
        assert result.exit_code == 1, args
        assert "scorecard.yml:3: error: unknown setting 'titel'" in result.output


def test_new_writes_into_the_configured_content_dir(site, monkeypatch):
    (site / "content").rename(site / "site-content")
    (site / "scorecard.yml").write_text("content_dir: site-content\n")
    result = run(site, monkeypatch, "new", "Partner portal")
    assert result.exit_code == 0, result.output
    assert (site / "site-content/assessments/partner-portal.md").is_file()
    assert dt.date.today().isoformat() in (site / "site-content/assessments/partner-portal.md").read_text()


def test_the_map_names_sections_the_rubric_has(site, monkeypatch):
    monkeypatch.chdir(site)
    (site / "scorecard.yml").write_text("map_across: slate\nmap_up: trust\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert ("scorecard.yml: error: 'map_across' names section 'slate', which the rubric does not have "
            "(hint: did you mean 'slates'?)") in result.output
    (site / "scorecard.yml").write_text("map_across: trust\nmap_up: slates\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    # Trust across and SLATES up: the heading names the section up first.
    assert ('<h2 id="map-heading">Map: SLATES × Trust</h2>'
            in (site / "output" / "index.html").read_text(encoding="utf-8"))
