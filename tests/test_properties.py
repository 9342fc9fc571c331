"""Property-based tests: generated front matter and Markdown thrown at the loader and the build.

Whatever the input, no exception escapes, every problem is a diagnostic with a file and a line,
and no generated string reaches the output unescaped. The examples are derandomised and no
example database is kept, so a CI run is reproducible; the sizes keep the file well under a
minute on a slow machine.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from scorecard.core.assessment import parse_assessment
from scorecard.core.options import BuildOptions
from scorecard.pipeline.build import build
from scorecard.publish.markdown import make_markdown, render_body, safe_link
from scorecard.core.rubric import default_rubric

RUBRIC = default_rubric()
MD = make_markdown()

# Reproducible and bounded: the same examples on every run, no database, no timing deadline
# (the shared CI machine is slow and noisy).
FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                phases=[Phase.explicit, Phase.generate])  # a whole build per example: report, do not shrink

HOSTILE = ["<script>alert(1)</script>", "]]>", "\"", "'", "&amp;", "<img src=x onerror=alert(1)>",
           "javascript:alert(1)", "jav&#x09;ascript:", "{{ 7*7 }}", "{% raw %}", "</title>", "<!--", "\u202e",
           "---", "...", ": ", "- ", "#", "*a", "&a", "!!python/object:os.system", "\t", "\r\n", "\r", "\ufeff"]

any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), any_text), min_size=1, max_size=4).map("".join)
scalar = st.one_of(hostile_text, st.integers(-10, 10), st.booleans(), st.none(), st.floats(allow_nan=True),
                   st.dates(), st.sampled_from(["yes", "no", "partly", "unknown", "n/a", "pilot", "2026-02-30"]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(hostile_text, inner, max_size=3)), max_leaves=8)
FIELDS = ["title", "summary", "owner", "authors", "status", "date", "review_by", "tags", "related", "extra", "trust",
          "slates"]
ITEMS = {"trust": ["better_product", "return", "recommend", "builds_trust"],
         "slates": ["search", "links", "authorship", "tags", "extensions", "signals"]}


@st.composite
def answers(draw: st.DrawFn, section: str) -> dict[str, Any]:
    """A section mapping: mostly well-formed items with generated values and evidence."""
    key = "answer" if section == "trust" else "score"
    items = draw(st.lists(st.sampled_from(ITEMS[section] + ["serach"]), unique=True, max_size=7))
    return {item: draw(st.one_of(value, st.fixed_dictionaries({key: scalar}, optional={"evidence": hostile_text,
                                                                                       "reason": hostile_text})))
            for item in items}


@st.composite
def front_matter(draw: st.DrawFn) -> dict[str, Any]:
    """A front-matter mapping of real and made-up fields with generated values."""
    data: dict[str, Any] = {}
    if draw(st.booleans()):  # half the files have a usable title and date, so that the rest is checked too
        data.update(title=draw(hostile_text), date=draw(st.dates()))
    for field in draw(st.lists(st.sampled_from(FIELDS + ["sumary"]), unique=True, max_size=len(FIELDS))):
        if field in data:
            continue
        data[field] = draw(answers(field)) if field in ITEMS else draw(value)
    return data


def dump(data: Any) -> str:
    """YAML text for `data`, written the way an author might (block style)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


markdown_piece = st.one_of(
    hostile_text,
    st.sampled_from(["\n\n", "# ", "## ", "> ", "- ", "1. ", "```\n", "    ", "|a|b|\n|-|-|\n", "**", "_", "`",
                     "~~", "<", ">", "\\", "[x]", "(", ")", "![i]", "[r]: ", "<https://e.org>", "[x](y.md)",
                     "[[y]]", "[[y|", "[[", "]]", "|"]),
    st.builds("[{}]({})".format, hostile_text, st.sampled_from(["javascript:x", "JAVASCRIPT:x", "data:x",
                                                                 "%6Aavascript:x", "java\nscript:x", "vbscript:x",
                                                                 "file:///x"])),
)
markdown = st.lists(markdown_piece, max_size=12).map("".join)


def assert_located(diagnostics: list[Any], path: str) -> None:
    for d in diagnostics:
        assert d.path == path and d.line is not None and d.line >= 1, d.format()


