"""Staleness: an assessment whose review date has passed, or that is too old to trust as it stands."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from scorecard.core.diagnostics import Diagnostic, warning

if TYPE_CHECKING:
    from scorecard.core.assessment import Assessment

DEFAULT_MAX_AGE_DAYS = 365


def staleness(assessment: Assessment, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> str | None:
    """Why `assessment` is due for review on `today`, or None when it is not."""
    if assessment.review_by is not None and assessment.review_by < today:
        return f"the review was due on {assessment.review_by.isoformat()}"
    age = (today - assessment.date).days
    if age > max_age_days:
        return f"assessed on {assessment.date.isoformat()}, {age} days ago (more than {max_age_days})"
    return None


def staleness_warnings(assessments: tuple[Assessment, ...], today: dt.date,
                       max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> list[Diagnostic]:
    """A "review due" warning for each stale assessment, on the line of the date that makes it so."""
    diagnostics = []
    for a in assessments:
        reason = staleness(a, today, max_age_days)
        if reason:
            overdue = a.review_by is not None and a.review_by < today
            line = a.review_by_line if overdue else a.date_line
            diagnostics.append(warning(a.path, line, f"review due: {reason}",
                                       "look at the assessment again and update its date (and review_by)"))
    return diagnostics


def future_date_warnings(assessments: tuple[Assessment, ...], today: dt.date) -> list[Diagnostic]:
    """A warning for each assessment dated after `today`: a typo in the year, most often."""
    return [warning(a.path, a.date_line,
                    f"the date {a.date.isoformat()} is in the future (today is {today.isoformat()})",
                    "date the assessment on the day it was made")
            for a in assessments if a.date > today]
