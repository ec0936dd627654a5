"""Check kind ``impossible-date``: a date written in the plan that cannot
exist on the calendar (``ngày 31 tháng 6 năm 2026``, ``29/02/2025``, month 13)
— in the header, a deadline or anywhere else.  Dates inside a citation are
left to the ``citation-issue`` kind (rule CON004), which already reports them.

The patterns are linear: bounded digit runs and bounded ``\\s{0,3}`` gaps, no
nested repeats.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _scope
from checker.judge.registry import Hit, check
from checker.model import date_exists

_DATES = (
    # ngày 31 tháng 6 năm 2026
    re.compile(r"\bngày\s{1,3}(?P<d>\d{1,2})\s{1,3}tháng\s{1,3}(?P<m>\d{1,2})\s{1,3}năm\s{1,3}(?P<y>\d{4})\b",
               re.I),
    # 29/02/2025, 31.4.2025, 31-6-2026 (the same separator twice)
    re.compile(r"(?<![\d/.\-])(?P<d>\d{1,2})\s{0,2}(?P<sep>[/.\-])\s{0,2}(?P<m>\d{1,2})\s{0,2}(?P=sep)\s{0,2}"
               r"(?P<y>(?:19|20)\d\d)(?![\d/])"),
    # tháng 13/2026, tháng 13 năm 2026
    re.compile(r"\btháng\s{1,3}(?P<m>\d{1,2})\s{0,2}(?:/|năm)\s{0,2}(?P<y>(?:19|20)\d\d)\b", re.I),
)


# every pattern above needs a year: four digits in a row (most units hold none)
_YEAR_DIGITS = re.compile(r"\d\d\d\d")


def impossible_dates(text: str) -> list[tuple[int, int]]:
    """Spans of the dates in ``text`` that cannot exist."""
    out: list[tuple[int, int]] = []
    if not _YEAR_DIGITS.search(text):
        return out
    for rx in _DATES:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < b and e > a for a, b in out):
                continue
            gd = m.groupdict()
            day = int(gd["d"]) if gd.get("d") else None
            if not date_exists(int(gd["y"]), int(gd["m"]), day):
                out.append((s, e))
    return sorted(out)


@check("impossible-date")
def check_impossible_date(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    cited: dict[int, list[tuple[int, int]]] = {}
    for c in ctx.plan.citations:
        if "impossible-date" in (c.warnings or []):
            cited.setdefault(c.unit, []).append((c.start, c.end))
    for u in _scope(ctx, params):
        text = ctx.text(u)
        for s, e in impossible_dates(text):
            os_, oe = u.orig_span(s, e)
            if any(os_ < b and oe > a for a, b in cited.get(u.index, [])):
                continue  # reported by CON004 with its citation
            yield Hit(unit=u.index, nstart=s, nend=e,
                      values={"match": u.text[os_:oe] or text[s:e]})
