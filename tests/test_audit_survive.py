"""An audit that survives: killed and resumed, a dead worker, two audits on one
cache, paths it cannot read, exit status, the worker pool's bounds.

Uses seeds 001–003 only (copies with a line of their own appended, so each
file has its own content hash and its own cache entry)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.apps import audit as A
from checker.apps.audit import run as audit_run
from checker.apps.workers import WorkerError, WorkerPool

PLANCHECK = [sys.executable, "-m", "checker.apps.cli"]


def _plans(tmp_path: Path, seed, n: int, name: str = "plans") -> Path:
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    srcs = [seed(p) for p in ("001", "002", "003")]
    for i in range(n):
        s = srcs[i % len(srcs)]
        text = s.read_text(encoding="utf-8") + f"\nGhi chú bản sao số {i}.\n"
        (d / f"kh_{i:03d}.txt").write_text(text, encoding="utf-8")
    return d


def _cached(cache: Path) -> int:
    db = cache / "results.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return c.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        st = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return st.rsplit(")", 1)[1].split()[0] != "Z"


def _cmd_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CI"] = "1"  # no progress bar
    return env


def _audit_cmd(folder: Path, out: Path, cache: Path, jobs: int = 2) -> list[str]:
    return PLANCHECK + ["audit", str(folder), "--out", str(out), "--cache", str(cache),
                        "--jobs", str(jobs), "--format", "json"]


# ---------------------------------------------------------------- the pool

def _sq(x):
    return x * x


def _sleep(t):
    time.sleep(t)
    return t


def _hog(mb):
    return len(bytearray(mb * 1024 * 1024))


def _suicide():
    os.kill(os.getpid(), signal.SIGKILL)


def test_pool_bounds_time_memory_and_death():
    with WorkerPool(2, timeout=2, memory_mb=300) as pool:
        assert [f.result() for f in [pool.submit(_sq, i) for i in range(8)]] == [i * i for i in range(8)]
        kinds = {}
        for name, fn, args in (("slow", _sleep, (30,)), ("hog", _hog, (2000,)), ("die", _suicide, ())):
            t0 = time.monotonic()
            with pytest.raises(WorkerError) as e:
                pool.submit(fn, *args).result(timeout=30)
            kinds[name] = e.value.kind
            assert time.monotonic() - t0 < 10
        assert kinds == {"slow": "timeout", "hog": "memory", "die": "died"}
        # the pool goes on with fresh workers
        assert pool.submit(_sq, 7).result(timeout=30) == 49
        assert pool.submit(_hog, 10).result(timeout=30) == 10 * 1024 * 1024
        pids = pool.pids()
    for pid in pids:
        assert not _alive(pid)


# ---------------------------------------------------------------- killed and resumed

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_audit_resumes_from_its_cache_and_leaves_no_orphans(tmp_path, seed, sig):
    # enough plans that the audit cannot finish between the poll and the signal
    # (a fast machine checked 16 before the signal arrived)
    n = 48
    folder = _plans(tmp_path, seed, n)
    out, cache = tmp_path / "out", tmp_path / "cache"
    proc = subprocess.Popen(_audit_cmd(folder, out, cache), env=_cmd_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # a loaded machine is slow to start
    while _cached(cache) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert proc.poll() is None, "the audit ended before it could be killed"
    proc.send_signal(sig)
    proc.wait(60)
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, proc.stderr.read().decode()
    time.sleep(1.0)
    assert workers and not [w for w in workers if _alive(w)], "orphan workers"
    kept = _cached(cache)
    assert 3 <= kept < n
    r = subprocess.run(_audit_cmd(folder, out, cache), env=_cmd_env(), capture_output=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    data = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    s = data["summary"]
    assert s["files"] == n and s["errors"] == 0
    assert s["cached"] >= kept and s["checked"] == n - s["cached"]


# ---------------------------------------------------------------- a dead worker

_REAL_CHECK = audit_run.check_one


def _killing_check(source, *args):
    if Path(source).name == "kh_004.txt":
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_CHECK(source, *args)


def test_a_dead_worker_costs_one_row(tmp_path, seed, monkeypatch):
    folder = _plans(tmp_path, seed, 9)
    monkeypatch.setattr(audit_run, "check_one", _killing_check)
    audit = A.run_audit([folder], jobs=2, cache_dir=tmp_path / "cache")
    bad = [r for r in audit.rows if not r["ok"]]
    assert [Path(r["source"]).name for r in bad] == ["kh_004.txt"]
    assert bad[0]["error"]["code"] == "worker-died"
    assert "SIGKILL" in bad[0]["error"]["en"] and bad[0]["error"]["vi"]
    assert len(audit.ok_rows) == 8
    # the dead worker's file is not cached: the next audit checks it again
    monkeypatch.setattr(audit_run, "check_one", _REAL_CHECK)
    again = A.run_audit([folder], jobs=2, cache_dir=tmp_path / "cache")
    assert again.checked == 1 and not again.error_rows


def _slow_check(source, *args):
    if Path(source).name == "kh_001.txt":
        time.sleep(60)
    return _REAL_CHECK(source, *args)


def test_a_plan_over_its_time_budget_is_an_error_row(tmp_path, seed, monkeypatch):
    folder = _plans(tmp_path, seed, 3)
    monkeypatch.setattr(audit_run, "check_one", _slow_check)
    t0 = time.monotonic()
    audit = A.run_audit([folder], jobs=2, cache_dir=None, use_cache=False, timeout=20)
    assert time.monotonic() - t0 < 58  # the slow plan was stopped, not waited for
    bad = audit.error_rows
    assert [Path(r["source"]).name for r in bad] == ["kh_001.txt"]
    assert bad[0]["error"]["code"] == "worker-timeout"
    assert "20 s" in bad[0]["error"]["en"]


# ---------------------------------------------------------------- a shared cache

def test_two_audits_on_one_cache_both_finish(tmp_path, seed):
    folder = _plans(tmp_path, seed, 12)
    cache = tmp_path / "cache"
    procs = [subprocess.Popen(_audit_cmd(folder, tmp_path / f"out{k}", cache, jobs=1), env=_cmd_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k in (1, 2)]
    for p in procs:
        p.wait(600)
    for k, p in enumerate(procs, 1):
        assert p.returncode == 0, p.stderr.read().decode()
        s = json.loads((tmp_path / f"out{k}" / "audit.json").read_text(encoding="utf-8"))["summary"]
        assert s["files"] == 12 and s["errors"] == 0
    assert _cached(cache) == 12


# ---------------------------------------------------------------- paths it cannot read

def test_every_path_it_cannot_read_is_an_error_row(tmp_path, seed):
    folder = _plans(tmp_path, seed, 2)
    os.mkfifo(folder / "ong.txt")
    os.symlink(folder / "vong_b.txt", folder / "vong_a.txt")
    os.symlink(folder / "vong_a.txt", folder / "vong_b.txt")
    os.symlink(folder / "khong_co.txt", folder / "treo.txt")
    bad_name = os.fsencode(folder) + b"/ke_hoach_\xff\xfe.txt"
    with open(bad_name, "wb") as f:
        f.write((folder / "kh_000.txt").read_bytes() + b"\nBan khac.\n")
    out = tmp_path / "out"
    t0 = time.monotonic()
    r = CliRunner().invoke(A_cmd(), [str(folder), "--out", str(out), "--jobs", "1", "--lang", "en",
                                     "--no-cache"])
    assert time.monotonic() - t0 < 120
    assert r.exit_code == 2, r.output  # some paths could not be checked
    data = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    rows = {Path(x["source"]).name: x for x in data["rows"]}
    assert rows["ong.txt"]["error"]["code"] == "not-a-file"
    assert rows["vong_a.txt"]["error"]["code"] == "symlink-loop"
    assert rows["vong_b.txt"]["error"]["code"] == "symlink-loop"
    assert rows["treo.txt"]["error"]["code"] == "dangling-link"
    odd = rows["ke_hoach_\ufffd\ufffd.txt"]  # checked; its name shown with U+FFFD
    assert odd["ok"], odd
    assert rows["kh_000.txt"]["ok"] and rows["kh_001.txt"]["ok"]
    for name in ("dashboard.html", "audit.csv", "matrix.csv", "audit.md"):
        assert (out / name).stat().st_size > 0
    assert "ke_hoach_\ufffd\ufffd.txt" in (out / "dashboard.html").read_text(encoding="utf-8")


def A_cmd():
    from checker.apps.cmd_audit import audit_command

    return audit_command


# ---------------------------------------------------------------- exit status

def test_fail_on_findings(tmp_path, seed):
    folder = _plans(tmp_path, seed, 1)
    audit = A.run_audit([folder], jobs=1, cache_dir=None, use_cache=False)
    sev = audit.rows[0]["severity"]
    cache = tmp_path / "cache"
    base = [str(folder), "--out", str(tmp_path / "out"), "--cache", str(cache), "--format", "json"]
    assert CliRunner().invoke(A_cmd(), base).exit_code == 0
    assert CliRunner().invoke(A_cmd(), base + ["--fail-on", "never"]).exit_code == 0
    expect_info = 1 if any(sev.values()) else 0
    assert CliRunner().invoke(A_cmd(), base + ["--fail-on", "info"]).exit_code == expect_info
    assert CliRunner().invoke(A_cmd(), base + ["--fail-on", "error"]).exit_code == \
        (1 if sev.get("error") else 0)
