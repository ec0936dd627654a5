"""Bounded worker processes for the audit and the web page.

:class:`WorkerPool` keeps ``jobs`` long-lived child processes and hands each
one task at a time.  Every task is bounded:

* **time** — a task that runs longer than ``timeout`` seconds has its worker
  killed (SIGKILL) and its future fails with :class:`WorkerError` (``kind``
  ``"timeout"``); a fresh worker takes the dead one's place;
* **memory** — each worker's address space is capped with
  ``resource.setrlimit(RLIMIT_AS)`` at what it had when it started plus
  ``memory_mb``; a task that goes over gets a ``MemoryError`` (kind
  ``"memory"``) and its worker is replaced;
* **priority** — with ``demote_after``, a task that has used more than that
  many CPU seconds gets its worker's priority lowered (nice 19) and the
  worker is replaced once the task ends, so short tasks keep their speed
  beside long ones;
* **death** — a worker that dies (a signal, the kernel's OOM killer, a crash
  in C code) fails only the task it was running (kind ``"died"``).

Workers die with their parent: on Linux each one asks the kernel for SIGKILL
when its parent goes (``prctl(PR_SET_PDEATHSIG)``), and every worker also
stops when its pipe to the parent closes, so a killed audit or server leaves
no orphans.  Workers ignore SIGINT: Ctrl+C reaches the parent, which stops
them.

The parent never runs a task itself.  ``fn`` and its arguments must be
picklable with the ``"forkserver"`` context (module-level functions); with
``"fork"`` (the default where available) the workers also inherit the
parent's warm per-process caches (reference sets, phrase matchers, rule
packs).
"""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
import weakref
from concurrent.futures import Future
from typing import Any, Callable

WORKER_KINDS = ("timeout", "memory", "died", "error")


