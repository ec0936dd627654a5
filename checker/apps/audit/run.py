"""``run_audit``: the cache looked up, the rest checked in bounded worker
processes, each result committed to the cache as it arrives, the rows
aggregated (see :mod:`checker.apps.audit`).

An audit survives being stopped: every finished plan is in the cache the
moment it is known (SQLite WAL, one short transaction per row), so an audit
killed in any way (SIGKILL, SIGTERM, Ctrl+C) and started again checks only
the plans it had not finished.  The workers die with the audit (see
:mod:`checker.apps.workers`); a worker that dies, runs out of time
(``timeout``) or memory (``memory_mb``) costs only its own file, which
becomes an error row.  Several audits may share one cache folder.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
import time
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any, Callable, Iterable

from checker.apps.audit.aggregate import Audit, aggregate
from checker.apps.audit.discover import find_plans, safe_name
from checker.apps.audit.rows import check_one, error_row

DEFAULT_TIMEOUT = 120.0     # seconds one plan may take in a worker
DEFAULT_MEMORY_MB = 1024.0  # memory one worker may add while checking a plan
SLIM_ABOVE = 200            # above this many files (with a cache) the parent holds slim rows
FREEZE_EVERY = 256          # rows between two gc.freeze() calls (see run_audit)

_WORKER_TEXT = {
    "timeout": ("Kiểm tra tệp quá thời gian cho phép ({d}); tệp bị bỏ qua.",
                "Checking the file took longer than allowed ({d}); it was skipped."),
    "memory": ("Kiểm tra tệp vượt quá giới hạn bộ nhớ ({d} MB); tệp bị bỏ qua.",
               "Checking the file went over the memory limit ({d} MB); it was skipped."),
    "died": ("Tiến trình kiểm tra tệp bị dừng ({d}).", "The checking process stopped ({d})."),
    "error": ("Lỗi khi kiểm tra tệp: {d}", "Error while checking the file: {d}"),
}

# A short plan of our own: checked once in the parent before the workers are
# forked, so that they inherit warm caches (reference sets, phrase matchers,
# catalogue, rule packs) without the parent ever checking a real file.
_WARM_TEXT = """ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM
Số: 1/KH-UBND
Thử Nghiệm, ngày 10 tháng 3 năm 2025

KẾ HOẠCH
Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị

I. MỤC ĐÍCH, YÊU CẦU
Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trên địa bàn xã.

II. NHIỆM VỤ, GIẢI PHÁP
1. Đẩy mạnh chuyển đổi số trong hoạt động của chính quyền xã. Cơ quan chủ trì: Văn phòng UBND xã; thời gian hoàn thành: năm 2025.
2. Phổ cập kỹ năng số cho người dân. Cơ quan chủ trì: Công chức Văn hoá - Xã hội; thời gian: thường xuyên.

III. TỔ CHỨC THỰC HIỆN
Văn phòng UBND xã theo dõi, tổng hợp, báo cáo kết quả thực hiện.
"""


def default_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir).resolve().parent / ".plancheck-cache"


def _clean(obj: Any) -> Any:
    """Every string of a row made UTF-8-safe (a file name with non-UTF-8 bytes)."""
    if isinstance(obj, str):
        return safe_name(obj)
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def _share(row: dict[str, Any], table: dict[str, str]) -> dict[str, Any]:
    """The row with the strings of its mandates and groups (ids, titles,
    statuses, repeated in every row) shared with the other rows' through
    ``table``: the parent holds every row, and this halves what a row costs
    it.  The row's content is unchanged."""
    def same(v: Any) -> Any:
        return table.setdefault(v, v) if isinstance(v, str) else v

    for key in ("mandates", "groups"):
        items = row.get(key)
        if isinstance(items, list):
            row[key] = [{same(k): same(v) for k, v in m.items()} if isinstance(m, dict) else m
                        for m in items]
    return row


def _warm(refs: list[str] | None, as_of: dt.date | None) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="plancheck-warm-") as tmp:
            p = Path(tmp) / "warm.txt"
            p.write_text(_WARM_TEXT, encoding="utf-8")
            check_one(str(p), refs, as_of)
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass


def worker_error_row(src: str, err: Exception, timeout: float | None, memory_mb: float | None,
                     sha256: str = "") -> dict[str, Any]:
    kind = getattr(err, "kind", "error")
    detail = getattr(err, "detail", "") or str(err)
    if kind == "timeout":
        detail = f"{timeout:g} s" if timeout else detail
    elif kind == "memory":
        detail = f"{memory_mb:g}" if memory_mb else detail
    vi, en = _WORKER_TEXT.get(kind, _WORKER_TEXT["error"])
    row = error_row(src, f"worker-{kind}", vi.format(d=detail), en.format(d=detail), sha256)
    row["cacheable"] = False  # the machine's state, not the file's bytes
    return row


