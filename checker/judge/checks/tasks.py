"""Check kinds ``past-year-task``, ``task-field-missing`` and ``vague-deadline``.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _looks_heading, _short
from checker.judge.findings import fill
from checker.judge.needs import can_match
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


def _table_key(ctx: Ctx, t: Any) -> Any:
    """The table a task belongs to: its logical table (a table broken by group
    rows or pages is one), else the reader's table, else its section."""
    if getattr(t, "table", None) is not None:
        return ("t", t.table)
    u = ctx.unit(t.unit)
    if u is not None and u.table is not None:
        return ("u", u.table)
    return ("s", t.section)


def names_product(text: str) -> bool:
    """A task whose own name says what it makes ("Xây dựng Kế hoạch …",
    "Ban hành Quy chế …"): NAMED_PRODUCT of rules/patterns/six-clear.yaml at
    the start of the task."""
    from checker.extract import phrases

    t = _norm(text or "")
    span = phrases.find(t, "NAMED_PRODUCT", "six-clear")
    return span is not None and not t[:span[0]].strip(" -–•*+.)0123456789")


def _lines(ctx: Ctx, tasks: list, limit: int = 30) -> str:
    lines = list(dict.fromkeys(t.loc.line for t in tasks if t.loc.line))
    return ", ".join(str(x) for x in lines[:limit]) + ("…" if len(lines) > limit else "")


