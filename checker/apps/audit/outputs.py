"""The audit's outputs: HTML and Markdown (jinja2 templates in ``reports/``),
JSON and CSV."""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from checker.apps.audit.aggregate import Audit
from checker.apps.audit.rows import CATEGORIES, SEVERITIES


# ---------------------------------------------------------------- outputs

LABELS = {
    "vi": {
        "title": "Kiểm tra kế hoạch các xã", "files": "Tệp", "ok": "Đọc được", "errors": "Lỗi đọc",
        "cached": "Lấy từ bộ nhớ đệm", "checked": "Kiểm tra mới", "elapsed": "Thời gian (giây)",
        "heatmap": "Mức độ bao phủ theo nhóm nhiệm vụ NQ 57", "commune": "Xã/phường", "source": "Tệp nguồn",
        "coverage": "Bao phủ", "ranking": "Xếp hạng", "rank": "Hạng", "findings": "Số phát hiện theo loại",
        "error_rows": "Tệp không kiểm tra được", "message": "Thông báo", "mandates": "Ma trận nhiệm vụ được giao",
        "provincial": "Văn bản cấp tỉnh được các xã căn cứ", "document": "Văn bản", "cited_by": "Được trích dẫn bởi",
        "stale": "Xã trích dẫn văn bản đã được thay thế/sửa đổi", "replacement": "Văn bản thay thế",
        "unconfirmed": "sau đó, chưa xác minh",
        "rel": {"amended_by": "được sửa đổi, bổ sung từ", "replaced_by": "được thay thế từ"},
        "others": "Xã khác đã dùng văn bản mới", "severity_error": "Lỗi", "severity_warning": "Cảnh báo",
        "severity_info": "Thông tin", "date": "Ngày", "as_of": "Đánh giá tại ngày", "none": "Không có",
        "legend": "Ô màu: tỷ lệ nhiệm vụ được bao phủ (đỏ 0 % → xanh 100 %).",
        "status": {"covered": "đã có", "partial": "một phần", "missing": "thiếu",
                   "not-applicable": "không áp dụng", "waived": "miễn trừ"},
        "cat": {"missing-task": "Thiếu nhiệm vụ", "outdated-reference": "Văn bản hết hiệu lực",
                "abolished-body": "Cơ quan không còn", "inconsistency": "Không nhất quán",
                "incomplete-task": "Nhiệm vụ chưa rõ", "structure": "Cấu trúc", "target": "Chỉ tiêu"},
    },
    "en": {
        "title": "Commune plan audit", "files": "Files", "ok": "Readable", "errors": "Unreadable",
        "cached": "From cache", "checked": "Checked now", "elapsed": "Time (s)",
        "heatmap": "Coverage by NQ 57 task group", "commune": "Commune", "source": "Source file",
        "coverage": "Coverage", "ranking": "Ranking", "rank": "Rank", "findings": "Findings by category",
        "error_rows": "Files that could not be checked", "message": "Message", "mandates": "Mandate matrix",
        "provincial": "Provincial documents the communes rely on", "document": "Document", "cited_by": "Cited by",
        "stale": "Communes citing a replaced/amended document", "replacement": "Replacement",
        "unconfirmed": "then, unconfirmed",
        "rel": {"amended_by": "amended from", "replaced_by": "replaced from"},
        "others": "Other communes already citing it", "severity_error": "Errors",
        "severity_warning": "Warnings", "severity_info": "Info", "date": "Date", "as_of": "As of",
        "none": "None",
        "legend": "Cell colour: share of mandates covered (red 0 % → green 100 %).",
        "status": {"covered": "covered", "partial": "partial", "missing": "missing",
                   "not-applicable": "n/a", "waived": "waived"},
        "cat": {"missing-task": "Missing task", "outdated-reference": "Outdated reference",
                "abolished-body": "Abolished body", "inconsistency": "Inconsistency",
                "incomplete-task": "Incomplete task", "structure": "Structure", "target": "Target"},
    },
}


