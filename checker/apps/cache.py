"""Incremental result cache for ``plancheck audit`` (SQLite).

A result is stored under a key made of

* the SHA-256 of the plan file's bytes (not its name or mtime: a copied or
  touched file with the same content is still a hit),
* the *data version*: a hash of every YAML/JSON file in the installed
  ``rules`` and ``reference`` data folders (read through
  :mod:`checker.resources`, so an installed package and a checkout agree),
* the tool version (``checker.__version__``),
* the options that change a result (reference sets, ``--as-of``).

The value is the JSON-able per-plan result the audit aggregates (see
:func:`checker.apps.audit.summarize`); beside it each row may keep a *summary*
(the value without its findings and with its mandates compacted, see
:mod:`checker.apps.audit.slim`), which is all a re-audit reads back, and
the ``meta`` table keeps blobs shared by many rows (the mandates' titles)
once.  Only the parent process writes: workers
return summaries and the parent stores them, so parallel workers never
contend for the database.  The database lives in one file,
``<cache dir>/results.sqlite``.

Several processes may use one cache at once (two audits of overlapping
folders, say): the database is in WAL mode with a busy timeout, every write
is one short transaction (the audit commits each row as it arrives), and a
reader never blocks a writer.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from checker import resources
from checker import __version__

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 60.0  # seconds a write waits for another process's transaction
DB_NAME = "results.sqlite"
_DATA_SUFFIXES = (".yaml", ".yml", ".json")


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=1)
def data_version() -> str:
    """Hash of the rule packs and reference data that are installed now."""
    h = hashlib.sha256()
    for folder in ("rules", "reference"):
        root = resources.data_dir(folder)
        for path, data in sorted(_data_files(root, folder)):
            h.update(path.encode("utf-8") + b"\0")
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:20]


def _data_files(root, prefix: str):
    """(relative name, bytes) of every data file below ``root``, recursively."""
    try:
        entries = list(root.iterdir())
    except (FileNotFoundError, NotADirectoryError):  # pragma: no cover
        return
    for entry in entries:
        name = f"{prefix}/{entry.name}"
        if entry.name.startswith((".", "__pycache__")):
            continue
        if entry.is_dir():
            yield from _data_files(entry, name)
        elif entry.name.endswith(_DATA_SUFFIXES):
            yield name, entry.read_bytes()


def options_key(references: Iterable[str] | None, as_of: Any = None) -> str:
    refs = ",".join(references) if references else "default"
    return f"refs={refs};as_of={as_of.isoformat() if hasattr(as_of, 'isoformat') else as_of or ''}"


def make_key(content_sha256: str, options: str = "", version: str | None = None,
             tool_version: str | None = None) -> str:
    """The cache key of one plan's result."""
    parts = [content_sha256, version or data_version(), tool_version or __version__, options,
             str(SCHEMA_VERSION)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class ResultCache:
    """A small key → JSON store.  Open it in the parent process only."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / DB_NAME
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        self._retry(lambda: self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}"))
        self._retry(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._retry(lambda: (self._db.execute(
            "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, source TEXT, "
            "sha256 TEXT, created REAL, value TEXT NOT NULL, summary TEXT)"), self._db.commit()))
        cols = {r[1] for r in self._db.execute("PRAGMA table_info(results)")}
        if "summary" not in cols:  # a cache written before summaries were kept
            self._retry(lambda: (self._db.execute("ALTER TABLE results ADD COLUMN summary TEXT"),
                                 self._db.commit()))
        self._retry(lambda: (self._db.execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            self._db.commit()))
        self._meta_seen: set[str] = set()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        try:
            value = json.loads(row[0])
        except ValueError:  # a damaged row is a miss, and is replaced later
            self.misses += 1
            return None
        self.hits += 1
        return value

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The stored values of ``keys`` (missing and damaged ones left out),
        read in batches of 500 keys per query."""
        out: dict[str, dict[str, Any]] = {}
        want = list(dict.fromkeys(keys))
        for start in range(0, len(want), 500):
            chunk = want[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for k, raw in self._db.execute(
                    f"SELECT key, value FROM results WHERE key IN ({marks})", chunk):
                try:
                    out[k] = json.loads(raw)
                except ValueError:  # a damaged row is a miss, and is replaced later
                    pass
        self.hits += len(out)
        self.misses += len(want) - len(out)
        return out

    def get_summaries(self, keys: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """``(summaries, without)``: the stored summaries of ``keys`` and the
        keys that have a value but no summary (rows stored by an older
        version: read them with :meth:`get_many`).  Missing and damaged rows
        are in neither."""
        out: dict[str, dict[str, Any]] = {}
        without: list[str] = []
        for chunk, chunk_without in self.iter_summaries(keys):
            out.update(chunk)
            without += chunk_without
        return out, without

    def iter_summaries(self, keys: list[str], batch: int = 500):
        """:meth:`get_summaries` in batches of ``batch`` keys: ``(summaries,
        without)`` per batch, so that a caller can use each batch before the
        next is parsed."""
        want = list(dict.fromkeys(keys))
        for start in range(0, len(want), batch):
            chunk = want[start:start + batch]
            marks = ",".join("?" * len(chunk))
            out: dict[str, dict[str, Any]] = {}
            without: list[str] = []
            for k, raw in self._db.execute(
                    f"SELECT key, summary FROM results WHERE key IN ({marks})", chunk):
                if raw is None:
                    without.append(k)
                    continue
                try:
                    out[k] = json.loads(raw)
                except ValueError:  # a damaged summary: read the value instead
                    without.append(k)
            self.hits += len(out)
            yield out, without

    def put_meta(self, key: str, value: Any) -> None:
        """A blob many rows share (written once; ``key`` names its content)."""
        if key in self._meta_seen:
            return
        text = json.dumps(value, ensure_ascii=False)
        self._retry(lambda: self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                             (key, text)))
        self._meta_seen.add(key)

    def get_meta(self, keys: Iterable[str]) -> dict[str, Any]:
        out = {}
        for k in dict.fromkeys(keys):
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (k,)).fetchone()
            if row is not None:
                try:
                    out[k] = json.loads(row[0])
                except ValueError:
                    pass
        self._meta_seen.update(out)
        return out

    @staticmethod
    def _retry(fn, tries: int = 20) -> Any:
        """``fn()``, tried again for a while when another process holds the
        database (``database is locked`` outside the busy handler)."""
        for n in range(tries):
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or n == tries - 1:
                    raise
                time.sleep(0.05 * (n + 1))

    def put(self, key: str, value: dict[str, Any] | str, source: str = "", sha256: str = "",
            summary: dict[str, Any] | str | None = None) -> None:
        """Store one row; ``value`` and ``summary`` as dicts or as their JSON text."""
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        summ = summary if summary is None or isinstance(summary, str) else \
            json.dumps(summary, ensure_ascii=False)
        self._retry(lambda: self._db.execute(
            "INSERT OR REPLACE INTO results (key, source, sha256, created, value, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)", (key, source, sha256, time.time(), text, summ)))

    def commit(self) -> None:
        self._retry(self._db.commit)

    def __bool__(self) -> bool:  # an empty cache is still a cache
        return True

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def clear(self) -> None:
        self._db.execute("DELETE FROM results")
        self._db.commit()

    def close(self) -> None:
        try:
            self._db.commit()
        finally:
            self._db.close()

    def __enter__(self) -> "ResultCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
