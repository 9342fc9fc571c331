"""The rubric: questions, criteria, scales, weights, statuses and grade bands, read from YAML.

The package ships `rubric.yml`; a site replaces it with `content/rubric.yml`, or extends it by
starting that file with `extends: default`: sections and items with a known id are changed
key by key, new ones are added.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from importlib import resources
from typing import Any

from scorecard.core.diagnostics import Diagnostic, did_you_mean, error
from scorecard.core.slugs import NO_SLUG, slugify
from scorecard.core.yamlsource import Path_, YamlDocument, parse_yaml

UNKNOWN = "unknown"
"""The answer every choice scale accepts: counts 0 and is reported as unanswered."""
NA = "n/a"
"""The score a scale with `allow_na` accepts: needs a reason, left out of the denominator."""

RESERVED_KEYS = frozenset(
    {"title", "summary", "owner", "authors", "status", "date", "review_by", "tags", "related", "extra", "draft",
     "aliases"}
)
"""Front-matter keys of an assessment, which a section id may not take."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


MAX_STATUSES = 20
"""A rubric names at most this many statuses (each has a page)."""
MAX_ITEMS = 60
"""A rubric has at most this many items in all: each has a page listing every assessment, so the
site grows by items × assessments."""
MAX_CHOICES = 20
"""A choice scale has at most this many answers."""
MAX_SCALE_STEPS = 10_000
"""A score scale's `max` is at most this far above its `min`."""


@dataclass(frozen=True)
class Scale:
    """How the items of a section are answered: named choices, or integer scores in a range."""

    choices: tuple[tuple[str, Fraction], ...] = ()
    """Named answers and their value between 0 and 1, for a choice scale (empty for a range)."""
    min: int = 0
    max: int = 5
    allow_na: bool = False

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    @property
    def value_key(self) -> str:
        """The key that holds the answer in an item's mapping: `answer` or `score`."""
        return "answer" if self.is_choice else "score"

    def normalise(self, value: str | int) -> Fraction:
        """The value of an answer or score between 0 and 1."""
        if self.is_choice:
            return dict(self.choices)[str(value)]
        return Fraction(int(value) - self.min, self.max - self.min)

    def answers(self) -> list[str]:
        """Every answer or score the scale accepts, as written in a file (n/a and unknown aside)."""
        return [name for name, _ in self.choices] if self.is_choice else [str(n) for n in range(self.min, self.max + 1)]

    def describe(self) -> str:
        """A human description of what the scale accepts, for hints and the rubric page."""
        if self.is_choice:
            accepted = ", ".join(name for name, _ in self.choices) + f" or {UNKNOWN}"
        else:
            accepted = f"a whole number from {self.min} to {self.max}"
        return accepted + (f", or {NA} with a reason" if self.allow_na else "")


@dataclass(frozen=True)
class Gate:
    """An answer that decides the verdict whatever the numbers say."""

    when: str
    verdict: str


@dataclass(frozen=True)
class Item:
    """A question or criterion of a section."""

    id: str
    title: str
    prompt: str
    top: str
    """What the best answer or score looks like (shown on the rubric page)."""
    weight: Fraction
    gate: Gate | None = None


@dataclass(frozen=True)
class Section:
    """A group of items scored on one scale, e.g. the trust questions or SLATES."""

    id: str
    title: str
    description: str
    weight: Fraction
    scale: Scale
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


@dataclass(frozen=True)
class Band:
    """A grade for overall scores from `min` upwards, and the verdict that goes with it."""

    grade: str
    min: Fraction
    verdict: str


@dataclass(frozen=True)
class Rubric:
    name: str
    description: str
    statuses: tuple[str, ...]
    bands: tuple[Band, ...]
    """Highest minimum first."""
    sections: tuple[Section, ...]
    source: str
    """Where it was read from: "default", or the path of the site's rubric file."""
    version: str = ""
    """`version:` as written, else "sha256:" and the first 12 hex digits of a digest of the rubric's text
    (and of the rubric it extends): results say which rubric scored them."""

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def band_for(self, score: Fraction) -> Band:
        """The band whose minimum `score` reaches (the lowest band starts at 0)."""
        return next((band for band in self.bands if score >= band.min), self.bands[-1])


DEFAULT_RUBRIC_PATH = "<default rubric>"


def default_rubric() -> Rubric:
    """The rubric shipped with the package."""
    text = resources.files("scorecard.core").joinpath("rubric.yml").read_text(encoding="utf-8")
    rubric, diagnostics = parse_rubric(text, DEFAULT_RUBRIC_PATH)
    if rubric is None or diagnostics:  # a packaging bug, not a user error
        raise RuntimeError("the default rubric is invalid: " + "; ".join(d.format() for d in diagnostics))
    return rubric


