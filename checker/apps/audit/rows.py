"""One row per plan file: :func:`check_one` checks it (in a worker process) and
:func:`summarize` keeps a small JSON-able summary; an unreadable file is an
:func:`error_row`."""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any


CATEGORIES = ("missing-task", "outdated-reference", "abolished-body", "inconsistency",
              "incomplete-task", "structure", "target")
SEVERITIES = ("error", "warning", "info")
MET = ("covered", "partial")
PROVINCE_LEVELS = ("province", "province-party")


# ---------------------------------------------------------------- one plan

_COMMUNE = re.compile(r"\b(xã|phường|thị trấn|đặc khu)\s+(.+)$", re.IGNORECASE)


def commune_name(issuer: str | None, place: str | None, source: str) -> str:
    """A short, readable commune label: 'Xã Nghĩa Thương'."""
    for text in (issuer, place):
        if not text:
            continue
        t = " ".join(text.split())
        m = _COMMUNE.search(t)
        if m:
            kind = m.group(1).lower()
            name = m.group(2).strip(" .,;")
            if name.isupper():
                name = name.title()
            return f"{kind[0].upper()}{kind[1:]} {name}"
    if issuer:
        return " ".join(issuer.split())
    return Path(source).stem


def _level_guess(issuer: str | None, number: str | None) -> str | None:
    """Level of an uncatalogued document from its issuer and symbol."""
    from checker.normalize import fold

    i = fold(issuer or "").lower()
    n = fold(number or "").upper()
    if "tinh uy" in i or "thanh uy" in i or n.endswith("/TU") or "-KH/TU" in n:
        return "province-party"
    if re.search(r"\b(ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan)\s+(tinh|thanh pho)\b", i) \
            or re.search(r"\bso\s+\w", i):
        return "province"
    if "chinh phu" in i or n.endswith("/NQ-CP") or n.endswith("/ND-CP"):
        return "government"
    if "bo chinh tri" in i or n.endswith("-NQ/TW") or n.endswith("/TW"):
        return "party-central"
    if "xa" in i.split() or "phuong" in i.split():
        return "commune"
    return None


def document_rows(result: Any) -> list[dict[str, Any]]:
    """The documents a plan cites, one entry each, with their level."""
    try:
        from checker.cite.catalog import catalog
        cat = catalog()
    except Exception:  # catalogue absent: levels are guessed
        cat = None
    plan = result.plan
    extra = {}
    for d in getattr(plan, "documents", None) or []:
        if isinstance(d, dict):
            k = d.get("doc_id") or d.get("id")
            if k:
                extra[k] = d
    out: dict[str, dict[str, Any]] = {}
    for c in plan.citations:
        if not c.number and not c.doc_id:
            continue
        key = c.doc_id or f"{c.number}@{c.date.year if c.date and c.date.year else ''}"
        if key in out:
            out[key]["count"] += 1
            continue
        doc = cat.get(c.doc_id) if (cat is not None and c.doc_id) else None
        level = (doc.level if doc else None) or (extra.get(key) or {}).get("level") \
            or _level_guess(c.issuer, c.number)
        label = doc.label() if doc else " ".join(
            x for x in (c.doc_type, c.number, f"ngày {c.date.iso()}" if c.date else "") if x)
        out[key] = {"key": key, "doc_id": c.doc_id, "number": c.number or (doc.number if doc else None),
                    "type": c.doc_type or (doc.type if doc else None),
                    "date": c.date.iso() if c.date else (doc.date if doc else None),
                    "issuer": c.issuer or (doc.issuer if doc else None),
                    "level": level, "label": label, "role": c.role,
                    "line": c.loc.line, "location": c.loc.human, "count": 1}
    return list(out.values())


def summarize(result: Any, source: str, sha256: str = "") -> dict[str, Any]:
    """The JSON-able part of a CheckResult the audit needs (and caches)."""
    plan = result.plan
    h = plan.header
    cov = result.coverage
    groups = [dict(g) for g in (cov.groups if cov else [])]
    mandates = []
    for ms in (cov.mandates if cov else []):
        m = ms.mandate
        mandates.append({"id": m.id, "reference": m.reference, "group": m.group, "title": m.title,
                         "status": ms.status, "score": round(float(ms.score or 0.0), 1)})
    findings = []
    counts = {c: 0 for c in CATEGORIES}
    sev = {s: 0 for s in SEVERITIES}
    for f in result.findings:
        if getattr(f, "waived", None):
            continue
        counts[f.category] = counts.get(f.category, 0) + 1
        sev[f.severity] = sev.get(f.severity, 0) + 1
        findings.append({"rule": f.rule, "category": f.category, "severity": f.severity,
                         "message": f.message, "line": f.line, "location": f.location,
                         "fingerprint": f.fingerprint})
    as_of = result.as_of.isoformat() if hasattr(result.as_of, "isoformat") else result.as_of
    return {
        "source": source, "file": Path(source).name, "sha256": sha256 or plan.sha256 or "",
        "ok": True, "error": None,
        "commune": commune_name(h.issuer, h.place, source),
        "issuer": h.issuer, "number": h.number, "place": h.place,
        "date": h.date.iso() if h.date else None, "title": h.title,
        "as_of": as_of, "as_of_basis": result.as_of_basis,
        "references": list(result.references),
        "sections": len(plan.sections), "tasks": len(plan.tasks),
        "groups": groups, "mandates": mandates,
        "counts": counts, "severity": sev, "findings": findings,
        "documents": document_rows(result),
    }


def error_row(source: str, code: str, vi: str, en: str, sha256: str = "") -> dict[str, Any]:
    return {"source": source, "file": Path(source).name, "sha256": sha256, "ok": False,
            "error": {"code": code, "vi": vi, "en": en}, "commune": None}


def check_one(source: str, references: list[str] | None = None, as_of: dt.date | None = None,
              sha256: str = "") -> dict[str, Any]:
    """Check one plan; never raises.  Runs in a worker process."""
    from checker.errors import PlanError

    t0 = time.perf_counter()
    try:
        from checker.pipeline import check
        result = check(source, references=references, as_of=as_of)
        row = summarize(result, source, sha256)
    except PlanError as e:
        row = error_row(source, e.code, e.vi, e.en, sha256)
        row["cacheable"] = True  # the same bytes give the same error
    except Exception as e:  # a bug or a missing module must not stop the audit
        msg = f"{type(e).__name__}: {e}"
        row = error_row(source, "internal", f"Lỗi khi kiểm tra tệp: {msg}",
                        f"Error while checking the file: {msg}", sha256)
        row["cacheable"] = False
    row["elapsed"] = round(time.perf_counter() - t0, 4)
    return row


def _check_star(args: tuple) -> dict[str, Any]:
    return check_one(*args)
