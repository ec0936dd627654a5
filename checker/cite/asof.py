"""The date a plan is judged at, decided in one place.

The header date; when its day or month is blank, the earliest day it can be,
raised to the lower bound inferred from the latest document the plan cites;
with no date at all, that lower bound; else today.  ``--as-of`` overrides
everything.  The pipeline, the graph and the reports all use this.
"""
from __future__ import annotations

import datetime as dt

from checker.model import Plan


def as_of_for(plan: Plan, override: dt.date | None = None,
              today: dt.date | None = None) -> tuple[dt.date, str]:
    """The date the plan is judged at, and why: option > header > lower bound > today."""
    if override:
        return override, "option"
    h = plan.header
    if h.date and h.date.complete:
        return h.date.earliest(), "header"
    lb = dt.date.fromisoformat(h.date_lower_bound) if h.date_lower_bound else None
    if h.date and h.date.year:
        # a partial date: the earliest day it can be, raised to the lower bound
        early = h.date.earliest()
        if lb and lb > early:
            return lb, "lower-bound"
        return early, "header-partial"
    if lb:
        return lb, "lower-bound"
    return today or dt.date.today(), "today"
