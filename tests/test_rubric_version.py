"""Issue 13, point 9: the rubric has a version, and results say which one scored them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from test_history import Repo, forum

from scorecard.core.options import BuildOptions
from scorecard.core.rubric import DEFAULT_RUBRIC_PATH, default_rubric, parse_rubric
from scorecard.pipeline.build import build
from scorecard.source.history import read_history

RUBRIC_V2 = """\
extends: default
version: "2026.2"
sections:
  - id: trust
    items:
      - id: recommend
        weight: 2
"""


def test_version_as_written_else_a_digest_of_the_text() -> None:
    base = default_rubric()
    text = (Path(__file__).parent.parent / "scorecard" / "core" / "rubric.yml").read_text(encoding="utf-8")
    # No version in the shipped rubric: sha256 of its text, first 12 hex digits.
    assert base.version == "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]
    rubric, _ = parse_rubric(RUBRIC_V2, "content/rubric.yml", base)
    assert rubric is not None and rubric.version == "2026.2"
    # Extending without a version: a digest of the base's version, a line end, and this text.
    unversioned = RUBRIC_V2.replace('version: "2026.2"\n', "")
    rubric, _ = parse_rubric(unversioned, "content/rubric.yml", base)
    expected = hashlib.sha256((base.version + "\n" + unversioned).encode()).hexdigest()[:12]
    assert rubric is not None and rubric.version == "sha256:" + expected
    assert DEFAULT_RUBRIC_PATH  # the default rubric is read from the package


def test_history_records_the_version_and_the_trend_marks_the_change(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site")
    repo.write("content/assessments/forum.md", forum(builds_trust='{answer: partly, evidence: "Half."}'))
    repo.commit("Add the forum")
    repo.write("content/rubric.yml", RUBRIC_V2)
    repo.commit("Recommend weighs 2")
    points = read_history(repo.root, repo.root / "content")["forum"]
    # Trust: better_product, return, recommend yes, builds_trust partly (weight 2):
    # before (1 + 1 + 1 + 0.5 × 2) / 5 = 80; after, recommend weighs 2: (1 + 1 + 2 + 1) / 6 = 83.3…: a move.
    assert [p.rubric_version for p in points] == [default_rubric().version, "2026.2"]
    result = build(BuildOptions.at(repo.root, today=dt.date(2026, 2, 1)))
    assert result.ok, [d.format() for d in result.diagnostics]
    page = (repo.root / "output/assessments/forum/index.html").read_text()
    assert "(scored with a changed rubric, version 2026.2)" in page
    assert 'class="trend-rubric"' in page
    data = json.loads((repo.root / "output/scorecard.json").read_text())
    assert data["rubric"]["version"] == "2026.2"