def run_audit(paths: Iterable[str | Path], references: list[str] | None = None,
              jobs: int | None = None, as_of: dt.date | None = None,
              cache_dir: str | Path | None = None, use_cache: bool = True,
              exclude: Iterable[str | Path] = (),
              progress: Callable[[int], None] | None = None,
              files: list[Path] | None = None,
              problems: list[tuple[Path, str, str, str]] | None = None,
              timeout: float | None = DEFAULT_TIMEOUT,
              memory_mb: float | None = DEFAULT_MEMORY_MB,
              detail_dir: str | Path | None = None) -> Audit:
    """Audit every plan under ``paths``; see the module docstring.

    ``files`` (with ``problems``, the paths :func:`find_plans` could not use)
    skips the discovery when the caller has done it.

    With a cache and more than :data:`SLIM_ABOVE` files the audit holds slim
    rows (:mod:`~checker.apps.audit.slim`: no findings, inner dicts shared)
    and reads only the stored summaries of the cache hits; each checked
    plan's full row goes to the cache and, with ``detail_dir``, to its
    detail file (:mod:`~checker.apps.audit.detail`) as it arrives."""
    from checker.apps.audit.detail import detail_name, detail_text, write_atomic
    from checker.apps.audit.slim import Interner, slim_row, stored_summary
    from checker.apps.cache import ResultCache, data_version, file_sha256, make_key, options_key
    from checker.apps.workers import WorkerError, WorkerPool

    t0 = time.perf_counter()
    marks = {"start": t0}
    if files is None:
        problems = [] if problems is None else problems
        plan_files = find_plans(paths, exclude=exclude, problems=problems)
    else:
        plan_files = files
    jobs = max(1, jobs or os.cpu_count() or 1)
    refs = list(references) if references else None
    audit = Audit(rows=[], references=refs or [], as_of=as_of.isoformat() if as_of else None,
                  generated=dt.datetime.now().isoformat(timespec="seconds"), jobs=jobs,
                  data_version=data_version())
    cache = ResultCache(cache_dir) if (use_cache and cache_dir) else None
    audit.cache_path = str(cache.path) if cache is not None else None
    slim = cache is not None and len(plan_files) + len(problems or []) > SLIM_ABOVE
    audit.slim = slim
    interner = Interner()
    details = Path(detail_dir) if detail_dir else None
    if details is not None:
        details.mkdir(parents=True, exist_ok=True)
        have = set(os.listdir(details))
    else:
        have = set()
    opts = options_key(refs, as_of)

    # every entry in one stable order: plan files and the paths that are not
    entries: list[tuple[str, Path, tuple | None]] = [(str(p), p, None) for p in plan_files]
    entries += [(str(p), p, (code, vi, en)) for p, code, vi, en in (problems or [])]
    entries.sort(key=lambda e: e[0])

    def tick() -> None:
        if progress:
            progress(1)

    rows: dict[int, dict[str, Any]] = {}
    shared: dict[str, str] = {}
    todo: list[tuple[int, str, str, str]] = []  # index, source, sha, key
    keys: dict[int, tuple[str, str]] = {}
    for i, (src, p, problem) in enumerate(entries):
        shown = safe_name(src)
        if problem is not None:
            code, vi, en = problem
            rows[i] = error_row(shown, code, f"{vi}: {shown}", f"{en}: {shown}")
            rows[i]["cached"] = False
            tick()
            continue
        try:
            sha = file_sha256(p)
        except OSError as e:
            rows[i] = error_row(shown, "unreadable", f"Không đọc được tệp: {e.strerror or e}",
                                f"Cannot read the file: {e.strerror or e}")
            rows[i]["cached"] = False
            tick()
            continue
        keys[i] = (sha, make_key(sha, opts))
    marks["discover_hash"] = time.perf_counter()
    gc.freeze()  # the rows to come are acyclic: the collector need not scan them again and again
    if cache is None:
        hits: dict[str, dict[str, Any]] = {}
    elif slim:
        hits = _slim_hits(cache, [k for _, k in keys.values()], interner)
    else:
        hits = cache.get_many([k for _, k in keys.values()])
    audit.keys = {}
    missing_detail = []
    used: set[str] = set()
    for i, (sha, key) in keys.items():
        src = entries[i][0]
        hit = hits.get(key)
        if hit is not None:
            if key in used:  # two files with the same bytes: each row its own (its path, name, rank)
                hit = dict(hit)
            used.add(key)
            shown = safe_name(src)
            hit["source"], hit["file"], hit["cached"] = shown, safe_name(entries[i][1].name), True
            if hit.get("ok"):
                hit["commune"] = hit.get("commune") or Path(shown).stem
                audit.keys[shown] = key
                if details is not None and detail_name(shown, key) not in have:
                    missing_detail.append((shown, key, i))
            rows[i] = hit if slim else _share(hit, shared)
            tick()
        else:
            todo.append((i, src, sha, key))
    if missing_detail:
        _write_missing_details(cache, details, missing_detail, rows, slim)
    gc.freeze()

    def done(i: int, key: str, row: dict[str, Any]) -> None:
        cacheable = row.pop("cacheable", True)
        src = entries[i][0]
        if safe_name(src) != src:
            row = _clean(row)
        text = None
        if cache is not None and cacheable:
            import json

            text = json.dumps(row, ensure_ascii=False)
            summary, metas = stored_summary(row)
            for meta in metas:
                cache.put_meta(*meta)
            cache.put(key, text, source=row["source"], sha256=row.get("sha256", ""), summary=summary)
            cache.commit()  # at once: a killed audit keeps every finished plan
        row["cached"] = False
        if row.get("ok"):
            audit.keys[row["source"]] = key
            if details is not None:  # the stored text is the detail file's (no volatile field yet)
                write_atomic(details / detail_name(row["source"], key),
                             text + "\n" if text is not None else detail_text(row))
        rows[i] = slim_row(row, interner) if slim else _share(row, shared)
        if len(rows) % FREEZE_EVERY == 0:
            gc.freeze()
        tick()

    marks["cache_lookup"] = time.perf_counter()
    pool = None
    try:
        if todo:
            _warm(refs, as_of)
            pool = WorkerPool(min(jobs, len(todo)), timeout=timeout, memory_mb=memory_mb)
            futs = {pool.submit(check_one, src, refs, as_of, sha): (i, key, src, sha)
                    for i, src, sha, key in todo}
            for fut in as_completed(futs):
                # popped: a finished future holds its full row, and the parent keeps only the slim one
                i, key, src, sha = futs.pop(fut)
                try:
                    row = fut.result()
                except WorkerError as e:
                    row = worker_error_row(safe_name(src), e, timeout, memory_mb, sha)
                del fut
                done(i, key, row)
    finally:
        if pool is not None:
            pool.close()
        if cache is not None:
            cache.close()
    marks["check"] = time.perf_counter()
    audit.rows = [rows[i] for i in sorted(rows)]
    aggregate(audit)
    gc.unfreeze()
    marks["reduce"] = time.perf_counter()
    names = list(marks)
    audit.timings = {n: round(marks[n] - marks[p], 3) for p, n in zip(names, names[1:])}
    audit.elapsed = time.perf_counter() - t0
    return audit


