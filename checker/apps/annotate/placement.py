"""Where a finding without a span goes: the section heading of its NQ 57 group
(by the evidence of covered mandates, by ``nq57_group_of``, by the closest
title), and the plan's title."""
from __future__ import annotations

from typing import Iterable

from checker.model import CheckResult, Plan
from checker.normalize import fold


def _title_units(plan: Plan) -> list[int]:
    """The units of the plan's title block: the KẾ HOẠCH line and the title
    that follows it; else the first non-empty paragraph."""
    kind = (plan.header.kind or "").strip()
    paras = [u for u in plan.units[:80] if u.kind == "para" and u.text.strip()]
    for i, u in enumerate(paras):
        t = " ".join(u.norm.split()).strip(" *#")
        if kind and (t.upper() == kind or (t.upper().startswith(kind) and len(t) <= len(kind) + 3)):
            out = [u.index]
            title = fold(plan.header.title or "")
            if title and i + 1 < len(paras):
                nxt = paras[i + 1]
                if fold(" ".join(nxt.norm.split())).strip(" *#")[:40] == title.strip(" *#")[:40]:
                    out.append(nxt.index)
            return out
    return [paras[0].index] if paras else []


def section_for_group(plan: Plan, group: str | None, titles: Iterable[str],
                      keywords: Iterable[str] = (), min_score: float = 62.0) -> int | None:
    """Unit of the heading of the plan section closest to an NQ 57 group.

    ``titles`` are the group's names (short and full title, keywords); the
    score of a section is the best rapidfuzz score of its folded title against
    any of them.  Sections inside the tasks/solutions part (organisation for
    group IV) get a small bonus, so a tie goes to where tasks are written.
    """
    keys = [(fold(t), 1.0) for t in titles if t and len(t.strip()) >= 4]
    keys += [(fold(k), 0.9) for k in keywords if k and len(k.strip()) >= 4]
    if not keys or not plan.sections:
        return None
    from rapidfuzz import fuzz

    want_roles = ("organisation",) if (group or "").startswith("IV") else ("tasks", "solutions")
    best, best_score = None, 0.0
    for s in plan.sections:
        title = fold(s.title or "")
        if len(title) < 4:
            continue
        score = 0.0
        for key, weight in keys:  # keywords count a little less than titles
            sc = max(fuzz.token_sort_ratio(key, title),
                     fuzz.partial_ratio(key, title) if len(key) >= 8 else 0.0)
            score = max(score, sc * weight)
        if _role_of(plan, s) in want_roles:
            score += 3
        if score > best_score:
            best, best_score = s, score
    if best is None or best_score < min_score:
        return None
    return best.unit


def section_by_evidence(plan: Plan, result: CheckResult, group: str) -> int | None:
    """Unit of the heading of the section where the plan already writes the
    tasks of ``group``: the deepest section holding at least half of the
    evidence units of the group's covered/partial mandates (tasks/solutions
    part first, organisation part for group IV)."""
    cov = result.coverage
    if cov is None or not plan.sections:
        return None
    units = sorted({e.unit for ms in cov.mandates if ms.mandate.group == group
                    and ms.status in ("covered", "partial") for e in ms.evidence
                    if e.unit is not None})
    if not units:
        return None
    ordered = sorted(plan.sections, key=lambda s: s.unit)
    want_roles = ("organisation",) if group.startswith("IV") else ("tasks", "solutions")
    counts: dict[str, int] = {}
    by_id = {s.id: s for s in ordered}
    for u in units:
        sec = None
        for s in ordered:
            if s.unit <= u:
                sec = s
            else:
                break
        seen = 0
        while sec is not None and seen < 12:
            if _role_of(plan, sec) in want_roles:
                counts[sec.id] = counts.get(sec.id, 0) + 1
            sec = by_id.get(sec.parent) if sec.parent else None
            seen += 1
    if not counts:
        return None
    total = max(counts.values())  # what the part holding them all counts
    good = [by_id[i] for i, n in counts.items() if 2 * n >= total]
    best = max(good, key=lambda s: (s.level, counts[s.id], -s.unit))
    return best.unit


def section_by_group_of(plan: Plan, group: str) -> int | None:
    """Unit of the first section of the tasks part whose title the mandate
    sets' own classifier (``mandates.nq57_group_of``) puts in ``group``."""
    try:
        from checker.mandates.load import nq57_group_of
    except ImportError:  # pragma: no cover
        return None
    want_roles = ("organisation",) if group.startswith("IV") else ("tasks", "solutions")
    for s in sorted(plan.sections, key=lambda s: s.unit):
        if _role_of(plan, s) in want_roles and nq57_group_of(s.title) == group:
            return s.unit
    return None


def _role_of(plan: Plan, s) -> str | None:
    seen = 0
    while s is not None and s.role is None and s.parent and seen < 10:
        s = plan.section(s.parent)
        seen += 1
    return s.role if s is not None else None


def group_names(result: CheckResult) -> dict[str, tuple[list[str], list[str]]]:
    """Names of each NQ 57 group: (titles, keywords)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for gid, title in _group_titles(result).items():
        out.setdefault(gid, ([], []))[0].append(title)
    try:
        from checker.mandates.load import load_set  # cached: check() has loaded it already

        for g in load_set("nq57").groups:
            titles, kws = out.setdefault(str(g["id"]), ([], []))
            titles.extend(str(t) for t in (g.get("short"), g.get("title")) if t and t not in titles)
            kws.extend(str(k) for k in g.get("keywords") or [])
    except Exception:  # noqa: BLE001 - reference data absent: titles from coverage only
        pass
    return out


def _group_titles(result: CheckResult) -> dict[str, str]:
    out: dict[str, str] = {}
    cov = result.coverage
    for g in (cov.groups if cov else []) or []:
        gid, title = g.get("group"), g.get("title")
        if gid and title and str(gid) not in out:
            out[str(gid)] = str(title)
    return out
