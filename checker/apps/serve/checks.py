"""Checks of uploads in bounded worker processes, never in the server process.

Every upload is checked by :func:`checker.pipeline.check` in one of the
:class:`~checker.apps.workers.WorkerPool` processes shared by the server:
at most ``UPLOAD_TIMEOUT`` seconds and ``UPLOAD_MEMORY_MB`` of memory per
upload (over the limit: the worker is killed and replaced, the page says
why in the user's language).  The pool has a worker per core (at least four) plus two, and a
check that has used more than ``DEMOTE_AFTER`` CPU seconds is lowered in CPU
priority (nice 19, by CPU seconds used; its worker is replaced afterwards), so a normal upload keeps its
speed while hostile ones are being checked and the page stays responsive.

The worker also words the findings in English, so that switching the
report's language never runs the rules in the server either.

The workers are started by multiprocessing's *fork server* (where the
platform has one; ``spawn`` elsewhere), never forked from the server
itself: the server is multi-threaded (request threads, the pool's
dispatcher), and a child forked from a multi-threaded process inherits
whatever locks another thread held at that moment, held forever.  The fork
server is a fresh single-threaded process that imports
:mod:`checker.apps.serve.warmed` first (the reference data, matchers and
rule packs, loaded by checking a short plan of our own), so every worker,
and every replacement of a killed one, starts warm.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from checker.apps.serve.upload import _err

CHECK_LANG = "vi"  # the language checker.pipeline.check words its findings in
UPLOAD_TIMEOUT = 60.0
UPLOAD_MEMORY_MB = 1024.0
DEMOTE_AFTER = 1.0  # CPU seconds; a normal plan needs a few tenths

_POOL = None
_POOL_LOCK = threading.Lock()
_WARM: list[bool] = []  # set in a process once warm() has run (the fork server's workers inherit it)
WAIT_GRACE = 30.0  # seconds a request waits beyond the pool's own limit before it gives up on the pool


def _check_in_worker(path: str, references: list[str], as_of: dt.date | None) -> tuple:
    from checker.judge.config import Config
    from checker.pipeline import check, extract

    # an explicit empty configuration: the server never looks for a
    # plancheck.toml above its temporary folder
    from checker.errors import PlanError

    try:
        plan = extract(Path(path))
        result = check(Path(path), references=references, as_of=as_of, config=Config(), plan=plan)
    except PlanError as e:  # sent back as plain data, raised again in the server
        return ("plan-error", e.code, e.vi, e.en)
    return ("ok", result, {"en": findings_in(result, "en")})


def findings_in(result: Any, lang: str) -> Any:
    """The result with its finding messages in ``lang``.  The pipeline words
    findings in Vietnamese; for another language the engine's own
    :func:`checker.judge.engine.evaluate` is run again on a shallow copy."""
    if lang == CHECK_LANG or not hasattr(result, "findings"):
        return result
    import dataclasses

    from checker.judge.config import Config
    from checker.judge.engine import evaluate

    other = dataclasses.replace(result)
    other.findings = evaluate(other, config=Config(), lang=lang)
    return other


def warm() -> None:
    """Load the reference data, matchers and rule packs in this process by
    checking a short plan of our own, so that forked workers start warm."""
    from checker.apps.audit.run import _WARM_TEXT

    try:
        with tempfile.TemporaryDirectory(prefix="plancheck-warm-") as tmp:
            p = Path(tmp) / "warm.txt"
            p.write_text(_WARM_TEXT, encoding="utf-8")
            _check_in_worker(str(p), ["nq57", "nq71"], None)
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass
    _WARM.append(True)


def ensure_warm() -> None:
    """The workers' initializer: warm, unless the process they were forked
    from (the fork server, :mod:`checker.apps.serve.warmed`) already was."""
    if not _WARM:
        warm()


def start_method() -> str:
    """How the server's workers are started: ``forkserver`` where the
    platform has it, else ``spawn`` — never a plain fork of the server."""
    import multiprocessing as mp

    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def default_workers() -> int:
    """A worker per core, at least four, plus two: four hostile uploads
    running into their time limit still leave a worker for a normal one."""
    return max(4, os.cpu_count() or 1) + 2


def shared_pool(workers: int | None = None) -> Any:
    """The process's one pool of check workers, started on first use."""
    global _POOL
    from checker.apps.workers import WorkerPool

    with _POOL_LOCK:
        if _POOL is None:
            method = start_method()
            if method == "forkserver":
                import multiprocessing as mp

                # imported by the fork server before it forks any worker (ignored
                # if this process's fork server is already running: then each
                # worker warms itself, ensure_warm)
                mp.get_context("forkserver").set_forkserver_preload(["checker.apps.serve.warmed"])
            _POOL = WorkerPool(workers or default_workers(), timeout=UPLOAD_TIMEOUT,
                               memory_mb=UPLOAD_MEMORY_MB, demote_after=DEMOTE_AFTER,
                               context=method, initializer=ensure_warm)
        return _POOL


def pooled_check(path: Path, references: list[str], as_of: dt.date | None,
                 pool: Any = None, fn: Any = None) -> Any:
    """``check_fn`` of the app: the check in a bounded worker of ``pool``
    (default: :func:`shared_pool`).  A budget overrun or a dead worker is a
    PlanError with a clear message."""
    from checker.apps.workers import WorkerError
    from checker.errors import PlanError

    from concurrent.futures import TimeoutError as FutureTimeout

    pool = pool or shared_pool()
    fut = pool.submit(fn or _check_in_worker, str(path), list(references), as_of)
    limit = pool.timeout or UPLOAD_TIMEOUT
    try:
        # the pool kills a worker over its limit; waiting longer than that (and
        # the queue) means the pool itself is stuck: the page still answers
        out = fut.result(timeout=limit + WAIT_GRACE + limit * pool.queued() / max(1, pool.jobs))
    except FutureTimeout as e:
        pool.abandon(fut)
        raise _err("budget_time", seconds=f"{limit:g}") from e
    except WorkerError as e:
        if e.kind == "timeout":
            raise _err("budget_time", seconds=f"{pool.timeout or UPLOAD_TIMEOUT:g}") from e
        if e.kind == "memory":
            raise _err("budget_memory", mb=f"{pool.memory_mb or UPLOAD_MEMORY_MB:g}") from e
        if e.kind == "died":
            raise _err("worker_died") from e
        raise RuntimeError(e.detail) from e
    if out[0] == "plan-error":
        raise PlanError(out[1], out[2], out[3])
    return Checked(out[1], out[2])


class Checked:
    """A result checked in a worker with its other languages' wordings."""

    def __init__(self, result: Any, by_lang: dict[str, Any]):
        self.result = result
        self.by_lang = by_lang
