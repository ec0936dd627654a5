"""Check kinds ``past-year-task``, ``task-field-missing`` and ``vague-deadline``.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _looks_heading, _short
from checker.judge.registry import Hit, check
from checker.model import Unit
from checker.normalize import fold, norm as _norm


# ------------------------------------------------------------ past years

_YEAR = re.compile(r"\bnăm\s+(20\d\d)\b", re.I)


@check("past-year-task")
def check_past_year(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A task written for a year before the plan's year ("năm 2025" tasks
    in a 2026 plan).  Ranges, horizons and reviews of past results are not
    tasks for that year: the words around the year are checked."""
    year = ctx.plan_year
    if not year:
        return []
    before = params.get("skip_if_before", "")
    after = params.get("skip_if_after", "")
    hits = []
    for u, text_unit in _task_units(ctx):
        low = ctx.lower(u)
        for m in _YEAR.finditer(low):
            y = int(m.group(1))
            if y >= year:
                continue
            s, e = m.span()
            if before and re.search(r"(?:" + before + r")\s*$", low[max(0, s - 40):s], re.I):
                continue
            if after and re.match(r"\s*(?:" + after + ")", low[e:e + 30], re.I):
                continue
            hits.append(Hit(unit=u.index, nstart=s, nend=e,
                            values={"year": y, "plan_year": year, "match": ctx.text(u)[s:e]}))
            break
    return hits


def _task_units(ctx: Ctx) -> list[tuple[Unit, Any]]:
    """Units holding tasks: from plan.tasks, else the items under headings
    whose title says NHIỆM VỤ / GIẢI PHÁP (list items and table rows)."""
    if ctx.plan.tasks:
        seen, out = set(), []
        for t in ctx.plan.tasks:
            u = ctx.unit(t.unit)
            if u is not None and u.index not in seen:
                seen.add(u.index)
                out.append((u, t))
        return out
    out = []
    inside = False
    for u in ctx.units:
        t = ctx.text(u)
        if _looks_heading(t) and u.kind != "row":
            inside = bool(re.search(r"nhiệm vụ|giải pháp", t, re.I)) and not re.search(
                r"mục tiêu|mục đích|tổ chức thực hiện", t, re.I)
            continue
        if inside and t.strip() and (u.kind == "row" or re.match(r"^\s*(?:[-+•]|[a-zđ]\)|\d+(?:\.\d+)*[.)])", t)):
            out.append((u, None))
    return out


# ------------------------------------------------------------ task fields

_FIELD_NAMES = {
    "lead": ("đơn vị chủ trì", "lead unit"),
    "product": ("sản phẩm", "product"),
    "deadline": ("thời hạn", "deadline"),
}


