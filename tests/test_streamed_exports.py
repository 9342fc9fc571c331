"""The exports of every assessment are written in pieces, one per assessment, never held whole:
joined, the pieces are exactly the file as one text."""

from __future__ import annotations

import json

from scorecard.core.rubric import default_rubric
from scorecard.publish import export
from scorecard.site.compare import compare_data_chunks, compare_data_js
from scorecard.site.search import search_index_chunks, search_index_js


def test_the_search_index_comes_a_document_at_a_time_in_slug_order() -> None:
    entries = [("b", '{"id":"b"}'), ("a", '{"id":"a"}')]
    chunks = list(search_index_chunks(entries))
    # The start, "a" then ",b" (sorted by slug, a comma before every document but the first), the end.
    assert chunks == ['window.SCORECARD_SEARCH = {"documents":[', '{"id":"a"}', ',{"id":"b"}', "]};\n"]
    assert "".join(chunks) == search_index_js(entries) == \
        'window.SCORECARD_SEARCH = {"documents":[{"id":"a"},{"id":"b"}]};\n'
    assert "".join(search_index_chunks([])) == 'window.SCORECARD_SEARCH = {"documents":[]};\n'


def test_scorecard_json_in_pieces_is_the_whole_document_indented_by_two() -> None:
    # The json module is the reference: one json.dumps(indent=2) of the whole document, made script-safe.
    rubric = default_rubric()
    assessments = [{"slug": "a", "title": "</script> & <!--"}, {"slug": "b", "tags": ["x"]}]
    entries = ["    " + export.indented_json(a, "    ") for a in assessments]
    chunks = list(export.scorecard_json_chunks(rubric, entries))
    assert len(chunks) == 3  # the rubric with the first assessment, the second, the end
    document = {"schema": export.SCHEMA, "generator": json.loads("".join(chunks))["generator"],
                "rubric": export.rubric_json(rubric), "assessments": assessments}
    whole = export.script_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    assert "".join(chunks) == export.scorecard_json(rubric, entries) == whole
    assert "</script>" not in whole and "\\u003c/script\\u003e" in whole
    empty = "".join(export.scorecard_json_chunks(rubric, []))
    assert json.loads(empty)["assessments"] == [] and empty.endswith('"assessments": []\n}\n')


def test_compare_data_strips_the_json_text_where_it_ends_not_where_a_piece_ends() -> None:
    # Whitespace ending a piece ("{\n") stays when text follows it; only the text's own end loses it.
    pieces = ["{\n", '  "x": 1', "\n", "}", "\n", "\n"]
    expected = 'window.SCORECARD_DATA = {\n  "x": 1\n};\nwindow.SCORECARD_TRENDS = {"a":[["2026-01-02",70.5]]};\n'
    trends = {"a": [("2026-01-02", "70.5")]}
    assert "".join(compare_data_chunks(pieces, trends)) == expected
    assert compare_data_js("".join(pieces), trends) == expected