def _slim_hits(cache: Any, keys: list[str], interner: Any) -> dict[str, dict[str, Any]]:
    """The slim rows of the cached ``keys``, from their stored summaries (a
    row stored without one, by an older version, is read whole, slimmed and
    given its summary for the next time)."""
    from checker.apps.audit.slim import expand_summary, slim_row, stored_summary, summary_metas

    was = gc.isenabled()
    gc.disable()  # the rows are acyclic: no collector passes over the growing heap while they are read
    try:
        return _read_slim(cache, keys, interner, expand_summary, slim_row, stored_summary, summary_metas)
    finally:
        if was:
            gc.enable()


def _read_slim(cache: Any, keys: list[str], interner: Any, expand_summary: Any, slim_row: Any,
               stored_summary: Any, summary_metas: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    without: list[str] = []
    metas: dict[str, Any] = {}
    for summaries, chunk_without in cache.iter_summaries(keys):  # each batch expanded before the next is read
        without += chunk_without
        need = {m for s in summaries.values() for m in summary_metas(s)} - set(metas)
        if need:
            metas.update(cache.get_meta(need))
        for k, s in summaries.items():
            row = expand_summary(s, metas, interner)
            if row is None:
                without.append(k)
            else:
                out[k] = row
        del summaries
    if without:
        full = cache.get_many(without)
        for k, row in full.items():
            summary, row_metas = stored_summary(row)
            for meta in row_metas:
                cache.put_meta(*meta)
            cache.put(k, row, source=row.get("source", ""), sha256=row.get("sha256", ""), summary=summary)
            out[k] = slim_row(row, interner)
        cache.commit()
    return out


def _write_missing_details(cache: Any, details: Path, missing: list, rows: dict, slim: bool) -> None:
    """Detail files of cache hits that have none yet (a new output folder):
    from the full rows in memory, or read back from the store in batches."""
    from checker.apps.audit.detail import detail_name, detail_text, write_atomic

    for start in range(0, len(missing), 200):
        chunk = missing[start:start + 200]
        full = cache.get_many([k for _, k, _ in chunk]) if slim else {}
        for shown, key, i in chunk:
            row = full.get(key) if slim else rows[i]
            if row is None:
                continue
            if slim:  # the row as this audit shows it: its own path and name
                mine = rows[i]
                for f in ("source", "file", "commune"):
                    if f in row:
                        row[f] = mine.get(f)
            write_atomic(details / detail_name(shown, key), detail_text(row))
