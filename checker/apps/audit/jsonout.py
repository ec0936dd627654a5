"""audit.json: every row whole (``full``) or one summary per plan pointing to
its detail file (``summary``); see :func:`write_json`."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from checker.apps.audit.aggregate import Audit
from checker.apps.audit.slim import is_slim


_JSON = {"ensure_ascii": False, "indent": 1, "default": str}


def render_json(audit: Audit) -> str:
    import json

    return json.dumps(audit.to_dict(), **_JSON)


FULL_JSON_ROWS = 200  # up to this many files audit.json holds every row whole (--detail auto)
DETAIL_MODES = ("auto", "full", "summary")


def json_mode(audit: Audit, detail: str = "auto") -> str:
    """"full" or "summary": what audit.json holds (see :func:`write_json`)."""
    if detail in ("full", "summary"):
        return detail
    return "full" if len(audit.rows) <= FULL_JSON_ROWS else "summary"


def write_json(audit: Audit, path: Path, detail: str = "auto") -> None:
    """audit.json, streamed to the file.

    ``full`` (``--detail full``; the default up to :data:`FULL_JSON_ROWS`
    files): every row whole, one top-level field and one list item at a
    time, the per-plan matrices made row by row as they are written; the
    bytes are exactly those of ``json.dump(audit.to_dict(), indent=1)``.
    Slim rows (a large audit) are made whole again from their detail files
    or the cache, one at a time.

    ``summary`` (the default above it): the same fields, but each row
    without its ``groups``, ``mandates``, ``documents`` and ``findings``
    and with ``detail``, the path (relative to audit.json) of its detail
    file ``detail/<name>.json``, which holds the row whole; one list item
    per line.  ``detail_mode`` says which."""
    mode = json_mode(audit, detail)
    if mode == "summary":
        _write_json_summary(audit, path)
        return
    import json

    def dumps(v: Any, depth: int) -> str:
        text = json.dumps(v, **_JSON)
        return text.replace("\n", "\n" + " " * depth) if depth else text

    ok = audit.ok_rows
    lazy = {
        "group_matrix": lambda: ({"source": r["source"], "commune": r.get("commune"),
                                  "ratios": r.get("group_ratios", {})} for r in ok),
        "mandate_matrix": lambda: ({"source": r["source"], "commune": r.get("commune"),
                                    "cells": {m["id"]: {"status": m["status"], "score": m["score"]}
                                              for m in r.get("mandates", [])}} for r in ok),
    }
    if any(is_slim(r) for r in audit.rows):
        lazy["rows"] = lambda: full_rows(audit, path.parent)
    head = audit.to_dict(matrices=False)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        first = True
        for key in head:
            if key in lazy:
                items: Iterable[Any] | None = lazy[key]()
            elif key in ("rows",) or isinstance(head.get(key), list):
                items = head[key]
            else:
                items = None
            fh.write(("\n" if first else ",\n") + " " + json.dumps(key, ensure_ascii=False) + ": ")
            first = False
            if items is None:
                fh.write(dumps(head[key], 1))
                continue
            n = 0
            for item in items:
                fh.write(("[\n  " if n == 0 else ",\n  ") + dumps(item, 2))
                n += 1
            fh.write("\n ]" if n else "[]")
        fh.write("\n}\n")


def _write_json_summary(audit: Audit, path: Path) -> None:
    import json

    from checker.apps.audit.slim import summary_row

    refs = write_details(audit, path.parent)
    ok = audit.ok_rows
    lazy = {
        "rows": lambda: (summary_row(r, refs.get(r["source"])) for r in audit.rows),
        "group_matrix": lambda: ({"source": r["source"], "commune": r.get("commune"),
                                  "ratios": r.get("group_ratios", {})} for r in ok),
        "mandate_matrix": lambda: ({"source": r["source"], "commune": r.get("commune"),
                                    "cells": {m["id"]: {"status": m["status"], "score": m["score"]}
                                              for m in r.get("mandates", [])}} for r in ok),
    }
    head = audit.to_dict(matrices=False, detail_mode="summary")
    one = {"ensure_ascii": False, "default": str}  # no indent: the C encoder, one item a line
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        first = True
        for key in head:
            fh.write(("\n" if first else ",\n") + " " + json.dumps(key, ensure_ascii=False) + ": ")
            first = False
            items = lazy[key]() if key in lazy else head[key] if isinstance(head[key], list) else None
            if items is None:
                fh.write(json.dumps(head[key], **one))
                continue
            n = 0
            for item in items:
                fh.write(("[\n  " if n == 0 else ",\n  ") + json.dumps(item, **one))
                n += 1
            fh.write("\n ]" if n else "[]")
        fh.write("\n}\n")


def _row_key(audit: Audit, r: dict[str, Any]) -> str:
    key = audit.keys.get(r["source"])
    if key:
        return key
    from checker.apps.audit.detail import fingerprint

    return fingerprint({k: v for k, v in r.items() if k not in ("cached", "rank")})


def write_details(audit: Audit, out: Path) -> dict[str, str]:
    """Every checked plan's detail file ``detail/<name>.json`` (written only
    when missing: a name always holds the same row), the files no row points
    to removed; returns source → relative path."""
    from checker.apps.audit.detail import DETAIL_DIR, detail_name, detail_text, prune, write_atomic

    folder = out / DETAIL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    have = set(os.listdir(folder))
    refs: dict[str, str] = {}
    need = []
    for r in audit.ok_rows:
        name = detail_name(r["source"], _row_key(audit, r))
        refs[r["source"]] = f"{DETAIL_DIR}/{name}"
        if name not in have:
            need.append((r, name))
    store = None
    try:
        for r, name in need:
            if is_slim(r):
                if store is None:
                    store = _open_store(audit)
                full = store.get(audit.keys.get(r["source"], "")) if store is not None else None
                if full is None:
                    continue
                full.update({f: r.get(f) for f in ("source", "file", "commune") if f in full})
            else:
                full = r
            write_atomic(folder / name, detail_text(full))
    finally:
        if store is not None:
            store.close()
    prune(folder, {p.rsplit("/", 1)[1] for p in refs.values()})
    return refs


def _open_store(audit: Audit):
    from checker.apps.cache import ResultCache

    if not audit.cache_path:
        return None
    return ResultCache(Path(audit.cache_path).parent)


def full_rows(audit: Audit, out: Path) -> Iterable[dict[str, Any]]:
    """Each row whole, in order: a slim row made whole again from its detail
    file (or the cache), with the fields of this audit (source, file,
    commune, cached, group_ratios, coverage, rank) as the old audit.json had
    them, in the same order."""
    import json

    from checker.apps.audit.detail import DETAIL_DIR, detail_name

    store = None
    try:
        for r in audit.rows:
            if not is_slim(r):
                yield r
                continue
            key = audit.keys.get(r["source"], "")
            full = None
            try:
                full = json.loads((out / DETAIL_DIR / detail_name(r["source"], key)).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                if store is None:
                    store = _open_store(audit)
                full = store.get(key) if store is not None else None
            if full is None:  # nothing better: the slim row itself
                yield r
                continue
            for f in ("source", "file", "commune"):
                if f in full:
                    full[f] = r.get(f)
            for f in ("cached", "group_ratios", "coverage", "rank"):
                if f in r:
                    full.pop(f, None)
                    full[f] = r[f]
            yield full
    finally:
        if store is not None:
            store.close()
