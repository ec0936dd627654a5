"""Province audit: discovery, aggregation, outputs, cache, CLI.

The tests marked "full pipeline" run the real checker on the five seeds;
they are meant to FAIL (not skip) while a pipeline module is missing.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.apps import audit as A
# ---------------------------------------------------------------- helpers

def _row(source: str, commune: str, ratios: dict[str, float], errors: int = 0, docs=None,
         as_of: str = "2026-01-23") -> dict:
    groups = [{"reference": "nq57", "group": g, "title": f"Nhóm {g}", "total": 4,
               "covered": int(r * 4), "partial": 0, "missing": 4 - int(r * 4), "ratio": r}
              for g, r in ratios.items()]
    mandates = [{"id": f"nq57.{g}.01", "reference": "nq57", "group": g, "title": f"m {g}",
                 "status": "covered" if r >= 0.5 else "missing", "score": 90.0 if r >= 0.5 else 20.0}
                for g, r in ratios.items()]
    counts = {c: 0 for c in A.CATEGORIES}
    counts["outdated-reference"] = errors
    return {"source": source, "file": Path(source).name, "ok": True, "error": None, "cached": False,
            "commune": commune, "date": as_of, "as_of": as_of, "as_of_basis": "header",
            "groups": groups, "mandates": mandates, "counts": counts,
            "severity": {"error": errors, "warning": 1, "info": 0}, "findings": [],
            "documents": docs or []}


class _Cells(HTMLParser):
    """Collects the text of every table and the tags of the page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


# ---------------------------------------------------------------- unit tests (no pipeline)

