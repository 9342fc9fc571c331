"""An assessment: one initiative's front matter and body, parsed and checked against the rubric.

`parse_assessment` is pure: it takes the file's text and returns the Assessment with every
problem found as a Diagnostic. Reading files is `content.py`'s job.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from scorecard.core.diagnostics import Diagnostic, did_you_mean, error, warning
from scorecard.core.frontmatter import split_front_matter
from scorecard.core.ratings import DISAGREEMENT_STEPS, Rating, median, median_label, spread
from scorecard.core.rubric import NA, RESERVED_KEYS, UNKNOWN, Rubric, Scale, Section
from scorecard.core.shared import shared
from scorecard.core.slugs import NO_SLUG, slugify
from scorecard.core.yamlsource import Path_, YamlDocument, parse_yaml


@dataclass(frozen=True)
class Response:
    """The answer to one question, or the score for one criterion, in one assessment."""

    section: str
    item: str
    value: str | int | None
    """A choice name, a whole-number score, "n/a", or None when unanswered (`unknown` or missing)."""
    evidence: str = ""
    reason: str = ""
    """Why the item is n/a."""
    line: int | None = None
    missing: bool = False
    """The item is not in the file at all (as opposed to answered `unknown`)."""
    ratings: tuple[Rating, ...] = ()
    """Each person's rating, when the item is rated as a list (`search: [{score: 4, by: Ana}, …]`)."""
    median: Fraction | None = None
    """With ratings: the median of the answered ones' points (0–1), the value scoring uses; `value` is its label."""
    spread: int = 0
    """With ratings: how many steps of the scale lie between the lowest and the highest."""
    approved_by: str = ""
    """Who approved leaving the item `n/a` or `unknown` (an exemption)."""
    expires: dt.date | None = None
    """When the exemption ends; after that day the item counts as unanswered."""
    expired: bool = False
    """The exemption had expired on the day of the build: the item is unanswered (see exemptions.py)."""

    @property
    def is_na(self) -> bool:
        return self.value == NA

    @property
    def is_answered(self) -> bool:
        return self.value is not None


def plain(value: Any) -> Any:
    """YAML data as JSON-safe data: dates and non-finite numbers become text, and so do mapping keys."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no .inf or .nan
    return value


@dataclass(frozen=True)
class Assessment:
    """One initiative's assessment, as its author wrote it."""

    slug: str
    path: str
    title: str
    date: dt.date
    status: str
    summary: str = ""
    owner: str = ""
    authors: tuple[str, ...] = ()
    review_by: dt.date | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    responses: tuple[Response, ...] = ()
    """One per item of the rubric, in the rubric's order."""
    body: str = ""
    body_line: int = 1
    related_lines: tuple[int, ...] = ()
    """The line of each `related` entry, for diagnostics about missing slugs."""
    date_line: int = 1
    review_by_line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The author's own fields from `extra:`, as plain JSON-safe data (dates as YYYY-MM-DD text)."""
    field_lines: tuple[tuple[str, int], ...] = ()
    """The line of the `title`, `owner`, `authors` and `tags` keys that are present."""
    aliases: tuple[str, ...] = ()
    """Former slugs (`aliases: [old-slug]`): each gets a page that redirects here."""
    alias_lines: tuple[int, ...] = ()
    draft: bool = False
    """Work in progress (`draft: true`, or nothing answered yet): no grade, verdict or overall score, not ranked."""

    def line_of(self, field: str) -> int:
        return dict(self.field_lines).get(field, 1)

    def response(self, section: str, item: str) -> Response | None:
        return self._responses_by_item.get((section, item))

    @cached_property
    def _responses_by_item(self) -> dict[tuple[str, str], Response]:
        # Scoring asks for every item of every assessment; a scan each time adds up in history.
        return {(r.section, r.item): r for r in self.responses}


MAX_NAMES = 50
"""`tags`, `authors` and `related` list at most this many names each."""
MAX_NAME_CHARS = 100
"""A tag, author or related slug is at most this long."""
MAX_TEXT_CHARS = {"title": 200, "summary": 1000, "owner": 100}
"""The longest title, summary and owner: each is shown on every list and group page the assessment is on."""

EXEMPTION_KEYS = ("approved_by", "expires")
"""An item's exemption: who allowed it to stay n/a or unknown, and until when."""

