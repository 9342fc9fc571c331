"""Issue 13, point 10: old addresses keep working, from `aliases` and from renames in git history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import write_site
from test_history import Repo, forum

from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build, check
from scorecard.source.history import read_history


def built(root: Path) -> Path:
    result = build(BuildOptions.at(root, today=dt.date(2026, 2, 1)))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "output"


def test_every_git_rename_leaves_a_redirect(tmp_path: Path) -> None:
    # forum.md → community.md (a rename with no change) → support/community.md (with a change):
    # two old addresses, both sent to the page of the file as it is now.
    repo = Repo(tmp_path / "site")
    repo.write("content/assessments/forum.md", forum())
    repo.commit("Add the forum")
    repo.git("mv", "content/assessments/forum.md", "content/assessments/community.md")
    repo.commit("Rename the forum")
    (repo.root / "content/assessments/support").mkdir()
    repo.git("mv", "content/assessments/community.md", "content/assessments/support/community.md")
    repo.write("content/assessments/support/community.md", forum(search=5))
    repo.commit("Move it under support; search works now")
    assert read_history(repo.root,
                        repo.root / "content")["support/community"][-1].former_slugs == ("forum", "community")

    out = built(repo.root)
    # assessments/forum/index.html is two folders deep: ../../ leads back to the site root.
    old = (out / "assessments/forum/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../assessments/support/community/index.html">' in old
    assert '<link rel="canonical" href="../../assessments/support/community/index.html">' in old
    assert '<a href="../../assessments/support/community/index.html">Forum</a>' in old  # a visible link too
    assert "../../assessments/support/community/index.html" in (out / "assessments/community/index.html").read_text()


def test_a_new_file_under_an_old_name_keeps_its_address(tmp_path: Path) -> None:
    # wiki.md is renamed to intranet.md, then a new wiki.md is added: /assessments/wiki/ is the new one's.
    repo = Repo(tmp_path / "site")
    repo.write("content/assessments/wiki.md", forum(title="Wiki"))
    repo.commit("Add the wiki")
    repo.git("mv", "content/assessments/wiki.md", "content/assessments/intranet.md")
    repo.write("content/assessments/wiki.md", forum(title="New wiki", search=1))
    repo.commit("The old wiki is the intranet now; a new wiki")
    out = built(repo.root)
    assert "<h1>New wiki</h1>" in (out / "assessments/wiki/index.html").read_text()


def test_aliases_redirect_and_may_not_take_a_live_address(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "content/assessments/forum.md": forum(extra="aliases: [customer-forum, Old Forum]"),
        "content/assessments/wiki.md": forum(title="Wiki"),
    })
    out = built(root)
    # 'Old Forum' is slugified as a file name would be: old-forum.
    for old in ("customer-forum", "old-forum"):
        assert "../../assessments/forum/index.html" in (out / f"assessments/{old}/index.html").read_text()
    write_site(root,
               {"content/assessments/wiki.md": forum(title="Wiki", extra="aliases:\n  - forum\n  - customer-forum")})
    diagnostics = list(check(BuildOptions.at(root, today=dt.date(2026, 2, 1))).diagnostics)
    # assessment_text: ---, title, date, then the extra lines: aliases: (4), - forum (5), - customer-forum (6).
    assert [(d.path, d.line, d.message) for d in diagnostics if d.is_error] == [
        ("content/assessments/wiki.md", 5, "alias 'forum' is the address of a live assessment"),
        ("content/assessments/wiki.md", 6, "alias 'customer-forum' is also an alias of content/assessments/forum.md"),
    ]
