"""Check kind ``weak-target``: a target weaker than the reference target.
"""
from __future__ import annotations

from typing import Any, Iterable

from checker.judge.context import Ctx, _short
from checker.judge.registry import Hit, check
from checker.normalize import norm as _norm, squash


# ----------------------------------------------------------------- targets

def _reference_targets(ctx: Ctx, params: dict) -> list[dict[str, Any]]:
    """Numeric targets of the reference sets: those of the mandates in the
    coverage and the set-level targets of ``result.references``."""
    out: list[dict[str, Any]] = []
    cov = ctx.result.coverage
    if cov is not None:
        for ms in cov.mandates:
            m = ms.mandate
            for t in m.targets or []:
                out.append(dict(t, mandate=t.get("mandate") or m.id, reference=m.reference))
    try:
        from checker.mandates.load import load_set

        for ref in ctx.result.references or []:
            ms = load_set(ref)
            for t in ms.targets:
                out.append(dict(t, mandate=t.get("mandate") or t.get("id", ""), reference=ms.id))
    except Exception:  # pragma: no cover - reference sets unavailable
        pass
    for t in params.get("targets") or []:  # local targets given by a rule
        out.append(dict(t))
    clean, seen = [], set()
    for t in out:
        text = t.get("indicator") or t.get("text")
        try:
            value = float(t.get("value"))
        except (TypeError, ValueError):
            continue
        if not text or not t.get("year"):
            continue
        key = (text, value, t.get("year"))
        if key in seen:
            continue
        seen.add(key)
        clean.append(dict(t, indicator=text, value=value))
    return clean


_CMP = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">=", "<": "<="}


@check("weak-target")
def check_weak_target(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """An indicator whose target is weaker than the reference target for the
    same indicator and the same year (only same-year pairs are compared)."""
    targets = [t for t in _reference_targets(ctx, params)
               if t.get("value") is not None and t.get("year") and t.get("indicator")]
    inds = [i for i in ctx.plan.indicators if i.value is not None]
    if not targets or not inds:
        return []
    from rapidfuzz import fuzz

    thr = float(params.get("threshold", 85))
    hits = []
    for ind in inds:
        year = ind.year or (params.get("default_year_from_plan") and ctx.plan_year)
        if not year:
            continue
        key = squash(_norm(ind.text))
        best, best_t = 0.0, None
        for t in targets:
            if int(t["year"]) != int(year) or _CMP.get(str(t.get("comparator") or ">=")) is None:
                continue
            if t.get("unit") and ind.measure and squash(str(t["unit"])) != squash(ind.measure):
                continue
            sc = fuzz.token_set_ratio(key, squash(_norm(str(t["indicator"]))))
            if sc > best:
                best, best_t = sc, t
        if best_t is None or best < thr:
            continue
        cmp = _CMP.get(str(best_t.get("comparator") or ">="))
        if cmp is None:  # "~", "qualitative": nothing to compare
            continue
        ref = float(best_t["value"])
        weaker = ind.value < ref if cmp == ">=" else ind.value > ref
        if weaker:
            hits.append(Hit(unit=ind.unit, values={
                "indicator": _short(ind.text, 70), "value": _num(ind.value), "ref_value": _num(ref),
                "comparator": best_t.get("comparator") or "≥", "year": year,
                "measure": ind.measure or best_t.get("unit") or "",
                "reference": best_t.get("reference", ""), "mandate": best_t.get("mandate", ""),
                "score": round(best, 1)}))
    return hits


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