@FAST
@given(st.text(max_size=300))
def test_any_text_loads_or_is_reported_with_its_line(text: str) -> None:
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    assert_located(diagnostics, "x.md")
    assert assessment is not None or any(d.is_error for d in diagnostics)


@FAST
@given(st.lists(st.one_of(st.sampled_from(["---\n", "...\n", "title: x\n", "date: 2026-09-14\n", "trust:\n",
                                           "  return: yes\n", "\t", "[", "{", "&a ", "*a", "!!", "? ", ": ", "- ",
                                           "\ufeff", "\r\n", "\r", "'", '"', "#"]),
                          any_text), max_size=25).map("".join))
def test_yaml_shaped_noise_loads_or_is_reported_with_its_line(text: str) -> None:
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    assert_located(diagnostics, "x.md")
    assert assessment is not None or any(d.is_error for d in diagnostics)


@FAST
@given(front_matter(), markdown)
def test_generated_front_matter_is_checked_field_by_field(data: dict[str, Any], body: str) -> None:
    text = "---\n" + dump(data) + "---\n" + body
    assessment, diagnostics = parse_assessment(text, "x.md", "x", RUBRIC)
    event("loaded" if assessment is not None else "refused")
    assert_located(diagnostics, "x.md")
    lines = text.count("\n") + 1
    assert all(d.line <= lines for d in diagnostics)  # type: ignore[operator]
    if assessment is not None:
        assert isinstance(assessment.title, str) and assessment.title.strip()
        assert all(isinstance(t, str) for t in assessment.tags + assessment.authors)


@FAST
@given(markdown)
def test_generated_markdown_never_makes_a_script_link_or_raw_tag(body: str) -> None:
    rendered = render_body(MD, body, slug="x", path="x.md", body_line=5, titles={"y": "<script>Y</script>"})
    assert_located(list(rendered.diagnostics), "x.md")
    html = rendered.html
    assert "<script" not in html and "<img src=x" not in html
    for attribute in ("href", "src"):
        for url in html.split(f'{attribute}="')[1:]:
            assert safe_link(url.split('"', 1)[0])


def valid_assessment(title: str, owner: str, tag: str, evidence: str, body: str) -> str:
    data = {"title": title, "owner": owner, "tags": [tag, "plain"], "date": dt.date(2026, 9, 14),
            "trust": {item: {"answer": "yes", "evidence": evidence} for item in ITEMS["trust"]},
            "slates": {item: {"score": 3, "evidence": evidence} for item in ITEMS["slates"]}}
    return "---\n" + dump(data) + "---\n" + body


@SLOW
@given(hostile_text, hostile_text, hostile_text, hostile_text, markdown)
def test_no_generated_string_reaches_the_site_unescaped(title: str, owner: str, tag: str, evidence: str,
                                                        body: str) -> None:
    # Fenced by "qq" so that each value is never blank, and is found only where it is written out whole.
    title, owner, tag, evidence = (f"qq{text}qq" for text in (title, owner, tag, evidence))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        page = root / "content/assessments/x.md"
        page.parent.mkdir(parents=True)
        page.write_text(valid_assessment(title, owner, tag, evidence, body), encoding="utf-8")
        result = build(BuildOptions.at(root, today=dt.date(2026, 10, 1)))
        assert_located(list(result.diagnostics), "content/assessments/x.md")
        event("built" if result.ok else "refused: " + next(d.message for d in result.diagnostics if d.is_error))
        if not result.ok:
            assert not (root / "output").exists()
            return
        files = {p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8") for p in (root / "output").rglob("*")
                 if p.suffix in (".html", ".xml", ".json")}
    for generated in (title, owner, tag, evidence):
        for name, text in files.items():
            # Characters that are markup (or would end an attribute) in HTML and XML; in JSON a quote
            # is escaped by JSON itself, and <, > and & are escaped so the file can be inlined in a page.
            special = "<>&" if name.endswith(".json") else "<>&\"'"
            if any(c in generated for c in special):
                assert generated not in text, (name, generated)
    assert json.loads(files["output/scorecard.json"])["assessments"][0]["title"] == title
