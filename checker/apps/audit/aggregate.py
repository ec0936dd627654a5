"""The :class:`Audit` and its aggregates: communes × mandates and × NQ 57 groups,
the ranking, the provincial documents each commune cites and the communes that
still cite a replaced document."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from checker import __version__
from checker.apps.audit.rows import PROVINCE_LEVELS


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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of run_audit
    slim: bool = False  # rows without their findings (full rows in the cache; see audit.slim)
    keys: dict[str, str] = field(default_factory=dict)  # source → cache key of each checked plan

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

    def to_dict(self, matrices: bool = True, detail_mode: str = "full") -> dict[str, Any]:
        """Everything audit.json holds (``matrices=False``: the two per-plan
        matrices left None, for :func:`~checker.apps.audit.outputs.write_json`
        makes them row by row).  ``detail_mode`` "full": each row whole;
        "summary": see :func:`~checker.apps.audit.outputs.write_json`."""
        out = {
            "tool_version": __version__, "data_version": self.data_version,
            "generated": self.generated, "references": self.references, "as_of": self.as_of,
            "summary": self.summary(),
            "groups": self.groups, "mandates": self.mandates,
            "rows": self.rows, "ranking": self.ranking,
            "group_matrix": None, "mandate_matrix": None,
            "provincial_documents": self.provincial_documents,
            "stale_citations": self.stale_citations,
            "timings": self.timings, "detail_mode": detail_mode,
        }
        if matrices:
            out["group_matrix"] = [{"source": r["source"], "commune": r.get("commune"),
                                    "ratios": r.get("group_ratios", {})} for r in self.ok_rows]
            out["mandate_matrix"] = [{"source": r["source"], "commune": r.get("commune"),
                                      "cells": {m["id"]: {"status": m["status"], "score": m["score"]}
                                                for m in r.get("mandates", [])}} for r in self.ok_rows]
        return out


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
    """Fill the matrices' columns, the ranking and the document analyses.

    The reduce makes many small acyclic objects: the cyclic garbage
    collector, which would scan the whole heap (every row) again and again
    while it runs, is paused (this was the reduce's exponent of 2.15 in the
    national benchmark)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        return _aggregate(audit)
    finally:
        if was:
            gc.enable()


def _aggregate(audit: Audit) -> Audit:
    gcols: dict[str, dict[str, Any]] = {}
    mcols: dict[str, dict[str, Any]] = {}
    for r in audit.ok_rows:
        ratios = {}
        for g in r.get("groups", []):
            k = group_key(g)
            if k not in gcols:  # (not setdefault: its argument would be built for every row)
                gcols[k] = {"key": k, "reference": g.get("reference"), "group": g.get("group"),
                            "title": g.get("title")}
            ratios[k] = g.get("ratio")
        r["group_ratios"] = ratios
        for m in r.get("mandates", []):
            if m["id"] not in mcols:
                mcols[m["id"]] = {k: m.get(k) for k in ("id", "reference", "group", "title")}
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
    by_source = {r["source"]: r for r in audit.rows}
    for entry in audit.ranking:
        r = by_source.get(entry["source"])
        if r is not None:
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


OTHERS_SHOWN = 20  # other plans named per stale citation; ``others_count`` has them all


def stale_citations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plans citing a document the catalogue marks replaced/amended at the
    plan's as-of date, with the other plans that cite its replacement (the
    first :data:`OTHERS_SHOWN` of them; ``others_count`` counts them all).

    Linear in the citations: each document's citing plans are collected
    once, in a dict; the catalogue is asked once per (document, day)."""
    try:
        from checker.cite.catalog import catalog
        cat = catalog()
    except Exception:
        return []
    # each document's citing plans, once: (source, commune) in first-seen order
    cited: dict[str, dict[str, str | None]] = {}
    for r in rows:
        for d in r.get("documents", []):
            if d.get("doc_id"):
                cited.setdefault(d["doc_id"], {}).setdefault(r["source"], r.get("commune"))
    chains: dict[tuple[str, dt.date], tuple[list, list]] = {}
    unions: dict[tuple[str, ...], dict[str, str | None]] = {}
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
            ck = (did, day)
            if ck not in chains:  # the catalogue's answer depends on the document and the day only
                full = cat.replacement_chain(did, day)
                chain = []
                for link in full:
                    if link[1].confidence not in (None, "verified"):
                        break
                    chain.append(link)
                chains[ck] = (full, chain)
            full, chain = chains[ck]
            if not chain:
                continue
            newer = [t for t, _ in chain]
            citers = unions.get(tuple(newer))
            if citers is None:  # the plans citing any newer document, once per chain
                citers = {}
                for t in newer:
                    for src, commune in cited.get(t, {}).items():
                        citers.setdefault(src, commune)
                unions[tuple(newer)] = citers
            count = len(citers) - (r["source"] in citers)
            others = []
            for src, commune in citers.items():
                if len(others) >= OTHERS_SHOWN:
                    break
                if src != r["source"]:
                    others.append({"source": src, "commune": commune})
            rel = chain[0][1]
            out.append({"source": r["source"], "commune": r.get("commune"), "cited": d.get("label"),
                        "doc_id": did, "line": d.get("line"), "location": d.get("location"),
                        "relation": rel.type, "effective": rel.effective,
                        "confidence": rel.confidence,
                        "replacement": _label(cat, newer[-1]), "replacement_id": newer[-1],
                        "others": others, "others_count": count,
                        "unconfirmed_next": [t for t, _ in full[len(chain):]],
                        "unconfirmed_labels": [_label(cat, t) for t, _ in full[len(chain):]]})
    out.sort(key=lambda e: (-e["others_count"], e["source"], e["doc_id"]))
    return out


def _label(cat: Any, doc_id: str) -> str:
    doc = cat.get(doc_id)
    return doc.label() if doc else doc_id
