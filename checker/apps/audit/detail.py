"""Per-plan detail files and the fingerprints that let a re-audit skip what has
not changed.

Above :data:`~checker.apps.audit.outputs.FULL_JSON_ROWS` plans (or with
``--detail summary``) audit.json holds one summary per plan, and each
checked plan's full row (groups, mandates, findings, cited documents) is in
``detail/<name>.json`` beside it, named by the plan's source and its cache key
(content hash + data version + tool version + options): a file of that name
always holds the same row, so a re-audit writes only the files it lacks.

:class:`Fingerprints` remembers, for the outputs that do not change when the
plans do not (``matrix.csv``, the dashboard's part pages), a hash of what
they were made from and the size and time of the file written: an unchanged
re-audit leaves them as they are.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

DETAIL_DIR = "detail"
MANIFEST = ".plancheck-outputs.json"


def detail_name(source: str, key: str) -> str:
    h = hashlib.sha256(f"{source}\x00{key}".encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{h}.json"


def detail_path(source: str, key: str) -> str:
    """The row's detail file, relative to the audit's output folder."""
    return f"{DETAIL_DIR}/{detail_name(source, key)}"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def detail_text(row: dict[str, Any]) -> str:
    """A full row as its detail file holds it (without what changes from one
    audit to the next: cached, rank, and the aggregate's own fields)."""
    return json.dumps({k: v for k, v in row.items() if k not in VOLATILE}, ensure_ascii=False) + "\n"


VOLATILE = ("cached", "rank", "coverage", "group_ratios")


def prune(folder: Path, keep: Iterable[str]) -> None:
    """Remove the detail files no row points to any more."""
    keep = set(keep)
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for n in names:
        if n.endswith(".json") and n not in keep:
            try:
                os.unlink(folder / n)
            except OSError:
                pass


def fingerprint(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


class Fingerprints:
    """``out/.plancheck-outputs.json``: file → [fingerprint, size, mtime_ns]."""

    def __init__(self, out: Path):
        self.path = out / MANIFEST
        self.out = out
        try:
            self.data: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.seen: dict[str, list] = {}

    def fresh(self, rel: str, fp: str) -> bool:
        """``rel`` was written from the same inputs and not touched since."""
        old = self.data.get(rel)
        try:
            st = (self.out / rel).stat()
        except OSError:
            return False
        if old and old[0] == fp and old[1] == st.st_size and old[2] == st.st_mtime_ns:
            self.seen[rel] = old
            return True
        return False

    def wrote(self, rel: str, fp: str) -> None:
        st = (self.out / rel).stat()
        self.seen[rel] = [fp, st.st_size, st.st_mtime_ns]

    def forget(self, rel: str) -> None:
        self.data.pop(rel, None)

    def save(self) -> None:
        data = {**{k: v for k, v in self.data.items() if (self.out / k).exists()}, **self.seen}
        try:
            write_atomic(self.path, json.dumps(data, indent=0, sort_keys=True))
        except OSError:
            pass
