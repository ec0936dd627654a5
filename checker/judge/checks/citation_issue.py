"""Check kind ``citation-issue``: consistency problems of the citations.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _scan, _scope, _vn_date
from checker.judge.findings import fill
from checker.judge.registry import Hit, check


# citation consistency: read from the citation extractor when it offers
# ``citation_issues(plan)``; the simple ones are also derived here from the
# plan's citations so the rules work on any extracted plan.

def _issue_get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def citation_issues(ctx: Ctx) -> list[dict[str, Any]]:
    """Issues of the plan's citations as ``{kind, unit, start, end, values}``.

    From ``checker.cite.consistency.citation_issues(citations, plan_date)`` when the
    plan's citations were extracted; otherwise derived here from the text.
    """
    cache = getattr(ctx, "_issues", None)
    if cache is not None:
        return cache
    issues: list[dict[str, Any]] = []
    fn = None
    if ctx.plan.citations:
        try:
            from checker.cite.consistency import citation_issues as fn  # type: ignore
        except Exception:  # pragma: no cover
            fn = None
    if fn is not None:
        for it in fn(ctx.plan.citations, ctx.plan.header.date) or []:
            issues.extend(_adapt_issue(ctx, it))
    else:
        issues = _derive_issues(ctx)
    ctx._issues = issues  # type: ignore[attr-defined]
    return issues


def _adapt_issue(ctx: Ctx, it: dict[str, Any]) -> list[dict[str, Any]]:
    kind = it.get("kind")
    data = dict(it.get("data") or {})
    cits = [ctx.plan.citations[i] for i in it.get("citations") or []
            if isinstance(i, int) and 0 <= i < len(ctx.plan.citations)]
    base = {"kind": kind, "unit": it.get("unit"), "start": it.get("start"), "end": it.get("end")}
    vals: dict[str, Any] = {"number": data.get("number") or it.get("surface", ""),
                            "surface": it.get("surface", "")}
    if kind == "date-conflict" and cits:
        # the right date: the catalogue's if it is one of them, else the first one written
        dates = [c.date.iso() for c in cits if c.date]
        right = data.get("catalog_date") if data.get("catalog_date") in dates else dates[0]
        ref = next(c for c in cits if c.date and c.date.iso() == right)
        out, seen = [], set()
        for c in cits:
            if not c.date or c.date.iso() == right or c.unit in seen:
                continue
            seen.add(c.unit)
            v = dict(vals, date=_vn_date(c.date.iso()), other_date=_vn_date(right),
                     other_line=ref.loc.line)
            # what the rule's notes (check params) may add to the message
            if data.get("catalog_date") == right:
                v["catalog_date"] = _vn_date(right)
            owner = _undated_parent(ctx, c)
            if owner is not None:
                v["outer_number"] = owner.number
            issue = {"kind": kind, "unit": c.unit, "start": c.start, "end": c.end, "values": v}
            if owner is not None:
                # more likely a date placed after the nested number than a wrong
                # date: a warning to re-read, not an error
                issue["severity"] = "warning"
            out.append(issue)
        return out
    if kind == "issuer-conflict" and cits:
        issuers = data.get("issuers") or []
        first = cits[0]
        out, seen = [], set()
        for c in cits[1:]:
            if c.issuer == first.issuer or c.unit in seen:
                continue
            seen.add(c.unit)
            out.append({"kind": kind, "unit": c.unit, "start": c.start, "end": c.end,
                        "values": dict(vals, issuer=c.issuer, other_issuer=first.issuer,
                                       other_line=first.loc.line, issuers="; ".join(issuers))})
        return out
    if kind == "malformed-symbol":
        vals["match"] = data.get("number_raw") or it.get("surface", "")
    if kind == "date-after-plan":
        vals["date"] = _vn_date(data.get("date"))
        vals["plan_date"] = _vn_date(data.get("plan_date"))
    if kind == "type-symbol-mismatch":
        vals["doc_type"] = data.get("doc_type", "")
        vals["expected"] = ", ".join(data.get("expected") or [])
    if kind == "catalog-date-differs":
        vals["date"] = _vn_date(data.get("date"))
        vals["catalog_date"] = _vn_date(data.get("catalog_date"))
    return [dict(base, values=vals)]


def _undated_parent(ctx: Ctx, c: Any) -> Any:
    """The undated citation whose title holds ``c`` ("NQ 11/NQ-CP sửa đổi NQ
    71/NQ-CP ngày 14/01/2026": the date may be NQ 11's)."""
    if c.parent is None or not (0 <= c.parent < len(ctx.plan.citations)):
        return None
    p = ctx.plan.citations[c.parent]
    if p.date is None and p.number and p.unit == c.unit:
        return p
    return None


def _derive_issues(ctx: Ctx) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cits = ctx.plan.citations
    by_num: dict[tuple[str, str], list] = {}
    for c in cits:
        if c.number and c.date and c.date.complete:
            key = (c.number.upper(), str(c.date.year))
            by_num.setdefault(key, []).append(c)
        for w in c.warnings:
            kind = "malformed-symbol" if "symbol" in w or "ký hiệu" in w else w.split(":")[0]
            out.append({"kind": kind, "unit": c.unit, "start": c.start, "end": c.end,
                        "values": {"number": c.number, "surface": c.surface, "detail": w}})
    h = ctx.plan.header
    if h.date is not None and h.date.year:
        latest = h.date.latest()
        for c in cits:
            if c.date and c.date.complete and latest and c.date.earliest() > latest:
                out.append({"kind": "date-after-plan", "unit": c.unit, "start": c.start, "end": c.end,
                            "values": {"number": c.number or c.surface, "date": _vn_date(c.date.iso()),
                                       "plan_date": _vn_date(h.date.iso())}})
    if not cits:
        out.extend(_text_two_dates(ctx))
    for (num, _y), cs in by_num.items():
        dates = sorted({c.date.iso() for c in cs})
        if len(dates) > 1:
            first = cs[0]
            for c in cs:
                if c.date.iso() != first.date.iso():
                    out.append({"kind": "two-dates", "unit": c.unit, "start": c.start, "end": c.end,
                                "values": {"number": num, "date": _vn_date(c.date.iso()),
                                           "other_date": _vn_date(first.date.iso()),
                                           "other_line": first.loc.line}})
    return out


_SYM_DATE = re.compile(
    r"\bsố\s+(?P<num>\d{1,5}(?:/\d{4})?\s*[-/]\s*[A-ZĐ]{1,6}(?:\s*[-/]\s*[A-ZĐ]{1,8}){0,2})"
    r"\s*,?\s*ngày\s+(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d\d)")


def _text_two_dates(ctx: Ctx) -> list[dict[str, Any]]:
    """Two dates for one number, read from the text when no citations were
    extracted ("số 469-KH/TU ngày 16/5/2025" … "số 469-KH/TU ngày 15/5/2025")."""
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    out = []
    for u in ctx.units:
        t = ctx.text(u)
        for m in _SYM_DATE.finditer(t):
            num = re.sub(r"\s+", "", m.group("num")).upper()
            try:
                d = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
            key = (num, m.group("y"))
            if key not in seen:
                seen[key] = (d.isoformat(), u.loc.line)
                continue
            first, line = seen[key]
            if first != d.isoformat():
                out.append({"kind": "two-dates", "unit": u.index, "nstart": m.start(), "nend": m.end(),
                            "values": {"number": num, "date": _vn_date(d.isoformat()),
                                       "other_date": _vn_date(first), "other_line": line}})
    return out


def _add_notes(values: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """{detail}: the rule's notes (``{when: key, vi: …, en: …}``) whose key
    the issue carries, filled and joined."""
    active = [n for n in notes if values.get(n.get("when"))]
    if active:
        values["detail"] = " ".join(fill(n.get("vi", ""), values) for n in active)
        values["detail_en"] = " ".join(fill(n.get("en", ""), values) for n in active)


@check("citation-issue")
def check_citation_issue(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Consistency problems of the citations, selected by ``issues`` kinds."""
    kinds = set(params.get("issues") or [params.get("issue")])
    hits = []
    seen: set[tuple] = set()
    for it in citation_issues(ctx):
        if it.get("kind") not in kinds:
            continue
        key = (it.get("unit"), (it.get("values") or {}).get("match") or (it.get("values") or {}).get("number"))
        if key in seen:
            continue
        seen.add(key)
        values = dict(it.get("values") or {})
        _add_notes(values, params.get("notes") or [])
        hits.append(Hit(unit=it.get("unit"), ostart=it.get("start"), oend=it.get("end"),
                        nstart=it.get("nstart"), nend=it.get("nend"), values=values,
                        severity=it.get("severity")))
    # extra text patterns (e.g. symbols with a missing hyphen) for plans whose
    # citations were not extracted
    if params.get("patterns") and not ctx.plan.citations:
        hits.extend(_scan(ctx, params, _scope(ctx, params)))
    return hits
