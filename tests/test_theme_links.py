"""A theme from a pull request must not publish files from outside it.

The build reads every template and static file of the theme in use and puts what it reads in the
site, so a symbolic link in a theme to `/proc/self/environ`, `~/.ssh/id_rsa` or the checkout's
`.git/config` (where CI keeps its token) would publish that file. Such a link is an error with its
path, exit 1 and nothing written, in `build` and in `check`; a link that stays inside the theme is
followed, as links inside content/ are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.budget import assert_clean_end, run_scorecard
from tests.conftest import write_site

SECRET = "TOKEN-4f1c-not-for-the-site"
SITE = {
    "scorecard.yml": "title: Ours\ntheme: ours\n",
    "content/assessments/forum.md": "---\ntitle: Forum\ndate: 2026-09-14\n---\nBody.\n",
    "themes/ours/static/site.css": "body { color: black; }\n",
}


def site_with_a_link(tmp_path: Path, link: str) -> tuple[Path, Path]:
    root = write_site(tmp_path / "site", SITE)
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(secret)
    return root, secret


@pytest.mark.parametrize("link", ["themes/ours/static/leak.txt", "themes/ours/templates/leak.html",
                                  "themes/ours/static/deep/er/leak.txt"])
def test_a_theme_file_linked_outside_the_theme_is_an_error_and_nothing_is_published(tmp_path: Path, link: str):
    root, secret = site_with_a_link(tmp_path, link)
    if link.endswith(".html"):  # a template that pulls the link in
        (root / "themes/ours/templates/404.html").write_text(
            '{% extends "default/base.html" %}{% block content %}{% include "leak.html" %}{% endblock %}')

    run = run_scorecard(root, "build", "--today", "2026-10-01")

    assert_clean_end(run, 1)
    assert (f"{link}: error: symbolic link to '{secret.resolve()}', outside the theme folder: not followed "
            "(hint: copy the file into the theme instead of linking to it)") in run.stderr
    assert not (root / "output").exists()  # nothing written, so nothing published


def test_check_reports_the_link_too(tmp_path: Path):
    root, secret = site_with_a_link(tmp_path, "themes/ours/static/leak.txt")
    run = run_scorecard(root, "check", "--today", "2026-10-01")
    assert_clean_end(run, 1)
    assert f"themes/ours/static/leak.txt: error: symbolic link to '{secret.resolve()}'" in run.stdout


def test_a_link_that_stays_inside_the_theme_is_followed(tmp_path: Path):
    root = write_site(tmp_path / "site", SITE)
    (root / "themes/ours/static/alias.css").symlink_to("site.css")  # relative, inside the theme
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 0)
    assert (root / "output/static/alias.css").read_text() == "body { color: black; }\n"


def test_a_theme_folder_that_leads_outside_the_site_is_not_read(tmp_path: Path):
    root = write_site(tmp_path / "site", {k: v for k, v in SITE.items() if not k.startswith("themes/")})
    elsewhere = write_site(tmp_path / "elsewhere-theme", {"static/site.css": f"/* {SECRET} */\n"})
    (root / "themes").mkdir()
    (root / "themes/ours").symlink_to(elsewhere)
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 1)
    assert (f"themes/ours: error: theme folder leads to '{elsewhere.resolve()}', outside the site: nothing of it "
            "is read") in run.stderr
    assert not (root / "output").exists()


def test_a_named_pipe_or_a_link_to_nothing_among_the_templates_neither_hangs_nor_fails_the_build(tmp_path: Path):
    """Neither is a template: the build does not wait on the pipe (nothing writes to it) or trip over either;
    a template that includes one fails on its own line, with the name."""
    import os

    root = write_site(tmp_path / "site", {
        "scorecard.yml": "theme: ours\n",
        "content/assessments/forum.md": "---\ntitle: Forum\ndate: 2026-09-14\n---\nBody.\n",
        "themes/ours/templates/404.html": '{% extends "default/404.html" %}\n',
    })
    templates = root / "themes/ours/templates"
    os.mkfifo(templates / "pipe.html")
    (templates / "dangling.html").symlink_to("nothing.html")
    for _ in range(2):  # cold, then with the cache
        run = run_scorecard(root, "build", "--today", "2026-10-01")
        assert_clean_end(run, 0)
    (templates / "404.html").write_text('{% extends "default/base.html" %}\n{% block content %}'
                                        '{% include "pipe.html" %}{% endblock %}\n')
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 1)
    assert ("themes/ours/templates/404.html:2: error: template error: no template named 'pipe.html' "
            "(or it is not a regular file)") in run.stderr


@pytest.mark.parametrize(("name", "size"), [("static/video.mp4", 20_000_001), ("templates/page.html", 8 << 30)])
def test_a_theme_file_too_large_is_refused_before_it_is_read(tmp_path: Path, name: str, size: int):
    # 20,000,001 bytes is one over the 20 MB limit; 8 GiB (sparse: no disk is used) would take the
    # build's memory if it were read whole, as a static file or a template once was, for the cache's digest.
    root = write_site(tmp_path / "site", SITE)
    big = root / "themes/ours" / name
    big.parent.mkdir(parents=True, exist_ok=True)
    with big.open("wb") as handle:
        handle.truncate(size)
    for command in ("build", "check"):
        run = run_scorecard(root, command, "--today", "2026-10-01")
        assert_clean_end(run, 1)
        assert (f"themes/ours/{name}: error: the file is {size / 1e6:.1f} MB; a theme's file may be 20 MB at most"
                in run.stdout + run.stderr)
    assert not (root / "output").exists()


def test_a_theme_file_of_the_largest_size_is_published(tmp_path: Path):
    root = write_site(tmp_path / "site", SITE)
    (root / "themes/ours/static/big.bin").write_bytes(b"\x00" * 20_000_000)  # exactly the limit
    run = run_scorecard(root, "build", "--today", "2026-10-01")
    assert_clean_end(run, 0)
    assert (root / "output/static/big.bin").stat().st_size == 20_000_000
