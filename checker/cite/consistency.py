"""What the citations of a plan contradict - each other or the catalogue:
conflicting dates or issuers, malformed or incomplete symbols, impossible
dates, a date after the plan, a type that does not fit its symbol."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from checker.cite.catalog import Catalog, catalog, issuer_key
from checker.cite.resolve import _same_family
from checker.cite.tokenize import symbol_code
from checker.model import Citation, PartialDate


def citation_issues(citations: list[Citation], plan_date: Any = None,
                    cat: Catalog | None = None) -> list[dict[str, Any]]:
    """Inconsistencies that come straight out of extraction.

    ``plan_date`` is a ``PartialDate``, ``date`` or ISO string (or None).
    Kinds: date-conflict, issuer-conflict, malformed-symbol, incomplete-symbol,
    date-after-plan, impossible-date, type-symbol-mismatch, catalog-date-differs.
    """
    cat = cat or catalog()
    issues: list[dict[str, Any]] = []
    groups: dict[str, list[Citation]] = {}
    for c in citations:
        if c.doc_id:
            groups.setdefault(c.doc_id, []).append(c)
    for doc_id, cs in groups.items():
        dates: dict[str, list[Citation]] = {}
        for c in cs:
            if c.date and c.date.complete:
                dates.setdefault(c.date.iso(), []).append(c)
        if len(dates) > 1:
            entry = cat.get(doc_id)
            issues.append(_issue("date-conflict", [x for v in dates.values() for x in v], {
                "doc_id": doc_id, "number": cs[0].number, "dates": sorted(dates),
                "catalog_date": entry.date if entry else None,
                "catalog_confidence": entry.fact_confidence("date") if entry else None}))
        issuers: dict[str, list[Citation]] = {}
        for c in cs:
            if c.issuer:
                issuers.setdefault(issuer_key(c.issuer), []).append(c)
        keys = list(issuers)
        conflicting = [k for k in keys if not any(k != o and (k in o or o in k) for o in keys)]
        if len(keys) > 1 and len(conflicting) > 1 and not _compatible_issuers(keys):
            issues.append(_issue("issuer-conflict", [x for v in issuers.values() for x in v], {
                "doc_id": doc_id, "number": cs[0].number,
                "issuers": [v[0].issuer for v in issuers.values()]}))
    limit = _plan_latest(plan_date)
    for c in citations:
        for w in ("malformed-symbol", "incomplete-symbol", "impossible-date", "catalog-date-differs",
                  "catalog-issuer-differs"):
            if w in c.warnings:
                data = {"surface": c.surface, "number": c.number, "number_raw": c.number_raw}
                entry = cat.get(c.doc_id) if c.doc_id else None
                if w == "catalog-date-differs":
                    data.update({"date": c.date.iso() if c.date else None,
                                 "catalog_date": entry.date if entry else None})
                if w == "catalog-issuer-differs":
                    data.update({"issuer": c.issuer, "catalog_issuer": entry.issuer if entry else None,
                                 "doc_id": c.doc_id})
                    issues.append(_issue("issuer-conflict", [c], data))
                    continue
                issues.append(_issue(w, [c], data))
        if limit and c.date and c.date.complete and c.date.earliest() > limit:
            issues.append(_issue("date-after-plan", [c], {"date": c.date.iso(), "plan_date": limit.isoformat(),
                                                         "number": c.number}))
        code = symbol_code(c.number)
        if code and c.doc_type and c.number_raw and not c.number_raw.isdigit():
            types = cat.types_for_code(code.rstrip("0123456789")) or cat.types_for_code(code)
            if types and not any(_same_family(c.doc_type, t) for t in types):
                issues.append(_issue("type-symbol-mismatch", [c], {
                    "doc_type": c.doc_type, "number": c.number, "code": code, "expected": types}))
    issues.sort(key=lambda x: (x["line"] or 0, x["kind"]))
    return issues


def _compatible_issuers(keys: list[str]) -> bool:
    """'btv tinh uy dong nai' and 'tinh uy' name the same body; so do 'ubnd tinh' and 'ubnd tinh dong nai'."""
    core = {re.sub(r"^btv ", "", k) for k in keys}
    core = {k for k in core if not any(k != o and o.startswith(k) for o in core)}
    return len(core) <= 1


def _dmy(iso: str | None) -> str:
    return "/".join(reversed(iso.split("-"))) if iso else "?"


def _message(kind: str, d: dict[str, Any], surface: str) -> dict[str, str]:
    """Short bilingual description of an issue (rules may word their own)."""
    num = d.get("number") or surface
    if kind == "date-conflict":
        ds = ", ".join(_dmy(x) for x in d["dates"])
        cat = f" (ngày đúng theo danh mục: {_dmy(d['catalog_date'])})" if d.get("catalog_date") else ""
        cat_en = f" (catalogue date: {_dmy(d['catalog_date'])})" if d.get("catalog_date") else ""
        return {"vi": f"Văn bản {num} được ghi với các ngày khác nhau: {ds}{cat}",
                "en": f"{num} is cited with different dates: {ds}{cat_en}"}
    if kind == "issuer-conflict":
        iss = d.get("issuers") or [d.get("issuer"), d.get("catalog_issuer")]
        who = "; ".join(str(x) for x in iss if x)
        return {"vi": f"Văn bản {num} được ghi với các cơ quan ban hành khác nhau: {who}",
                "en": f"{num} is cited with different issuers: {who}"}
    if kind == "malformed-symbol":
        return {"vi": f"Số, ký hiệu viết sai “{d.get('number_raw')}”, đúng là {num}",
                "en": f"Malformed number/symbol “{d.get('number_raw')}”; should be {num}"}
    if kind == "incomplete-symbol":
        return {"vi": f"Số hiệu “{d.get('number_raw')}” thiếu ký hiệu văn bản" + (f" ({num})" if num != d.get("number_raw") else ""),
                "en": f"Number “{d.get('number_raw')}” lacks the document symbol" + (f" ({num})" if num != d.get("number_raw") else "")}
    if kind == "date-after-plan":
        return {"vi": f"Văn bản {num} ngày {_dmy(d['date'])} ban hành sau ngày của kế hoạch ({_dmy(d['plan_date'])})",
                "en": f"{num} dated {_dmy(d['date'])} is later than the plan itself ({_dmy(d['plan_date'])})"}
    if kind == "impossible-date":
        return {"vi": f"Ngày không có thật trong trích dẫn “{surface}”",
                "en": f"A date that does not exist in “{surface}”"}
    if kind == "type-symbol-mismatch":
        exp = ", ".join(d["expected"])
        return {"vi": f"{d['doc_type']} nhưng ký hiệu {d['code']} trong {num} là của: {exp}",
                "en": f"A {d['doc_type']} numbered {num}, but the code {d['code']} belongs to: {exp}"}
    if kind == "catalog-date-differs":
        return {"vi": f"{num} được ghi ngày {_dmy(d.get('date'))}, nhưng văn bản này ban hành ngày {_dmy(d.get('catalog_date'))}",
                "en": f"{num} is dated {_dmy(d.get('date'))}, but it was issued on {_dmy(d.get('catalog_date'))}"}
    return {"vi": kind, "en": kind}


def _issue(kind: str, cs: list[Citation], data: dict[str, Any]) -> dict[str, Any]:
    cs = sorted(cs, key=lambda c: c.index)
    return {"kind": kind, "citations": [c.index for c in cs], "line": cs[0].loc.line,
            "lines": sorted({c.loc.line for c in cs}), "location": cs[0].loc.human,
            "unit": cs[0].unit, "start": cs[0].start, "end": cs[0].end,
            "surface": cs[0].surface, "data": data, "message": _message(kind, data, cs[0].surface)}


def _plan_latest(plan_date: Any) -> dt.date | None:
    if plan_date is None:
        return None
    if isinstance(plan_date, PartialDate):
        return plan_date.latest() if plan_date.year else None
    if isinstance(plan_date, dt.date):
        return plan_date
    try:
        return dt.date.fromisoformat(str(plan_date))
    except ValueError:
        return None
