"""The audit at national scale, part 2: slim rows in the parent, summaries in
the store, audit.json as summaries pointing to per-plan detail files, and
outputs an unchanged re-audit leaves as they are.  Every test here checks
that the answer is the same as the one the audit gave before."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from checker.apps import audit as A
from checker.apps.audit import detail as D
from checker.apps.audit import run as R
from checker.apps.audit import slim as S
from checker.apps.cache import ResultCache

from test_audit import _row
from test_audit_scale import _rows


def _plans(tmp_path: Path, seed, prefixes=("001", "002", "003")) -> Path:
    d = tmp_path / "plans"
    d.mkdir()
    for p in prefixes:
        shutil.copy(seed(p), d / seed(p).name)
    (d / "hong.docx").write_bytes(b"PK\x03\x04 not a zip")
    return d


def _comparable(rows):
    """Rows as JSON text, without what differs from run to run."""
    return [json.dumps({k: v for k, v in r.items() if k not in ("elapsed", "cached")}, ensure_ascii=False)
            for r in rows]


def test_slim_rows_give_the_same_outputs_as_full_rows(tmp_path, seed, monkeypatch):
    """Full pipeline: an audit holding slim rows (read back from the stored
    summaries) writes the same CSVs, Markdown and --detail full audit.json,
    byte for byte and in the same key order, as one holding full rows."""
    folder = _plans(tmp_path, seed)
    cache = tmp_path / "cache"
    full = A.run_audit([folder], jobs=2, cache_dir=cache)
    assert not full.slim and all("findings" in r for r in full.ok_rows)
    A.write_outputs(full, tmp_path / "full", ["csv", "json", "md"], lang="en")

    monkeypatch.setattr(R, "SLIM_ABOVE", 0)
    again = A.run_audit([folder], jobs=2, cache_dir=cache)  # every plan from the stored summaries
    assert again.slim and again.cached == len(again.rows)
    assert all(S.is_slim(r) for r in again.ok_rows) and all(r["mandates"] and r["groups"] for r in again.ok_rows)
    A.write_outputs(again, tmp_path / "slim", ["csv", "json", "md"], lang="en", detail="full")
    for name in ("matrix.csv",):
        assert (tmp_path / "slim" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    a = json.loads((tmp_path / "full" / "audit.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "slim" / "audit.json").read_text(encoding="utf-8"))
    assert _comparable(a["rows"]) == _comparable(b["rows"])
    for key in ("groups", "mandates", "ranking", "group_matrix", "mandate_matrix", "provincial_documents",
                "stale_citations"):
        assert a[key] == b[key], key
    assert a["detail_mode"] == b["detail_mode"] == "full"

    # a fresh slim audit (every plan checked now) holds the same slim rows
    fresh = A.run_audit([folder], jobs=2, cache_dir=tmp_path / "cache2", detail_dir=tmp_path / "d" / "detail")
    assert fresh.slim and fresh.checked == len(fresh.rows)
    assert _comparable(fresh.rows) == _comparable(again.rows)
    assert len(os.listdir(tmp_path / "d" / "detail")) == len(fresh.ok_rows)


def test_summary_json_points_to_detail_files(tmp_path, seed, monkeypatch):
    """Full pipeline: in summary mode each row of audit.json keeps every field
    but the four lists, which are in the file its ``detail`` names; the
    detail file holds the row whole (findings included)."""
    folder = _plans(tmp_path, seed)
    out = tmp_path / "out"
    monkeypatch.setattr(R, "SLIM_ABOVE", 0)
    audit = A.run_audit([folder], jobs=2, cache_dir=tmp_path / "cache", detail_dir=out / "detail")
    written = A.write_outputs(audit, out, ["json"], detail="summary")
    assert out / "detail" in written
    data = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert data["detail_mode"] == "summary"
    for key in ("tool_version", "data_version", "generated", "references", "as_of", "summary", "groups",
                "mandates", "rows", "ranking", "group_matrix", "mandate_matrix", "provincial_documents",
                "stale_citations", "timings"):
        assert key in data, key
    ok = [r for r in data["rows"] if r["ok"]]
    bad = [r for r in data["rows"] if not r["ok"]]
    assert len(ok) == 3 and len(bad) == 1 and bad[0]["error"]["en"]
    for r in ok:
        assert not {"findings", "mandates", "groups", "documents"} & set(r)
        assert r["rank"] and r["coverage"] is not None and r["group_ratios"] and r["counts"]
        whole = json.loads((out / r["detail"]).read_text(encoding="utf-8"))
        assert whole["source"] == r["source"] and whole["sha256"] == r["sha256"]
        assert whole["mandates"] and whole["groups"] and "findings" in whole and "documents" in whole
        assert sum(whole["severity"].values()) == len(whole["findings"])
    # the matrices are still in audit.json, one item a line
    assert {m["source"] for m in data["mandate_matrix"]} == {r["source"] for r in ok}
    # a detail file no row points to any more is removed
    (out / "detail" / "0000stale.json").write_text("{}", encoding="utf-8")
    A.write_outputs(audit, out, ["json"], detail="summary")
    assert not (out / "detail" / "0000stale.json").exists()


def test_unchanged_reaudit_rewrites_nothing_that_has_not_changed(tmp_path, seed, monkeypatch):
    """Full pipeline, CLI: a second audit with nothing changed checks nothing,
    leaves matrix.csv, the part pages and the detail files untouched and
    rewrites only the small outputs that say what this run did."""
    from click.testing import CliRunner

    from checker.apps.cmd_audit import audit_command
    from checker.apps.audit import outputs as O
    from checker.apps.audit import jsonout as J

    monkeypatch.setattr(R, "SLIM_ABOVE", 0)
    monkeypatch.setattr(O, "FULL_DASHBOARD_ROWS", 1)  # part pages of 2 plans
    monkeypatch.setattr(O, "PAGE_ROWS", 2)
    monkeypatch.setattr(J, "FULL_JSON_ROWS", 1)
    folder = _plans(tmp_path, seed)
    out = tmp_path / "out"
    args = [str(folder), "--out", str(out), "--jobs", "2", "--lang", "en"]
    r = CliRunner().invoke(audit_command, args)
    assert r.exit_code == 2, r.output  # hong.docx
    stamp = {p: p.stat().st_mtime_ns for p in [out / "matrix.csv", *out.glob("dashboard/part-*.html"),
                                               *out.glob("detail/*.json")]}
    assert len([p for p in stamp if p.parent.name == "detail"]) == 3 and len(list(out.glob("dashboard/*"))) == 2
    before = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    r = CliRunner().invoke(audit_command, args)
    assert r.exit_code == 2 and "4 from cache, 0 checked now" in r.output, r.output
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp
    after = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert after["summary"]["cached"] == 4 and before["summary"]["cached"] == 0
    assert [x["detail"] for x in after["rows"] if x["ok"]] == [x["detail"] for x in before["rows"] if x["ok"]]
    # a part page edited by hand is written again
    page = sorted(out.glob("dashboard/part-*.html"))[0]
    page.write_text("edited", encoding="utf-8")
    CliRunner().invoke(audit_command, args)
    assert page.read_text(encoding="utf-8") != "edited"
    # one plan changed: its detail file is new, the old one is gone, matrix.csv is written again
    changed = folder / seed("003").name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nPhụ lục bổ sung.\n", encoding="utf-8")
    r = CliRunner().invoke(audit_command, args)
    assert "3 from cache, 1 checked now" in r.output, r.output
    third = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    old = {x["source"]: x["detail"] for x in after["rows"] if x["ok"]}
    new = {x["source"]: x["detail"] for x in third["rows"] if x["ok"]}
    assert [s for s in new if new[s] != old[s]] == [str(changed)]
    assert not (out / old[str(changed)]).exists() and (out / new[str(changed)]).exists()
    assert (out / "matrix.csv").stat().st_mtime_ns != stamp[out / "matrix.csv"]


def test_stored_summary_round_trip():
    """A stored summary (mandates compacted, their titles kept once) gives
    back exactly the slim row of the full row."""
    row = _row("p/a.txt", "Xã A", {"III.1": 0.25, "III.2": 1.0}, errors=1)
    row["findings"] = [{"rule": "X1", "severity": "error"}]
    row["documents"] = [{"key": "a", "doc_id": None, "label": "KH 1", "level": "province", "line": 3},
                        {"key": "b", "doc_id": "b", "label": "NQ 2", "level": "government", "line": 4}]
    summary, metas = S.stored_summary(row)
    assert {m[0].split(":")[0] for m in metas} == {"mandates", "groups"} and "findings" not in summary
    assert all(isinstance(summary[k], dict) for k in ("mandates", "groups", "documents"))
    text = json.loads(json.dumps(summary))  # as read back from the store
    back = S.expand_summary(text, json.loads(json.dumps(dict(metas))), S.Interner())
    assert back == S.slim_row(row, S.Interner())
    assert list(back) == [k for k in row if k != "findings"]
    assert S.expand_summary(text, {}, S.Interner()) is None  # its meta missing: read the value instead
    # equal inner dicts of two rows are one object in the parent
    i = S.Interner()
    a, b = S.slim_row(row, i), S.slim_row(dict(row, source="p/b.txt"), i)
    assert a["mandates"][0] is b["mandates"][0] and a["groups"][1] is b["groups"][1]


def test_a_cache_written_before_summaries_is_read_and_upgraded(tmp_path):
    """A results.sqlite without the summary column (an older version) is
    still a cache: the rows are read whole, slimmed, and given a summary."""
    folder = tmp_path / "cache"
    folder.mkdir()
    db = sqlite3.connect(folder / "results.sqlite")
    db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, source TEXT, sha256 TEXT, created REAL, "
               "value TEXT NOT NULL)")
    row = _row("p/a.txt", "Xã A", {"III.1": 0.5})
    db.execute("INSERT INTO results VALUES (?, ?, ?, ?, ?)", ("k1", "p/a.txt", "", 0.0, json.dumps(row)))
    db.commit()
    db.close()
    with ResultCache(folder) as c:
        got = R._slim_hits(c, ["k1", "k2"], S.Interner())
        assert set(got) == {"k1"} and S.is_slim(got["k1"]) and got["k1"]["mandates"] == row["mandates"]
        summaries, without = c.get_summaries(["k1"])
        assert set(summaries) == {"k1"} and not without
        assert c.get("k1") == row  # the full row is kept as it was


def test_part_pages_and_matrix_are_skipped_only_when_their_inputs_are_the_same(tmp_path):
    rows = _rows(250)
    audit = A.aggregate(A.Audit(rows=rows, data_version="d1"))
    out = tmp_path / "out"
    A.write_outputs(audit, out, ["html", "csv"], lang="en")
    pages = sorted(out.glob("dashboard/part-*.html"))
    assert len(pages) == 3
    stamp = {p: p.stat().st_mtime_ns for p in pages + [out / "matrix.csv"]}
    first = {p: p.read_bytes() for p in stamp}
    again = A.aggregate(A.Audit(rows=_rows(250), data_version="d1"))
    for r in again.rows:
        r["cached"] = True
    A.write_outputs(again, out, ["html", "csv"], lang="en")
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp
    # a part page says nothing that changes from one run to the next
    assert b"From cache" not in pages[0].read_bytes() and b"From cache" in (out / "dashboard.html").read_bytes()
    # the same plans judged under another data version: every page is written again, to the same bytes
    other = A.aggregate(A.Audit(rows=_rows(250), data_version="d2"))
    A.write_outputs(other, out, ["html", "csv"], lang="en")
    assert all(p.stat().st_mtime_ns != stamp[p] for p in stamp)
    assert {p: p.read_bytes() for p in stamp} == first
    # one plan's coverage changed: the page it moves through is written again, with the change
    changed = _rows(250)
    changed[7]["groups"][0] = dict(changed[7]["groups"][0], ratio=0.0)
    third = A.aggregate(A.Audit(rows=changed, data_version="d2"))
    A.write_outputs(third, out, ["html", "csv"], lang="en")
    entry = next(e for e in third.ranking if e["source"] == changed[7]["source"])
    page = out / "dashboard" / f"part-{(entry['rank'] - 1) // 100 + 1:03d}.html"
    assert page.read_bytes() != first[page]


def test_detail_names_depend_on_source_and_key():
    a = D.detail_name("x/a.txt", "k1")
    assert a == D.detail_name("x/a.txt", "k1") and a.endswith(".json")
    assert len({a, D.detail_name("x/b.txt", "k1"), D.detail_name("x/a.txt", "k2")}) == 3


@pytest.mark.parametrize("slim", [False, True])
def test_two_files_with_the_same_bytes_keep_their_own_rows(tmp_path, seed, monkeypatch, slim):
    """Full pipeline: two copies of one plan are two rows, each with its own
    path, in a fresh audit and in a re-audit from the cache (a cache hit
    shared by both once gave one of them the other's path)."""
    if slim:
        monkeypatch.setattr(R, "SLIM_ABOVE", 0)
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(seed("003"), folder / name)
    shutil.copy(seed("001"), folder / "c.txt")
    cache = tmp_path / "cache"
    for run in range(2):
        audit = A.run_audit([folder], jobs=2, cache_dir=cache)
        assert [Path(r["source"]).name for r in audit.rows] == ["a.txt", "b.txt", "c.txt"], run
        assert sorted(Path(e["source"]).name for e in audit.ranking) == ["a.txt", "b.txt", "c.txt"]
        assert [r["cached"] for r in audit.rows] == [run == 1] * 3
