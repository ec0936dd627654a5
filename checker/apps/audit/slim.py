"""What the audit's parent keeps of each plan, and what the store keeps for a re-audit.

A plan's *full row* (:func:`~checker.apps.audit.rows.summarize`: ~30 KB of
JSON, half of it findings and mandates) is stored once, in the results store
and in its detail file; the parent of a large audit holds only its *slim
row*: the full row without its findings, every inner dict (group, mandate,
cited document) shared with the other rows' equal ones.  The aggregates, the
CSVs, the dashboard and audit.md need nothing else.

The store keeps beside each full row its *stored summary*: the slim row with
its mandates compacted to ``[status, score]`` pairs and the mandates' ids,
references, groups and titles (the same for every plan of one audit) kept
once in the store's ``meta`` table under the hash of their content.  A
re-audit reads only these summaries (~4 KB a plan instead of ~30 KB).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

DROP = ("findings",)              # never in a slim row
SUMMARY_DROP = ("groups", "mandates", "documents", "findings")  # audit.json rows in summary mode


class Interner:
    """Shares equal strings and equal flat dicts between rows (rows are read,
    never changed in place, once they are slim)."""

    def __init__(self) -> None:
        self.table: dict[Any, Any] = {}

    def str(self, v: Any) -> Any:
        return self.table.setdefault(v, v) if isinstance(v, str) else v

    def dict(self, d: Any) -> Any:
        if not isinstance(d, dict):
            return d
        try:
            key = ("\x00d",) + tuple(d.items())
            hit = self.table.get(key)
        except TypeError:  # a value that is not hashable: keep the dict itself
            return {self.str(k): self.str(v) for k, v in d.items()}
        if hit is None:
            hit = {self.str(k): self.str(v) for k, v in d.items()}
            self.table[key] = hit
        return hit

    def dicts(self, items: Any) -> Any:
        return [self.dict(x) for x in items] if isinstance(items, list) else items


def slim_row(row: dict[str, Any], interner: Interner) -> dict[str, Any]:
    """The row without its findings, its lists of dicts shared (same key order)."""
    out = {}
    for k, v in row.items():
        if k in DROP:
            continue
        if k in ("groups", "mandates", "documents"):
            v = interner.dicts(v)
        elif k in ("counts", "severity"):
            v = interner.dict(v)
        else:
            v = interner.str(v)
        out[interner.str(k)] = v
    return out


def is_slim(row: dict[str, Any]) -> bool:
    """A slim row of a checked plan (its findings are in the store / detail file)."""
    return bool(row.get("ok")) and "findings" not in row


_MFIELDS = ("id", "reference", "group", "title")


def meta_key(meta: list) -> str:
    return "mandates:" + hashlib.sha256(json.dumps(meta, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]


def stored_summary(row: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, list] | None]:
    """``(summary, (meta key, meta) or None)`` of a full row, for the store."""
    out: dict[str, Any] = {}
    meta_entry = None
    for k, v in row.items():
        if k in DROP:
            continue
        if k == "mandates" and isinstance(v, list) and all(
                isinstance(m, dict) and tuple(m) == _MFIELDS + ("status", "score") for m in v):
            meta = [[m[f] for f in _MFIELDS] for m in v]
            mk = meta_key(meta)
            meta_entry = (mk, meta)
            v = {"meta": mk, "cells": [[m["status"], m["score"]] for m in v]}
        out[k] = v
    return out, meta_entry


def expand_summary(summary: dict[str, Any], metas: dict[str, list],
                   interner: Interner) -> dict[str, Any] | None:
    """The slim row of a stored summary (None when its meta is missing)."""
    ms = summary.get("mandates")
    if isinstance(ms, dict):
        meta = metas.get(ms.get("meta"))
        cells = ms.get("cells") or []
        if meta is None or len(meta) != len(cells):
            return None
        summary = dict(summary)
        summary["mandates"] = [dict(zip(_MFIELDS + ("status", "score"), m + c)) for m, c in zip(meta, cells)]
    return slim_row(summary, interner)


def summary_row(row: dict[str, Any], detail: str | None) -> dict[str, Any]:
    """A row of audit.json in summary mode: the row without its four lists
    (they are in its detail file), with ``detail`` the file's path."""
    out = {k: v for k, v in row.items() if k not in SUMMARY_DROP}
    if row.get("ok"):
        out["detail"] = detail
    return out
