"""Check kind ``count-mismatch``: a heading announcing N items over a list of another length.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _patterns
from checker.judge.needs import can_match
from checker.judge.registry import Hit, check


# ---------------------------------------------------------------- counts

_ROMAN = re.compile(r"^[IVXLC]{1,6}$")
_ARABIC = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


@check("count-mismatch")
def check_count_mismatch(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A heading that announces "N chỉ tiêu" over a list of another length.

    The items counted are the numbered rows of the table that the heading
    opens (a table split by page breaks counts as one: the same table id, or
    tables separated only by blank units), or, for a group row of such a
    table ("II | … (04)"), the numbered rows up to the next group row.
    """
    pats = _patterns(params)
    units = ctx.units
    hits = []
    for u in units:
        low = ctx.lower(u)
        group_row = bool(u.kind == "row" and u.cells and _ROMAN.match((u.cells[0] or "").strip()))
        for pat in pats:
            if pat.get("group_only") and not group_row:
                continue
            m = pat["_rx"].search(low) if can_match(pat["_rx"], ctx.probe(u)) else None
            if not m:
                continue
            said = int(m.group("n"))
            counted = _count_rows(ctx, u.index, stop_at_group=group_row)
            if counted is None or counted == said:
                break
            hits.append(Hit(unit=u.index, nstart=m.start(), nend=m.end(),
                            values={"said": said, "counted": counted,
                                    "match": ctx.text(u)[m.start():m.end()],
                                    "noun": m.groupdict().get("noun") or ""}))
            break
    return hits


def _count_rows(ctx: Ctx, start: int, stop_at_group: bool) -> int | None:
    units = ctx.units
    n = 0
    seen_row = False
    i = start + 1
    while i < len(units):
        u = units[i]
        if u.kind != "row":
            if not u.text.strip():
                i += 1
                continue
            break
        seen_row = True
        first = (u.cells[0] if u.cells else "").strip()
        if _ROMAN.match(first):
            if stop_at_group:
                break
        elif _ARABIC.match(first):
            n += 1
        i += 1
    return n if seen_row else None
