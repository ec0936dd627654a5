"""``run_audit``: the cache looked up, the rest checked in a process pool, the
rows aggregated (see :mod:`checker.apps.audit`)."""
from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterable

from checker.apps.audit.aggregate import Audit, aggregate
from checker.apps.audit.discover import find_plans
from checker.apps.audit.rows import _check_star, check_one, error_row


def default_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir).resolve().parent / ".plancheck-cache"


def run_audit(paths: Iterable[str | Path], references: list[str] | None = None,
              jobs: int | None = None, as_of: dt.date | None = None,
              cache_dir: str | Path | None = None, use_cache: bool = True,
              exclude: Iterable[str | Path] = (),
              progress: Callable[[int], None] | None = None,
              files: list[Path] | None = None) -> Audit:
    """Audit every plan under ``paths``; see the module docstring."""
    from checker.apps.cache import ResultCache, data_version, file_sha256, make_key, options_key

    t0 = time.perf_counter()
    plan_files = files if files is not None else find_plans(paths, exclude=exclude)
    jobs = max(1, jobs or os.cpu_count() or 1)
    refs = list(references) if references else None
    audit = Audit(rows=[], references=refs or [], as_of=as_of.isoformat() if as_of else None,
                  generated=dt.datetime.now().isoformat(timespec="seconds"), jobs=jobs,
                  data_version=data_version())
    cache = ResultCache(cache_dir) if (use_cache and cache_dir) else None
    audit.cache_path = str(cache.path) if cache is not None else None
    opts = options_key(refs, as_of)

    rows: dict[int, dict[str, Any]] = {}
    todo: list[tuple[int, str, str, str]] = []  # index, source, sha, key
    for i, p in enumerate(plan_files):
        src = str(p)
        try:
            sha = file_sha256(p)
        except OSError as e:
            rows[i] = error_row(src, "unreadable", f"Không đọc được tệp: {e}", f"Cannot read the file: {e}")
            rows[i]["cached"] = False
            if progress:
                progress(1)
            continue
        key = make_key(sha, opts)
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            hit["source"], hit["file"], hit["cached"] = src, p.name, True
            if hit.get("ok"):
                hit["commune"] = hit.get("commune") or Path(src).stem
            rows[i] = hit
            if progress:
                progress(1)
        else:
            todo.append((i, src, sha, key))

    def done(i: int, key: str, row: dict[str, Any]) -> None:
        row["cached"] = False
        cacheable = row.pop("cacheable", True)
        if cache is not None and cacheable:
            cache.put(key, row, source=row["source"], sha256=row.get("sha256", ""))
        rows[i] = row
        if progress:
            progress(1)

    if todo:
        import multiprocessing as mp

        fork = "fork" in mp.get_all_start_methods()
        if jobs > 1 and len(todo) > 1 and fork:
            # The parent checks the first plan itself: that loads the
            # reference sets, phrase matchers, catalogue and rule packs into
            # its per-process caches, which the forked workers then inherit
            # instead of each building them again.
            for _ in range(3):  # a corrupt first file warms nothing: try the next
                i, src, sha, key = todo.pop(0)
                row = check_one(src, refs, as_of, sha)
                done(i, key, row)
                if row.get("ok") or len(todo) < 2:
                    break
        if jobs > 1 and len(todo) > 1:
            ctx = mp.get_context("fork") if fork else None
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as ex:
                futs = {ex.submit(_check_star, (src, refs, as_of, sha)): (i, key, src)
                        for i, src, sha, key in todo}
                for fut in as_completed(futs):
                    i, key, src = futs[fut]
                    try:
                        row = fut.result()
                    except Exception as e:  # a worker died (memory, signal)
                        row = error_row(src, "worker", f"Tiến trình kiểm tra bị dừng: {e}",
                                        f"The checking process stopped: {e}")
                        row["cacheable"] = False
                    done(i, key, row)
        else:
            for i, src, sha, key in todo:
                done(i, key, check_one(src, refs, as_of, sha))
    if cache is not None:
        cache.commit()
        cache.close()
    audit.rows = [rows[i] for i in sorted(rows)]
    aggregate(audit)
    audit.elapsed = time.perf_counter() - t0
    return audit
