"""plancheck benchmark: one run, one table.

    python bench/bench.py                 # quick: 100 generated plans, 2 workers
    python bench/bench.py --full          # also 1,000 plans (linearity)
    python bench/bench.py --n 50 --jobs 4 --repeats 3 --no-cold

Measures
  (a) extract and check of each seed: cold (a new process running
      ``python -m checker.apps.cli check SEED --format json``) and warm
      (in-process, median of --repeats after one warm-up call);
  (b) audit of N generated plans (bench/make_corpus.py; 100, and 1,000
      with --full) with a fresh cache, --jobs workers, as a user runs it:
      ``python -m checker.apps.cli audit …`` in a new process (start-up, imports
      and loading the reference data included);
  (c) the same audit again with nothing changed (all cache hits; every file
      is touched first: the cache is keyed by content, not mtime) and with
      1 % of the files changed;
  (e) issue 17's floor ratio: a check of seed 004 as text the process has
      not seen, against reading it, NFC and one citation-regex scan in the
      same process (bench/single.py; target ≤ 25×);
  (d) peak memory: ru_maxrss of this process after the warm checks (the
      checker's own footprint, before the profiler) and of the largest child
      (cold CLI runs, audit parents and workers);
and profiles a warm check of the largest seed (cProfile, top 10 by own
time and top 10 project functions by cumulative time).  Prints a Markdown
table with the targets of issue 6 and the ratios between the measures, and
writes bench/out/results.json (git-ignored).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {
    "warm_check_40kb_s": 0.3,
    "cold_check_s": 2.5,
    "audit_100_s_2cores": 40.0,
    "reaudit_unchanged_s": 2.0,
    "peak_memory_mb": 500.0,
}


def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


PEAKS: list[float] = []  # peak RSS (MB) of every plancheck process tree run by the bench


def run_measured(args: list[str], env: dict | None = None) -> tuple[int, str, float, float]:
    """Run a plancheck command; (exit code, stderr, wall s, CPU s).

    The process is reaped with ``os.wait4``, whose rusage is that process
    tree's own: its peak RSS goes to PEAKS (helper processes of the bench
    itself, such as the one reading audit.json, are not counted)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "checker.apps.cli", *args], cwd=ROOT,
                             stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        PEAKS.append(ru.ru_maxrss / 1024 if sys.platform != "darwin" else ru.ru_maxrss / 1024 / 1024)
        return p.returncode, err.read().decode("utf-8", "replace"), wall, ru.ru_utime + ru.ru_stime


def cold(seed: Path, cmd: str) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of a fresh ``plancheck CMD SEED`` process."""
    rc, _, wall, cpu = run_measured([cmd, str(seed), "--format", "json"])
    return wall, cpu, rc


def warm(fn, repeats: int) -> tuple[float, float, float]:
    """(first call, median wall, median CPU of the next ``repeats`` calls) in s.

    CPU time (this process) does not grow when other programs load the
    machine; wall time does, so both are kept."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return first, statistics.median(times), statistics.median(cpus)


def profile_check(path: Path, top: int = 10) -> dict:
    from checker.pipeline import check

    check(path)  # warm
    pr = cProfile.Profile()
    pr.enable()
    check(path)
    pr.disable()
    st = pstats.Stats(pr)
    rows_tot = []
    for (fname, line, func), (cc, nc, tt, ct, _) in sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]:
        rows_tot.append({"function": f"{_short(fname)}:{line}({func})", "calls": nc,
                         "tottime": round(tt, 4), "cumtime": round(ct, 4)})
    rows_cum = []
    own = [(k, v) for k, v in st.stats.items() if "/checker/" in k[0] and k[2] not in ("check",)]
    for (fname, line, func), (cc, nc, tt, ct, _) in sorted(own, key=lambda kv: -kv[1][3])[:top]:
        rows_cum.append({"function": f"{_short(fname)}:{line}({func})", "calls": nc,
                         "tottime": round(tt, 4), "cumtime": round(ct, 4)})
    total = sum(v[2] for v in st.stats.values())
    return {"plan": path.name, "total": round(total, 4), "by_tottime": rows_tot, "by_cumtime": rows_cum}


