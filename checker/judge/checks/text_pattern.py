"""Check kinds ``text-pattern``, ``body-pattern`` and ``placeholder``: regular
expressions over the analysis text of units.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _scan, _scope
from checker.judge.registry import Hit, check


@check("text-pattern")
def check_text_pattern(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Regular expressions over the analysis text (lower-cased) of units."""
    return _scan(ctx, params, _scope(ctx, params))


# body names are text patterns with their own data
check("body-pattern")(check_text_pattern)

# what the plan itself says about its state, for the placeholder message
_STATES = {
    "caption": ("phần đầu kế hoạch đã ghi số và ngày; điền cho khớp",
                "the plan's own header gives the number and the date; copy them here"),
    "signed": ("văn bản đã ghi tên người ký; số và ngày được điền khi ký ban hành",
               "the signer's name is already written; the number and the date are filled in when it is signed and issued"),
    "draft": ("bình thường với bản dự thảo; cần điền khi ban hành",
              "normal for a draft; fill it in when issued"),
}
_BLANK = re.compile(r"^\s*/|[.…_]{2}|\bngày\s+tháng")


@check("placeholder")
def check_placeholder(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Blank number or date placeholders. Hits on units at most ``merge_within``
    units apart (the number line and the date line of one header) are one
    finding; the message says whether the plan reads as a draft, as signed, or
    as an annex caption whose plan header is filled in."""
    hits = list(_scan(ctx, params, _scope(ctx, params)))
    gap = params.get("merge_within")
    if gap is not None and hits:
        merged: list[Hit] = [hits[0]]
        for h in hits[1:]:
            head = merged[-1]
            if h.unit is not None and head.unit is not None and h.unit - head.unit <= int(gap):
                head.values["match"] = f"{head.values['match']} … {h.values['match']}"
            else:
                merged.append(h)
        hits = merged
    h0 = ctx.plan.header
    header_full = bool(h0.number and not _BLANK.search(h0.number) and h0.date and h0.date.complete)
    signed = bool((h0.signature or {}).get("name"))
    first_lines = {u.index for u in _scope(ctx, dict(params, also_units=None))}
    for h in hits:
        state = "caption" if h.unit not in first_lines and header_full else ("signed" if signed else "draft")
        h.values["state"], h.values["state_en"] = _STATES[state]
        yield h
