"""Check kind ``missing-mandate``: mandates the coverage found missing.
"""
from __future__ import annotations

from typing import Any, Iterable

from checker.judge.context import Ctx
from checker.judge.findings import fill
from checker.judge.registry import Hit, check
from checker.model import location_label


# ---------------------------------------------------------------- mandates

@check("missing-mandate")
def check_missing_mandate(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Mandates the coverage found missing (required ones only)."""
    cov = ctx.result.coverage
    if cov is None:
        return []
    statuses = set(params.get("statuses") or ["missing"])
    anchor = None
    for s in ctx.plan.sections:
        if s.role in ("tasks", "solutions"):
            anchor = s.unit
            break
    hits = []
    for ms in cov.mandates:
        m = ms.mandate
        if ms.status not in statuses or not m.required:
            continue
        vals = {"mandate": m.id, "title": m.title, "reference": m.reference, "group": m.group,
                "description": m.description}
        if ms.mentions:
            e = ms.mentions[0]
            vals["detail"] = fill(params.get("mentioned_vi", ""), {"location": e.location})
            vals["detail_en"] = fill(params.get("mentioned_en", ""),
                                     {"location": location_label(e.location, "en")})
            vals["mentioned_line"] = e.line
        hits.append(Hit(unit=anchor, values=vals, key="mandate:" + m.id))
    return hits
