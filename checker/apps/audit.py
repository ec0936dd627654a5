"""Province audit: check many plans in parallel and put them side by side.

``run_audit(paths, …)`` finds every plan under the given folders / globs,
looks each one up in the incremental cache (:mod:`checker.apps.cache`), checks
the rest with :func:`checker.pipeline.check` in a process pool, and returns
an :class:`Audit`: one row per plan file (two plans of one commune are two
rows; an unreadable file is a row with its error) and the aggregates a
province reads — communes × mandates, communes × NQ 57 groups, findings
counts by category, a ranking, the provincial documents each commune cites
and the communes that still cite a document the others have replaced.

Workers return small JSON-able summaries (:func:`summarize`), never Plan
objects; the parent alone writes the cache and the outputs
(:func:`write_outputs`).
"""
from __future__ import annotations

import datetime as dt
import glob
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from checker import __version__

PLAN_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
CATEGORIES = ("missing-task", "outdated-reference", "abolished-body", "inconsistency",
              "incomplete-task", "structure", "target")
SEVERITIES = ("error", "warning", "info")
MET = ("covered", "partial")
PROVINCE_LEVELS = ("province", "province-party")


# ---------------------------------------------------------------- discovery

def find_plans(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Every plan file under ``paths`` (folders recursively, files, globs).

    A file named explicitly is kept whatever its suffix; inside folders and
    globs only .txt .md .docx .pdf count.  Hidden folders and the folders in
    ``exclude`` (the audit's own output and cache) are skipped.
    """
    skip = [Path(p).resolve() for p in exclude]
    found: dict[Path, Path] = {}

    def keep(p: Path, explicit: bool = False) -> None:
        if not p.is_file():
            return
        if not explicit and p.suffix.lower() not in PLAN_SUFFIXES:
            return
        rp = p.resolve()
        if any(rp == s or s in rp.parents for s in skip):
            return
        found.setdefault(rp, p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if not name.startswith("."):
                        keep(Path(root) / name)
        elif p.is_file():
            keep(p, explicit=True)
        elif any(ch in str(raw) for ch in "*?["):
            for hit in sorted(glob.glob(str(raw), recursive=True)):
                hp = Path(hit)
                if hp.is_dir():
                    for sub in sorted(hp.rglob("*")):
                        keep(sub)
                else:
                    keep(hp)
    return sorted(found.values(), key=lambda q: str(q))


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


# ---------------------------------------------------------------- the audit

@dataclass
class Audit:
    rows: list[dict[str, Any]]
    references: list[str] = field(default_factory=list)
    as_of: str | None = None
    generated: str = ""
    elapsed: float = 0.0
    jobs: int = 1
    cache_path: str | None = None
    data_version: str = ""

    # aggregates (filled by aggregate())
    groups: list[dict[str, Any]] = field(default_factory=list)
    mandates: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    provincial_documents: list[dict[str, Any]] = field(default_factory=list)
    stale_citations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("ok")]

    @property
    def error_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if not r.get("ok")]

    @property
    def cached(self) -> int:
        return sum(1 for r in self.rows if r.get("cached"))

    @property
    def checked(self) -> int:
        return sum(1 for r in self.rows if not r.get("cached"))

    def summary(self) -> dict[str, Any]:
        return {"files": len(self.rows), "ok": len(self.ok_rows), "errors": len(self.error_rows),
                "cached": self.cached, "checked": self.checked,
                "elapsed": round(self.elapsed, 3), "jobs": self.jobs}

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool_version": __version__, "data_version": self.data_version,
            "generated": self.generated, "references": self.references, "as_of": self.as_of,
            "summary": self.summary(),
            "groups": self.groups, "mandates": self.mandates,
            "rows": self.rows, "ranking": self.ranking,
            "group_matrix": [{"source": r["source"], "commune": r.get("commune"),
                              "ratios": r.get("group_ratios", {})} for r in self.ok_rows],
            "mandate_matrix": [{"source": r["source"], "commune": r.get("commune"),
                                "cells": {m["id"]: {"status": m["status"], "score": m["score"]}
                                          for m in r.get("mandates", [])}} for r in self.ok_rows],
            "provincial_documents": self.provincial_documents,
            "stale_citations": self.stale_citations,
        }


def group_key(g: dict[str, Any]) -> str:
    return f"{g.get('reference', '')}:{g.get('group', '')}"


def _group_sort(key: str) -> tuple:
    ref, _, grp = key.partition(":")
    parts = re.split(r"[.\s]", grp)
    return (ref != "nq57", ref, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])


def coverage_of(row: dict[str, Any]) -> float | None:
    """Overall coverage of one plan: group ratios weighted by mandates."""
    tot = sum(g.get("total") or 0 for g in row.get("groups", []))
    if not tot:
        return None
    return sum((g.get("ratio") or 0.0) * (g.get("total") or 0) for g in row["groups"]) / tot


def aggregate(audit: Audit) -> Audit:
    """Fill the matrices' columns, the ranking and the document analyses."""
    gcols: dict[str, dict[str, Any]] = {}
    mcols: dict[str, dict[str, Any]] = {}
    for r in audit.ok_rows:
        ratios = {}
        for g in r.get("groups", []):
            k = group_key(g)
            gcols.setdefault(k, {"key": k, "reference": g.get("reference"), "group": g.get("group"),
                                 "title": g.get("title")})
            ratios[k] = g.get("ratio")
        r["group_ratios"] = ratios
        for m in r.get("mandates", []):
            mcols.setdefault(m["id"], {k: m.get(k) for k in ("id", "reference", "group", "title")})
        r["coverage"] = coverage_of(r)
    audit.groups = sorted(gcols.values(), key=lambda g: _group_sort(g["key"]))
    audit.mandates = sorted(mcols.values(), key=lambda m: (_group_sort(f"{m['reference']}:{m['group']}"), m["id"]))

    ranked = sorted(audit.ok_rows, key=lambda r: (-(r.get("coverage") or 0.0),
                                                  r.get("severity", {}).get("error", 0),
                                                  r.get("severity", {}).get("warning", 0),
                                                  r["source"]))
    audit.ranking = [{"rank": i + 1, "source": r["source"], "commune": r.get("commune"),
                      "coverage": None if r.get("coverage") is None else round(r["coverage"], 3),
                      "errors": r.get("severity", {}).get("error", 0),
                      "warnings": r.get("severity", {}).get("warning", 0)}
                     for i, r in enumerate(ranked)]
    for entry in audit.ranking:
        for r in audit.rows:
            if r["source"] == entry["source"]:
                r["rank"] = entry["rank"]
    audit.provincial_documents = provincial_documents(audit.ok_rows)
    audit.stale_citations = stale_citations(audit.ok_rows)
    return audit


def provincial_documents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Province-level documents and the plans that cite each, most cited first."""
    docs: dict[str, dict[str, Any]] = {}
    for r in rows:
        for d in r.get("documents", []):
            if d.get("level") not in PROVINCE_LEVELS:
                continue
            e = docs.setdefault(d["key"], {"key": d["key"], "doc_id": d.get("doc_id"),
                                           "label": d.get("label"), "issuer": d.get("issuer"),
                                           "level": d.get("level"), "cited_by": []})
            e["cited_by"].append({"source": r["source"], "commune": r.get("commune")})
    return sorted(docs.values(), key=lambda e: (-len(e["cited_by"]), e["label"] or ""))


def stale_citations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plans citing a document the catalogue marks replaced/amended at the
    plan's as-of date, with the other plans that cite its replacement."""
    try:
        from checker.cite.catalog import catalog
        cat = catalog()
    except Exception:
        return []
    cited: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        for d in r.get("documents", []):
            if d.get("doc_id"):
                cited.setdefault(d["doc_id"], []).append(r)
    out = []
    for r in rows:
        try:
            day = dt.date.fromisoformat(str(r.get("as_of"))[:10])
        except ValueError:
            continue
        for d in r.get("documents", []):
            did = d.get("doc_id")
            if not did:
                continue
            # only links the catalogue confirms: an amendment known from one
            # plan (seed) or believed is not enough to call a citation stale
            full = cat.replacement_chain(did, day)
            chain = []
            for link in full:
                if link[1].confidence not in (None, "verified"):
                    break
                chain.append(link)
            if not chain:
                continue
            newer = [t for t, _ in chain]
            others = []
            for t in newer:
                for o in cited.get(t, []):
                    if o["source"] != r["source"] and o["source"] not in [x["source"] for x in others]:
                        others.append({"source": o["source"], "commune": o.get("commune")})
            rel = chain[0][1]
            out.append({"source": r["source"], "commune": r.get("commune"), "cited": d.get("label"),
                        "doc_id": did, "line": d.get("line"), "location": d.get("location"),
                        "relation": rel.type, "effective": rel.effective,
                        "confidence": rel.confidence,
                        "replacement": _label(cat, newer[-1]), "replacement_id": newer[-1],
                        "others": others,
                        "unconfirmed_next": [t for t, _ in full[len(chain):]],
                        "unconfirmed_labels": [_label(cat, t) for t, _ in full[len(chain):]]})
    out.sort(key=lambda e: (-len(e["others"]), e["source"], e["doc_id"]))
    return out


def _label(cat: Any, doc_id: str) -> str:
    doc = cat.get(doc_id)
    return doc.label() if doc else doc_id


def default_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir).resolve().parent / ".plancheck-cache"


def run_audit(paths: Iterable[str | Path], references: list[str] | None = None,
              jobs: int | None = None, as_of: dt.date | None = None,
              cache_dir: str | Path | None = None, use_cache: bool = True,
              exclude: Iterable[str | Path] = (),
              progress: Callable[[int], None] | None = None,
              files: list[Path] | None = None) -> Audit:
    """Audit every plan under ``paths``; see the module docstring."""
    from checker.apps.cache import ResultCache, data_version, file_sha256, make_key, options_key

    t0 = time.perf_counter()
    plan_files = files if files is not None else find_plans(paths, exclude=exclude)
    jobs = max(1, jobs or os.cpu_count() or 1)
    refs = list(references) if references else None
    audit = Audit(rows=[], references=refs or [], as_of=as_of.isoformat() if as_of else None,
                  generated=dt.datetime.now().isoformat(timespec="seconds"), jobs=jobs,
                  data_version=data_version())
    cache = ResultCache(cache_dir) if (use_cache and cache_dir) else None
    audit.cache_path = str(cache.path) if cache is not None else None
    opts = options_key(refs, as_of)

    rows: dict[int, dict[str, Any]] = {}
    todo: list[tuple[int, str, str, str]] = []  # index, source, sha, key
    for i, p in enumerate(plan_files):
        src = str(p)
        try:
            sha = file_sha256(p)
        except OSError as e:
            rows[i] = error_row(src, "unreadable", f"Không đọc được tệp: {e}", f"Cannot read the file: {e}")
            rows[i]["cached"] = False
            if progress:
                progress(1)
            continue
        key = make_key(sha, opts)
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            hit["source"], hit["file"], hit["cached"] = src, p.name, True
            if hit.get("ok"):
                hit["commune"] = hit.get("commune") or Path(src).stem
            rows[i] = hit
            if progress:
                progress(1)
        else:
            todo.append((i, src, sha, key))

    def done(i: int, key: str, row: dict[str, Any]) -> None:
        row["cached"] = False
        cacheable = row.pop("cacheable", True)
        if cache is not None and cacheable:
            cache.put(key, row, source=row["source"], sha256=row.get("sha256", ""))
        rows[i] = row
        if progress:
            progress(1)

    if todo:
        import multiprocessing as mp

        fork = "fork" in mp.get_all_start_methods()
        if jobs > 1 and len(todo) > 1 and fork:
            # The parent checks the first plan itself: that loads the
            # reference sets, phrase matchers, catalogue and rule packs into
            # its per-process caches, which the forked workers then inherit
            # instead of each building them again.
            for _ in range(3):  # a corrupt first file warms nothing: try the next
                i, src, sha, key = todo.pop(0)
                row = check_one(src, refs, as_of, sha)
                done(i, key, row)
                if row.get("ok") or len(todo) < 2:
                    break
        if jobs > 1 and len(todo) > 1:
            ctx = mp.get_context("fork") if fork else None
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as ex:
                futs = {ex.submit(_check_star, (src, refs, as_of, sha)): (i, key, src)
                        for i, src, sha, key in todo}
                for fut in as_completed(futs):
                    i, key, src = futs[fut]
                    try:
                        row = fut.result()
                    except Exception as e:  # a worker died (memory, signal)
                        row = error_row(src, "worker", f"Tiến trình kiểm tra bị dừng: {e}",
                                        f"The checking process stopped: {e}")
                        row["cacheable"] = False
                    done(i, key, row)
        else:
            for i, src, sha, key in todo:
                done(i, key, check_one(src, refs, as_of, sha))
    if cache is not None:
        cache.commit()
        cache.close()
    audit.rows = [rows[i] for i in sorted(rows)]
    aggregate(audit)
    audit.elapsed = time.perf_counter() - t0
    return audit


# ---------------------------------------------------------------- outputs

LABELS = {
    "vi": {
        "title": "Kiểm tra kế hoạch các xã", "files": "Tệp", "ok": "Đọc được", "errors": "Lỗi đọc",
        "cached": "Lấy từ bộ nhớ đệm", "checked": "Kiểm tra mới", "elapsed": "Thời gian (giây)",
        "heatmap": "Mức độ bao phủ theo nhóm nhiệm vụ NQ 57", "commune": "Xã/phường", "source": "Tệp nguồn",
        "coverage": "Bao phủ", "ranking": "Xếp hạng", "rank": "Hạng", "findings": "Số phát hiện theo loại",
        "error_rows": "Tệp không kiểm tra được", "message": "Thông báo", "mandates": "Ma trận nhiệm vụ được giao",
        "provincial": "Văn bản cấp tỉnh được các xã căn cứ", "document": "Văn bản", "cited_by": "Được trích dẫn bởi",
        "stale": "Xã trích dẫn văn bản đã được thay thế/sửa đổi", "replacement": "Văn bản thay thế",
        "unconfirmed": "sau đó, chưa xác minh",
        "rel": {"amended_by": "được sửa đổi, bổ sung từ", "replaced_by": "được thay thế từ"},
        "others": "Xã khác đã dùng văn bản mới", "severity_error": "Lỗi", "severity_warning": "Cảnh báo",
        "severity_info": "Thông tin", "date": "Ngày", "as_of": "Đánh giá tại ngày", "none": "Không có",
        "legend": "Ô màu: tỷ lệ nhiệm vụ được bao phủ (đỏ 0 % → xanh 100 %).",
        "status": {"covered": "đã có", "partial": "một phần", "missing": "thiếu",
                   "not-applicable": "không áp dụng", "waived": "miễn trừ"},
        "cat": {"missing-task": "Thiếu nhiệm vụ", "outdated-reference": "Văn bản hết hiệu lực",
                "abolished-body": "Cơ quan không còn", "inconsistency": "Không nhất quán",
                "incomplete-task": "Nhiệm vụ chưa rõ", "structure": "Cấu trúc", "target": "Chỉ tiêu"},
    },
    "en": {
        "title": "Commune plan audit", "files": "Files", "ok": "Readable", "errors": "Unreadable",
        "cached": "From cache", "checked": "Checked now", "elapsed": "Time (s)",
        "heatmap": "Coverage by NQ 57 task group", "commune": "Commune", "source": "Source file",
        "coverage": "Coverage", "ranking": "Ranking", "rank": "Rank", "findings": "Findings by category",
        "error_rows": "Files that could not be checked", "message": "Message", "mandates": "Mandate matrix",
        "provincial": "Provincial documents the communes rely on", "document": "Document", "cited_by": "Cited by",
        "stale": "Communes citing a replaced/amended document", "replacement": "Replacement",
        "unconfirmed": "then, unconfirmed",
        "rel": {"amended_by": "amended from", "replaced_by": "replaced from"},
        "others": "Other communes already citing it", "severity_error": "Errors",
        "severity_warning": "Warnings", "severity_info": "Info", "date": "Date", "as_of": "As of",
        "none": "None",
        "legend": "Cell colour: share of mandates covered (red 0 % → green 100 %).",
        "status": {"covered": "covered", "partial": "partial", "missing": "missing",
                   "not-applicable": "n/a", "waived": "waived"},
        "cat": {"missing-task": "Missing task", "outdated-reference": "Outdated reference",
                "abolished-body": "Abolished body", "inconsistency": "Inconsistency",
                "incomplete-task": "Incomplete task", "structure": "Structure", "target": "Target"},
    },
}


def heat_colour(ratio: float | None) -> str:
    """Background colour of a heat-map cell: red (0) → amber → green (1)."""
    if ratio is None:
        return "#eeeeee"
    r = max(0.0, min(1.0, float(ratio)))
    return f"hsl({int(round(120 * r))}, 65%, {78 - 10 * r:.0f}%)"


STATUS_COLOUR = {"covered": "#4caf50", "partial": "#ffc107", "missing": "#e53935",
                 "not-applicable": "#bdbdbd", "waived": "#90a4ae"}


def _template(name: str):
    from jinja2 import Environment, FunctionLoader, select_autoescape

    from checker import resources

    env = Environment(loader=FunctionLoader(lambda n: resources.read_text("reports", n)),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["heat"] = heat_colour
    env.filters["pct"] = lambda v: "—" if v is None else f"{100 * float(v):.0f} %"
    return env.get_template(name)


def _context(audit: Audit, lang: str) -> dict[str, Any]:
    from checker.model import location_label

    L = LABELS.get(lang, LABELS["vi"])
    used_cats = [c for c in CATEGORIES if any(r.get("counts", {}).get(c) for r in audit.ok_rows)] \
        or list(CATEGORIES)
    by_source = {r["source"]: r for r in audit.rows}
    return {"audit": audit, "L": L, "lang": lang, "summary": audit.summary(),
            "categories": used_cats, "status_colour": STATUS_COLOUR,
            "ranked_rows": [by_source[e["source"]] for e in audit.ranking],
            "error_rows": audit.error_rows,
            "msg_key": "en" if lang == "en" else "vi",
            "loc": lambda human: location_label(human, lang)}


def render_html(audit: Audit, lang: str = "vi") -> str:
    return _template("audit.html.j2").render(**_context(audit, lang))


def render_md(audit: Audit, lang: str = "vi") -> str:
    return _template("audit.md.j2").render(**_context(audit, lang))


def _stream(name: str, audit: Audit, lang: str, path: Path) -> None:
    """Render a template piece by piece into ``path`` (the dashboard of 1,000
    plans is ~30 MB: rendering it to one string first doubles the peak)."""
    with open(path, "w", encoding="utf-8") as fh:
        for piece in _template(name).generate(**_context(audit, lang)):
            fh.write(piece)


_JSON = {"ensure_ascii": False, "indent": 1, "default": str}


def render_json(audit: Audit) -> str:
    import json

    return json.dumps(audit.to_dict(), **_JSON)


def write_json(audit: Audit, path: Path) -> None:
    """audit.json streamed to the file: json.dumps of 1,000 plans builds a
    70 MB string from millions of pieces (peak ~800 MB); json.dump writes the
    pieces as they come."""
    import json

    with open(path, "w", encoding="utf-8") as fh:
        json.dump(audit.to_dict(), fh, **_JSON)
        fh.write("\n")


def audit_csv_rows(audit: Audit, lang: str = "vi") -> list[list[Any]]:
    head = ["source", "commune", "date", "as_of", "as_of_basis", "coverage"]
    head += [g["key"] for g in audit.groups]
    head += list(CATEGORIES) + [f"severity_{s}" for s in SEVERITIES] + ["rank", "cached", "error_message"]
    out = [head]
    for r in audit.rows:
        if r.get("ok"):
            gr = r.get("group_ratios", {})
            cov = r.get("coverage")
            line = [r["source"], r.get("commune"), r.get("date") or "", r.get("as_of") or "",
                    r.get("as_of_basis") or "", "" if cov is None else round(cov, 3)]
            line += ["" if gr.get(g["key"]) is None else round(gr[g["key"]], 3) for g in audit.groups]
            line += [r.get("counts", {}).get(c, 0) for c in CATEGORIES]
            line += [r.get("severity", {}).get(s, 0) for s in SEVERITIES]
            line += [r.get("rank", ""), int(bool(r.get("cached"))), ""]
        else:
            err = r.get("error") or {}
            line = [r["source"], "", "", "", "", ""] + [""] * len(audit.groups)
            line += [""] * (len(CATEGORIES) + len(SEVERITIES))
            line += ["", int(bool(r.get("cached"))), err.get("en" if lang == "en" else "vi", "")]
        out.append(line)
    return out


def matrix_csv_rows(audit: Audit) -> list[list[Any]]:
    head = ["source", "commune"]
    for m in audit.mandates:
        head += [m["id"], f"{m['id']}:score"]
    out = [head]
    for r in audit.ok_rows:
        cells = {m["id"]: m for m in r.get("mandates", [])}
        line = [r["source"], r.get("commune")]
        for m in audit.mandates:
            c = cells.get(m["id"])
            line += [c["status"], c["score"]] if c else ["", ""]
        out.append(line)
    return out


def _write_csv(path: Path, rows: list[list[Any]]) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
        csv.writer(f).writerows(rows)


def write_outputs(audit: Audit, out_dir: str | Path, formats: Iterable[str] = ("html", "csv", "json", "md"),
                  lang: str = "vi") -> list[Path]:
    """Write dashboard.html, audit.csv + matrix.csv, audit.json, audit.md."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    formats = set(formats)
    if "html" in formats:
        p = out / "dashboard.html"
        _stream("audit.html.j2", audit, lang, p)
        written.append(p)
    if "csv" in formats:
        p = out / "audit.csv"
        _write_csv(p, audit_csv_rows(audit, lang))
        q = out / "matrix.csv"
        _write_csv(q, matrix_csv_rows(audit))
        written += [p, q]
    if "json" in formats:
        p = out / "audit.json"
        write_json(audit, p)
        written.append(p)
    if "md" in formats:
        p = out / "audit.md"
        _stream("audit.md.j2", audit, lang, p)
        written.append(p)
    return written


def quiet_output() -> bool:
    """No progress bar when stderr is not a terminal or in CI."""
    return not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")
