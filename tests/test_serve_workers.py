"""The web page's check workers never hang the server (docs/serve.md): a
stuck or killed worker costs its upload an error page and is replaced; the
pool stops its dispatcher before it stops the workers (no fork while the
interpreter exits); the server's workers come from a fork server, never
forked from the multi-threaded server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("flask")

from checker.apps.serve import checks  # noqa: E402
from checker.apps.workers import WorkerError, WorkerPool  # noqa: E402
from checker.errors import PlanError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _stop_myself(path, refs, as_of):
    os.kill(os.getpid(), signal.SIGSTOP)  # stuck for good: no CPU used, no answer
    return ("ok", None, {})


def _die(path, refs, as_of):
    os.kill(os.getpid(), signal.SIGKILL)


def _answer(path, refs, as_of):
    return ("ok", path, {"pid": os.getpid()})


def _origin(*args):
    # which process forked this worker, and whether it was warmed there
    return os.getppid(), "checker.apps.serve.warmed" in sys.modules, bool(checks._WARM)


@pytest.mark.parametrize("method", ["fork", checks.start_method()])
def test_stuck_worker_gets_an_error_page_and_is_replaced(method):
    with WorkerPool(1, timeout=1.5, context=method) as pool:
        t0 = time.monotonic()
        with pytest.raises(PlanError) as e:
            checks.pooled_check(Path("x.txt"), ["nq57"], None, pool=pool, fn=_stop_myself)
        assert "too much time to check (limit 1.5 s)" in e.value.en
        assert time.monotonic() - t0 < 15
        out = checks.pooled_check(Path("y.txt"), ["nq57"], None, pool=pool, fn=_answer)
        assert out.result == "y.txt" and pool.restarts == 1


def test_killed_worker_gets_an_error_page_and_is_replaced():
    with WorkerPool(1, timeout=30) as pool:
        with pytest.raises(PlanError) as e:
            checks.pooled_check(Path("x.txt"), ["nq57"], None, pool=pool, fn=_die)
        assert "checking process stopped unexpectedly" in e.value.en
        assert checks.pooled_check(Path("y.txt"), ["nq57"], None, pool=pool, fn=_answer).result == "y.txt"


def test_request_gives_up_on_a_pool_that_no_longer_answers(monkeypatch):
    """Even with the dispatcher gone (the pool's own limits cannot fire), an
    upload waits a bounded time and gets the time-limit page."""
    monkeypatch.setattr(checks, "WAIT_GRACE", 0.5)
    with WorkerPool(1, timeout=1) as pool:
        pool._stop.set()
        pool._wake()
        pool._thread.join(5)
        assert not pool._thread.is_alive()
        t0 = time.monotonic()
        with pytest.raises(PlanError) as e:
            checks.pooled_check(Path("x.txt"), ["nq57"], None, pool=pool, fn=_answer)
        assert "too much time to check (limit 1 s)" in e.value.en
        assert time.monotonic() - t0 < 10


def test_exit_stops_the_dispatcher_before_the_workers():
    """What atexit runs: the dispatcher ends first, so the dying workers are
    not replaced by new forks while the interpreter shuts down."""
    pool = WorkerPool(2, timeout=30)
    assert pool.submit(pow, 2, 5).result(10) == 32
    pids = pool.pids()
    pool._finalizer()
    assert not pool._thread.is_alive()
    assert pool.restarts == 0 and pool.pids() == pids
    for w in pool._workers:
        assert not w.proc.is_alive()


def test_process_with_a_live_pool_exits_promptly():
    code = textwrap.dedent("""
        from checker.apps.workers import WorkerPool
        pool = WorkerPool(3, timeout=30)
        for i in range(6):
            assert pool.submit(pow, 2, i).result(10) == 2 ** i
        # no close(): the interpreter's exit stops the pool
    """)
    for _ in range(4):
        r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_server_workers_come_warm_from_the_fork_server():
    if checks.start_method() != "forkserver":
        pytest.skip("no fork server on this platform")
    code = textwrap.dedent("""
        import os, sys
        sys.path.insert(0, "tests")
        from checker.apps.serve import checks
        from test_serve_workers import _origin
        pool = checks.shared_pool(2)
        ppid, preloaded, warm = pool.submit(_origin).result(120)
        print(ppid != os.getpid(), preloaded, warm, "checker.apps.serve.warmed" in sys.modules)
    """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=180, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # forked by the fork server (not the server), which imported the warm-up;
    # the server process itself did not load the checker's data
    assert r.stdout.split() == ["True", "True", "True", "False"], r.stdout + r.stderr


def test_server_worker_checks_a_plan(seed):
    with WorkerPool(1, timeout=60, context=checks.start_method(), initializer=checks.ensure_warm) as pool:
        out = checks.pooled_check(seed("001"), ["nq57", "nq71"], None, pool=pool)
        assert out.result.plan.tasks and "en" in out.by_lang
        assert pool.pids() and os.getpid() not in pool.pids()


def test_worker_error_kinds_unchanged():
    assert {"timeout", "memory", "died", "error"} <= set(__import__("checker.apps.workers").apps.workers.WORKER_KINDS)
    assert issubclass(WorkerError, Exception)
