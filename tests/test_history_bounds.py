"""A history is bounded by the work tree it ends in, not by what a pull request can pack into git.

Thousands of commits each changing a 1 MB assessment, or the rubric (which scores every assessment
again), pack into a few kilobytes. Reading and scoring them all would take the build's memory and
time without end. So history reads the newest commits first, up to a budget of bytes to parse
(`history_budget`), of revisions to score (MAX_PLANNED_SCORES) and of commits (MAX_COMMITS); an
assessment whose earlier history is left out starts "as of" the first commit read, as at a shallow
clone's boundary. The limits are made small here, so that a few commits go past them.

Scores (default rubric, as in test_history): trust all yes, SLATES 3 except Search:
Search 3 → SLATES 18/30 → 0.6·100 + 0.4·60 = 84.0; Search 4 → 19/30 → 60 + 25.33 = 85.3;
Search 5 → 20/30 → 60 + 26.67 = 86.7.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from budget import assert_clean_end, run_scorecard
from test_history import Repo, built, forum, history

from scorecard.source import gitrepo
from scorecard.source import history as history_module


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "site")


def size_of(text: str) -> int:
    return len(text.encode("utf-8"))


def test_past_revisions_beyond_the_byte_budget_are_not_read(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    # Four different revisions (a revision already counted, such as Search 4 again, would cost nothing
    # more: it is parsed once), all of the same length, so a budget of two sizes takes exactly two.
    revisions = [forum(search=search, evidence=f"Seen in the logs {n}.") for n, search in enumerate((3, 4, 5, 4))]
    assert len(set(revisions)) == 4 and len({size_of(text) for text in revisions}) == 1
    shas = []
    for number, text in enumerate(revisions):
        repo.write("content/assessments/forum.md", text)
        shas.append(repo.commit(f"Revision {number + 1}"))
    # The newest two revisions (5, then 4) fit in a budget of twice a revision's size; the other two do not.
    monkeypatch.setattr(history_module, "HISTORY_BYTES", 2 * size_of(revisions[0]))
    monkeypatch.setattr(history_module, "HISTORY_TIMES", 1)
    read: list[str] = []
    real_read_blobs = gitrepo.read_blobs

    def read_blobs(repo_path, blobs, sizes=None):
        read.extend(blobs)
        return real_read_blobs(repo_path, blobs, sizes)

    monkeypatch.setattr(gitrepo, "read_blobs", read_blobs)

    points = history(repo)["forum"]

    assert len(set(read)) == 2  # the two older revisions were never read
    assert [p.sha for p in points] == shas[2:]
    assert [p.overall for p in points] == [Decimal("86.7"), Decimal("85.3")]
    first, second = points
    # The first point read is not the assessment's creation: it is "as of" that commit, its earlier
    # history cut, and it moved nothing.
    assert (first.boundary, first.cut, first.previous, first.moved) == (True, True, None, ())
    assert (second.boundary, second.cut, second.previous) == (False, False, Decimal("86.7"))
    assert second.moved == ("Search 5 → 4", "overall 86.7 → 85.3")


def test_an_assessment_added_after_the_cut_is_created_there(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    repo.write("content/assessments/forum.md", forum(search=3))
    repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=4))
    repo.commit("Search is better")
    repo.write("content/assessments/wiki.md", forum(search=5, title="Wiki"))
    added = repo.commit("Add the wiki")
    # Budget: the wiki's revision and the forum's newest; the forum's first revision is left out.
    monkeypatch.setattr(history_module, "HISTORY_BYTES", size_of(forum(search=4)) + size_of(forum(search=5,
                                                                                                   title="Wiki")))
    monkeypatch.setattr(history_module, "HISTORY_TIMES", 0)

    found = history(repo)

    assert [(p.overall, p.boundary, p.cut) for p in found["forum"]] == [(Decimal("85.3"), True, True)]
    wiki = found["wiki"]
    assert [(p.sha, p.overall, p.boundary, p.cut) for p in wiki] == [(added, Decimal("86.7"), False, False)]


def test_rubric_changes_that_score_everything_again_give_way_oldest_first(repo: Repo,
                                                                            monkeypatch: pytest.MonkeyPatch):
    repo.write("content/assessments/forum.md", forum())
    repo.write("content/assessments/wiki.md", forum(title="Wiki"))
    repo.commit("Add two")  # 2 revisions to score
    for number in range(3):  # each a different rubric: 2 revisions to score again, each time
        repo.write("content/rubric.yml", f"# version {number}\nextends: default\n")
        last = repo.commit(f"Rubric {number}")
    # 2 + 3·2 = 8 revisions planned; with room for 3, the oldest commits give way until 2 are left:
    # only the last rubric change is scored.
    monkeypatch.setattr(history_module, "MAX_PLANNED_SCORES", 3)

    found = history(repo)

    assert set(found) == {"forum", "wiki"}
    for slug in ("forum", "wiki"):
        assert [(p.sha, p.overall, p.boundary, p.cut) for p in found[slug]] == [(last, Decimal("84.0"), True, True)]


def test_only_the_newest_commits_are_read(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    repo.write("content/assessments/forum.md", forum(search=3))
    repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=4))
    repo.commit("Search is better")
    repo.write("content/assessments/forum.md", forum(search=5))
    newest = repo.commit("Search is best")
    monkeypatch.setattr(history_module, "MAX_COMMITS", 2)  # the newest two: git limits, then reverses

    points = history(repo)["forum"]

    # The first of the two is where the forum changed to 4: "as of" it, as it was not added there.
    assert [(p.overall, p.boundary, p.cut) for p in points] == [(Decimal("85.3"), True, True),
                                                                 (Decimal("86.7"), False, False)]
    assert points[1].sha == newest


def test_a_history_within_the_limits_is_read_whole(repo: Repo):
    repo.write("content/assessments/forum.md", forum(search=3))
    first = repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=5))
    repo.commit("Search works now")
    points = history(repo)["forum"]
    assert points[0].sha == first
    assert not any(p.boundary or p.cut for p in points)


def test_the_budget_grows_with_the_work_tree():
    # 256 MB, or 8 times the assessments of the last commit when that is more: 40 MB of them → 320 MB.
    assert history_module.history_budget(1_000_000) == 256_000_000
    assert history_module.history_budget(40_000_000) == 320_000_000


def test_the_page_says_where_the_history_read_starts(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    repo.write("content/assessments/forum.md", forum(search=3))
    repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=5))
    repo.commit("Search works now")
    monkeypatch.setattr(history_module, "MAX_COMMITS", 1)

    page = (built(repo.root) / "assessments/forum/index.html").read_text()

    assert "where the history read starts" in page
    assert "Score as of this date; earlier history is longer than scorecard reads" in page
    assert "not in this clone" not in page  # that is a shallow clone's boundary, not this one


def test_commit_messages_of_any_length_are_read_a_piece_at_a_time(tmp_path: Path):
    # Three commits whose subjects are 40 MB each (a 40 MB line of "x" packs into some 40 KB). git's
    # own width limit (`%<(200,trunc)`) would not do: characters of no width, such as U+0301, pass it.
    # Held whole, git's output and its text took over 300 MB; read as it comes, each subject is cut
    # at 64 KB, and then to the 200 characters a page shows.
    repo = Repo(tmp_path / "site")
    repo.git("config", "core.logAllRefUpdates", "false")  # no reflog: it would copy each subject to disk
    message = tmp_path / "message.txt"
    message.write_text("x" * 40_000_000 + "\u0301" * 1000 + "\n")
    for search in (3, 4, 5):
        repo.write("content/assessments/forum.md", forum(search=search))
        repo.git("add", "-A")
        repo.git("-c", "user.name=Ana Ruiz", "-c", "user.email=a@example.org", "commit", "-q", "-F", str(message))

    run = run_scorecard(repo.root, "build", "--today", "2026-10-01")

    assert_clean_end(run, 0)
    page = (repo.root / "output/assessments/forum/index.html").read_text()
    assert page.count("x" * 199 + "…") == 3 and "x" * 200 not in page  # each of the three revisions