def test_find_plans_folders_globs_and_exclusions(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "y.docx").write_bytes(b"PK")
    (tmp_path / "a" / "notes.csv").write_text("n", encoding="utf-8")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "z.txt").write_text("z", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "audit.md").write_text("#", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-")
    (tmp_path / "odd.name").write_text("explicit", encoding="utf-8")
    found = A.find_plans([tmp_path / "a", str(tmp_path / "*.pdf"), tmp_path / "odd.name", tmp_path],
                         exclude=[tmp_path / "out"])
    names = sorted(p.name for p in found)
    # each file once; .csv and hidden folders skipped; the output folder excluded;
    # a file named explicitly is kept whatever its suffix
    assert names == ["b.pdf", "odd.name", "x.txt", "y.docx"]


def test_commune_name():
    assert A.commune_name("ỦY BAN NHÂN DÂN XÃ NGHĨA THƯƠNG", None, "f.txt") == "Xã Nghĩa Thương"
    assert A.commune_name("UBND xã Cao Lộc", None, "f.txt") == "Xã Cao Lộc"
    assert A.commune_name(None, None, "dir/khoa.txt") == "khoa"


def test_aggregate_ranking_matrices_and_outputs(tmp_path):
    rows = [
        _row("p/a.txt", "Xã A", {"III.1": 0.25, "III.2": 0.5}, errors=2),
        _row("p/b.txt", "Xã <script>alert(1)</script>", {"III.1": 1.0, "III.2": 0.75}),
        _row("p/c.txt", "Xã A", {"III.1": 0.25, "III.2": 0.5}, errors=0),  # same commune: own row
        A.error_row("p/bad.docx", "bad-zip", "Tệp .docx bị hỏng", "The .docx file is damaged"),
    ]
    audit = A.aggregate(A.Audit(rows=rows))
    assert [g["key"] for g in audit.groups] == ["nq57:III.1", "nq57:III.2"]
    # ranking: coverage first, then fewer errors
    assert [e["source"] for e in audit.ranking] == ["p/b.txt", "p/c.txt", "p/a.txt"]
    assert audit.summary()["errors"] == 1
    written = A.write_outputs(audit, tmp_path / "out", lang="vi")
    assert {p.name for p in written} == {"dashboard.html", "audit.csv", "matrix.csv", "audit.json", "audit.md"}

    with open(tmp_path / "out" / "audit.csv", encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert [r["source"] for r in table] == ["p/a.txt", "p/b.txt", "p/c.txt", "p/bad.docx"]
    bad = table[-1]
    assert bad["error_message"] == "Tệp .docx bị hỏng"
    assert table[0]["nq57:III.1"] == "0.25" and table[0]["outdated-reference"] == "2"

    with open(tmp_path / "out" / "matrix.csv", encoding="utf-8-sig") as f:
        mx = list(csv.reader(f))
    assert mx[0][:4] == ["source", "commune", "nq57.III.1.01", "nq57.III.1.01:score"]
    assert mx[1][:4] == ["p/a.txt", "Xã A", "missing", "20.0"]

    html = (tmp_path / "out" / "dashboard.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html  # plan text never becomes markup
    assert "hsl(" in html  # coloured heat-map cells
    parser = _Cells()
    parser.feed(html)
    assert "table" in parser.tags
    assert "The .docx file is damaged" not in html and "Tệp .docx bị hỏng" in html

    data = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    assert data["summary"]["files"] == 4
    assert data["group_matrix"][0]["ratios"]["nq57:III.1"] == 0.25
    assert data["mandate_matrix"][1]["cells"]["nq57.III.1.01"]["status"] == "covered"
    md = (tmp_path / "out" / "audit.md").read_text(encoding="utf-8")
    assert "`p/bad.docx`" in md and "| 1 |" in md

    en = A.render_html(audit, "en")
    assert "The .docx file is damaged" in en and "Coverage by NQ 57 task group" in en


def test_stale_citations_uses_catalogue_relations():
    nq03 = {"key": "03/NQ-CP@2025", "doc_id": "03/NQ-CP@2025", "label": "Nghị quyết 03/NQ-CP",
            "level": "government", "line": 5, "location": "dòng 5"}
    nq71 = {"key": "71/NQ-CP@2025", "doc_id": "71/NQ-CP@2025", "label": "Nghị quyết 71/NQ-CP",
            "level": "government", "line": 6, "location": "dòng 6"}
    prov = {"key": "06/KH-UBND@2026~lang-son", "doc_id": "06/KH-UBND@2026~lang-son",
            "label": "Kế hoạch 06/KH-UBND", "level": "province", "line": 7}
    rows = [_row("old.txt", "Xã Cũ", {"III.1": 0.5}, docs=[nq03], as_of="2025-09-10"),
            _row("new.txt", "Xã Mới", {"III.1": 0.5}, docs=[nq71, prov], as_of="2025-09-10"),
            _row("early.txt", "Xã Sớm", {"III.1": 0.5}, docs=[nq03], as_of="2025-03-01")]
    stale = A.stale_citations(rows)
    flagged = [(s["source"], s["doc_id"]) for s in stale]
    # the September plan citing NQ 03 is flagged, the March one is correct for its date
    assert ("old.txt", "03/NQ-CP@2025") in flagged
    assert all(src != "early.txt" for src, _ in flagged)
    entry = next(s for s in stale if s["source"] == "old.txt")
    assert entry["replacement_id"].startswith("71/NQ-CP") or "71/NQ-CP" in entry["replacement"]
    assert [o["source"] for o in entry["others"]] == ["new.txt"]
    # in 2026 the confirmed chain still ends at NQ 71: NQ 11/NQ-CP (2026) amending
    # NQ 71 is known from one plan only (seed), so it is noted, not followed, and a
    # plan citing NQ 71 is not stale
    later = [_row("old26.txt", "Xã Cũ", {"III.1": 0.5}, docs=[nq03], as_of="2026-03-01"),
             _row("new26.txt", "Xã Mới", {"III.1": 0.5}, docs=[nq71], as_of="2026-03-01")]
    stale26 = A.stale_citations(later)
    assert [(e["source"], e["replacement_id"]) for e in stale26] == [("old26.txt", "71/NQ-CP@2025")]
    assert stale26[0]["unconfirmed_next"] == ["11/NQ-CP@2026"]
    prov_docs = A.provincial_documents(rows)
    assert [d["key"] for d in prov_docs] == ["06/KH-UBND@2026~lang-son"]
    assert prov_docs[0]["cited_by"][0]["commune"] == "Xã Mới"


def test_cli_exit_2_when_no_plans(tmp_path):
    from checker.apps.cmd_audit import audit_command

    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(audit_command, [str(tmp_path / "empty"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "Không tìm thấy tệp kế hoạch" in r.output
    r = CliRunner().invoke(audit_command, [str(tmp_path / "empty"), "--out", str(tmp_path / "o"),
                                           "--lang", "en"])
    assert r.exit_code == 2 and "No plan files" in r.output


def test_cli_unknown_reference_is_a_usage_error(tmp_path, seed):
    from checker.apps.cmd_audit import audit_command

    d = tmp_path / "p"
    d.mkdir()
    shutil.copy(seed("003"), d / "a.txt")
    r = CliRunner().invoke(audit_command, [str(d), "--out", str(tmp_path / "o"), "--reference", "khong-co"])
    assert r.exit_code == 2 and "khong-co" in r.output
    assert not (tmp_path / "o").exists()  # nothing checked, nothing written


# ---------------------------------------------------------------- full pipeline

def _folder(tmp_path: Path, seeds: list[Path]) -> Path:
    d = tmp_path / "plans"
    d.mkdir()
    for s in seeds:
        shutil.copy(s, d / s.name)
    (d / "hong.docx").write_bytes(os.urandom(4096))  # random bytes named .docx
    return d


def test_audit_five_seeds_and_a_corrupt_file(tmp_path, all_seeds):
    """Full pipeline: every seed is a row naming its file, the corrupt file an
    error row; matrices, dashboard and CSV exist; a re-audit is all cache hits."""
    folder = _folder(tmp_path, all_seeds)
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    audit = A.run_audit([folder], jobs=2, cache_dir=cache)
    A.write_outputs(audit, out)
    by_file = {Path(r["source"]).name: r for r in audit.rows}
    assert set(by_file) == {s.name for s in all_seeds} | {"hong.docx"}
    bad = by_file["hong.docx"]
    assert bad["ok"] is False and bad["error"]["vi"] and bad["error"]["en"]
    for s in all_seeds:
        r = by_file[s.name]
        assert r["ok"], r.get("error")
        assert r["source"].endswith(s.name)
        assert r["commune"] and r["groups"] and r["mandates"]
        assert r["cached"] is False
    assert any(g["reference"] == "nq57" for g in audit.groups)
    assert len(audit.ranking) == len(all_seeds)
    for name in ("dashboard.html", "audit.csv", "matrix.csv", "audit.json", "audit.md"):
        assert (out / name).stat().st_size > 0
    with open(out / "audit.csv", encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(all_seeds) + 1
    assert any(t["source"].endswith("hong.docx") and t["error_message"] for t in table)
    html = (out / "dashboard.html").read_text(encoding="utf-8")
    for s in all_seeds:
        assert s.name in html
    assert "hong.docx" in html
    # the 2025 Đăk Hà plan (dated after 05/9/2025) still rests on NQ 03/NQ-CP,
    # which other communes have replaced by NQ 71/NQ-CP
    assert any(s["doc_id"].startswith("03/NQ-CP") and s["others"] for s in audit.stale_citations)
    assert audit.provincial_documents

    again = A.run_audit([folder], jobs=2, cache_dir=cache)
    assert again.cached == len(all_seeds) + 1  # the corrupt file's error is cached too
    assert again.checked == 0
    assert all(r["cached"] for r in again.rows)
    assert [r["source"] for r in again.rows] == [r["source"] for r in audit.rows]
    assert again.groups == audit.groups

    # one file changed: only that one is checked again
    changed = folder / all_seeds[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = A.run_audit([folder], jobs=2, cache_dir=cache)
    assert third.checked == 1
    assert [r["source"] for r in third.rows if not r["cached"]] == [str(changed)]


def test_audit_cli_on_seeds(tmp_path, all_seeds):
    from checker.apps.cmd_audit import audit_command

    folder = _folder(tmp_path, all_seeds[:2])
    out = tmp_path / "report"
    r = CliRunner().invoke(audit_command, [str(folder), "--out", str(out), "--jobs", "1"])
    assert r.exit_code == 2, r.output  # hong.docx could not be checked: exit 2, outputs written
    assert "hong.docx" in r.output
    assert (out / "dashboard.html").exists()
    assert (tmp_path / ".plancheck-cache" / "results.sqlite").exists()  # beside --out
    r = CliRunner().invoke(audit_command, [str(folder), "--out", str(out), "--jobs", "1",
                                           "--format", "json", "--lang", "en"])
    assert r.exit_code == 2 and "3 from cache" in r.output
    (folder / "hong.docx").unlink()
    r = CliRunner().invoke(audit_command, [str(folder), "--out", str(out), "--jobs", "1", "--lang", "en"])
    assert r.exit_code == 0 and "2 from cache" in r.output, r.output


def test_dashboard_in_headless_chromium(tmp_path, all_seeds):
    """Open the dashboard in headless Chromium (/usr/bin/chromium driven by
    Playwright, never a downloaded browser), check the heat-map and save a
    screenshot.  Skipped with the reason when no Chromium is installed."""
    chromium = os.environ.get("PLANCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    folder = _folder(tmp_path, all_seeds)
    out = tmp_path / "out"
    A.write_outputs(A.run_audit([folder], jobs=2, cache_dir=None, use_cache=False), out, ["html"])
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-dev-shm-usage"]
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=flags)
        except Exception as e:  # noqa: BLE001
            pytest.skip(f"Chromium at {chromium} could not be started by Playwright: {e}")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto((out / "dashboard.html").as_uri())
        rows = page.locator("table.heatmap tbody tr")
        assert rows.count() == len(all_seeds) + 1  # five communes + the error row
        colours = page.locator("table.heatmap td.heat").evaluate_all(
            "cells => cells.map(e => getComputedStyle(e).backgroundColor)")
        assert colours and all(c.startswith("rgb(") for c in colours)
        assert len(set(colours)) > 1  # the cells are not all one colour
        assert "hong.docx" in page.locator("table.heatmap tr.error-row").inner_text()
        page.screenshot(path=str(out / "dashboard.png"), full_page=True)
        browser.close()
    assert (out / "dashboard.png").stat().st_size > 10_000
