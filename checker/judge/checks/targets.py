"""Check kind ``weak-target``: a target weaker than the reference target.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _short
from checker.judge.registry import Hit, check
from checker.normalize import fold, norm as _norm, squash


# ----------------------------------------------------------------- targets

def _reference_targets(ctx: Ctx, params: dict, need_year: bool = True) -> list[dict[str, Any]]:
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
        if not text or (need_year and not t.get("year")):
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
            # a count ("05 bộ dữ liệu mở") is never compared with a percentage
            measure = ind.measure or _measure_of(ind.target or "")
            if t.get("unit") and squash(str(t["unit"])) != squash(measure or ""):
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


# (?<!\d) and (?<!\s): a match starts only where a number or a space run starts, so a
# long run of digits or spaces is scanned once, not once per position (tests/test_regex_budget.py)
_MEASURE = re.compile(r"(?<!\d)\d+(?:[.,]\d+)?\s*(%|[^\W\d_][\w/]*)", re.U)


def _measure_of(text: str) -> str | None:
    """The unit written after a target's number: "80%" → "%", "05 bộ" → "bộ"."""
    m = _MEASURE.search(text or "")
    return m.group(1) if m else None


_PCT = re.compile(r"(?P<cmp>tối thiểu|ít nhất|trên|đạt|≥|>=)?(?<!\s)\s*(?:đạt\s+)?(?P<val>\d{1,3}(?:[.,]\d+)?)\s*%"
                  r"(?:[^.;\n]{0,25}?năm\s+(?P<year>20\d\d))?", re.I)
_WORD = re.compile(r"\w+", re.U)


@check("prose-target")
def check_prose_target(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A percentage target written in a sentence (not in a table of
    indicators) for an indicator of the reference: weaker than the
    reference's figure for the same year, or set for a figure or year the
    reference does not give.  The sentence must hold every word of the
    reference indicator (``coverage``), so that only the same indicator is
    compared."""
    targets = [t for t in _reference_targets(ctx, params, need_year=False) if str(t.get("unit") or "") == "%"]
    if not targets:
        return []
    need = float(params.get("coverage", 0.9))
    table_units = {i.unit for i in ctx.plan.indicators}
    keyed = []
    for t in targets:
        words = set(_WORD.findall(fold(_norm(str(t["indicator"])))))
        if len(words) >= 4:
            keyed.append((t, words))
    hits = []
    for u in ctx.units:
        if u.kind == "row" or u.index in table_units or "%" not in u.text:
            continue
        low = ctx.lower(u)
        have = set(_WORD.findall(fold(low)))
        for t, words in keyed:
            if len(words & have) / len(words) < need:
                continue
            m = _PCT.search(low)
            if m is None:
                continue
            value = float(m.group("val").replace(",", "."))
            year = int(m.group("year")) if m.group("year") else None
            ref, ryear = float(t["value"]), t.get("year")
            cmp = _CMP.get(str(t.get("comparator") or ">="))
            if cmp is None:
                continue
            weaker = value < ref if cmp == ">=" else value > ref
            if ryear and year and int(ryear) != year:
                continue  # another year: not comparable
            if weaker and (not ryear or not year or int(ryear) == year):
                kind = "weaker"
            elif not ryear and year:
                kind = "unsourced"  # the reference gives no year; the plan sets one
            else:
                continue
            src = t.get("source") or {}
            hits.append(Hit(unit=u.index, nstart=m.start("val"), nend=m.end(), severity=(
                None if kind == "weaker" else "info"), values={
                "indicator": _short(str(t["indicator"]), 70), "value": _num(value),
                "indicator_en": _short(str(t.get("text_en") or "(Vietnamese) " + str(t["indicator"])), 90),
                "year": year or "", "in_year": f" vào năm {year}" if year else "",
                "in_year_en": f" by {year}" if year else "", "ref_value": _num(ref), "ref_year": ryear or "",
                "comparator": {">=": "≥", "<=": "≤"}.get(str(t.get("comparator") or ">="), t.get("comparator")),
                "kind": kind,
                "reference": t.get("reference", ""), "mandate": t.get("mandate", ""),
                "source": "Nghị quyết " + str(src.get("document", "")).split("@")[0] if src.get("document") else "",
                "source_en": "Resolution " + str(src.get("document", "")).split("@")[0] if src.get("document") else "",
                "lead": params.get(kind + "_vi", ""), "lead_en": params.get(kind + "_en", "")}))
            break
    for h in hits:
        v = h.values
        v["lead"] = v["lead"].format(**{k: x for k, x in v.items() if not k.startswith("lead")})
        en = dict(v, in_year=v["in_year_en"], source=v["source_en"], indicator=v["indicator_en"])
        v["lead_en"] = v["lead_en"].format(**{k: x for k, x in en.items() if not k.startswith("lead")})
    return hits
