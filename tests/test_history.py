"""Score history from git, the Changes page and feed, and staleness.

Every repository here is a scratch one in tmp_path, committed with fixed names and dates. Scores
are worked out by hand with the default rubric: trust weight 0.6 (builds_trust counts twice, so
its section divides by 5), SLATES weight 0.4 (six criteria of weight 1, scores out of 5).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import assessment_text, parse

from scorecard.core.options import BuildOptions
from scorecard.core.staleness import staleness
from scorecard.pipeline.build import build
from scorecard.source.history import read_history

ATOM = "{http://www.w3.org/2005/Atom}"
YES = '{answer: "yes", evidence: "Seen in the survey."}'
PARTLY = '{answer: partly, evidence: "Half of them."}'


def forum(search: int = 3, builds_trust: str = YES, evidence: str = "Seen in the logs.", title: str = "Forum",
          extra: str = "") -> str:
    """Trust all yes unless told; every SLATES criterion 3 except Search."""
    slates = {key: f"{{score: {search if key == 'search' else 3}, evidence: \"{evidence}\"}}"
              for key in ("search", "links", "authorship", "tags", "extensions", "signals")}
    trust = {"better_product": YES, "return": YES, "recommend": YES, "builds_trust": builds_trust}
    return assessment_text(title=title, trust=trust, slates=slates, extra=extra)


class Repo:
    """A scratch git repository holding a site, committed with fixed authors and dates."""

    def __init__(self, root: Path):
        self.root = root
        self.day = 0
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True, check=True,
                                env={**os.environ, **(env or {})})
        return result.stdout

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str, author: str = "Ana Ruiz") -> str:
        """Commit everything, one day after the previous commit (from 2026-01-01 at 10:00 UTC)."""
        self.day += 1
        when = f"2026-01-{self.day:02d}T10:00:00+00:00"
        self.git("add", "-A")
        self.git("-c", f"user.name={author}", "-c", "user.email=a@example.org", "commit", "-q", "-m", message,
                 env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "site")


def history(repo: Repo):
    return read_history(repo.root, repo.root / "content")


# -- the history itself ------------------------------------------------------------------------

def test_three_changes_give_three_points_with_what_moved(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    first = repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=5))
    second = repo.commit("Search works now", author="Tom Becker")
    repo.write("content/assessments/forum.md", forum(search=5, evidence="Seen in the logs, again."))
    repo.commit("Reword the evidence")  # no score moved: not a point
    repo.write("content/assessments/forum.md", forum(search=5, builds_trust=PARTLY))
    fourth = repo.commit("Trust is only partly built")

    points = history(repo)["forum"]
    # 1: trust 100, SLATES 18/30 = 60 → 0.6·100 + 0.4·60 = 84.0
    # 2: SLATES 20/30 → 60 + 0.4·200/3 = 86.67 → 86.7
    # 4: trust (1+1+1+0.5·2)/5 = 80 → 48 + 26.67 = 74.67 → 74.7
    assert [p.sha for p in points] == [first, second, fourth]
    assert [p.overall for p in points] == [Decimal("84.0"), Decimal("86.7"), Decimal("74.7")]
    assert [p.previous for p in points] == [None, Decimal("84.0"), Decimal("86.7")]
    assert [p.grade for p in points] == ["Strong", "Strong", "Promising"]
    assert points[0].moved == ()
    assert points[1].moved == ("Search 3 → 5", "overall 84.0 → 86.7")
    assert points[2].moved == ("Builds trust yes → partly", "overall 86.7 → 74.7")
    assert (points[1].author, points[1].subject, points[1].short) == ("Tom Becker", "Search works now", second[:7])
    assert points[1].date == dt.datetime(2026, 1, 2, 10, tzinfo=dt.UTC)


def test_a_rename_keeps_the_history(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    first = repo.commit("Add the forum")
    repo.git("mv", "content/assessments/forum.md", "content/assessments/community.md")
    repo.commit("Rename the forum")
    repo.write("content/assessments/community.md", forum(search=5))
    third = repo.commit("Search works now")

    found = history(repo)
    assert set(found) == {"community"}
    assert [p.sha for p in found["community"]] == [first, third]
    assert found["community"][1].moved == ("Search 3 → 5", "overall 84.0 → 86.7")


def test_a_deleted_assessment_has_no_history(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    repo.write("content/assessments/wiki.md", forum(title="Wiki"))
    repo.commit("Add two")
    (repo.root / "content/assessments/wiki.md").unlink()
    repo.commit("Drop the wiki")
    assert set(history(repo)) == {"forum"}


def test_a_rubric_change_rescores_every_assessment(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    repo.commit("Add the forum")
    repo.write("content/rubric.yml", "extends: default\nsections:\n  - id: slates\n    weight: 0.6\n")
    second = repo.commit("SLATES count as much as trust")

    points = history(repo)["forum"]
    # (0.6·100 + 0.6·60) / 1.2 = 80.0: nothing in the file moved, the overall did
    assert [p.overall for p in points] == [Decimal("84.0"), Decimal("80.0")]
    assert points[1].sha == second
    assert points[1].moved == ("overall 84.0 → 80.0",)


def test_a_revision_that_does_not_parse_is_skipped(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", "---\ntitle: [broken\n---\n")
    repo.commit("Break it")
    repo.write("content/assessments/forum.md", forum(search=5))
    repo.commit("Fix it")
    points = history(repo)["forum"]
    assert [p.subject for p in points] == ["Add the forum", "Fix it"]
    assert points[1].moved == ("Search 3 → 5", "overall 84.0 → 86.7")


def test_uncommitted_changes_are_not_history(repo: Repo):
    repo.write("content/assessments/forum.md", forum())
    repo.commit("Add the forum")
    repo.write("content/assessments/forum.md", forum(search=5))
    assert [p.overall for p in history(repo)["forum"]] == [Decimal("84.0")]


# -- the build, with and without git ------------------------------------------------------------

def built(root: Path, **options) -> Path:
    chosen = BuildOptions.at(root, **{"today": dt.date(2026, 2, 1), **options})
    result = build(chosen)
    assert result.ok, [d.format() for d in result.diagnostics]
    return chosen.output_dir


def test_no_commits_and_no_repository_build_without_history(repo: Repo, tmp_path: Path):
    repo.write("content/assessments/forum.md", forum())
    out = built(repo.root)  # a repository with no commits
    page = (out / "assessments/forum/index.html").read_text()
    assert 'class="trend"' not in page and "Score over time" not in page
    assert "No score changes to show" in (out / "changes/index.html").read_text()
    assert not (out / "changes.xml").exists()

    plain = tmp_path / "plain"
    (plain / "content/assessments").mkdir(parents=True)
    (plain / "content/assessments/forum.md").write_text(forum())
    out = built(plain)
    assert "Score over time" not in (out / "assessments/forum/index.html").read_text()
    assert "No score changes to show" in (out / "changes/index.html").read_text()


@pytest.fixture
def two_histories(repo: Repo) -> Repo:
    repo.write("content/assessments/forum.md", forum())
    repo.commit("Add the forum")                                           # 01-01 forum 84.0
    repo.write("content/assessments/wiki.md", forum(title="Wiki", search=0))
    repo.commit("Add the wiki", author="Tom Becker")                       # 01-02 wiki: SLATES 15/30 → 60 + 20 = 80.0
    repo.write("content/assessments/forum.md", forum(search=5))
    repo.commit("Search works now")                                        # 01-03 forum 84.0 → 86.7
    repo.write("content/assessments/wiki.md", forum(title="Wiki", search=0, builds_trust=PARTLY))
    repo.commit("Trust is only partly built", author="Tom Becker")         # 01-04 wiki: 48 + 20 = 68.0
    return repo


def test_assessment_page_shows_the_trend_and_the_revisions(two_histories: Repo):
    page = (built(two_histories.root) / "assessments/forum/index.html").read_text()
    svg = re.search(r'<svg class="trend".*?</svg>', page, re.DOTALL)
    assert svg
    assert re.search(r"<title[^>]*>Overall score of Forum over 2 revisions</title>", svg.group())
    assert re.search(r"<desc[^>]*>2026-01-01 \(\w{7}\): 84.0; 2026-01-03 \(\w{7}\): 86.7</desc>", svg.group())
    assert svg.group().count("<circle") == 2
    table = re.search(r'<table class="revisions">.*?</table>', page, re.DOTALL).group()
    rows = re.findall(r"<tr>.*?</tr>", table.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == 2
    assert "2026-01-03" in rows[0] and "Search works now" in rows[0] and "Search 3 → 5; overall 84.0 → 86.7" in rows[0]
    assert "2026-01-01" in rows[1] and "Ana Ruiz" in rows[1] and "First scored" in rows[1]


def test_changes_page_lists_changes_newest_first(two_histories: Repo):
    page = (built(two_histories.root) / "changes/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="../changes.xml"' in page
    rows = re.findall(r"<tr>.*?</tr>", page.split("<tbody>")[1], re.DOTALL)
    dates = [re.search(r"\d{4}-\d\d-\d\d", row).group() for row in rows]
    assert dates == ["2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"]
    assert "Wiki" in rows[0] and "80.0 → " in rows[0] and "68.0" in rows[0] and "Tom Becker" in rows[0]
    assert "Forum" in rows[1] and "84.0 → " in rows[1] and "86.7" in rows[1]
    assert "Builds trust yes → partly" in rows[0]


def test_changes_feed_is_atom(two_histories: Repo):
    out = built(two_histories.root)
    feed = ET.parse(out / "changes.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2026-01-04T10:00:00+00:00"
    assert feed.findtext(f"{ATOM}id").startswith("urn:uuid:")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title") == "Wiki: 80.0 → 68.0 (Promising)"
    assert newest.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Tom Becker"
    assert newest.find(f"{ATOM}link").get("href") == "assessments/wiki/index.html"
    assert (out / newest.find(f"{ATOM}link").get("href")).is_file()


def test_deleted_assessment_is_not_on_the_changes_page(two_histories: Repo):
    (two_histories.root / "content/assessments/wiki.md").unlink()
    two_histories.commit("Drop the wiki")
    out = built(two_histories.root)
    assert "Wiki" not in (out / "changes/index.html").read_text()
    assert len(ET.parse(out / "changes.xml").getroot().findall(f"{ATOM}entry")) == 2


def test_two_builds_of_a_repository_are_byte_identical(two_histories: Repo, tmp_path: Path):
    one = built(two_histories.root, output_dir=tmp_path / "one")
    two = built(two_histories.root, output_dir=tmp_path / "two")
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files and all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


# -- staleness ----------------------------------------------------------------------------------

def test_staleness_by_review_date_and_by_age():
    reviewed = parse(assessment_text(extra="review_by: 2027-03-01"))  # dated 2026-09-14
    assert staleness(reviewed, dt.date(2027, 3, 1), 365) is None  # due today is not yet overdue
    assert staleness(reviewed, dt.date(2027, 3, 2), 365) == "the review was due on 2027-03-01"
    plain = parse(assessment_text())
    # 2026-09-14 + 365 days = 2027-09-14
    assert staleness(plain, dt.date(2027, 9, 14), 365) is None
    assert staleness(plain, dt.date(2027, 9, 15), 365) == "assessed on 2026-09-14, 366 days ago (more than 365)"
    assert staleness(plain, dt.date(2026, 10, 15), 30) == "assessed on 2026-09-14, 31 days ago (more than 30)"


def test_review_due_mark_on_page_and_leaderboard(tmp_path: Path):
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    (root / "content/assessments/due.md").write_text(forum(title="Due", extra="review_by: 2026-10-01"))
    (root / "content/assessments/fresh.md").write_text(forum(title="Fresh"))
    out = built(root, today=dt.date(2026, 10, 2))
    assert "Review due" in (out / "assessments/due/index.html").read_text()
    assert "Review due" not in (out / "assessments/fresh/index.html").read_text()
    leaderboard = re.search(r'<table class="leaderboard">.*?</table>', (out / "index.html").read_text(),
                            re.DOTALL).group()
    rows = {re.search(r">(\w+)</a>", row).group(1): row
            for row in re.findall(r"<tr[^>]*>.*?</tr>", leaderboard.split("<tbody>")[1], re.DOTALL)}
    assert "Review due" in rows["Due"] and "Review due" not in rows["Fresh"]
    out = built(root, today=dt.date(2026, 10, 2), stale_after_days=10, output_dir=tmp_path / "strict")
    assert "Review due" in (out / "assessments/fresh/index.html").read_text()  # 18 days old


def test_build_and_check_agree_on_review_dates(tmp_path: Path):
    # review_by 2026-10-01 is passed on 2026-10-02: a warning in both; --strict makes it an error in both.
    root = tmp_path / "site"
    (root / "content/assessments").mkdir(parents=True)
    (root / "content/assessments/due.md").write_text(forum(title="Due", extra="review_by: 2026-10-01"))
    lenient = build(BuildOptions.at(root, today=dt.date(2026, 10, 2)))
    assert lenient.ok and [d.message for d in lenient.diagnostics] == ["review due: the review was due on 2026-10-01"]
    strict = build(BuildOptions.at(root, today=dt.date(2026, 10, 2), strict=True, output_dir=tmp_path / "strict"))
    assert not strict.ok and not (tmp_path / "strict").exists()


def test_a_new_commit_reaches_a_build_through_the_cache(two_histories: Repo, tmp_path: Path):
    built(two_histories.root)
    assert "Search slipped" not in (two_histories.root / "output/changes/index.html").read_text()
    two_histories.write("content/assessments/forum.md", forum(search=4))
    two_histories.commit("Search slipped")  # 01-05: the history the cache holds is of 01-04's HEAD
    out = built(two_histories.root)
    assert "Search slipped" in (out / "changes/index.html").read_text()
    cold = built(two_histories.root, output_dir=tmp_path / "cold", cache=False)
    files = sorted(p.relative_to(cold) for p in cold.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert [f for f in files if (out / f).read_bytes() != (cold / f).read_bytes()] == []


# -- shallow clones ---------------------------------------------------------------------------

def shallow_clone(repo: Repo, tmp_path: Path, depth: int) -> Path:
    clone = tmp_path / "clone"
    # file:// so that git honours --depth (a local path copies the whole object store)
    subprocess.run(["git", "clone", "-q", "--depth", str(depth), f"file://{repo.root}", str(clone)],
                   capture_output=True, check=True)
    return clone


def test_a_shallow_clone_credits_no_commit_with_a_change_it_did_not_make(two_histories: Repo, tmp_path: Path):
    # depth 2 keeps 01-03 "Search works now" (Ana Ruiz; touches forum only) and 01-04 (Tom Becker; wiki 80.0 → 68.0).
    clone = shallow_clone(two_histories, tmp_path, depth=2)
    points = read_history(clone, clone / "content")
    [forum_point] = points["forum"]
    # 01-03 is the boundary: git shows forum and wiki as added there, but it made neither
    assert forum_point.boundary and forum_point.overall == Decimal("86.7") and forum_point.previous is None
    as_of, change = points["wiki"]
    assert as_of.boundary and as_of.overall == Decimal("80.0")
    # SLATES 15/30 = 50; trust (1+1+1+0.5×2)/5 = 80 → 0.6×80 + 0.4×50 = 68.0
    assert not change.boundary and change.author == "Tom Becker" and (change.previous, change.overall) == (
        Decimal("80.0"), Decimal("68.0"))

    out = built(clone)
    changes = (out / "changes/index.html").read_text()
    rows = re.findall(r"<tr>.*?</tr>", changes.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == 1 and "Tom Becker" in rows[0] and "2026-01-04" in rows[0]
    assert "Ana Ruiz" not in changes and "First scored" not in changes
    wiki = (out / "assessments/wiki/index.html").read_text()
    table = re.search(r'<table class="revisions">.*?</table>', wiki, re.DOTALL).group()
    assert "First scored" not in table and "Ana Ruiz" not in table and "Search works now" not in table
    assert re.search(r"as of <time[^>]*>2026-01-03</time>", table)


def test_a_full_clone_still_says_first_scored(two_histories: Repo, tmp_path: Path):
    clone = shallow_clone(two_histories, tmp_path, depth=10)  # deeper than the history: not shallow
    assert not any(p.boundary for line in read_history(clone, clone / "content").values() for p in line)
    assert "First scored" in (built(clone) / "changes/index.html").read_text()


def test_build_check_and_diff_warn_once_in_a_shallow_clone(two_histories: Repo, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from scorecard.commands.cli import main

    clone = shallow_clone(two_histories, tmp_path, depth=1)
    monkeypatch.chdir(clone)
    for args in (["build", "--out", str(tmp_path / "out")], ["check"], ["diff", "HEAD"]):
        result = CliRunner().invoke(main, args)
        assert result.stderr.count("shallow clone") == 1, (args, result.stderr)
        assert "git fetch --unshallow" in result.stderr
    monkeypatch.chdir(two_histories.root)
    assert "shallow" not in CliRunner().invoke(main, ["check"]).stderr