class WorkerError(Exception):
    """A task that did not finish in its worker: ``kind`` is one of
    ``timeout``, ``memory``, ``died``, ``error`` (an exception in the task,
    ``detail`` its text)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


# ---------------------------------------------------------------- the child

def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the pipe's EOF still stops us
        pass


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_memory(memory_mb: float | None) -> None:
    if not memory_mb:
        return
    try:
        import resource

        want = _vm_size() + int(memory_mb * 1024 * 1024)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX
        pass


def _worker_main(conn: Any, parent: int, memory_mb: float | None,
                 initializer: Callable[[], Any] | None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.getppid() != parent and parent:
        os._exit(0)  # the parent went before we could ask to die with it
    if initializer is not None:
        try:
            initializer()
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            pass
    _limit_memory(memory_mb)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if msg is None:
            os._exit(0)
        tid, fn, args = msg
        restart = False
        try:
            out = (tid, "ok", fn(*args))
        except MemoryError:
            out, restart = (tid, "memory", ""), True
        except Exception as e:  # noqa: BLE001 - reported to the parent
            out = (tid, "error", f"{type(e).__name__}: {e}")
        try:
            conn.send(out)
        except MemoryError:
            restart = True
            try:
                conn.send((tid, "memory", ""))
            except Exception:  # noqa: BLE001
                os._exit(3)
        except Exception as e:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send((tid, "error", f"{type(e).__name__}: {e}"))
        if restart:
            os._exit(0)


# ---------------------------------------------------------------- the parent

class _Worker:
    def __init__(self, ctx: Any, memory_mb: float | None, initializer: Any):
        parent_end, child_end = ctx.Pipe()
        # a forked worker checks that its parent is still this process; one
        # started by the fork server (or spawned) has another parent
        parent = os.getpid() if ctx.get_start_method() == "fork" else 0
        self.proc = ctx.Process(target=_worker_main, daemon=True, name="plancheck-worker",
                                args=(child_end, parent, memory_mb, initializer))
        self.proc.start()
        child_end.close()
        self.conn = parent_end
        self.task: tuple[int, Future, float] | None = None  # id, future, started
        self.demoted = False
        self.cpu0 = 0.0  # the worker's CPU seconds when its task was handed over

    def kill(self) -> None:
        try:
            self.proc.kill()
        except Exception:  # noqa: BLE001
            pass
        self.proc.join(5)
        try:
            self.conn.close()
        except OSError:
            pass


class WorkerPool:
    """``jobs`` bounded worker processes fed by one dispatcher thread.

    ``submit(fn, *args)`` returns a :class:`concurrent.futures.Future`; it
    can be called from any thread.  ``close()`` stops every worker (also at
    interpreter exit)."""

    def __init__(self, jobs: int = 1, timeout: float | None = None, memory_mb: float | None = None,
                 context: str | None = None, initializer: Callable[[], Any] | None = None,
                 demote_after: float | None = None):
        import multiprocessing as mp

        if context is None:
            context = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(context)
        self.jobs = max(1, int(jobs))
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.initializer = initializer
        self.demote_after = demote_after
        self._lock = threading.Lock()
        self._queue: list[tuple[int, Future, Callable, tuple]] = []
        self._next = 0
        self._closed = False
        # set when the pool stops for good (close() or interpreter exit): the
        # dispatcher then returns and never starts another worker
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.restarts = 0
        # the workers are started by the dispatcher thread, which lives as long
        # as the pool: the kernel's parent-death signal follows the thread
        # that forked a child, not the process
        self._workers: list[_Worker] = []
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="plancheck-pool")
        self._thread.start()
        self._started.wait(60)
        self._finalizer = weakref.finalize(self, WorkerPool._stop_all, self._workers, self._stop,
                                           self._wake_w, self._thread)
        atexit.register(self._finalizer)

    # -- public
    def submit(self, fn: Callable, *args: Any) -> Future:
        fut: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            self._next += 1
            self._queue.append((self._next, fut, fn, args))
        self._wake()
        return fut

    def queued(self) -> int:
        """Tasks waiting for a worker."""
        with self._lock:
            return len(self._queue)

    def abandon(self, fut: Future) -> None:
        """Give up on a task: dropped if it still waits, else its worker is
        killed (and replaced); its future fails with kind ``timeout``."""
        with self._lock:
            self._queue = [q for q in self._queue if q[1] is not fut]
            running = [w for w in self._workers if w.task is not None and w.task[1] is fut]
        if not fut.done():
            try:
                fut.set_exception(WorkerError("timeout", "abandoned"))
            except Exception:  # noqa: BLE001 - finished meanwhile
                pass
        for w in running:
            try:
                w.proc.kill()  # the dispatcher sees it die and starts another
            except Exception:  # noqa: BLE001
                pass
        self._wake()

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._workers if w.proc.pid]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pending = self._queue
            self._queue = []
        for _, fut, _, _ in pending:
            fut.cancel()
        self._wake()
        self._thread.join(10)
        self._finalizer()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- internals
    @staticmethod
    def _stop_all(workers: list[_Worker], stop: threading.Event | None = None, wake_w: int | None = None,
                  thread: threading.Thread | None = None) -> None:
        # the dispatcher first: it would otherwise see the workers die and fork
        # new ones while the interpreter shuts down (a daemon thread frozen in
        # the middle of fork() keeps the logging module's lock, which fork's
        # handlers take, and the exit then waits for it forever)
        if stop is not None:
            stop.set()
        if wake_w is not None:
            try:
                os.write(wake_w, b"x")
            except OSError:
                pass
        if thread is not None and thread is not threading.current_thread() and thread.is_alive():
            thread.join(5)
        for w in list(workers):
            if w.task is not None and not w.task[1].done():
                w.task[1].set_exception(WorkerError("died", "the pool was closed"))
            w.kill()

    def _spawn(self) -> _Worker:
        return _Worker(self.ctx, self.memory_mb, self.initializer)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass

    def _replace(self, w: _Worker) -> None:
        w.kill()
        i = self._workers.index(w)
        if self._closed or self._stop.is_set() or sys.is_finalizing():
            return
        self.restarts += 1
        self._workers[i] = self._spawn()

    def _finish(self, w: _Worker, error: WorkerError | None = None, value: Any = None) -> None:
        task, w.task = w.task, None
        if task is None:
            return
        fut = task[1]
        if fut.done():
            return
        try:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(value)
        except Exception:  # noqa: BLE001 - abandoned by its caller meanwhile (InvalidStateError)
            pass

    def _loop(self) -> None:
        try:
            for _ in range(self.jobs):
                self._workers.append(self._spawn())
        finally:
            self._started.set()
        while not self._stop.is_set():
            try:
                self._serve()
                return
            except Exception as e:  # noqa: BLE001 - the dispatcher must outlive any one failure
                print(f"plancheck worker pool: {type(e).__name__}: {e}", file=sys.stderr)
                time.sleep(0.05)

    def _demote(self, w: _Worker) -> None:
        """Lower the CPU priority of a worker whose task runs long; it is
        replaced by a fresh one once that task ends (priority cannot go back)."""
        w.demoted = True
        try:  # the lowest priority, not SCHED_IDLE: on a busy machine that would starve it
            os.setpriority(os.PRIO_PROCESS, w.proc.pid, 19)
        except (OSError, AttributeError):
            pass

    def _serve(self) -> None:
        from multiprocessing.connection import wait

        while True:
            with self._lock:
                closed = self._closed
            if closed or self._stop.is_set():
                return
            # hand out queued tasks to idle workers
            for w in self._workers:
                if w.task is not None:
                    continue
                with self._lock:
                    item = None
                    while self._queue:
                        item = self._queue.pop(0)
                        if item[1].set_running_or_notify_cancel():
                            break
                        item = None
                if item is None:
                    break
                tid, fut, fn, args = item
                try:
                    w.conn.send((tid, fn, args))
                except Exception as e:  # noqa: BLE001 - a dead pipe or an unpicklable task
                    w.task = (tid, fut, time.monotonic())
                    self._finish(w, WorkerError("died" if isinstance(e, OSError) else "error", str(e)))
                    if isinstance(e, OSError):
                        self._replace(w)
                    continue
                w.task = (tid, fut, time.monotonic())
                w.cpu0 = _cpu_seconds(w.proc.pid) if self.demote_after else 0.0
            # wait for a result, a death, a new task or the next deadline
            busy = [w for w in self._workers if w.task is not None]
            wait_for: float | None = None
            now = time.monotonic()
            deadlines = []
            for w in busy:
                if self.timeout:
                    deadlines.append(w.task[2] + self.timeout)
                if self.demote_after and not w.demoted:
                    # CPU seconds, not wall: on a loaded machine a normal check
                    # takes long in wall time without using much CPU
                    if _cpu_seconds(w.proc.pid) - w.cpu0 > self.demote_after:
                        self._demote(w)
                    else:
                        deadlines.append(now + 0.25)
            if deadlines:
                wait_for = max(0.0, min(deadlines) - now) + 0.01
            handles: list[Any] = [self._wake_r]
            for w in self._workers:
                handles += [w.conn, w.proc.sentinel]
            ready = wait(handles, timeout=wait_for if wait_for is not None else 1.0)
            if self._wake_r in ready:
                try:
                    os.read(self._wake_r, 4096)
                except OSError:
                    pass
            for w in list(self._workers):
                if w.conn in ready:
                    try:
                        tid, status, value = w.conn.recv()
                    except (EOFError, OSError):
                        self._finish(w, WorkerError("died", _exit_text(w)))
                        self._replace(w)
                        continue
                    except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be unpickled here
                        self._finish(w, WorkerError("error", f"{type(e).__name__}: {e}"))
                        self._replace(w)
                        continue
                    if status == "ok":
                        self._finish(w, value=value)
                    else:
                        self._finish(w, WorkerError(status, value))
                    if status == "memory" or w.demoted:
                        self._replace(w)
                elif w.proc.sentinel in ready or not w.proc.is_alive():
                    self._finish(w, WorkerError("died", _exit_text(w)))
                    self._replace(w)
                elif w.task is not None and self.timeout and \
                        time.monotonic() - w.task[2] > self.timeout:
                    self._finish(w, WorkerError("timeout", f"{self.timeout:g} s"))
                    self._replace(w)


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _exit_text(w: _Worker) -> str:
    w.proc.join(1)
    code = w.proc.exitcode
    if code is None:
        return "no answer"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