def parse_rubric(text: str, path: str, base: Rubric | None = None) -> tuple[Rubric | None, list[Diagnostic]]:
    """Read a rubric from YAML text; `base` is what `extends: default` builds on."""
    doc, diagnostics = parse_yaml(text, path)
    if doc is None:
        return None, diagnostics
    if not isinstance(doc.data, dict):
        return None, [*diagnostics, error(path, 1, "a rubric must be a mapping of keys to values")]
    reader = _RubricReader(doc, path)
    reader.text_of_file = text
    rubric = reader.read(base)
    return rubric, diagnostics + reader.diagnostics


class _RubricReader:
    """Turns a rubric's YAML into a Rubric, collecting every problem on the way."""

    TOP_KEYS = ("name", "description", "version", "extends", "statuses", "bands", "sections")
    SECTION_KEYS = ("id", "title", "description", "weight", "scale", "items")
    ITEM_KEYS = ("id", "title", "prompt", "top", "weight", "gate")

    def __init__(self, doc: YamlDocument, path: str):
        self.text_of_file = ""
        self.doc = doc
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def problem(self, at: Path_, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(self.path, self.doc.line(at), message, hint))

    def check_keys(self, data: dict[str, Any], at: Path_, allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem((*at, key), f"unknown {what} key '{key}'", did_you_mean(key, allowed))

    def read(self, base: Rubric | None) -> Rubric | None:
        data: dict[str, Any] = self.doc.data
        self.check_keys(data, (), self.TOP_KEYS, "rubric")
        extends = data.get("extends")
        if extends is not None and extends != "default":
            self.problem(("extends",), f"a rubric can only extend 'default', not '{extends}'")
        if extends != "default":
            base = None
        name = self.text(data, ("name",), base.name if base else "Scorecard")
        description = self.text(data, ("description",), base.description if base else "")
        statuses = self.statuses(data.get("statuses"), base)
        bands = self.bands(data.get("bands"), base)
        sections = self.sections(data.get("sections"), base)
        if any(d.is_error for d in self.diagnostics) or not sections or not bands or not statuses:
            return None
        version = (self.text(data, ("version",), "") if not isinstance(data.get("version"), (int, float))
                   else str(data["version"]))
        if not version:
            digest = hashlib.sha256(((base.version + "\n") if base else "").encode() + self.text_of_file.encode())
            version = "sha256:" + digest.hexdigest()[:12]
        return Rubric(name, description, statuses, bands, sections, self.path, version)

    def text(self, data: dict[str, Any], at: Path_, default: str) -> str:
        value = data.get(at[-1], default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(at, f"'{at[-1]}' must be text")
            return default
        return value.strip()

    def number(self, data: dict[str, Any], at: Path_, default: Fraction, low: int = 0,
               high: int | None = None) -> Fraction:
        value = data.get(at[-1])
        if value is None:
            return default
        # NaN is the one value unequal to itself (math.isnan would overflow on a huge int)
        if (isinstance(value, bool) or not isinstance(value, (int, float)) or value != value  # noqa: PLR0124
                or value in (float("inf"), float("-inf"))):
            self.problem(at, f"'{at[-1]}' must be a number, not '{value}'")
            return default
        number = Fraction(str(value))  # str() keeps 0.6 as 3/5, not the nearest binary float
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(at, f"'{at[-1]}' must be {bound}, not {value}")
            return default
        return number

    def statuses(self, value: Any, base: Rubric | None) -> tuple[str, ...]:
        if value is None:
            return base.statuses if base else ("proposed", "pilot", "adopted", "retired")
        if not isinstance(value, list) or not value or not all(isinstance(s, str) and s for s in value):
            self.problem(("statuses",), "'statuses' must be a list of names")
            return ()
        if len(set(value)) != len(value):
            self.problem(("statuses",), "'statuses' names a status twice")
            return tuple(value)
        if len(value) > MAX_STATUSES:
            self.problem(("statuses",), f"'statuses' lists {len(value)} names; the limit is {MAX_STATUSES}")
            return tuple(value[:MAX_STATUSES])
        first: dict[str, int] = {}
        for i, status in enumerate(value):  # each status has a page, statuses/<slug>/: two names, one page
            slug = slugify(status)
            if slug == NO_SLUG:
                self.problem(("statuses", i), f"status '{status}' has no letters or digits to name its page")
            elif slug in first:
                self.problem(("statuses", i), f"statuses '{value[first[slug]]}' (line "
                             f"{self.doc.line(('statuses', first[slug]))}) and '{status}' would share one page, "
                             f"statuses/{slug}/", "name statuses that differ in more than case and punctuation")
            else:
                first[slug] = i
        return tuple(value)

    def bands(self, value: Any, base: Rubric | None) -> tuple[Band, ...]:
        if value is None:
            if base is None:
                self.problem((), "a rubric needs 'bands': a list of {grade, min, verdict}, the lowest with min 0")
            return base.bands if base else ()
        if not isinstance(value, list) or not value:
            self.problem(("bands",), "'bands' must be a list of {grade, min, verdict}")
            return ()
        bands = []
        for i, entry in enumerate(value):
            at = ("bands", i)
            if not isinstance(entry, dict):
                self.problem(at, "a band must be a mapping {grade, min, verdict}")
                continue
            self.check_keys(entry, at, ("grade", "min", "verdict"), "band")
            grade = self.text(entry, (*at, "grade"), "")
            if not grade:
                self.problem(at, "a band needs a 'grade'")
            verdict = self.text(entry, (*at, "verdict"), grade)
            bands.append(Band(grade, self.number(entry, (*at, "min"), Fraction(0), 0, 100), verdict))
        bands.sort(key=lambda band: band.min, reverse=True)
        if bands and bands[-1].min != 0:
            self.problem(("bands",), "the lowest band must start at 0, so that every score gets a grade")
        return tuple(bands)

    def sections(self, value: Any, base: Rubric | None) -> tuple[Section, ...]:
        inherited = list(base.sections) if base else []
        if value is None:
            if not inherited:
                self.problem((), "a rubric needs 'sections'")
            return tuple(inherited)
        if not isinstance(value, list):
            self.problem(("sections",), "'sections' must be a list")
            return tuple(inherited)
        if len(value) > MAX_ITEMS:  # every section has an item
            self.problem(("sections",), f"the rubric has {len(value)} sections; it can have {MAX_ITEMS} items in all")
            return ()
        sections = inherited
        seen: set[str] = set()
        for i, entry in enumerate(value):
            at = ("sections", i)
            if not isinstance(entry, dict):
                self.problem(at, "a section must be a mapping with at least an 'id'")
                continue
            section_id = self.identifier(entry, at, "section")
            if section_id is None:
                continue
            if section_id in seen:
                self.problem((*at, "id"), f"section '{section_id}' is defined twice")
                continue
            seen.add(section_id)
            old = next((s for s in sections if s.id == section_id), None)
            section = self.section(entry, at, section_id, old)
            if section is None:
                continue
            sections = [section if s.id == section_id else s for s in sections] if old else [*sections, section]
        count = sum(len(section.items) for section in sections)
        if count > MAX_ITEMS:
            self.problem(("sections",), f"the rubric has {count} items; the limit is {MAX_ITEMS}",
                         "each item has a page that lists every assessment: keep the rubric to what is scored")
            return ()
        return tuple(sections)

    def identifier(self, entry: dict[str, Any], at: Path_, what: str) -> str | None:
        value = entry.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.problem((*at, "id"),
                         f"{'an' if what == 'item' else 'a'} {what} needs an 'id' of lowercase letters, digits and '_'")
            return None
        if what == "section" and value in RESERVED_KEYS:
            self.problem((*at, "id"), f"'{value}' is an assessment field and cannot be a section id")
            return None
        return value

    def section(self, data: dict[str, Any], at: Path_, section_id: str, old: Section | None) -> Section | None:
        self.check_keys(data, at, self.SECTION_KEYS, "section")
        title = self.text(data, (*at, "title"), old.title if old else section_id.replace("_", " ").capitalize())
        description = self.text(data, (*at, "description"), old.description if old else "")
        weight = self.number(data, (*at, "weight"), old.weight if old else Fraction(1))
        scale = self.scale(data.get("scale"), (*at, "scale"), old.scale if old else None)
        if scale is None:
            return None
        items = self.items(data.get("items"), (*at, "items"), scale, old.items if old else ())
        if not items:
            return None
        if old and "scale" in data:  # inherited gates must still name an answer of the new scale
            regated = {e.get("id") for e in data.get("items") or [] if isinstance(e, dict) and "gate" in e}
            for item in items:
                if item.gate and item.id not in regated and item.gate.when not in scale.answers():
                    self.problem((*at, "scale"), f"the inherited gate of '{item.id}' is on '{item.gate.when}', "
                                 "which the new scale does not have",
                                 f"give '{item.id}' a gate on an answer of the new scale, or 'gate: null'")
        return Section(section_id, title, description, weight, scale, items)

    def scale(self, value: Any, at: Path_, old: Scale | None) -> Scale | None:
        if value is None:
            if old is None:
                self.problem(at[:-1], "a section needs a 'scale': {choices: {...}} or {min: 0, max: 5}")
            return old
        if not isinstance(value, dict):
            self.problem(at, "'scale' must be a mapping: {choices: {...}} or {min: 0, max: 5}")
            return None
        self.check_keys(value, at, ("choices", "min", "max", "allow_na"), "scale")
        allow_na = value.get("allow_na", False)
        if not isinstance(allow_na, bool):
            self.problem((*at, "allow_na"), "'allow_na' must be true or false")
            allow_na = False
        if "choices" in value:
            return self.choice_scale(value["choices"], at, allow_na)
        low, high = value.get("min", 0), value.get("max")
        if (not isinstance(low, int) or isinstance(low, bool) or not isinstance(high, int) or isinstance(high, bool)
                or low >= high):
            self.problem(at, "a score scale needs whole numbers 'min' below 'max'")
            return None
        if high - low > MAX_SCALE_STEPS:  # every score is listed (hints, gates): 0..10^12 ran out of memory
            self.problem(at, f"a score scale spans at most {MAX_SCALE_STEPS} steps; {low} to {high} is {high - low}",
                         "score from 0 to 5, or 0 to 10")
            return None
        return Scale(min=low, max=high, allow_na=allow_na)

    def choice_scale(self, choices: Any, at: Path_, allow_na: bool) -> Scale | None:
        """A scale of named answers, each worth a value from 0 to 1; None with an error."""
        if not isinstance(choices, dict) or not choices:
            self.problem((*at, "choices"), "'choices' must map each answer to a value from 0 to 1")
            return None
        if len(choices) > MAX_CHOICES:
            self.problem((*at, "choices"), f"a choice scale has at most {MAX_CHOICES} answers, not {len(choices)}")
            return None
        parsed = []
        for name in choices:
            if name in (UNKNOWN, NA):
                self.problem((*at, "choices", name),
                             f"'{name}' is reserved (unknown answers, n/a with allow_na) and cannot be a choice")
                continue
            parsed.append((name, self.number(choices, (*at, "choices", name), Fraction(0), 0, 1)))
        return Scale(choices=tuple(parsed), allow_na=allow_na)

    def items(self, value: Any, at: Path_, scale: Scale, inherited: tuple[Item, ...]) -> tuple[Item, ...]:
        if value is None:
            if not inherited:
                self.problem(at[:-1], "a section needs 'items'")
            return inherited
        if not isinstance(value, list) or not value:
            self.problem(at, "'items' must be a list of questions or criteria")
            return inherited
        if len(value) > MAX_ITEMS:  # checked for the whole rubric later; stop here before doing the work
            self.problem(at, f"a section has at most {MAX_ITEMS} items, not {len(value)}")
            return inherited
        items = list(inherited)
        seen: set[str] = set()
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.problem((*at, i), "an item must be a mapping with at least an 'id'")
                continue
            item_id = self.identifier(entry, (*at, i), "item")
            if item_id is None:
                continue
            if item_id in seen:
                self.problem((*at, i, "id"), f"item '{item_id}' is defined twice")
                continue
            seen.add(item_id)
            old = next((it for it in items if it.id == item_id), None)
            item = self.item(entry, (*at, i), item_id, scale, old)
            items = [item if it.id == item_id else it for it in items] if old else [*items, item]
        return tuple(items)

    def item(self, data: dict[str, Any], at: Path_, item_id: str, scale: Scale, old: Item | None) -> Item:
        self.check_keys(data, at, self.ITEM_KEYS, "item")
        base = old or Item(item_id, item_id.replace("_", " ").capitalize(), "", "", Fraction(1))
        gate = base.gate
        if "gate" in data:
            gate = self.gate(data["gate"], (*at, "gate"), scale)
        return replace(
            base,
            title=self.text(data, (*at, "title"), base.title),
            prompt=self.text(data, (*at, "prompt"), base.prompt),
            top=self.text(data, (*at, "top"), base.top),
            weight=self.number(data, (*at, "weight"), base.weight),
            gate=gate,
        )

    def gate(self, value: Any, at: Path_, scale: Scale) -> Gate | None:
        if value is None:
            return None
        if not isinstance(value, dict) or "when" not in value or not isinstance(value.get("verdict"), str):
            self.problem(at, "a gate must be a mapping {when: <answer>, verdict: <text>}")
            return None
        self.check_keys(value, at, ("when", "verdict"), "gate")
        when = str(value["when"])
        accepted = scale.answers()
        if when not in accepted:
            self.problem((*at, "when"), f"a gate's 'when' must be an answer of the scale, not '{when}'",
                         did_you_mean(when, accepted))
            return None
        return Gate(when, value["verdict"])
