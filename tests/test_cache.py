"""The incremental result cache: keys and the SQLite store."""
from __future__ import annotations

import datetime as dt
import sqlite3

from checker.apps import cache as C
def test_key_depends_on_content_data_tool_and_options(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Kế hoạch số 1", encoding="utf-8")
    b.write_text("Kế hoạch số 1", encoding="utf-8")
    # same bytes under another name: same key (content-addressed)
    assert C.file_sha256(a) == C.file_sha256(b)
    sha = C.file_sha256(a)
    base = C.make_key(sha, C.options_key(None))
    assert base == C.make_key(sha, C.options_key(None))
    b.write_text("Kế hoạch số 2", encoding="utf-8")
    assert C.make_key(C.file_sha256(b), C.options_key(None)) != base
    assert C.make_key(sha, C.options_key(["nq57"])) != base
    assert C.make_key(sha, C.options_key(None, dt.date(2026, 1, 1))) != base
    assert C.make_key(sha, C.options_key(None), version="other-data") != base
    assert C.make_key(sha, C.options_key(None), tool_version="9.9.9") != base


def test_data_version_hashes_installed_rules_and_reference():
    v = C.data_version()
    assert len(v) == 20 and v == C.data_version()
    names = [n for n, _ in C._data_files(C.resources.data_dir("reference"), "reference")]
    assert any(n.endswith(".yaml") for n in names)
    names = [n for n, _ in C._data_files(C.resources.data_dir("rules"), "rules")]
    assert any(n.endswith(".yaml") for n in names)


def test_store_roundtrip_and_damaged_rows(tmp_path):
    folder = tmp_path / "cache"
    with C.ResultCache(folder) as rc:
        assert rc  # an empty cache is still a cache (truthiness bug guard)
        assert len(rc) == 0
        assert rc.get("k1") is None
        rc.put("k1", {"source": "x.txt", "ok": True, "commune": "Xã Cao Lộc"}, source="x.txt")
        rc.commit()
        assert len(rc) == 1
    with C.ResultCache(folder) as rc:  # persisted
        assert rc.get("k1")["commune"] == "Xã Cao Lộc"
        assert rc.hits == 1
    db = sqlite3.connect(folder / C.DB_NAME)
    db.execute("UPDATE results SET value = 'not json' WHERE key = 'k1'")
    db.commit()
    db.close()
    with C.ResultCache(folder) as rc:
        assert rc.get("k1") is None  # a damaged row is a miss, not a crash
        assert rc.misses == 1