def profile_first_check(path: Path) -> list[dict]:
    """Profile the first check in a fresh process: imports and data loading."""
    code = (
        "import cProfile,pstats,sys,json;"
        "from checker.pipeline import check;"
        "pr=cProfile.Profile();pr.enable();check(sys.argv[1]);pr.disable();"
        "st=pstats.Stats(pr);items=sorted(st.stats.items(),key=lambda kv:-kv[1][3]);"
        "own=[(k,v) for k,v in items if '/checker/' in k[0]][:12];"
        "print(json.dumps([{'function':k[0].split('/checker/')[-1]+':'+str(k[1])+'('+k[2]+')',"
        "'cumtime':round(v[3],3)} for k,v in own]))")
    r = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [{"function": "error", "detail": r.stderr[-500:]}]


def _short(fname: str) -> str:
    if "/checker/" in fname:
        return "checker/" + fname.split("/checker/")[-1]
    if "site-packages/" in fname:
        return fname.split("site-packages/")[-1]
    return fname.rsplit("/", 1)[-1] if "/" in fname else fname


def _cli_audit(folder: Path, out: Path, cache: Path, jobs: int) -> dict:
    """Run ``plancheck audit`` in a fresh process, as a user would; return
    its summary (audit.json) with the wall and CPU time of the process tree."""
    rc, stderr, wall, cpu = run_measured(
        ["audit", str(folder), "--out", str(out), "--cache", str(cache), "--jobs", str(jobs),
         "--format", "json", "--lang", "en"], env={**os.environ, "CI": "true"})
    if rc != 0:
        raise SystemExit(f"audit failed ({rc}): {stderr[-2000:]}")
    # audit.json of 1,000 plans is ~70 MB (~400 MB as Python objects): read it
    # in a child, so that this process stays small (see main)
    r = subprocess.run([sys.executable, "-c", _SUMMARY, str(out / "audit.json")],
                       stdout=subprocess.PIPE, text=True, check=True)
    return {"wall": wall, "cpu": cpu, **json.loads(r.stdout)}


_SUMMARY = """
import json, statistics, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
s = d["summary"]
s["worker_check_median_s"] = statistics.median(
    [x["elapsed"] for x in d["rows"] if x.get("elapsed") and not x.get("cached")] or [0])
print(json.dumps(s))
"""