FIELDS = ("title", "summary", "owner", "authors", "status", "date", "review_by", "tags", "related", "extra", "draft",
          "aliases")
assert set(FIELDS) == RESERVED_KEYS


def parse_assessment(text: str, path: str, slug: str, rubric: Rubric) -> tuple[Assessment | None, list[Diagnostic]]:
    """Parse one assessment file's text; None when it is too broken to be scored."""
    split, diagnostics = split_front_matter(text, path)
    if split is None:
        return None, diagnostics
    doc, diagnostics = parse_yaml(split.front_matter, path, split.front_matter_line)
    if doc is None:
        return None, diagnostics
    if not isinstance(doc.data, dict):
        found = "nothing" if doc.data is None else f"a {type(doc.data).__name__}"
        return None, [*diagnostics,
                      error(path, split.front_matter_line, f"the front matter must be a mapping of fields, not {found}",
                                          "write one 'field: value' per line, starting with 'title:'")]
    checker = _FrontMatterChecker(doc, path, rubric)
    fields = checker.check()
    diagnostics += checker.diagnostics
    if fields is None:
        return None, diagnostics
    return Assessment(slug=slug, path=path, body=split.body, body_line=split.body_line, **fields), diagnostics


class _FrontMatterChecker:
    """Reads the front matter field by field, reporting every problem rather than the first."""

    def __init__(self, doc: YamlDocument, path: str, rubric: Rubric):
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.path = path
        self.rubric = rubric
        self.diagnostics: list[Diagnostic] = []
        self.not_answered: list[Diagnostic] = []
        """"not answered" warnings, given only when the assessment is not a draft."""

    def problem(self, at: Path_, message: str, hint: str | None = None, *, value: bool = False) -> None:
        """An error at the value of `at` (value=True) or at its key."""
        pos = self.doc.value_position(at) if value else self.doc.keys.get(at)
        line = pos.line if pos else self.doc.line(at)
        self.diagnostics.append(error(self.path, line, message, hint, col=pos.col if pos else None))

    def warn(self, at: Path_, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(warning(self.path, self.doc.line(at), message, hint))

    def check(self) -> dict[str, Any] | None:
        self.unknown_fields()
        title = self.text("title", required=True)
        date = self.date("date", required=True)
        review_by = self.date("review_by")
        if date and review_by and review_by < date:
            self.warn(("review_by",), f"review_by ({review_by}) is before the assessment's date ({date})")
        fields: dict[str, Any] = {
            "title": title,
            "date": date,
            "status": shared(self.status()),  # these four name pages and repeat across files
            "summary": self.text("summary"),
            "owner": shared(self.text("owner")),
            "authors": tuple(shared(name) for name in self.names("authors")),
            "review_by": review_by,
            "tags": tuple(shared(name) for name in self.names("tags")),
            "related": self.names("related"),
            "related_lines": self.related_lines(),
            "date_line": self.doc.line(("date",)),
            "review_by_line": self.doc.line(("review_by",)) if review_by else None,
            "field_lines": tuple(shared((f, self.doc.line((f,)))) for f in ("title", "owner", "authors", "tags")
                                 if f in self.data),
            "responses": tuple(r for section in self.rubric.sections for r in self.section(section)),
        }
        fields["aliases"], fields["alias_lines"] = self.aliases()
        fields["draft"] = self.flag("draft") or not any(r.is_answered for r in fields["responses"])
        if not fields["draft"]:  # a draft's unanswered items are its work to do, not problems
            self.diagnostics += self.not_answered
        for key in ("owner", "authors", "tags"):  # each of these names a page of its own
            self.need_page_names(key, fields[key] if isinstance(fields[key], tuple) else (fields[key],))
        if extra := self.extra():
            fields["extra"] = extra
        if not title or not date:
            return None
        return fields

    def unknown_fields(self) -> None:
        section_ids = [s.id for s in self.rubric.sections]
        for key in self.data:
            if key not in FIELDS and key not in section_ids:
                self.problem((key,), f"unknown field '{key}'", did_you_mean(key, list(FIELDS) + section_ids))

    def extra(self) -> dict[str, Any] | None:
        """The team's own fields under `extra`, as plain data."""
        extra = self.data.get("extra")
        if extra is not None and not isinstance(extra, dict):
            self.problem(("extra",), "'extra' must be a mapping of your own fields")
            return None
        return plain(extra) if extra else None

    # -- plain fields --------------------------------------------------------------------

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem((key,), f"'{key}' must be true or false, not '{self.doc.written.get((key,), value)}'",
                         f"write {key}: true, or leave it out", value=True)
            return False
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required and (key,) not in self.doc.refused:  # a refused value is reported already
                self.problem((), f"missing required field '{key}'", f"add '{key}: ...' to the front matter")
            return ""
        if not isinstance(value, str) and (key,) in self.doc.written and not isinstance(value, bool):
            value = self.doc.written[(key,)]  # `owner: 007`, `title: 2026-01-01`: the text as written
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem((key,), f"'{key}' must be text", value=True)
            return ""
        self.warn_if_cut((key,), key, value)
        text = str(value).strip()
        limit = MAX_TEXT_CHARS.get(key)
        if limit and len(text) > limit:  # shown on many pages (lists, groups, feeds): it would multiply
            self.problem((key,), f"'{key}' is {len(text)} characters; the limit is {limit}", value=True)
            return text[:limit]
        return text

    def warn_if_cut(self, at: Path_, key: str, value: Any) -> None:
        """A warning when YAML read the end of an unquoted text as a comment (`evidence: Ranked #1 by members`)."""
        comment = self.doc.cut.get(at)
        if comment is not None:
            kept = str(value).strip()
            whole = f"{kept} #{comment}".strip().replace('"', '\\"')
            self.warn(at, f"the text of '{key}' stops before ' #{comment.rstrip()}': YAML reads ' #' "
                          "as the start of a comment",
                      f"quote the whole text if it belongs to it: {key}: \"{whole}\"")

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required and (key,) not in self.doc.refused:
                self.problem((), f"missing required field '{key}'", f"add '{key}: YYYY-MM-DD' to the front matter")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem((key,), f"'{key}' is not a valid date: '{value}'",
                         "write dates as YYYY-MM-DD, e.g. 2026-09-14", value=True)
            return None

    def status(self) -> str:
        statuses = self.rubric.statuses
        value = self.data.get("status")
        if value is None:
            return statuses[0]
        if not isinstance(value, str) or value not in statuses:
            self.problem(("status",), f"unknown status '{value}'", did_you_mean(str(value), statuses), value=True)
            return statuses[0]
        return value

    def names(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            if "," in value:
                parts = ", ".join(p.strip() for p in value.split(",") if p.strip())
                self.warn((key,), f"'{key}' is one text containing commas: '{value.strip()}'",
                          f"for several, write a list: {key}: [{parts}]")
            value = [value]
        if not isinstance(value, list):
            self.problem((key,), f"'{key}' must be a list of names, e.g. {key}: [a, b]", value=True)
            return ()
        if wrong := [i for i, v in enumerate(value) if not isinstance(v, (str, int)) or isinstance(v, bool)]:
            for i in wrong:
                self.not_a_name(key, i, value[i])
            return ()
        if len(value) > MAX_NAMES:  # each name is a link on the page and a page of its own: they multiply
            self.problem((key,), f"'{key}' lists {len(value)} names; the limit is {MAX_NAMES}", value=True)
            value = value[:MAX_NAMES]
        names = [str(v).strip() for v in value if str(v).strip()]
        for i, name in enumerate(names):
            if len(name) > MAX_NAME_CHARS:
                self.problem((key, i), f"'{key}' entry of {len(name)} characters; the limit is {MAX_NAME_CHARS}",
                             value=True)
        return tuple(dict.fromkeys(n for n in names if len(n) <= MAX_NAME_CHARS))  # de-duplicated, in the order written

    def not_a_name(self, key: str, i: int, item: Any) -> None:
        """The error for entry `i` of the list `key`, which YAML did not read as a name: an unquoted `true`
        became a boolean, `1.10` a number, `2026-01-01` a date, `~` or nothing at all no value."""
        if (key, i) in self.doc.refused:  # already reported: an unsupported tag
            return
        written = self.doc.written.get((key, i))
        if written is not None:
            read_as = {True: "true", False: "false"}.get(item) if isinstance(item, bool) else None
            kind = f"the boolean {read_as}" if read_as else \
                "a date" if isinstance(item, dt.date) else f"the number {item}"
            self.problem((key, i), f"'{key}' entry '{written}' is read by YAML as {kind}, not a name",
                         f"quote it: \"{written}\"", value=True)
        elif item is None:
            self.problem((key, i), f"'{key}' entry {i + 1} is empty (YAML reads '~', 'null' and nothing as no value)",
                         "write the name, or remove the entry", value=True)
        else:
            self.problem((key, i), f"'{key}' entry {i + 1} is a {'list' if isinstance(item, list) else 'mapping'}, "
                         "not a name", f"write each name as text, e.g. {key}: [a, b]", value=True)

    def aliases(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """The `aliases` as slugs (each folder and name slugified, as file paths are), with their lines."""
        names = self.names("aliases")
        value = self.data.get("aliases")
        found: dict[str, int] = {}
        for i, name in enumerate(names):
            slug = "/".join(slugify(part) for part in name.strip("/").split("/"))
            line = (self.doc.value_position(("aliases", i)).line if isinstance(value, list)
                    else self.doc.line(("aliases",)))
            if NO_SLUG in slug.split("/"):
                self.problem(("aliases",), f"alias '{name}' has no letters or digits to make an address from",
                             value=True)
                continue
            found.setdefault(slug, line)
        return tuple(found), tuple(found.values())

    def need_page_names(self, key: str, names: tuple[str, ...]) -> None:
        """An error for each name that cannot become a page's address (`tags: ["???"]`)."""
        for name in names:
            if name and slugify(name) == NO_SLUG:
                self.problem((key,), f"'{key}' entry '{name}' has no letters or digits to name its page",
                             "use a name with at least one letter or digit", value=True)

    def related_lines(self) -> tuple[int, ...]:
        """The line of each name `names("related")` keeps (blank and repeated entries are dropped)."""
        value = self.data.get("related")
        if not isinstance(value, list):
            return (self.doc.line(("related",)),)
        lines: dict[str, int] = {}
        for i, name in enumerate(value):
            text = str(name).strip()
            if text and text not in lines:
                lines[text] = self.doc.value_position(("related", i)).line
        return tuple(lines.values())

    # -- sections ----------------------------------------------------------------------

    def section(self, section: Section) -> list[Response]:
        raw = self.data.get(section.id)
        if raw is not None and not isinstance(raw, dict):
            self.problem((section.id,), f"'{section.id}' must be a mapping of "
                                        f"{self.kind(section, one=True)} ids to answers", value=True)
            raw = None
        if raw is None:
            raw = {}
        item_ids = [item.id for item in section.items]
        for key in raw:
            if key not in item_ids:
                self.problem((section.id, key), f"unknown {self.kind(section, one=True)} '{key}' in '{section.id}'",
                             did_you_mean(key, item_ids))
        responses = []
        for item in section.items:
            at = (section.id, item.id)
            if item.id not in raw:
                self.not_answered.append(warning(
                    self.path, self.doc.line((section.id,) if section.id in self.data else ()),
                    f"{self.kind(section, one=True)} '{item.id}' of '{section.id}' is not answered",
                    f"add '{item.id}: {{{section.scale.value_key}: {UNKNOWN}}}' if it is not known yet"))
                responses.append(Response(section.id, item.id, None, line=self.doc.line(at), missing=True))
            else:
                responses.append(self.response(section, item.id, raw[item.id], at))
        return responses

    @staticmethod
    def kind(section: Section, one: bool = False) -> str:
        word = "question" if section.scale.is_choice else "criterion"
        return word if one else ("questions" if section.scale.is_choice else "criteria")

    def rated(self, section: Section, item_id: str, raw: list[Any], at: Path_) -> Response:
        """An item rated by several people: the median of their ratings, warned when they disagree."""
        scale = section.scale
        ratings = [r for i, entry in enumerate(raw) if (r := self.rating(scale, item_id, entry, (*at, i))) is not None]
        answered = [r for r in ratings if r.value is not None]
        line = self.doc.line(at)
        if not answered:
            return Response(section.id, item_id, None, line=line, ratings=tuple(ratings))
        points = median([scale.normalise(r.value) for r in answered])  # type: ignore[arg-type]
        steps = spread(scale, [r.value for r in answered])  # type: ignore[misc]
        if steps > DISAGREEMENT_STEPS:
            said = ", ".join(f"{r.by} {r.value}" for r in answered)
            self.warn(at, f"disagreement on '{item_id}': {said} ({steps} steps apart)",
                      "talk it through; the median is used meanwhile")
        evidence = "; ".join(f"{r.by}: {r.evidence}" for r in answered if r.evidence)
        return Response(section.id, item_id, shared(median_label(scale, points)), evidence, "", line,
                        ratings=tuple(ratings), median=points, spread=steps)

    def rating(self, scale: Scale, item_id: str, entry: Any, where: Path_) -> Rating | None:
        """One person's rating of an item (`{score: 4, by: Ana Ruiz, evidence: "…"}`); None when it cannot be read."""
        key = scale.value_key
        rater = entry.get("by") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or key not in entry or not isinstance(rater, str) or not rater.strip():
            self.problem(where, f"each rating of '{item_id}' needs '{key}' and 'by'",
                         f"e.g. {item_id}: [{{{key}: ..., by: Ana Ruiz, evidence: \"...\"}}, "
                         f"{{{key}: ..., by: Tom Becker}}]",
                         value=True)
            return None
        for name in entry:
            if name not in (key, "by", "evidence"):
                self.problem((*where, name), f"unknown key '{name}' in a rating of '{item_id}'",
                             did_you_mean(name, [key, "by", "evidence"]))
        value = self.value(scale, entry[key], item_id, (*where, key))
        if value == NA:
            self.problem((*where, key), f"a rating of '{item_id}' cannot be n/a",
                         "n/a is for the item as a whole: write it once, with a reason")
            value = None
        evidence = self.free_text(entry, "evidence", where)
        rater = entry["by"].strip()
        if value is not None and scale.normalise(value) > 0 and not evidence:
            self.warn(where, f"unsupported: {rater}'s rating of '{item_id}' is {self.shown(value)} without evidence",
                      "add evidence: \"...\", what shows this is true")
        return Rating(rater, value, evidence, self.doc.value_position(where).line)

    def response(self, section: Section, item_id: str, raw: Any, at: Path_) -> Response:
        if isinstance(raw, list):
            return self.rated(section, item_id, raw, at)
        scale = section.scale
        key = scale.value_key
        evidence = reason = ""
        value_at = at
        if isinstance(raw, dict):
            other = "score" if key == "answer" else "answer"
            self.unknown_keys(section, item_id, raw, at)
            if key not in raw:
                if other not in raw:
                    self.problem(at, f"'{item_id}' needs '{key}'", f"e.g. {item_id}: {{{key}: ..., evidence: \"...\"}}")
                return Response(section.id, item_id, None, line=self.doc.line(at))
            evidence = self.free_text(raw, "evidence", at)
            reason = self.free_text(raw, "reason", at)
            exemption = self.exemption(raw, at)
            value_at = (*at, key)
            raw = raw[key]
        else:
            exemption = {}
        value = self.value(scale, raw, item_id, value_at)
        line = self.doc.line(at)
        if exemption and value is not None and value != NA:
            self.warn(at, f"'{item_id}' is answered: 'approved_by' and 'expires' are only for n/a or unknown, "
                          "and are ignored",
                      "an exemption lets an item stay n/a or unknown until it expires")
            exemption = {}
        reason = self.check_answer(section, item_id, value, evidence, reason, at)
        return Response(section.id, item_id, shared(value), evidence, reason, line, **exemption)

    def unknown_keys(self, section: Section, item_id: str, raw: dict[str, Any], at: Path_) -> None:
        key = section.scale.value_key
        other = "score" if key == "answer" else "answer"
        known = (key, "evidence", "reason", *EXEMPTION_KEYS)
        for name, given in raw.items():
            if name not in known:
                hint = f"{self.kind(section)} are given with '{key}'" if name == other else did_you_mean(name, known)
                if given is None and name != other:  # `{score: 4, evidence: one, two}`
                    hint = "if it belongs to the text before it, quote that text: inside { … } a ',' starts a new key"
                self.problem((*at, name), f"unknown key '{name}' in '{item_id}'", hint)

    def check_answer(self, section: Section, item_id: str, value: str | int | None, evidence: str, reason: str,
                     at: Path_) -> str:
        """Warn where an answer and its evidence or reason do not go together; the reason kept (only n/a has one)."""
        key, scale = section.scale.value_key, section.scale
        if value == NA and not reason:
            self.problem(at, f"'{item_id}' is n/a without a reason",
                         f"write {item_id}: {{{key}: n/a, reason: \"why it does not apply\"}}")
        elif reason and value is not None and value != NA:
            self.warn((*at, "reason"), f"'reason' in '{item_id}' is only for n/a, and is ignored here",
                      "put what supports the answer in 'evidence'")
            reason = ""
        elif value is not None and value != NA and scale.normalise(value) > 0 and not evidence:
            self.warn(at, f"unsupported: {self.kind(section, one=True)} '{item_id}' is {self.shown(value)} "
                          "without evidence",
                      "add evidence: \"...\", what shows this is true")
        return reason

    def exemption(self, raw: dict[str, Any], at: Path_) -> dict[str, Any]:
        """`approved_by` and `expires`, checked, as Response fields."""
        found: dict[str, Any] = {}
        if "approved_by" in raw:
            found["approved_by"] = self.free_text(raw, "approved_by", at)
        if "expires" in raw:
            value = raw["expires"]
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                found["expires"] = value
            else:
                self.problem((*at, "expires"),
                             f"'expires' is not a date: '{self.doc.written.get((*at, 'expires'), value)}'",
                             "write dates as YYYY-MM-DD, e.g. 2027-03-31", value=True)
        return found

    def free_text(self, raw: dict[str, Any], field: str, at: Path_) -> str:
        value = raw.get(field)
        if value is None:
            return ""
        if not isinstance(value, (str, bool)) and (*at, field) in self.doc.written:
            value = self.doc.written[(*at, field)]  # `evidence: 2026-01-01`: the text as written
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem((*at, field), f"'{field}' must be text", value=True)
            return ""
        self.warn_if_cut((*at, field), field, value)
        return str(value).strip()

    @staticmethod
    def shown(value: str | int) -> str:
        return f"'{value}'" if isinstance(value, str) else str(value)

    def value(self, scale: Scale, raw: Any, item_id: str, at: Path_) -> str | int | None:
        if raw is None or raw == UNKNOWN:
            return None
        if raw == NA:
            if not scale.allow_na:
                self.problem(at, f"'{item_id}' cannot be n/a", f"the scale takes {scale.describe()}", value=True)
                return None
            return NA
        if scale.is_choice:
            return self.choice_value(scale, raw, item_id, at)
        return self.score_value(scale, raw, item_id, at)

    def choice_value(self, scale: Scale, raw: Any, item_id: str, at: Path_) -> str | None:
        """One of the scale's answers, or None with an error."""
        names = [name for name, _ in scale.choices]
        if isinstance(raw, str) and raw in names:
            return raw
        hint = did_you_mean(str(raw), [*names, UNKNOWN]) if isinstance(raw, str) else None
        written = self.doc.written.get(at, raw)  # `answer: true` quoted as written, not as Python's True
        self.problem(at, f"answer '{written}' to '{item_id}' is not on the scale",
                     hint or f"answer {scale.describe()}", value=True)
        return None

    def score_value(self, scale: Scale, raw: Any, item_id: str, at: Path_) -> int | None:
        """A whole number on the scale, or None with an error."""
        if isinstance(raw, bool) or not isinstance(raw, int):
            written = self.doc.written.get(at, raw)
            self.problem(at, f"score of '{item_id}' must be a whole number, not '{written}'",
                         f"score {scale.describe()}", value=True)
            return None
        written = self.doc.written.get(at, "")
        if re.match(r"[-+]?0[0-9_]", written):  # YAML 1.1: a leading 0 is octal, so 010 is 8
            self.warn(at, f"YAML reads the score '{written}' as {raw}: a leading 0 makes a number octal",
                      f"write it without the leading zeros: {int(written.replace('_', ''), 10)}")
        if not scale.min <= raw <= scale.max:
            self.problem(at, f"score of '{item_id}' is {raw}, outside {scale.min}–{scale.max}",
                         f"score {scale.describe()}", value=True)
            return None
        return int(raw)
