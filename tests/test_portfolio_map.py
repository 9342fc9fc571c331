"""The portfolio map's labels: placed beside their points where they overlap no other label."""

from __future__ import annotations

import re

from scorecard.site.portfolio_map import CHAR_WIDTH, LABEL_HEIGHT, label_at


def test_labels_of_points_in_one_place_go_around_it_and_never_overlap():
    taken: list[tuple[float, float, float, float]] = []
    labels = [label_at("Customer forum", 300, 200, taken) for _ in range(5)]
    # Right, left, above, below: four places; a fifth label would overlap one of them, so it is left out.
    assert [re.search(r'text-anchor="(\w+)"', label).group(1)
            for label in labels[:4]] == ["start", "end", "middle", "middle"]
    assert labels[4] == ""
    for n, a in enumerate(taken):
        for b in taken[n + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # Each box is as wide as its text is estimated: 14 characters × 6.6 px = 92.4 px, one line high.
    assert [round(box[2] - box[0], 1) for box in taken] == [92.4] * 4 == [round(14 * CHAR_WIDTH, 1)] * 4
    assert {box[3] - box[1] for box in taken} == {LABEL_HEIGHT}


def test_a_label_that_would_leave_the_chart_goes_to_the_other_side():
    taken: list[tuple[float, float, float, float]] = []
    # At x = 630 of 640, a label to the right would end past the edge: it goes left.
    assert 'text-anchor="end"' in label_at("Talk to a human", 630, 200, taken)
