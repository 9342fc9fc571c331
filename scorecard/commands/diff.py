"""What changed in the scores between two versions of a site: `scorecard diff BASE [HEAD]`.

The core is pure: `diff_snapshots` takes two scored snapshots and a rename map and returns a
`ScoreDiff`; `format_markdown` and `format_json` turn it into text. `read_snapshots` is the I/O
edge: it reads a revision through `gitrepo.files_at` (nothing is checked out) or the working
tree from disk.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from scorecard.commands import ghmarkdown
from scorecard.commands.gate import Condition, Failure, Judged, Outcome, failures
from scorecard.core.assessment import Assessment, Response
from scorecard.core.diagnostics import Diagnostic, json_for_logs, visible
from scorecard.core.rubric import Gate, Rubric, Scale, Section
from scorecard.core.scoring import Scorecard, score_assessment
from scorecard.source import gitrepo
from scorecard.source.content import (
    ASSESSMENTS_DIR,
    Content,
    content_from_files,
    is_assessment_file,
    read_content_files,
    slug_for,
)

WORKING_TREE = "working tree"
RENAME_SIMILARITY = 0.5
"""The share of equal lines above which a removed and an added file are one renamed file (git's default)."""
KINDS = ("added", "removed", "renamed", "changed", "re-scored")
MAX_LENGTH = 60_000
"""The default bound of the Markdown: GitHub refuses a comment over 65,536 characters; the action adds a marker."""


class DiffUsageError(Exception):
    """The diff cannot be made as asked (not a git repository, an unknown revision); exit 2."""


@dataclass(frozen=True)
class Snapshot:
    """One side of a diff: the content as parsed at a revision (or on disk), and its scores."""

    label: str
    """The revision as the user named it, or "working tree"."""
    commit: str | None
    """The commit id, None for the working tree."""
    content: Content | None
    """None when the content could not be read at all (a broken rubric, say)."""
    scores: Mapping[str, Scorecard] = field(default_factory=dict)
    """By slug."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """Each assessment's file text by slug, for rename detection."""
    diagnostics: tuple[Diagnostic, ...] = ()
    invalid: frozenset[str] = frozenset()
    """Slugs of the assessment files with errors on this side: their scores would be wrong, so not compared."""


@dataclass(frozen=True)
class ItemChange:
    """An answer, score or its evidence that moved. A value is None where the item is absent."""

    section: str
    item: str
    old: str | None
    new: str | None
    old_evidence: str
    new_evidence: str
    """The evidence, or the reason of an n/a score."""


@dataclass(frozen=True)
class Score:
    """An assessment's overall result as the site shows it."""

    score: Decimal
    grade: str
    verdict: str
    sections: tuple[tuple[str, Decimal | None], ...] = ()
    """(section id, its score as shown; None when every item is n/a)."""
    gated: bool = False
    """A gate of the rubric decided the verdict."""
    gated_by: str = ""
    """The gate that decided the verdict, as "section.item: answer" ("" when none fired)."""

    @property
    def verdict_shown(self) -> str:
        return f"{self.verdict} ({self.gated_by})" if self.gated_by else self.verdict


@dataclass(frozen=True)
class FieldChange:
    """A front-matter field people see in the diff (title, status, owner) that changed."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AssessmentChange:
    kind: str
    """One of KINDS. "re-scored": only the rubric change moved its score."""
    slug: str
    """The slug at HEAD (at BASE for a removed assessment)."""
    old_slug: str | None
    """The slug at BASE; None for an added assessment."""
    title: str
    old: Score | None
    new: Score | None
    items: tuple[ItemChange, ...] = ()
    rescored: bool = False
    """The rubric change alone moves its score: BASE's answers score differently under HEAD's rubric."""
    fields: tuple[FieldChange, ...] = ()
    body_changed: bool = False
    """The Markdown body differs."""


@dataclass(frozen=True)
class RubricChange:
    """One scoring-relevant difference between the two rubrics."""

    kind: str
    """bands, section added, section removed, section weight, scale, item added, item removed,
    item weight or gate."""
    section: str | None
    item: str | None
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ScoreDiff:
    base: str
    base_commit: str | None
    head: str
    head_commit: str | None
    assessments: tuple[AssessmentChange, ...]
    rubric: tuple[RubricChange, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    """Errors in the content on either side; each path starts with its side's label ("HEAD:content/…")."""
    unreadable: tuple[str, ...] = ()
    """The labels of the sides whose content could not be read at all (a broken rubric)."""
    invalid: tuple[str, ...] = ()
    """Slugs left out because their file has errors on either side."""
    band_min: tuple[tuple[str, Fraction], ...] = ()
    """Each grade's lowest score (HEAD's rubric first, then BASE's), to order grades for the gate."""

    def count(self, kind: str) -> int:
        return sum(1 for change in self.assessments if change.kind == kind)

    @property
    def rescored(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.assessments if c.rescored)


# --- the pure core -------------------------------------------------------------------------

def snapshot(label: str, commit: str | None, files: Mapping[str, bytes], prefix: str) -> Snapshot:
    """Parse and score a content directory given as bytes keyed by path."""
    content, diagnostics = content_from_files(files, prefix)
    # git's own way to name a file at a revision, so a reader knows which side is broken
    errors = tuple(replace(d, path=f"{label}:{d.path}") for d in diagnostics if d.is_error)
    if content is None:
        return Snapshot(label, commit, None, diagnostics=errors)
    scores = {a.slug: score_assessment(content.rubric, a) for a in content.assessments}
    texts = {a.slug: files[a.path].decode("utf-8") for a in content.assessments}
    return Snapshot(label, commit, content, scores, texts, errors, invalid_slugs(diagnostics, prefix))


def invalid_slugs(diagnostics: list[Diagnostic], prefix: str) -> frozenset[str]:
    """The slugs of the assessment files that have errors."""
    folder = f"{prefix}/{ASSESSMENTS_DIR}/" if prefix else f"{ASSESSMENTS_DIR}/"
    paths = {d.path for d in diagnostics if d.is_error and d.path.startswith(folder)}
    return frozenset(slug_for(Path(p[len(folder):])) for p in paths if is_assessment_file(p[len(folder):]))


def find_renames(old: Mapping[str, str], new: Mapping[str, str],
                 threshold: float = RENAME_SIMILARITY) -> dict[str, str]:
    """old slug → new slug for files that vanished under one slug and appeared, similar, under another."""
    gone = [slug for slug in old if slug not in new]
    came = [slug for slug in new if slug not in old]
    pairs = []
    for a in gone:
        for b in came:
            ratio = 1.0 if old[a] == new[b] else difflib.SequenceMatcher(
                None, old[a].splitlines(), new[b].splitlines(), autojunk=False).ratio()
            if ratio >= threshold:
                pairs.append((-ratio, a, b))
    renames: dict[str, str] = {}
    for _, a, b in sorted(pairs):  # best match first; ties broken by name, so the result is stable
        if a not in renames and b not in renames.values():
            renames[a] = b
    return renames


def diff_snapshots(base: Snapshot, head: Snapshot, renames: Mapping[str, str]) -> ScoreDiff:
    """Every assessment added, removed, renamed, changed or re-scored, and the rubric changes.

    An assessment whose file has errors on either side is left out (listed in `invalid`): its
    broken items would score as unanswered and show a change nobody made.
    """
    unreadable = tuple(side.label for side in (base, head) if side.content is None)
    if base.content is None or head.content is None:  # nothing to compare: not "everything added"
        return ScoreDiff(base.label, base.commit, head.label, head.commit, (), (),
                         base.diagnostics + head.diagnostics, unreadable)
    old = {a.slug: a for a in base.content.assessments}
    new = {a.slug: a for a in head.content.assessments}
    rubric_changes = diff_rubrics(base.content.rubric, head.content.rubric)
    pairs = {slug: slug for slug in old if slug in new}
    pairs.update({a: b for a, b in renames.items() if a in old and b in new})
    invalid = set(base.invalid) | set(head.invalid)
    # a file that is broken on one side may be missing from it: not an addition or a removal
    skip_old, skip_new = set(base.invalid) | (old.keys() & invalid), set(head.invalid) | (new.keys() & invalid)
    compared = [(old[a], new[b]) for a, b in pairs.items() if a not in skip_old and b not in skip_new]
    changes = [c for a, b in compared if (c := compare_pair(base, head, a, b, bool(rubric_changes))) is not None]
    changes += added_and_removed(base, head, added=new.keys() - set(pairs.values()) - skip_new,
                                 removed=old.keys() - set(pairs) - skip_old)
    changes.sort(key=lambda c: (c.slug, c.kind))
    bands = {b.grade: b.min for b in base.content.rubric.bands} | {b.grade: b.min for b in head.content.rubric.bands}
    return ScoreDiff(base.label, base.commit, head.label, head.commit, tuple(changes), tuple(rubric_changes),
                     base.diagnostics + head.diagnostics, invalid=tuple(sorted(invalid)),
                     band_min=tuple(bands.items()))


def added_and_removed(base: Snapshot, head: Snapshot, *, added: set[str], removed: set[str]) -> list[AssessmentChange]:
    """The assessments only the head has, and those only the base has, by slug."""
    assert base.content is not None
    assert head.content is not None
    titles = {a.slug: a.title for a in (*base.content.assessments, *head.content.assessments)}
    return ([AssessmentChange("added", slug, None, titles[slug], None, shown(head.scores[slug])) for slug in added]
            + [AssessmentChange("removed", slug, slug, titles[slug], shown(base.scores[slug]), None)
               for slug in removed])


def compare_pair(base: Snapshot, head: Snapshot, a: Assessment, b: Assessment,
                 rubric_changed: bool) -> AssessmentChange | None:
    """How assessment `a` of the base became `b` of the head (renamed, changed or re-scored); None when it
    did not move."""
    assert head.content is not None
    old_slug, new_slug = a.slug, b.slug
    items = diff_items(a, b)
    fields = tuple(FieldChange(f, getattr(a, f), getattr(b, f)) for f in ("title", "status", "owner")
                   if getattr(a, f) != getattr(b, f))
    body_changed = a.body.strip() != b.body.strip()
    before, after = shown(base.scores[old_slug]), shown(head.scores[new_slug])
    rescored = rubric_changed and moved_by_rubric(a, base.scores[old_slug], head.content.rubric)
    if old_slug != new_slug:
        kind = "renamed"
    elif items or fields or body_changed:
        kind = "changed"
    elif before != after or rescored:
        kind = "re-scored"  # the answers are the same, so only the rubric can have moved the score
    else:
        return None
    return AssessmentChange(kind, new_slug, old_slug, b.title, before, after, items, rescored, fields, body_changed)


def gate_failures(diff: ScoreDiff, conditions: tuple[Condition, ...]) -> tuple[Failure, ...]:
    """The assessments of the diff that meet a `--fail-on` condition."""
    def outcome(s: Score | None) -> Outcome | None:
        return Outcome(s.score, s.grade, s.gated) if s else None

    judged = [Judged(c.slug, c.title, outcome(c.old), outcome(c.new)) for c in diff.assessments]
    return failures(judged, conditions, dict(diff.band_min))


def moved_by_rubric(assessment: Assessment, card: Scorecard, rubric: Rubric) -> bool:
    """Whether the same answers get another score, grade or verdict under `rubric`."""
    try:
        return shown(score_assessment(rubric, assessment)) != shown(card)
    except (KeyError, ValueError, ZeroDivisionError):  # an answer the new scale no longer has
        return True


def shown(card: Scorecard) -> Score:
    fired = card.gated_by  # a gated verdict says which answer decided it
    return Score(card.shown, card.grade, card.verdict, tuple((s.section, s.shown) for s in card.sections),
                 card.gate is not None, f"{fired.section}.{fired.item}: {fired.answer}" if fired else "")


def diff_items(old: Assessment, new: Assessment) -> tuple[ItemChange, ...]:
    """The items whose answer or evidence differs, in the order the files give them."""
    keys = list(dict.fromkeys([(r.section, r.item) for r in old.responses + new.responses]))
    changes = []
    for section, item in keys:
        before, after = old.response(section, item), new.response(section, item)
        a, b = response_value(before), response_value(after)
        ea, eb = response_evidence(before), response_evidence(after)
        if a != b or ea != eb:
            changes.append(ItemChange(section, item, a, b, ea, eb))
    return tuple(changes)


def response_value(response: Response | None) -> str | None:
    """The answer or score as written; "unknown" when unanswered; None when the item is not there."""
    if response is None or response.missing:
        return None
    return "unknown" if response.value is None else str(response.value)


def response_evidence(response: Response | None) -> str:
    if response is None:
        return ""
    return response.reason if response.is_na else response.evidence


def describe_gate(gate: Gate | None) -> str | None:
    """A gate as the rubric diff shows it: the answer that trips it and the verdict it gives."""
    return f"{gate.when} → {gate.verdict}" if gate else None


def diff_rubrics(old: Rubric, new: Rubric) -> list[RubricChange]:
    """Differences that can move a score: bands, sections, scales, weights, items and gates."""
    changes = []
    if old.bands != new.bands:
        changes.append(RubricChange("bands", None, None, describe_bands(old), describe_bands(new)))
    new_ids = {s.id for s in new.sections}
    changes.extend(RubricChange("section removed", section.id, None, section.title, None)
                   for section in old.sections if section.id not in new_ids)
    for section in new.sections:
        before = old.section(section.id)
        if before is None:
            changes.append(RubricChange("section added", section.id, None, None, section.title))
        else:
            changes += diff_section(before, section)
    return changes


def diff_section(before: Section, section: Section) -> list[RubricChange]:
    """Differences in a section both rubrics have: its weight and scale, its items' weights and gates."""
    changes = []
    if before.weight != section.weight:
        changes.append(RubricChange("section weight", section.id, None, number(before.weight),
                                    number(section.weight)))
    if before.scale != section.scale:
        changes.append(RubricChange("scale", section.id, None, describe_scale(before.scale),
                                    describe_scale(section.scale)))
    changes.extend(RubricChange("item removed", section.id, item.id, item.title, None)
                   for item in before.items if section.item(item.id) is None)
    for item in section.items:
        was = before.item(item.id)
        if was is None:
            changes.append(RubricChange("item added", section.id, item.id, None, item.title))
            continue
        if was.weight != item.weight:
            changes.append(RubricChange("item weight", section.id, item.id, number(was.weight),
                                        number(item.weight)))
        if was.gate != item.gate:
            changes.append(RubricChange("gate", section.id, item.id, describe_gate(was.gate),
                                        describe_gate(item.gate)))
    return changes


def number(value: Fraction) -> str:
    """A weight as people write it: 2, 0.6, or 1/3 when no short decimal is exact."""
    for places in range(7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return str(Decimal(scaled.numerator).scaleb(-places))
    return str(value)


def describe_bands(rubric: Rubric) -> str:
    return ", ".join(f"{b.grade} ≥ {number(b.min)}" + (f" ({b.verdict})" if b.verdict else "") for b in rubric.bands)


def describe_scale(scale: Scale) -> str:
    if scale.is_choice:
        text = ", ".join(f"{name} = {number(value)}" for name, value in scale.choices)
    else:
        text = f"{scale.min}–{scale.max}"
    return text + (", n/a allowed" if scale.allow_na else "")


# --- formatting ----------------------------------------------------------------------------

def summary(diff: ScoreDiff, escape: Callable[[str], str] = str) -> str:
    """The one-line summary that heads both formats; `escape` is applied to the revision names."""
    base = escape(diff.base)
    head = "the working tree" if diff.head == WORKING_TREE else escape(diff.head)
    if diff.unreadable:
        sides = " and ".join("the working tree" if s == WORKING_TREE else escape(s) for s in diff.unreadable)
        return f"The content at {sides} could not be read (see the errors): no scores to compare."
    n = len(diff.assessments)
    if not n and not diff.rubric:
        text = f"No score changes between {base} and {head}."
        return text[:-1] + f" ({len(diff.invalid)} with errors not compared)." if diff.invalid else text
    parts = [f"{diff.count(kind)} {kind}" for kind in KINDS if diff.count(kind)]
    text = f"{n} assessment{'s' if n != 1 else ''} changed between {base} and {head}"
    text += ": " + ", ".join(parts) if parts else ""
    if diff.rubric:
        text += f"; the rubric changed ({len(diff.rubric)} change{'s' if len(diff.rubric) != 1 else ''})"
    if diff.invalid:
        text += f"; {len(diff.invalid)} with errors not compared"
    return text + "."


ERRORS_SHOWN = 50
"""Errors listed at the top of the Markdown; the rest are counted (all are on stderr and in the JSON)."""


def format_markdown(diff: ScoreDiff, gate: tuple[Failure, ...] = (), max_length: int = MAX_LENGTH) -> str:
    """A pull-request comment: errors first, a summary line, the gate, a table, details per assessment.

    Everything authors wrote is escaped (`ghmarkdown`), and the text stays under `max_length`
    characters: past the budget it ends by saying how many more assessments changed.
    """
    head = [*errors_markdown(diff), summary(diff, ghmarkdown.inline), *gate_markdown(gate)]
    rubric = rubric_markdown(diff)
    blocks = [(table_row(c), details(c)) for c in diff.assessments]
    table = ["", "| assessment | score | grade | verdict |", "|---|---|---|---|"] if blocks else []
    budget = max_length - length(head + table + rubric) - 400  # 400: room for the closing line
    shown_rows, shown_details = [], []
    for row, block in blocks:
        cost = len(row) + 1 + length(block)
        if cost > budget:
            break
        budget -= cost
        shown_rows.append(row)
        shown_details += block
    lines = head + table + shown_rows + shown_details + rubric
    left_out = len(blocks) - len(shown_rows)
    if length(lines) > max_length - 400:  # the head or the rubric alone is too long: cut it, whatever it breaks
        lines = ["\n".join(lines)[:max_length - 400] + "…"]
    if left_out:
        lines += ["", (f"**{left_out} more assessment{'s' if left_out != 1 else ''} changed**, not shown to keep "
                       f"this under {max_length:,} characters: the job's step summary lists them all, and so does "
                       "`scorecard diff --format json`.")]
    # Each line one line, with no escape sequence, whatever the values hold: the comment is also printed
    # to a terminal or a CI log.
    return "\n".join(visible(line) for line in "\n".join(lines).split("\n")) + "\n"


def length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def errors_markdown(diff: ScoreDiff) -> list[str]:
    """The errors of either side, first: the scores of those files are not compared."""
    if not diff.diagnostics:
        return []
    n = len(diff.diagnostics)
    lines = [(f"**{n} error{'s' if n != 1 else ''}**: the files named below are not scored or compared until "
              "they are fixed."), ""]
    lines += [f"- {ghmarkdown.inline(clip(d.format()))}" for d in diff.diagnostics[:ERRORS_SHOWN]]
    if n > ERRORS_SHOWN:
        lines.append(f"- … and {n - ERRORS_SHOWN} more (`scorecard check` lists them all)")
    return [*lines, ""]


def gate_markdown(gate: tuple[Failure, ...]) -> list[str]:
    if not gate:
        return []
    lines = ["", f"**Check failed** (`--fail-on`): {len(gate)} condition{'s' if len(gate) != 1 else ''} met.", ""]
    return lines + [f"- `{f.condition}`: {ghmarkdown.inline(clip(f.title))} ({ghmarkdown.inline(f.slug)}): "
                    f"{ghmarkdown.inline(f.why)}" for f in gate[:ERRORS_SHOWN]] + (
        [f"- … and {len(gate) - ERRORS_SHOWN} more (`--format json` lists them all)"] if len(gate) > ERRORS_SHOWN
        else [])


CLIP = 300
"""Characters of an error or a title kept at the top of the Markdown, so that no one value can fill the comment."""


def clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def table_row(c: AssessmentChange) -> str:
    return "| " + " | ".join((
        name(c), scores(c),
        ghmarkdown.inline(arrow(c.old.grade if c.old else None, c.new.grade if c.new else None)),
        ghmarkdown.inline(arrow(c.old.verdict_shown if c.old else None,
                                c.new.verdict_shown if c.new else None)))) + " |"


def details(c: AssessmentChange) -> list[str]:
    """What moved in one assessment, folded in a `<details>` block; nothing when there is nothing to show."""
    lines = []
    if c.old and c.new:
        old_sections = dict(c.old.sections)
        moved = [f"{ghmarkdown.inline(section)} {value(old_sections.get(section))} → {value(score)}"
                 for section, score in c.new.sections
                 if section in old_sections and old_sections[section] != score]
        if moved:
            lines.append("- sections: " + "; ".join(moved))
    lines.extend(f"- {f.field}: {quote(f.old)} → {quote(f.new)}" for f in c.fields)
    for i in c.items:
        text = f"- {item_name(i.section, i.item)}"
        if i.old != i.new:
            text += f": {ghmarkdown.inline(value(i.old))} → {ghmarkdown.inline(value(i.new))}"
        lines.append(text)
        if i.old_evidence != i.new_evidence:
            lines.append(f"  - evidence: {quote(i.old_evidence)} → {quote(i.new_evidence)}")
    if c.body_changed:
        lines.append("- the text below the front matter changed" + ("" if c.items else " (the body only)"))
    if not lines:
        return []
    return ["", f"<details><summary>{ghmarkdown.html(c.title)}: {ghmarkdown.html(scores(c))}</summary>", "",
            *lines, "", "</details>"]


def rubric_markdown(diff: ScoreDiff) -> list[str]:
    if not diff.rubric:
        return []
    lines = ["", "**Rubric changes**", ""]
    for r in diff.rubric:
        where = ".".join(x for x in (r.section, r.item) if x)
        lines.append(f"- {r.kind}" + (f" {item_name(where)}" if where else "") +
                     f": {ghmarkdown.inline(value(r.old))} → {ghmarkdown.inline(value(r.new))}")
    rescored = ", ".join(ghmarkdown.inline(slug) for slug in diff.rescored) or "none"
    lines.append(f"- re-scored by the rubric change: {rescored}")
    return lines


_PLAIN_ID = re.compile(r"[A-Za-z0-9_.-]+")


def item_name(*parts: str) -> str:
    """A rubric id as code when it is a plain id; otherwise escaped text (ids come from the site's rubric)."""
    text = ".".join(parts)
    return f"`{text}`" if _PLAIN_ID.fullmatch(text) else ghmarkdown.inline(text)


def name(c: AssessmentChange) -> str:
    """The table's first cell: the title, then the slug and what happened in small print."""
    slug = ghmarkdown.inline(c.slug)
    if c.kind == "renamed":
        slug = f"{ghmarkdown.inline(c.old_slug or '')} → {slug}"
    return f"{ghmarkdown.inline(c.title)}<br><sub>{slug} · {c.kind}</sub>"


def scores(c: AssessmentChange) -> str:
    return arrow(str(c.old.score) if c.old else None, str(c.new.score) if c.new else None)


def arrow(old: str | None, new: str | None) -> str:
    if old == new:
        return old or "—"
    return f"{old or '—'} → {new or '—'}"


def value(text: object) -> str:
    return "—" if text is None else str(text)


def quote(text: str) -> str:
    return f"“{ghmarkdown.inline(text)}”" if text else "(none)"


def to_json(diff: ScoreDiff, gate: tuple[Failure, ...] = ()) -> dict[str, Any]:
    """The diff as plain data; the shape is documented in docs/diff.md."""
    def score(s: Score | None) -> dict[str, str | None] | None:
        return {"score": str(s.score), "grade": s.grade, "verdict": s.verdict,
                "gated_by": s.gated_by or None} if s else None

    return {
        "base": {"revision": diff.base, "commit": diff.base_commit},
        "head": {"revision": diff.head, "commit": diff.head_commit},
        "summary": summary(diff),
        "counts": {kind: diff.count(kind) for kind in KINDS},
        "assessments": [
            {"kind": c.kind, "slug": c.slug, "old_slug": c.old_slug, "title": c.title,
             "old": score(c.old), "new": score(c.new), "rescored": c.rescored,
             "items": [{"section": i.section, "item": i.item, "old": i.old, "new": i.new,
                        "old_evidence": i.old_evidence, "new_evidence": i.new_evidence} for i in c.items]}
            for c in diff.assessments
        ],
        "rubric": {
            "changes": [{"kind": r.kind, "section": r.section, "item": r.item, "old": r.old, "new": r.new}
                        for r in diff.rubric],
            "rescored": list(diff.rescored),
        },
        "problems": [d.format() for d in diff.diagnostics],
        "unreadable": list(diff.unreadable),
        "invalid": list(diff.invalid),
        "failed": [{"condition": str(f.condition), "slug": f.slug, "why": f.why} for f in gate],
    }


def format_json(diff: ScoreDiff, gate: tuple[Failure, ...] = ()) -> str:
    return json_for_logs(json.dumps(to_json(diff, gate), indent=2, ensure_ascii=False)) + "\n"


# --- reading git and disk ------------------------------------------------------------------

def read_snapshots(site_root: Path, base: str, head: str | None,
                   content_dir: Path | None = None) -> tuple[Snapshot, Snapshot]:
    """The site's content at `base` and at `head` (the working tree when None)."""
    repo = gitrepo.repo_root(site_root)
    if repo is None:
        raise DiffUsageError(f"{site_root} is not inside a git repository")
    if not gitrepo.has_commits(repo):
        raise DiffUsageError("the git repository has no commits yet: there is nothing to compare with")
    content_dir = content_dir or site_root / "content"
    try:
        prefix = content_dir.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        raise DiffUsageError(f"{content_dir} is not inside the repository at {repo}") from None
    try:
        base_commit = gitrepo.resolve(repo, base)
        head_commit = gitrepo.resolve(repo, head) if head is not None else None
        old = snapshot(base, base_commit, gitrepo.files_at(repo, base_commit, prefix), prefix)
        if head is None or head_commit is None:  # no head revision (then no commit either): the working tree
            files, problems = read_content_files(content_dir, prefix)
            new = snapshot(WORKING_TREE, None, files, prefix)
            new = replace(new, diagnostics=tuple(problems) + new.diagnostics)
        else:
            new = snapshot(head, head_commit, gitrepo.files_at(repo, head_commit, prefix), prefix)
    except gitrepo.GitError as exc:
        raise DiffUsageError(str(exc)) from None
    return old, new


def diff_site(site_root: Path, base: str, head: str | None = None, content_dir: Path | None = None) -> ScoreDiff:
    """Read both sides, follow renames and diff them (`content_dir` defaults to `site_root`/content)."""
    old, new = read_snapshots(site_root, base, head, content_dir)
    return diff_snapshots(old, new, find_renames(old.texts, new.texts))
