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
        try:  # the values' types are in the key: 1, 1.0 and True are equal, but not the same JSON
            key = (tuple(d), tuple(d.values()), tuple(map(type, d.values())))
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
        out[interner.str(k)] = v
    return out


def is_slim(row: dict[str, Any]) -> bool:
    """A slim row of a checked plan (its findings are in the store / detail file)."""
    return bool(row.get("ok")) and "findings" not in row


# the fields of a list's items that are the same in every plan of an audit (kept once, in the meta table)
FIXED = {"mandates": ("id", "reference", "group", "title"), "groups": ("reference", "group", "title", "title_en")}
PACKED = ("groups", "mandates", "documents")


def meta_key(name: str, meta: Any) -> str:
    return f"{name}:" + hashlib.sha256(json.dumps(meta, ensure_ascii=False).encode("utf-8")).hexdigest()[:24]


def pack(name: str, items: Any) -> tuple[Any, tuple[str, Any] | None]:
    """A list of flat dicts with the same keys as columns: ``{"meta": key,
    "cells": [[the other values], …]}`` with the :data:`FIXED` fields in the
    meta blob, or ``{"keys": […], "cells": […]}``; anything else as it is."""
    if not isinstance(items, list) or not items or not all(isinstance(x, dict) for x in items):
        return items, None
    keys = tuple(items[0])
    if any(tuple(x) != keys for x in items):
        return items, None
    fixed = [k for k in FIXED.get(name, ()) if k in keys]
    var = [k for k in keys if k not in fixed]
    cells = [[x[k] for k in var] for x in items]
    if not fixed:
        return {"keys": list(keys), "cells": cells}, None
    meta = {"keys": list(keys), "fixed": fixed, "rows": [[x[k] for k in fixed] for x in items]}
    mk = meta_key(name, meta)
    return {"meta": mk, "cells": cells}, (mk, meta)


def unpack(packed: Any, metas: dict[str, Any], interner: Interner) -> Any:
    """The list of dicts of :func:`pack` (None when its meta is missing),
    each dict shared between the rows that have an equal one."""
    if isinstance(packed, list):
        return interner.dicts(packed)
    if not isinstance(packed, dict):
        return packed
    cells = packed.get("cells")
    mk = packed.get("meta")
    if mk is not None:
        meta = metas.get(mk)
        if not isinstance(meta, dict) or len(meta.get("rows") or []) != len(cells or []):
            return None
        keys, fixed, rows = meta["keys"], meta["fixed"], meta["rows"]
    else:
        keys, fixed, rows = packed.get("keys"), [], None
    if not isinstance(cells, list) or not isinstance(keys, list):
        return None
    var = [k for k in keys if k not in fixed]
    tkeys = tuple(keys)
    table = interner.table
    out = []
    for i, c in enumerate(cells):
        try:
            key = (mk, i, tuple(c), tuple(map(type, c))) if mk else (tkeys, tuple(c), tuple(map(type, c)))
            d = table.get(key)
        except TypeError:  # a value that is not hashable: not shared
            key, d = None, None
        if d is None:
            vals = dict(zip(fixed, rows[i])) if fixed else {}
            vals.update(zip(var, c))
            d = {k: vals.get(k) for k in keys}
            if key is not None:
                table[key] = d
        out.append(d)
    return out


def stored_summary(row: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """``(summary, [(meta key, meta), …])`` of a full row, for the store."""
    out: dict[str, Any] = {}
    metas = []
    for k, v in row.items():
        if k in DROP:
            continue
        if k in PACKED:
            v, meta = pack(k, v)
            if meta is not None:
                metas.append(meta)
        out[k] = v
    return out, metas


def summary_metas(summary: dict[str, Any]) -> list[str]:
    """The meta keys a stored summary needs."""
    return [v["meta"] for k in PACKED if isinstance(v := summary.get(k), dict) and "meta" in v]


def expand_summary(summary: dict[str, Any], metas: dict[str, Any],
                   interner: Interner) -> dict[str, Any] | None:
    """The slim row of a stored summary (None when a meta it needs is missing)."""
    out = {}
    for k, v in summary.items():
        if k in PACKED:
            v = unpack(v, metas, interner)
            if v is None:
                return None
        elif k in ("counts", "severity"):
            v = interner.dict(v)
        out[interner.str(k)] = v
    return out


def summary_row(row: dict[str, Any], detail: str | None) -> dict[str, Any]:
    """A row of audit.json in summary mode: the row without its four lists
    (they are in its detail file), with ``detail`` the file's path."""
    out = {k: v for k, v in row.items() if k not in SUMMARY_DROP}
    if row.get("ok"):
        out["detail"] = detail
    return out