def heat_colour(ratio: float | None) -> str:
    """Background colour of a heat-map cell: red (0) → amber → green (1)."""
    if ratio is None:
        return "#eeeeee"
    r = max(0.0, min(1.0, float(ratio)))
    return f"hsl({int(round(120 * r))}, 65%, {78 - 10 * r:.0f}%)"


STATUS_COLOUR = {"covered": "#4caf50", "partial": "#ffc107", "missing": "#e53935",
                 "not-applicable": "#bdbdbd", "waived": "#90a4ae"}


@lru_cache(maxsize=8)
def _template(name: str):
    """The compiled template (once per process: a large audit renders one per part page)."""
    from jinja2 import Environment, FunctionLoader, select_autoescape

    from checker import resources

    env = Environment(loader=FunctionLoader(lambda n: resources.read_text("reports", n)),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["heat"] = heat_colour
    env.filters["pct"] = lambda v: "—" if v is None else f"{100 * float(v):.0f} %"
    return env.get_template(name)


def _context(audit: Audit, lang: str) -> dict[str, Any]:
    from checker.model import location_label

    L = LABELS.get(lang, LABELS["vi"])
    used_cats = [c for c in CATEGORIES if any(r.get("counts", {}).get(c) for r in audit.ok_rows)] \
        or list(CATEGORIES)
    by_source = {r["source"]: r for r in audit.rows}
    from checker import __version__

    return {"audit": audit, "L": L, "lang": lang, "summary": audit.summary(), "tool_version": __version__,
            "categories": used_cats, "status_colour": STATUS_COLOUR,
            "ranked_rows": [by_source[e["source"]] for e in audit.ranking],
            "error_rows": audit.error_rows,
            "msg_key": "en" if lang == "en" else "vi",
            "loc": lambda human: location_label(human, lang),
            "mandate_cells": _mandate_cells(audit, L)}


def _mandate_cells(audit: Audit, L: dict[str, Any]):
    """One row of the dashboard's mandate matrix as markup: the same bytes the
    template's loop over every (plan, mandate) cell wrote, each distinct cell
    made once (a part page has 100 plans × ~100 mandates)."""
    from markupsafe import Markup, escape

    heads = [(m["id"], f"{escape(m['id'])} — {escape(m['title'])}: ") for m in audit.mandates]
    empty = {mid: f'<td class="mcell" style="background: #fff" title="{head}—"></td>' for mid, head in heads}
    made: dict[tuple, str] = {}
    status = L["status"]

    def cells_of(r: dict[str, Any]) -> Markup:
        cells = {m["id"]: m for m in r.get("mandates", [])}
        out = []
        for mid, head in heads:
            c = cells.get(mid)
            if c is None:
                out.append(empty[mid])
                continue
            key = (mid, c["status"], c["score"], type(c["score"]))
            td = made.get(key)
            if td is None:
                st = c["status"]
                td = (f'<td class="mcell" style="background: {escape(STATUS_COLOUR.get(st, "#fff"))}" '
                      f'title="{head}{escape(status.get(st, st))} ({escape(c["score"])})"></td>')
                made[key] = td
            out.append(td)
        return Markup("".join(out))

    return cells_of


def render_html(audit: Audit, lang: str = "vi") -> str:
    return _template("audit.html.j2").render(**_context(audit, lang))


def render_md(audit: Audit, lang: str = "vi") -> str:
    return _template("audit.md.j2").render(**_context(audit, lang))


def _stream(name: str, audit: Audit, lang: str, path: Path, **extra: Any) -> None:
    """Render a template piece by piece into ``path`` (the dashboard of 1,000
    plans is ~30 MB: rendering it to one string first doubles the peak)."""
    with open(path, "w", encoding="utf-8") as fh:
        for piece in _template(name).generate(**_context(audit, lang), **extra):
            fh.write(piece)


from checker.apps.audit.jsonout import (  # noqa: E402 - audit.json lives there
    DETAIL_MODES, FULL_JSON_ROWS, full_rows, json_mode, render_json, write_details, write_json,
)


def audit_csv_rows(audit: Audit, lang: str = "vi") -> list[list[Any]]:
    return list(iter_audit_csv(audit, lang))


def iter_audit_csv(audit: Audit, lang: str = "vi") -> Iterable[list[Any]]:
    """audit.csv line by line (written as made: CSVs stream)."""
    head = ["source", "commune", "date", "as_of", "as_of_basis", "coverage"]
    head += [g["key"] for g in audit.groups]
    head += list(CATEGORIES) + [f"severity_{s}" for s in SEVERITIES] + ["rank", "cached", "error_message"]
    yield head
    for r in audit.rows:
        if r.get("ok"):
            gr = r.get("group_ratios", {})
            cov = r.get("coverage")
            line = [r["source"], r.get("commune"), r.get("date") or "", r.get("as_of") or "",
                    r.get("as_of_basis") or "", "" if cov is None else round(cov, 3)]
            line += ["" if gr.get(g["key"]) is None else round(gr[g["key"]], 3) for g in audit.groups]
            line += [r.get("counts", {}).get(c, 0) for c in CATEGORIES]
            line += [r.get("severity", {}).get(s, 0) for s in SEVERITIES]
            line += [r.get("rank", ""), int(bool(r.get("cached"))), ""]
        else:
            err = r.get("error") or {}
            line = [r["source"], "", "", "", "", ""] + [""] * len(audit.groups)
            line += [""] * (len(CATEGORIES) + len(SEVERITIES))
            line += ["", int(bool(r.get("cached"))), err.get("en" if lang == "en" else "vi", "")]
        yield line


def matrix_csv_rows(audit: Audit) -> list[list[Any]]:
    return list(iter_matrix_csv(audit))


def iter_matrix_csv(audit: Audit) -> Iterable[list[Any]]:
    """matrix.csv line by line."""
    head = ["source", "commune"]
    for m in audit.mandates:
        head += [m["id"], f"{m['id']}:score"]
    yield head
    for r in audit.ok_rows:
        cells = {m["id"]: m for m in r.get("mandates", [])}
        line = [r["source"], r.get("commune")]
        for m in audit.mandates:
            c = cells.get(m["id"])
            line += [c["status"], c["score"]] if c else ["", ""]
        yield line


def _write_csv(path: Path, rows: Iterable[list[Any]]) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
        csv.writer(f).writerows(rows)


def write_outputs(audit: Audit, out_dir: str | Path, formats: Iterable[str] = ("html", "csv", "json", "md"),
                  lang: str = "vi", detail: str = "auto") -> list[Path]:
    """Write dashboard.html, audit.csv + matrix.csv, audit.json, audit.md
    (``detail``: what audit.json holds, see :func:`write_json`).

    What an unchanged re-audit would write again byte for byte is left as it
    is (matrix.csv, the part pages, the detail files: see
    :mod:`~checker.apps.audit.detail`).  The seconds each output took go to
    ``timings`` (``out_html``, ``out_csv``, ``out_md``; audit.json, written
    last, holds them)."""
    import gc

    gc.freeze()  # the rows are not garbage: the collector need not scan them while outputs are made
    try:
        return _write_outputs(audit, out_dir, formats, lang, detail)
    finally:
        gc.unfreeze()


def _write_outputs(audit: Audit, out_dir: str | Path, formats: Iterable[str], lang: str,
                   detail: str) -> list[Path]:
    import time

    from checker.apps.audit.detail import Fingerprints

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    formats = set(formats)
    paths: dict[str, list[Path]] = {}
    fps = Fingerprints(out)
    t = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        audit.timings[name] = round(now - t, 3)
        t = now

    if "html" in formats:
        paths["html"] = write_dashboard(audit, out, lang, fps)
        mark("out_html")
    if "csv" in formats:
        p = out / "audit.csv"
        _write_csv(p, iter_audit_csv(audit, lang))
        q = out / "matrix.csv"
        fp = _matrix_fingerprint(audit)
        if not fps.fresh(q.name, fp):
            _write_csv(q, iter_matrix_csv(audit))
            fps.wrote(q.name, fp)
        paths["csv"] = [p, q]
        mark("out_csv")
    if "md" in formats:
        p = out / "audit.md"
        _stream("audit.md.j2", audit, lang, p)
        paths["md"] = [p]
        mark("out_md")
    if "json" in formats:
        p = out / "audit.json"
        write_json(audit, p, detail)
        paths["json"] = [p] + ([out / "detail"] if json_mode(audit, detail) == "summary" else [])
    fps.save()
    return [p for f in ("html", "csv", "json", "md") for p in paths.get(f, [])]


def _matrix_fingerprint(audit: Audit) -> str:
    from checker import __version__
    from checker.apps.audit.detail import fingerprint

    return fingerprint("matrix.csv", __version__, audit.data_version, audit.mandates,
                       [(r["source"], r.get("commune"), _row_identity(audit, r)) for r in audit.ok_rows])


def _row_identity(audit: Audit, r: dict[str, Any]) -> Any:
    """What a row's content depends on: its cache key when known (content,
    data, tool and options), else the row itself."""
    return audit.keys.get(r["source"]) or {k: v for k, v in r.items() if k not in ("cached", "elapsed")}


# ---------------------------------------------------------------- the dashboard at scale

FULL_DASHBOARD_ROWS = 200  # up to this many files, one dashboard page holds every plan
PAGE_ROWS = 100            # plans per part page above it

SUMMARY_LABELS = {
    "vi": {"about": "Trang tổng hợp; chi tiết từng kế hoạch nằm ở các trang con, mỗi trang {n} kế hoạch "
                    "theo thứ hạng (và trong audit.csv, matrix.csv, audit.json).",
           "pages": "Các trang chi tiết", "page": "Trang", "groups": "Bao phủ trung bình theo nhóm nhiệm vụ",
           "group": "Nhóm", "mean": "Trung bình", "plans": "Số kế hoạch", "below": "Dưới 50 %",
           "top": "{n} kế hoạch đứng đầu", "bottom": "{n} kế hoạch đứng cuối",
           "more": "Còn {n} tệp lỗi khác: xem audit.csv.",
           "more_docs": "Còn {n} văn bản khác: xem audit.json."},
    "en": {"about": "Summary page; each plan's detail is on the part pages, {n} plans each by rank "
                    "(and in audit.csv, matrix.csv, audit.json).",
           "pages": "Detail pages", "page": "Page", "groups": "Mean coverage by task group",
           "group": "Group", "mean": "Mean", "plans": "Plans", "below": "Below 50 %",
           "top": "Top {n} plans", "bottom": "Bottom {n} plans",
           "more": "{n} more files with errors: see audit.csv.",
           "more_docs": "{n} more documents: see audit.json."},
}


def write_dashboard(audit: Audit, out: Path, lang: str = "vi", fps: Any = None) -> list[Path]:
    """dashboard.html: the whole audit on one page up to
    :data:`FULL_DASHBOARD_ROWS` files (unchanged from before); above that a
    summary page that stays small at any scale (a few hundred KB) and links
    to part pages ``dashboard/part-NNN.html`` of :data:`PAGE_ROWS` plans
    each, in rank order, each drawn by the same template as the one-page
    dashboard."""
    import dataclasses

    from checker.apps.audit.aggregate import provincial_documents

    from checker import __version__, resources
    from checker.apps.audit.detail import Fingerprints, fingerprint

    p = out / "dashboard.html"
    if len(audit.rows) <= FULL_DASHBOARD_ROWS:
        _stream("audit.html.j2", audit, lang, p)
        return [p]
    own = fps is None
    fps = Fingerprints(out) if own else fps
    part_dir = out / "dashboard"
    part_dir.mkdir(parents=True, exist_ok=True)
    n_pages = (len(audit.ranking) + PAGE_ROWS - 1) // PAGE_ROWS
    for old in part_dir.glob("part-*.html"):
        try:
            k = int(old.stem.split("-")[1])
        except (IndexError, ValueError):
            k = 0
        if not 1 <= k <= n_pages:
            old.unlink()
    base = fingerprint(__version__, audit.data_version, lang, audit.references, audit.as_of, audit.groups,
                       audit.mandates, resources.read_text("reports", "audit.html.j2"))
    by_source = {r["source"]: r for r in audit.rows}
    stale_by: dict[str, list] = {}
    for s in audit.stale_citations:
        stale_by.setdefault(s["source"], []).append(s)
    pages = []
    for k, start in enumerate(range(0, len(audit.ranking), PAGE_ROWS), 1):
        ranking = audit.ranking[start:start + PAGE_ROWS]
        rows = [by_source[e["source"]] for e in ranking]
        stale = [s for e in ranking for s in stale_by.get(e["source"], [])]
        name = f"part-{k:03d}.html"
        fp = fingerprint(base, ranking, stale, [(r["source"], r.get("commune"), _row_identity(audit, r))
                                                for r in rows])
        if not fps.fresh(f"dashboard/{name}", fp):
            sub = dataclasses.replace(audit, rows=rows, ranking=ranking,
                                      provincial_documents=provincial_documents(rows), stale_citations=stale)
            _stream("audit.html.j2", sub, lang, part_dir / name, part=True)
            fps.wrote(f"dashboard/{name}", fp)
        pages.append({"href": f"dashboard/{name}", "label": f"{k:03d}", "first": ranking[0]["rank"],
                      "last": ranking[-1]["rank"], "from_commune": ranking[0].get("commune"),
                      "to_commune": ranking[-1].get("commune")})
    _stream_summary(audit, lang, p, pages)
    if own:
        fps.save()
    return [p, part_dir]


def _stream_summary(audit: Audit, lang: str, path: Path, pages: list[dict[str, Any]]) -> None:
    from checker import __version__

    L = LABELS.get(lang, LABELS["vi"])
    ok = audit.ok_rows
    groups = []
    for g in audit.groups:
        vals = [r.get("group_ratios", {}).get(g["key"]) for r in ok]
        vals = [v for v in vals if v is not None]
        groups.append({**g, "n": len(vals), "mean": sum(vals) / len(vals) if vals else None,
                       "below": sum(1 for v in vals if v < 0.5)})
    totals = {c: sum(r.get("counts", {}).get(c, 0) for r in ok) for c in CATEGORIES}
    sev = {s: sum(r.get("severity", {}).get(s, 0) for r in ok) for s in SEVERITIES}
    stale: dict[tuple, dict[str, Any]] = {}
    for s in audit.stale_citations:
        e = stale.setdefault((s["doc_id"], s["replacement_id"]), {**s, "n": 0})
        e["n"] += 1
    errors = audit.error_rows
    ctx = {"audit": audit, "L": L, "S": SUMMARY_LABELS.get(lang, SUMMARY_LABELS["vi"]), "lang": lang,
           "tool_version": __version__, "summary": audit.summary(), "page_rows": PAGE_ROWS,
           "pages": pages, "groups": groups, "totals": totals, "sev": sev,
           "categories": [c for c in CATEGORIES if totals.get(c)] or list(CATEGORIES),
           "top": audit.ranking[:25], "bottom": audit.ranking[-25:] if len(audit.ranking) > 25 else [],
           "error_rows": errors[:500], "more_errors": max(0, len(errors) - 500),
           "msg_key": "en" if lang == "en" else "vi",
           "stale": sorted(stale.values(), key=lambda e: (-e["n"], e["doc_id"])),
           "provincial": audit.provincial_documents[:200],
           "more_provincial": max(0, len(audit.provincial_documents) - 200)}
    with open(path, "w", encoding="utf-8") as fh:
        for piece in _template("audit_summary.html.j2").generate(**ctx):
            fh.write(piece)


def quiet_output() -> bool:
    """No progress bar when stderr is not a terminal or in CI."""
    return not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")
