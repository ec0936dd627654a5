"""The audit at national scale: a linear reduce that gives the same answer as
the old one, and a dashboard that stays small (summary page + part pages)."""
from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

from checker.apps import audit as A
from checker.apps.audit import outputs as O
from checker.apps.audit.aggregate import OTHERS_SHOWN

from test_audit import _row

NQ03 = {"key": "03/NQ-CP@2025", "doc_id": "03/NQ-CP@2025", "label": "Nghị quyết 03/NQ-CP",
        "level": "government", "line": 5, "location": "dòng 5"}
NQ71 = {"key": "71/NQ-CP@2025", "doc_id": "71/NQ-CP@2025", "label": "Nghị quyết 71/NQ-CP",
        "level": "government", "line": 6, "location": "dòng 6"}


def _prov(k: int) -> dict:
    return {"key": f"{k}/KH-UBND@2025~t{k % 7}", "doc_id": None, "label": f"Kế hoạch {k}/KH-UBND",
            "level": "province", "line": 7, "issuer": f"UBND tỉnh {k % 7}"}


def _rows(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        docs = [d for d, p in ((NQ03, 0.5), (NQ71, 0.6)) if rng.random() < p] + [_prov(rng.randrange(40))]
        ratios = {g: round(rng.random(), 2) for g in ("III.1", "III.2", "III.3")}
        rows.append(_row(f"p/{i:05d}.txt", f"Xã {i % 997}", ratios, errors=rng.randrange(3), docs=docs,
                         as_of=rng.choice(["2025-03-01", "2025-09-10", "2026-02-01"])))
    return rows


def _old_stale(rows: list[dict]) -> list[tuple]:
    """The quadratic algorithm this replaced, written out again as the
    reference: (source, doc_id, replacement, every other citing source)."""
    from checker.cite.catalog import catalog

    cat = catalog()
    cited: dict[str, list] = {}
    for r in rows:
        for d in r["documents"]:
            if d.get("doc_id"):
                cited.setdefault(d["doc_id"], []).append(r)
    out = []
    for r in rows:
        day = dt.date.fromisoformat(r["as_of"])
        for d in r["documents"]:
            if not d.get("doc_id"):
                continue
            chain = []
            for link in cat.replacement_chain(d["doc_id"], day):
                if link[1].confidence not in (None, "verified"):
                    break
                chain.append(link)
            if not chain:
                continue
            others = []
            for t, _ in chain:
                for o in cited.get(t, []):
                    if o["source"] != r["source"] and o["source"] not in others:
                        others.append(o["source"])
            out.append((r["source"], d["doc_id"], chain[-1][0], others))
    return out


def test_linear_stale_citations_agree_with_the_old_algorithm():
    rows = _rows(300)
    new = A.stale_citations(rows)
    old = _old_stale(rows)
    assert sorted((s, d, t, len(o)) for s, d, t, o in old) == \
        sorted((e["source"], e["doc_id"], e["replacement_id"], e["others_count"]) for e in new)
    for e in new:
        ref = next(o for s, d, _, o in old if s == e["source"] and d == e["doc_id"])
        assert [x["source"] for x in e["others"]] == ref[:OTHERS_SHOWN]


def test_reduce_is_linear_in_plans():
    def reduce_time(n: int) -> float:
        rows = _rows(n)
        t0 = time.perf_counter()
        A.aggregate(A.Audit(rows=rows))
        return time.perf_counter() - t0

    small, big = reduce_time(500), reduce_time(4000)
    # 8× the plans: a quadratic reduce takes 64× (the old one: ~500×); allow noise
    assert big < 20 * max(small, 0.01), (small, big)


def test_dashboard_is_a_small_summary_with_part_pages(tmp_path):
    rows = _rows(450) + [A.error_row("p/zz.docx", "bad-zip", "Tệp .docx bị hỏng", "The .docx file is damaged")]
    audit = A.aggregate(A.Audit(rows=rows))
    out = tmp_path / "out"
    written = A.write_outputs(audit, out, ["html"], lang="en")
    summary = (out / "dashboard.html").read_text(encoding="utf-8")
    parts = sorted((out / "dashboard").glob("part-*.html"))
    assert len(parts) == 5 and out / "dashboard" in written
    for p in parts:
        assert f'href="dashboard/{p.name}"' in summary
    assert len(summary.encode()) < 200_000
    assert "The .docx file is damaged" in summary and "Mean coverage by task group" in summary
    # every plan is on exactly one part page, in rank order
    seen = []
    for p in parts:
        html = p.read_text(encoding="utf-8")
        seen += [e["source"] for e in audit.ranking if f">{e['source']}<" in html]
    assert seen == [e["source"] for e in audit.ranking]
    # a province-sized audit keeps its one-page dashboard
    small = A.aggregate(A.Audit(rows=_rows(20)))
    A.write_outputs(small, tmp_path / "small", ["html"])
    assert not (tmp_path / "small" / "dashboard").exists()
    assert all(f">p/{i:05d}.txt<" in (tmp_path / "small" / "dashboard.html").read_text(encoding="utf-8")
               for i in range(20))
    assert O.FULL_DASHBOARD_ROWS >= 200


def test_streamed_audit_json_is_byte_for_byte_json_dump(tmp_path):
    import json

    rows = _rows(30) + [A.error_row("p/zz.docx", "bad-zip", "Tệp .docx bị hỏng", "The .docx file is damaged")]
    audit = A.aggregate(A.Audit(rows=rows, references=["nq57"], timings={"check": 1.5}))
    path = tmp_path / "audit.json"
    A.write_json(audit, path)
    expect = json.dumps(audit.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n"
    assert path.read_text(encoding="utf-8") == expect
    empty = A.aggregate(A.Audit(rows=[A.error_row("a.txt", "x", "a", "b")]))
    A.write_json(empty, path)
    assert path.read_text(encoding="utf-8") == \
        json.dumps(empty.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n"
