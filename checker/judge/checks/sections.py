"""Check kind ``required-section``: required parts of a plan.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx
from checker.judge.needs import can_match
from checker.judge.registry import Hit, check


# --------------------------------------------------------------- structure

@check("required-section")
def check_required_section(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Required parts of a plan, by section role or by heading wording.

    ``parts``: [{role, name_vi, name_en, titles: [regex], text: [regex]}];
    a part is present if a section has the role, a heading matches one of
    ``titles``, or (for parts often written as a paragraph, like funding)
    any unit matches one of ``text``.
    """
    skip = params.get("skip_kinds")
    if skip:
        kind = ctx.plan.header.kind or " ".join(
            ctx.text(u) for u in [u for u in ctx.units if u.text.strip()][:6])
        if re.search(skip, kind, re.I):
            return []
    only = params.get("issuer_re")
    if only and ctx.plan.header.issuer and not re.search(only, ctx.plan.header.issuer, re.I):
        return []  # the parts are those of a commune's plan; a province writes its own way
    roles = {s.role for s in ctx.plan.sections if s.role}
    heads = ctx.heading_units()
    hits = []
    for part in params.get("parts") or []:
        alts = [part["role"]] + list(part.get("also_roles") or [])
        if any(r in roles for r in alts):
            continue
        titles = [re.compile(p, re.I) for p in part.get("titles") or []]
        if any(rx.search(ctx.lower(u)) for u in heads for rx in titles):
            continue
        texts = [re.compile(p, re.I) for p in part.get("text") or []]
        if texts and any(can_match(rx, ctx.probe(u)) and rx.search(ctx.lower(u)) for u in ctx.units for rx in texts):
            continue
        hits.append(Hit(unit=None, values={"part": part.get("name_vi", part["role"]),
                                           "part_en": part.get("name_en", part["role"])},
                        key="part:" + part["role"]))
    return hits


@check("no-tasks")
def check_no_tasks(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A plan from which no task could be read (no task part, no duties, no task
    table): say so, instead of a silent report with nothing covered."""
    skip = params.get("skip_kinds")
    if skip and re.search(skip, ctx.plan.header.kind or "", re.I):
        return []
    if ctx.plan.tasks:
        return []
    return [Hit(unit=None, values={"sections": str(len(ctx.plan.sections))}, key="no-tasks")]