@check("task-field-missing")
def check_task_fields(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Tasks of task tables without lead unit, product or deadline.

    When no task of a table has the field (the table has no such column),
    one finding is given for the table instead of one per task.
    """
    fields = params.get("fields") or ["lead", "product", "deadline"]
    only_tables = params.get("tables_only", True)
    tasks = [t for t in ctx.plan.tasks if (t.in_table or t.source == "table") or not only_tables]
    if not tasks:
        return []
    groups: dict[Any, list] = {}
    for t in tasks:
        u = ctx.unit(t.unit)
        groups.setdefault(u.table if u is not None and u.table is not None else ("s", t.section), []).append(t)
    hits = []
    for _, ts in groups.items():
        whole = [f for f in fields if all(not getattr(t, f) for t in ts)]
        if whole and len(ts) > 1:
            hits.append(Hit(unit=ts[0].unit, values={
                "fields": ", ".join(_FIELD_NAMES[f][0] for f in whole),
                "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in whole),
                "task": _short(ts[0].text), "count": len(ts), "scope": "table"},
                key="table:" + ",".join(whole)))
        for t in ts:
            miss = [f for f in fields if f not in whole and not getattr(t, f)]
            if miss:
                hits.append(Hit(unit=t.unit, values={
                    "fields": ", ".join(_FIELD_NAMES[f][0] for f in miss),
                    "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in miss),
                    "task": _short(t.text), "count": 1, "scope": "task"}))
    return hits


@check("vague-deadline")
def check_vague_deadline(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Deadlines such as "Thường xuyên" or "Hằng năm" that set no date.

    Reads task deadlines when tasks were extracted, else the cells of table
    rows.  More than ``aggregate_over`` hits become one finding that lists
    the lines, so the report stays readable.
    """
    words = [fold(_norm(w)).strip() for w in params.get("values") or []]
    hits: list[Hit] = []
    if ctx.plan.tasks:
        for t in ctx.plan.tasks:
            if params.get("tables_only", True) and not (t.in_table or t.source == "table"):
                continue
            if t.deadline and fold(_norm(t.deadline)).strip(" .;") in words:
                hits.append(Hit(unit=t.unit, values={"deadline": t.deadline.strip(), "task": _short(t.text)}))
    else:
        for u in ctx.units:
            if u.kind != "row" or not u.cells or len(u.cells) < 3:
                continue
            for k, cell in enumerate(u.cells[1:], start=1):
                if fold(_norm(cell)).strip(" .;") in words:
                    s, e = (u.cell_spans[k] if u.cell_spans and k < len(u.cell_spans) else (None, None))
                    hits.append(Hit(unit=u.index, ostart=s, oend=e,
                                    values={"deadline": cell.strip(), "task": _short(u.cells[1])}))
                    break
    limit = int(params.get("aggregate_over", 0) or 0)
    if limit and len(hits) > limit:
        lines = [ctx.unit(h.unit).loc.line for h in hits if ctx.unit(h.unit) is not None]
        first = hits[0]
        shown = ", ".join(str(x) for x in lines[:30]) + ("…" if len(lines) > 30 else "")
        first.values = dict(first.values, count=len(hits), lines=shown,
                            more=f"{len(hits)} nhiệm vụ có thời hạn như vậy (dòng {shown}).",
                            more_en=f"{len(hits)} tasks have such deadlines (lines {shown}).")
        first.key = "aggregate"
        return [first]
    return hits


# ------------------------------------------------------------- "6 rõ"

_SIX = {"lead": ("đơn vị chủ trì", "lead unit"), "product": ("sản phẩm", "product"),
        "deadline": ("thời hạn", "deadline")}


def six_clear_missing(text: str, task: Any = None) -> list[str]:
    """The parts of "6 rõ" (lead, product, deadline) that a prose task does
    not give: neither the extractor nor the patterns of
    ``rules/patterns/six-clear.yaml`` find them."""
    from checker.extract import phrases

    found = {lab: s for lab, s, _ in phrases.find_all(text, "six-clear")}
    heads = [0] + [m.end() for m in re.finditer(r"[,;:]\s*", text)]
    lead_at = [s for lab, s, _ in phrases.find_all(text, "six-clear") if lab == "LEAD"]
    out = []
    if not getattr(task, "lead", None) and not any(
            s <= h + 12 for s in lead_at for h in heads if s >= h) and "chủ trì" not in text.lower():
        out.append("lead")
    if not getattr(task, "product", None) and "PRODUCT" not in found:
        out.append("product")
    if not getattr(task, "deadline", None) and "DEADLINE" not in found:
        out.append("deadline")
    return out


@check("six-clear")
def check_six_clear(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Prose tasks that do not say who leads, what they produce or by when:
    one finding per section, listing the lines (not one card per task)."""
    fields = params.get("fields") or ["lead", "product", "deadline"]
    least = int(params.get("min_missing", 1))
    roles = set(params.get("roles") or ["tasks", "solutions"])
    tabled = sum(1 for t in ctx.plan.tasks if t.in_table or t.source == "table")
    if tabled >= int(params.get("skip_if_table_tasks", 0) or 10 ** 9):
        return []  # a task table (often the annex) states who, what and when; the prose gives directions
    top_role = {s.id: s.role for s in ctx.plan.sections if not s.parent}
    top_name = {s.id: f"{s.label}. {_short(s.title, 50)}" for s in ctx.plan.sections if not s.parent}
    by_sec: dict[str, list[tuple[Any, list[str]]]] = {}
    for t in ctx.plan.tasks:
        if t.in_table or t.source == "table":
            continue  # TSK001 reads the tables
        top = (t.section or "").split(".")[0]
        if top_role.get(top) not in roles:
            continue  # the duties of TỔ CHỨC THỰC HIỆN name their unit in the heading
        miss = [f for f in six_clear_missing(_norm(t.text), t) if f in fields]
        if len(miss) >= least:
            by_sec.setdefault(top, []).append((t, miss))
    hits = []
    for sec, items in by_sec.items():
        if len(items) < int(params.get("min_tasks", 1)):
            continue
        count = {f: sum(f in m for _, m in items) for f in fields}
        parts_vi = ", ".join(f"{n} chưa có {_SIX[f][0]}" for f, n in count.items() if n)
        parts_en = ", ".join(f"{n} without a {_SIX[f][1]}" for f, n in count.items() if n)
        lines = list(dict.fromkeys(t.loc.line for t, _ in items if t.loc.line))
        shown = ", ".join(str(x) for x in lines[:25]) + ("…" if len(lines) > 25 else "")
        first = items[0][0]
        hits.append(Hit(unit=first.unit, values={
            "section": top_name.get(sec, sec), "count": len(items), "parts": parts_vi, "parts_en": parts_en,
            "lines": shown, "task": _short(first.text, 70)}, key="six:" + sec))
    return hits