@check("task-field-missing")
def check_task_fields(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Tasks of task tables without lead unit, product or deadline.

    When no task of a table has the field (the table has no such column),
    one finding is given for the table (its first task's line), listing the
    tasks that do not give it otherwise: a task whose name says what it makes
    has a product.  No finding when every task does.
    """
    fields = params.get("fields") or ["lead", "product", "deadline"]
    only_tables = params.get("tables_only", True)
    tasks = [t for t in ctx.plan.tasks if (t.in_table or t.source == "table") or not only_tables]
    if not tasks:
        return []
    groups: dict[Any, list] = {}
    for t in tasks:
        groups.setdefault(_table_key(ctx, t), []).append(t)

    def has(t: Any, f: str) -> bool:
        return bool(getattr(t, f)) or (f == "product" and names_product(t.text))

    hits = []
    for _, ts in groups.items():
        whole = [f for f in fields if all(not getattr(t, f) for t in ts)] if len(ts) > 1 else []
        lacking = [t for t in ts if any(not has(t, f) for f in whole)]
        if whole and lacking:
            gaps = [f for f in whole if any(not has(t, f) for t in ts)]
            vals = {"fields": ", ".join(_FIELD_NAMES[f][0] for f in gaps),
                    "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in gaps),
                    "task": _short(ts[0].text), "count": len(ts), "missing": len(lacking),
                    "lines": _lines(ctx, lacking), "scope": "table"}
            head = ctx.unit(ts[0].table if getattr(ts[0], "table", None) is not None else ts[0].unit)
            vals["header_line"] = head.loc.line if head is not None else ""
            vals["what"] = fill(params.get("table_vi", ""), vals)
            en = dict(vals, fields=vals["fields_en"])
            vals["what_en"] = fill(params.get("table_en", ""), en)
            vals["more"] = fill(params.get("table_more_vi", ""), vals)
            vals["more_en"] = fill(params.get("table_more_en", ""), en)
            hits.append(Hit(unit=ts[0].unit, values=vals, key="table:" + ",".join(gaps)))
        for t in ts:
            miss = [f for f in fields if f not in whole and not has(t, f)]
            if miss:
                vals = {"fields": ", ".join(_FIELD_NAMES[f][0] for f in miss),
                        "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in miss),
                        "task": _short(t.text), "count": 1, "scope": "task"}
                vals["what"] = fill(params.get("task_vi", ""), vals)
                vals["what_en"] = fill(params.get("task_en", ""), vals)
                hits.append(Hit(unit=t.unit, values=vals))
    return hits


def has_checkpoint(ctx: Ctx, params: dict) -> int | None:
    """The line where the plan sets periodic reporting dates ("định kỳ trước
    ngày 30 tháng 11 hằng năm báo cáo kết quả"): a checkpoint for its ongoing
    tasks.  ``checkpoint_patterns`` of the rule, over every unit."""
    pats = [re.compile(p, re.I) for p in params.get("checkpoint_patterns") or []]
    if not pats:
        return None
    for u in ctx.units:
        low = ctx.lower(u)
        if "ngày" not in low and "định kỳ" not in low:
            continue
        if any(can_match(p, ctx.probe(u)) and p.search(low) for p in pats):
            return u.loc.line
    return None


@check("vague-deadline")
def check_vague_deadline(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Deadlines such as "Thường xuyên" that set no date, one finding per task
    table listing its rows.

    A cadence ("Hằng năm", ``cadence``) says when and is not reported; an
    ongoing task ("Thường xuyên", ``values``) is not reported either when the
    plan sets periodic reporting dates (``checkpoint_patterns``): those are its
    checkpoints.  Reads task deadlines when tasks were extracted, else the
    cells of table rows.
    """
    words = [fold(_norm(w)).strip() for w in params.get("values") or []]
    cadence = {fold(_norm(w)).strip() for w in params.get("cadence") or []}
    words = [w for w in words if w not in cadence]
    if has_checkpoint(ctx, params) is not None:
        return []
    groups: dict[Any, list[Hit]] = {}
    if ctx.plan.tasks:
        for t in ctx.plan.tasks:
            if params.get("tables_only", True) and not (t.in_table or t.source == "table"):
                continue
            if t.deadline and fold(_norm(t.deadline)).strip(" .;") in words:
                groups.setdefault(_table_key(ctx, t), []).append(
                    Hit(unit=t.unit, values={"deadline": t.deadline.strip(), "task": _short(t.text)}))
    else:
        for u in ctx.units:
            if u.kind != "row" or not u.cells or len(u.cells) < 3:
                continue
            for k, cell in enumerate(u.cells[1:], start=1):
                if fold(_norm(cell)).strip(" .;") in words:
                    s, e = (u.cell_spans[k] if u.cell_spans and k < len(u.cell_spans) else (None, None))
                    groups.setdefault(("u", u.table), []).append(
                        Hit(unit=u.index, ostart=s, oend=e, values={"deadline": cell.strip(), "task": _short(u.cells[1])}))
                    break
    out = []
    for n, hits in enumerate(groups.values(), 1):
        if len(hits) == 1:
            out.append(hits[0])
            continue
        lines = [ctx.unit(h.unit).loc.line for h in hits if ctx.unit(h.unit) is not None]
        first = hits[0]
        shown = ", ".join(str(x) for x in lines[:30]) + ("…" if len(lines) > 30 else "")
        first.values = dict(first.values, count=len(hits), lines=shown,
                            more=fill(params.get("more_vi", ""), {"count": len(hits), "lines": shown}),
                            more_en=fill(params.get("more_en", ""), {"count": len(hits), "lines": shown}))
        first.key = f"table:{n}"  # the table's rank, not its unit (line shifts keep the fingerprint)
        out.append(first)
    return out


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


# ------------------------------------------------- deadline = the whole period

_RANGE = re.compile(r"^(?:(?:trong|cả|suốt)\s+)?(?:giai\s+đoạn\s+|thời\s+kỳ\s+)?(?:từ\s+)?(?:năm\s+)?(20\d\d)"
                    r"\s*(?:-|–|—|đến|tới)\s*(?:năm\s+)?(20\d\d)$", re.I)


def period_range(deadline: str | None) -> tuple[int, int] | None:
    """The years of a deadline written as a span ("2026 - 2030", "Giai đoạn
    2026-2030", "Từ năm 2026 đến năm 2030"), or None."""
    m = _RANGE.match(_norm(deadline or "").strip(" .;()").replace("\u00a0", " "))
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return (a, b) if a <= b else None


@check("period-deadline")
def check_period_deadline(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Table tasks whose deadline only restates the plan's whole period
    ("2026 - 2030" in a plan for 2026 - 2030): no year of completion, no
    checkpoint.  One finding per task table listing its rows.  A plan of
    one year is not read (its year is a deadline, as NQ 03's annex writes
    them), nor a span shorter than the period ("2026 - 2027")."""
    from checker.judge.scope import plan_period

    first, last = plan_period(ctx.result)
    if not first or not last or last <= first:
        return []
    groups: dict[Any, list[Hit]] = {}
    for t in ctx.plan.tasks:
        if not (t.in_table or t.source == "table"):
            continue
        span = period_range(t.deadline)
        if span is None or span[0] > first or span[1] < last:
            continue
        groups.setdefault(_table_key(ctx, t), []).append(
            Hit(unit=t.unit, values={"deadline": t.deadline.strip(), "task": _short(t.text),
                                     "period": f"{first} - {last}"}))
    out = []
    for n, hits in enumerate(groups.values(), 1):
        lines = [ctx.unit(h.unit).loc.line for h in hits if ctx.unit(h.unit) is not None]
        shown = ", ".join(str(x) for x in lines[:30]) + ("…" if len(lines) > 30 else "")
        first_hit = hits[0]
        first_hit.values = dict(first_hit.values, count=len(hits), lines=shown)
        first_hit.key = f"table:{n}"
        out.append(first_hit)
    return out