def audit_runs(n: int, jobs: int, corpus_root: Path, out_root: Path) -> dict:
    folder = corpus_root / f"n{n}"
    t0 = time.perf_counter()
    # in a child process: generating imports the checker, and this process
    # must stay small for the audit children's peak memory to be their own
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "--n", str(n),
                    "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    paths = [folder / f"plan_{i:05d}.txt" for i in range(n)]
    gen_s = time.perf_counter() - t0
    cache = out_root / f"cache-n{n}"
    out = out_root / f"audit-n{n}"
    shutil.rmtree(cache, ignore_errors=True)
    size = sum(p.stat().st_size for p in paths)

    first = _cli_audit(folder, out, cache, jobs)
    # (c) nothing changed: touch every file (mtime changes, content does not)
    for p in paths:
        os.utime(p)
    same = _cli_audit(folder, out, cache, jobs)
    # (c) 1 % changed
    k = max(1, n // 100)
    for p in paths[:k]:
        with open(p, "a", encoding="utf-8") as f:
            f.write(f"\n- Nhiệm vụ bổ sung lần chạy {time.time():.0f}: rà soát, cập nhật kế hoạch.\n")
    changed = _cli_audit(folder, out, cache, jobs)
    return {
        "n": n, "jobs": jobs, "bytes": size, "generate_s": round(gen_s, 2),
        "audit_s": round(first["wall"], 3), "audit_inner_s": first["elapsed"], "errors": first["errors"],
        "audit_cpu_s": round(first["cpu"], 2), "cpu_s_per_plan": round(first["cpu"] / n, 3),
        "plans_per_s": round(n / first["wall"], 3),
        "plans_per_s_per_core": round(n / first["wall"] / jobs, 3),
        "worker_check_median_s": round(first["worker_check_median_s"], 3),
        "reaudit_unchanged_s": round(same["wall"], 3), "reaudit_unchanged_inner_s": same["elapsed"],
        "reaudit_unchanged_cached": same["cached"],
        "reaudit_1pct_s": round(changed["wall"], 3), "reaudit_1pct_inner_s": changed["elapsed"],
        "reaudit_1pct_checked": changed["checked"],
    }


def fmt(v, unit="s") -> str:
    if v is None:
        return "—"
    return f"{v:.3f} {unit}" if unit == "s" and v < 10 else f"{v:.1f} {unit}"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="plancheck benchmark (issue 6)")
    ap.add_argument("--n", type=int, default=100, help="plans in the audit corpus (default 100)")
    ap.add_argument("--full", action="store_true", help="also audit 1,000 plans (linearity)")
    ap.add_argument("--jobs", type=int, default=2, help="audit workers (default 2)")
    ap.add_argument("--repeats", type=int, default=5, help="warm repeats per seed (median)")
    ap.add_argument("--seeds", default=str(ROOT.parent / "shared" / "seeds"))
    ap.add_argument("--no-cold", action="store_true", help="skip the cold subprocess runs")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    a = ap.parse_args(argv)

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = sorted(Path(a.seeds).glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seeds in {a.seeds}")
    res: dict = {"python": sys.version.split()[0], "platform": platform.platform(),
                 "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(), "seeds": []}

    # (a) cold: a fresh interpreter per run
    for s in seeds:
        row = {"seed": s.name, "kb": round(s.stat().st_size / 1024, 1)}
        if not a.no_cold:
            row["cold_extract_s"], row["cold_extract_cpu_s"], _ = cold(s, "extract")
            row["cold_check_s"], row["cold_check_cpu_s"], rc = cold(s, "check")
            row["cold_check_exit"] = rc
        res["seeds"].append(row)
    res["peak_child_mb_cold"] = round(max(PEAKS, default=0), 1)

    # (b)(c) audits, before anything big is loaded here: a child's peak RSS
    # also counts the pages it shares with this process when it is forked
    corpus = ROOT / "bench" / "corpus"
    res["audits"] = [audit_runs(a.n, a.jobs, corpus, out)]
    if a.full and a.n != 1000:
        res["audits"].append(audit_runs(1000, a.jobs, corpus, out))
    res["peak_child_mb"] = round(max(PEAKS, default=0), 1)

    # (a) warm: in this process
    from checker.pipeline import check, extract

    t0 = time.perf_counter()
    check(seeds[0])
    res["first_check_in_process_s"] = round(time.perf_counter() - t0, 3)
    for s, row in zip(seeds, res["seeds"]):
        _, row["warm_extract_s"], row["warm_extract_cpu_s"] = warm(lambda: extract(s), a.repeats)
        _, row["warm_check_s"], row["warm_check_cpu_s"] = warm(lambda: check(s), a.repeats)
    # issue 17: a check of text the process has not seen against the floor
    # (read + NFC + one citation-regex scan), seed 004 (bench/single.py)
    import single

    s004 = [s for s in seeds if s.name.startswith("004_")] or [max(seeds, key=lambda p: p.stat().st_size)]
    res["single"] = single.measure(s004[0], max(a.repeats, 9))
    # the checker's own footprint, before the profiler adds its own
    res["peak_self_mb_warm"] = round(_maxrss_mb(resource.RUSAGE_SELF), 1)
    big = max(seeds, key=lambda p: p.stat().st_size)
    res["largest_seed"] = big.name
    res["profile_warm"] = profile_check(big)
    res["profile_first"] = profile_first_check(big)

    # (d) memory
    res["peak_self_mb"] = round(_maxrss_mb(resource.RUSAGE_SELF), 1)
    res["loadavg_end"] = os.getloadavg()

    report = table(res)
    res["table"] = report
    (out / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report)
    print(f"\nresults: {out / 'results.json'}")
    return res


def table(res: dict) -> str:
    L = []
    L.append(f"plancheck benchmark — Python {res['python']}, {res['cpus']} CPUs, "
             f"load average at start {res['loadavg_start'][0]:.1f}\n")
    L.append("Wall time (CPU time of the process in brackets: it does not grow with the machine's load).\n")
    L.append("| Seed | KB | cold extract | cold check | warm extract | warm check | warm/cold check |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in res["seeds"]:
        ratio = (f"{r['warm_check_s'] / r['cold_check_s']:.2f}" if r.get("cold_check_s") else "—")
        L.append(f"| {r['seed'][:3]} | {r['kb']} | {fmt(r.get('cold_extract_s'))} ({fmt(r.get('cold_extract_cpu_s'))}) "
                 f"| {fmt(r.get('cold_check_s'))} ({fmt(r.get('cold_check_cpu_s'))}) "
                 f"| {fmt(r['warm_extract_s'])} ({fmt(r['warm_extract_cpu_s'])}) "
                 f"| {fmt(r['warm_check_s'])} ({fmt(r['warm_check_cpu_s'])}) | {ratio} |")
    L.append("")
    L.append("| Audit | plans | jobs | time | CPU s/plan | plans/s/core | re-audit unchanged | unchanged/full | "
             "re-audit 1 % | 1 %/full |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for au in res["audits"]:
        L.append(f"| n={au['n']} | {au['n']} | {au['jobs']} | {fmt(au['audit_s'])} | {au['cpu_s_per_plan']:.2f} "
                 f"| {au['plans_per_s_per_core']:.2f} "
                 f"| {fmt(au['reaudit_unchanged_s'])} ({au['reaudit_unchanged_cached']} cached) "
                 f"| {au['reaudit_unchanged_s'] / au['audit_s']:.3f} "
                 f"| {fmt(au['reaudit_1pct_s'])} ({au['reaudit_1pct_checked']} checked) "
                 f"| {au['reaudit_1pct_s'] / au['audit_s']:.3f} |")
    L.append("")
    big = next(r for r in res["seeds"] if r["seed"] == res["largest_seed"])
    cold_max = max((r.get("cold_check_s") or 0 for r in res["seeds"]), default=0) or None
    a100 = next((x for x in res["audits"] if x["n"] == 100), None)
    a1000 = next((x for x in res["audits"] if x["n"] == 1000), None)
    lin = (a1000["audit_s"] / a100["audit_s"] / 10) if (a100 and a1000) else None
    rows = [
        ("Warm check, largest seed (%s KB)" % big["kb"], big["warm_check_s"], TARGETS["warm_check_40kb_s"], "s"),
        ("Cold `plancheck check` (slowest seed)", cold_max, TARGETS["cold_check_s"], "s"),
        ("Audit of 100 plans", a100["audit_s"] if a100 else None, TARGETS["audit_100_s_2cores"], "s"),
        ("Re-audit, nothing changed", res["audits"][0]["reaudit_unchanged_s"], TARGETS["reaudit_unchanged_s"], "s"),
        ("Peak memory (largest plancheck process)",
         max(res.get("peak_self_mb_warm", res["peak_self_mb"]), res["peak_child_mb"]),
         TARGETS["peak_memory_mb"], "MB"),
    ]
    L.append("| Target (issue 6) | measured | target | measured/target | met |")
    L.append("|---|---:|---:|---:|:-:|")
    for name, v, t, unit in rows:
        if v is None:
            L.append(f"| {name} | — | {t} {unit} | — | — |")
            continue
        L.append(f"| {name} | {fmt(v, unit)} | {t} {unit} | {v / t:.2f} | {'yes' if v <= t else 'NO'} |")
    if lin is not None:
        L.append(f"| 1,000 plans / (10 × 100 plans) | {lin:.2f} | ≤ 1.1 (linear) | — | {'yes' if lin <= 1.1 else 'NO'} |")
    if big.get("warm_check_cpu_s") is not None:
        v = big["warm_check_cpu_s"]
        L.append(f"| Warm check, largest seed, CPU time | {fmt(v)} | 0.3 s | {v / 0.3:.2f} | {'yes' if v <= 0.3 else 'NO'} |")
    cpu_cold = max((r.get("cold_check_cpu_s") or 0 for r in res["seeds"]), default=0)
    if cpu_cold:
        L.append(f"| Cold check, CPU time (slowest seed) | {fmt(cpu_cold)} | 2.5 s | {cpu_cold / 2.5:.2f} "
                 f"| {'yes' if cpu_cold <= 2.5 else 'NO'} |")
    if a100:
        est = a100["audit_cpu_s"] / 2
        L.append(f"| Audit of 100 plans, CPU s / 2 cores (idle-machine estimate) | {fmt(est)} | 40.0 s "
                 f"| {est / 40:.2f} | {'yes' if est <= 40 else 'NO'} |")
    if res.get("single"):
        m = res["single"]
        v = m["ratio_fresh_floor"]
        L.append(f"| Check of fresh text / floor (read + NFC + one citation regex), seed {m['seed'][:3]} "
                 f"| {v:.1f}× ({m['fresh_s'] * 1000:.1f} ms / {m['floor_s'] * 1000:.2f} ms) | ≤ 25× (issue 17) "
                 f"| {v / 25:.2f} | {'yes' if v <= 25 else 'NO'} |")
        L.append(f"| — the same in CPU time | {m['ratio_fresh_floor_cpu']:.1f}× | ≤ 25× | "
                 f"{m['ratio_fresh_floor_cpu'] / 25:.2f} | {'yes' if m['ratio_fresh_floor_cpu'] <= 25 else 'NO'} |")
    L.append("")
    if res.get("single"):
        import single

        L.append("Floor ratio (bench/single.py): " + single.line(res["single"]))
        L.append("")
    L.append(f"First check in a warm interpreter (imports + data loading): {res['first_check_in_process_s']:.2f} s")
    L.append(f"Peak RSS: warm checks in this process {res.get('peak_self_mb_warm')} MB; "
             f"largest child (cold CLI runs, audit parents and workers) {res['peak_child_mb']} MB; "
             f"this bench process at the end (profiler included) {res['peak_self_mb']} MB")
    L.append("")
    p = res["profile_warm"]
    L.append(f"Profile of a warm check of {p['plan']} (cProfile total {p['total']:.3f} s), top 10 by own time:")
    L.append("")
    L.append("| function | calls | own s | cumulative s |")
    L.append("|---|---:|---:|---:|")
    for r in p["by_tottime"]:
        L.append(f"| `{r['function']}` | {r['calls']} | {r['tottime']:.3f} | {r['cumtime']:.3f} |")
    L.append("")
    L.append("Top 10 project functions by cumulative time (warm):")
    L.append("")
    L.append("| function | calls | own s | cumulative s |")
    L.append("|---|---:|---:|---:|")
    for r in p["by_cumtime"]:
        L.append(f"| `{r['function']}` | {r['calls']} | {r['tottime']:.3f} | {r['cumtime']:.3f} |")
    L.append("")
    L.append("First check in a fresh process, project functions by cumulative time:")
    L.append("")
    for r in res["profile_first"][:10]:
        L.append(f"- `{r.get('function')}` {r.get('cumtime', '')} s")
    return "\n".join(L)


if __name__ == "__main__":
    main()
