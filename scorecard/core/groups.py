"""Group names (tags, owners, authors) that share one page because their slugs are equal."""

from __future__ import annotations

from collections.abc import Iterable

from scorecard.core.assessment import Assessment
from scorecard.core.diagnostics import Diagnostic, warning
from scorecard.core.slugs import slugify

GROUP_FIELDS = (("tag", "tags"), ("owner", "owner"), ("author", "authors"))
"""Each kind of group page and the front-matter field its names come from."""


def names(assessment: Assessment, field: str) -> tuple[str, ...]:
    value = getattr(assessment, field)
    return (value,) if isinstance(value, str) else value or ()


def spelling_clashes(assessments: Iterable[Assessment]) -> list[Diagnostic]:
    """A warning for each name written differently from the first one that gets the same page.

    `Support` and `support`, or `Ann Lee` and `ann-lee`, become one page: either the authors meant
    two groups, or one name is spelt two ways. Each later spelling (files in path order) is warned.
    """
    diagnostics = []
    for kind, field in GROUP_FIELDS:
        first: dict[str, tuple[str, Assessment]] = {}
        for assessment in assessments:
            for name in dict.fromkeys(names(assessment, field)):
                spelt, where = first.setdefault(slugify(name), (name, assessment))
                if spelt != name:
                    diagnostics.append(warning(
                        assessment.path, assessment.line_of(field),
                        f"{kind} '{name}' shares a page with '{spelt}' ({where.path}:{where.line_of(field)})",
                        "write the name one way everywhere, "
                        "or pick names that differ in more than case and punctuation"))
    return diagnostics


def title_clashes(assessments: Iterable[Assessment]) -> list[Diagnostic]:
    """A warning on each later assessment (in path order) with the title of an earlier one: readers cannot tell them
    apart."""
    first: dict[str, Assessment] = {}
    diagnostics = []
    for assessment in assessments:
        key = " ".join(assessment.title.casefold().split())
        earlier = first.setdefault(key, assessment)
        if earlier is not assessment:
            diagnostics.append(warning(
                assessment.path, assessment.line_of("title"),
                f"the title '{assessment.title}' is also the title of {earlier.path}",
                "give each assessment a title that says which initiative it is"))
    return diagnostics
