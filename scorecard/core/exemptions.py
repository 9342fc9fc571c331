"""Exemptions: an `n/a` or `unknown` item approved by someone until a date.

`approved_by` and `expires` on an item record who allowed it not to be answered, and until when.
Whether an exemption has expired depends on the day the site is built, so it is applied after
parsing (which is pure and cached): an expired item counts as unanswered, and is warned about;
one that expires soon is warned about ahead of time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from scorecard.core.assessment import Assessment, Response
from scorecard.core.diagnostics import Diagnostic, warning
from scorecard.core.options import DEFAULT_WARNING_DAYS
from scorecard.core.rubric import Rubric
from scorecard.core.scoring import Scorecard, score_assessment


def is_expired(response: Response, today: dt.date) -> bool:
    """An exemption expires at the end of its `expires` day: from the next day it no longer holds."""
    return response.expires is not None and response.expires < today


def apply_expiry(rubric: Rubric, assessment: Assessment, today: dt.date) -> tuple[Assessment, Scorecard] | None:
    """The assessment with its expired exemptions unanswered, and its new scores; None when none has expired."""
    if not any(is_expired(r, today) for r in assessment.responses):
        return None
    responses = tuple(replace(r, value=None, expired=True) if is_expired(r, today) else r for r in assessment.responses)
    expired = replace(assessment, responses=responses)
    return expired, score_assessment(rubric, expired)


def exemption_warnings(assessments: tuple[Assessment, ...], today: dt.date,
                       warning_days: int = DEFAULT_WARNING_DAYS) -> list[Diagnostic]:
    """A warning on the line of each exemption that has expired, or expires within `warning_days`."""
    diagnostics = []
    for a in assessments:
        for r in a.responses:
            if r.expires is None:
                continue
            who = f", approved by {r.approved_by}" if r.approved_by else ""
            if r.expires < today:
                diagnostics.append(warning(
                    a.path, r.line, f"the exemption of '{r.item}' expired on "
                                    f"{r.expires.isoformat()}{who}: it counts as unanswered",
                    "answer the item, or renew the exemption with a new 'expires' and its approver"))
            elif (r.expires - today).days <= warning_days:
                days = (r.expires - today).days
                when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
                diagnostics.append(warning(
                    a.path, r.line, f"the exemption of '{r.item}' expires on {r.expires.isoformat()} ({when}){who}",
                    "answer the item, or renew the exemption before then"))
    return diagnostics
