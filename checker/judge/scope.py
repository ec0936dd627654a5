"""The plan's declared scope: what kind of document it is (a whole plan, an
annex, a one-sector plan), the period it covers, and so which reference
mandates apply to it.

The patterns are data: the ``scopes`` parameter of rule MIS001
(``rules/targets.yaml``).  Every report states the scope it assumed.
"""
from __future__ import annotations

import re
from typing import Any

from checker.model import CheckResult

_YEAR = re.compile(r"\b(20\d\d)\b")


def _title(result: CheckResult) -> str:
    h = result.plan.header
    return " ".join(x for x in (h.kind or "", h.title or "") if x)


def plan_period(result: CheckResult) -> tuple[int | None, int | None]:
    """(first, last) year of the plan's period: "năm 2026" → (2026, 2026),
    "giai đoạn 2026 - 2030" → (2026, 2030), "đến năm 2030" → (plan year, 2030)."""
    title = (result.plan.header.title or "")
    low = title.lower()
    h = result.plan.header
    year = h.date.year if h.date and h.date.year else None
    m = re.search(r"(20\d\d)\s*[-–—]\s*(20\d\d)", low)
    if m:
        return int(m.group(1)), int(m.group(2))
    # "năm 2026" of the period, not the date of a cited document
    # ("ngày 22 tháng 12 năm 2024") nor a horizon ("đến năm 2030")
    years = [int(m.group(1)) for m in re.finditer(r"\bnăm\s+(20\d\d)\b", low)
             if not re.search(r"(?:tháng\s+\d{1,2}|đến|tới|tầm nhìn)\s+$", low[max(0, m.start() - 14):m.start()])]
    years = [y for y in years if year is None or y >= year - 1]
    if years:
        return years[-1], years[-1]
    m = re.search(r"(?:đến|tới)\s+năm\s+(20\d\d)", low)
    if m:
        return year, int(m.group(1))
    return year, year


def plan_scope(result: CheckResult, params: dict | None) -> dict[str, Any]:
    """The scope the checks assume for this plan (JSON field ``scope``);
    ``params``: those of rule MIS001 (its ``scopes`` list)."""
    p = params or {}
    title = _title(result)
    kind, groups, label_vi, label_en = "plan", None, "kế hoạch đầy đủ", "a whole plan"
    extra: list[str] = []
    for sc in p.get("scopes") or []:
        rx = sc.get("title_re")
        if rx and re.search(rx, title, re.I):
            kind = sc.get("kind", "plan")
            groups = sc.get("groups")
            extra = list(sc.get("duties") or [])
            if extra and groups is None:
                groups = []
            label_vi = sc.get("label_vi", kind)
            label_en = sc.get("label_en", kind)
            break
    first, last = plan_period(result)
    one_year = first is not None and first == last
    if kind == "plan" and one_year:
        label_vi, label_en = f"kế hoạch năm {first}", f"a plan for {first}"
    vi = f"Phạm vi đã giả định: {label_vi}"
    en = f"Assumed scope: {label_en}"
    if groups:
        vi += " — chỉ đối chiếu các nhóm " + ", ".join(groups) + (" và một số nhiệm vụ liên quan" if extra else "")
        en += " — only groups " + ", ".join(groups) + (" and a few related duties" if extra else "") + " are compared"
    elif extra:
        vi += " — chỉ đối chiếu các nhiệm vụ cùng chủ đề"
        en += " — only the duties on its subject are compared"
    if kind == "annex":
        vi += " — phụ lục kèm theo kế hoạch: không đánh giá thiếu nhiệm vụ trên riêng phụ lục"
        en += " — an annex of a plan: missing tasks are not judged on the annex alone"
    if first:
        vi += f"; kỳ kế hoạch từ năm {first}" + (f" đến {last}" if last and last != first else "")
        en += f"; plan period from {first}" + (f" to {last}" if last and last != first else "")
    return {"kind": kind, "groups": groups, "duties": extra, "period": [first, last], "one_year": one_year,
            "note_vi": vi + ".", "note_en": en + "."}


def deadline_year(deadline: str | None) -> int | None:
    """The last year a mandate's deadline names ("06/2025" → 2025,
    "2025-2026" → 2026); None for "Thường xuyên" and the like."""
    if not deadline:
        return None
    ys = [int(y) for y in _YEAR.findall(str(deadline))]
    return max(ys) if ys else None


def applies(scope: dict[str, Any], mandate_id: str, group: str, duty_id: str | None) -> bool:
    """Whether a mandate is inside the plan's declared scope."""
    groups = scope.get("groups")
    extra = scope.get("duties") or []
    if groups is None and not extra:
        return True
    return group in (groups or []) or mandate_id in extra or (duty_id is not None and duty_id in extra)
