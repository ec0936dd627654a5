"""National benchmark of ``plancheck audit``: 3,321 generated plans (one per
commune) and a 10× simulation of the reduce.

    python bench/national.py --jobs 2                 # the full run (~10–20 min on 2 cores)
    python bench/national.py --n 300 --small 100      # a quick rehearsal

Stages, each in a fresh process as a user runs it (``CI=1``, no progress bar):

1. generate ``--n`` plans with ``bench/make_corpus.py`` (git-ignored
   ``bench/corpus/n<N>``); the first ``--small`` of them are linked into a
   second folder;
2. audit of the ``--small`` plans (fresh cache), then of all ``--n`` (fresh
   cache), then a re-audit of the ``--n`` with nothing changed;
   for each: wall time, the audit's own stage times (``timings`` in
   audit.json: discovery + hashing, cache lookup, checks, reduce), the peak
   memory of the audit's PARENT process (its own ``ru_maxrss``, read at exit;
   the workers are separate processes) and the size of every output;
3. the scaling exponent between the two audits, for time and parent memory:
   ``log(t_N / t_small) / log(N / small)`` (1.0 is linear);
4. a 10× simulation of the reduce: synthetic result rows shaped like the
   audit's (their groups, mandates and cited documents drawn from the real
   rows of step 2, each keeping 20 of its ~150 mandates and no findings, so
   that 33,210 rows fit in the memory of a shared machine) at 1× and 10×
   ``--n``, each aggregated and written (dashboard and CSVs) in a fresh
   process: time, peak memory, sizes, exponent.

Results: ``bench/out/national/national.json`` and ``national.md``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "national"
CORPUS = ROOT / "bench" / "corpus"

_WRAP = r"""
import atexit, resource, sys
def _peak():
    sys.stderr.write("\nPEAK_PARENT_MB=%.1f\n" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
atexit.register(_peak)
from checker.apps.cli import main
sys.argv = ["plancheck"] + sys.argv[1:]
main()
"""

_SUMMARY = r"""
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(json.dumps({"summary": d["summary"], "timings": d.get("timings", {})}))
"""


def _sizes(out: Path) -> dict[str, int]:
    sizes = {}
    for p in sorted(out.iterdir()):
        if p.is_dir():
            sizes[p.name + "/"] = sum(q.stat().st_size for q in p.rglob("*") if q.is_file())
        else:
            sizes[p.name] = p.stat().st_size
    return sizes


def audit(folder: Path, out: Path, cache: Path, jobs: int) -> dict:
    env = {**os.environ, "CI": "1"}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _WRAP, "audit", str(folder), "--out", str(out), "--cache",
                        str(cache), "--jobs", str(jobs), "--lang", "en"], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 2):
        raise SystemExit(f"audit failed ({r.returncode}): {r.stderr[-3000:]}")
    peak = [line for line in r.stderr.splitlines() if line.startswith("PEAK_PARENT_MB=")]
    s = subprocess.run([sys.executable, "-c", _SUMMARY, str(out / "audit.json")], stdout=subprocess.PIPE,
                       text=True, check=True)
    d = json.loads(s.stdout)
    return {"wall_s": round(wall, 2), "exit": r.returncode,
            "parent_peak_mb": float(peak[-1].split("=")[1]) if peak else None,
            "summary": d["summary"], "timings": d["timings"], "outputs_bytes": _sizes(out)}


_SIM = r"""
import json, random, resource, sys, time
from pathlib import Path
from checker.apps import audit as A

n, sample, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
KEEP_MANDATES = 20
proto = json.loads(sample.read_text(encoding="utf-8"))
rng = random.Random(17)
rows = []
t0 = time.perf_counter()
for i in range(n):
    p = proto[i % len(proto)]
    r = json.loads(json.dumps(p))  # a row of its own, as one read from the store
    r["mandates"] = r.get("mandates", [])[:KEEP_MANDATES]  # memory: see the module docstring
    r["findings"] = []
    r["source"] = f"sim/{i // 1000:03d}/plan_{i:06d}.txt"
    r["file"] = r["source"].rsplit("/", 1)[1]
    r["commune"] = f"Xã Mô Phỏng {i}"
    for g in r.get("groups", []):
        g["ratio"] = round(rng.random(), 3)
    for m in r.get("mandates", []):
        m["status"] = rng.choice(["covered", "partial", "missing"])
    rows.append(r)
t_rows = time.perf_counter()
audit = A.aggregate(A.Audit(rows=rows))
t_reduce = time.perf_counter()
A.write_outputs(audit, out, ["html", "csv"])
t_out = time.perf_counter()
sizes = {}
for p in sorted(out.iterdir()):
    sizes[p.name + ("/" if p.is_dir() else "")] = (sum(q.stat().st_size for q in p.rglob("*") if q.is_file())
                                                  if p.is_dir() else p.stat().st_size)
print(json.dumps({"n": n, "rows_s": round(t_rows - t0, 2), "reduce_s": round(t_reduce - t_rows, 2),
                  "outputs_s": round(t_out - t_reduce, 2),
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "outputs_bytes": sizes}))
"""


def simulate(n: int, sample: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    r = subprocess.run([sys.executable, "-c", _SIM, str(n), str(sample), str(out)], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise SystemExit(f"simulation failed: {r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def exponent(a: float, b: float, na: int, nb: int) -> float | None:
    if not a or not b or na == nb:
        return None
    return round(math.log(b / a) / math.log(nb / na), 3)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3321)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sim", type=int, default=10, help="the simulation's multiple of --n")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"n": a.n, "small": a.small, "jobs": a.jobs, "cpus": os.cpu_count(),
                 "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                 "loadavg_start": os.getloadavg()}

    folder = CORPUS / f"n{a.n}"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "--n", str(a.n), "--out",
                    str(folder)], check=True, stdout=subprocess.DEVNULL)
    res["generate_s"] = round(time.perf_counter() - t0, 2)
    small = CORPUS / f"n{a.n}-first{a.small}"
    shutil.rmtree(small, ignore_errors=True)
    small.mkdir(parents=True)
    for i in range(a.small):
        name = f"plan_{i:05d}.txt"
        os.link(folder / name, small / name)

    for key, src, n in (("audit_small", small, a.small), ("audit_n", folder, a.n)):
        cache = out / f"cache-{key}"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out / key, ignore_errors=True)
        print(f"{key}: {n} plans …", file=sys.stderr, flush=True)
        res[key] = audit(src, out / key, cache, a.jobs)
        print(f"  {res[key]['wall_s']} s, parent {res[key]['parent_peak_mb']} MB", file=sys.stderr, flush=True)
    print("re-audit, nothing changed …", file=sys.stderr, flush=True)
    res["reaudit_n"] = audit(folder, out / "audit_n", out / "cache-audit_n", a.jobs)
    res["exponent_time"] = exponent(res["audit_small"]["wall_s"], res["audit_n"]["wall_s"], a.small, a.n)
    res["exponent_parent_memory"] = exponent(res["audit_small"]["parent_peak_mb"],
                                             res["audit_n"]["parent_peak_mb"], a.small, a.n)
    res["exponent_reduce"] = exponent(res["audit_small"]["timings"].get("reduce"),
                                      res["audit_n"]["timings"].get("reduce"), a.small, a.n)

    # rows for the simulation: a sample of the real rows, written by a child
    sample = out / "sample-rows.json"
    subprocess.run([sys.executable, "-c",
                    "import json,sys; d=json.load(open(sys.argv[1],encoding='utf-8'));"
                    "rows=[r for r in d['rows'] if r.get('ok')][:200];"
                    "json.dump(rows, open(sys.argv[2],'w',encoding='utf-8'), ensure_ascii=False)",
                    str(out / "audit_small" / "audit.json"), str(sample)], check=True)
    res["sim_1x"] = simulate(a.n, sample, out / "sim-1x")
    print(f"simulation ×{a.sim} …", file=sys.stderr, flush=True)
    res["sim_10x"] = simulate(a.n * a.sim, sample, out / f"sim-{a.sim}x")
    for k in ("reduce_s", "outputs_s", "peak_mb"):
        res[f"sim_exponent_{k}"] = exponent(res["sim_1x"][k], res["sim_10x"][k], a.n, a.n * a.sim)
    res["loadavg_end"] = os.getloadavg()
    (out / "national.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "national.md").write_text(table(res), encoding="utf-8")
    print(table(res))
    return res


def _mb(b: int | None) -> str:
    return "—" if b is None else f"{b / 1e6:.1f} MB"


def table(res: dict) -> str:
    lines = [f"National benchmark: {res['n']} plans (and {res['small']}), --jobs {res['jobs']}, "
             f"{res['cpus']} CPUs, load average {res['loadavg_start'][0]:.1f} at the start, "
             f"{res['loadavg_end'][0]:.1f} at the end.", "",
             "| run | wall | discover + hash | cache lookup | checks | reduce | parent peak | dashboard.html "
             "| dashboard/ | audit.json | audit.csv | matrix.csv | audit.md |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label in (("audit_small", f"audit of {res['small']}"), ("audit_n", f"audit of {res['n']}"),
                       ("reaudit_n", f"re-audit of {res['n']}, unchanged")):
        r = res[key]
        t, o = r["timings"], r["outputs_bytes"]
        lines.append(f"| {label} | {r['wall_s']} s | {t.get('discover_hash', '—')} s | {t.get('cache_lookup', '—')} s "
                     f"| {t.get('check', '—')} s | {t.get('reduce', '—')} s | {r['parent_peak_mb']} MB "
                     f"| {_mb(o.get('dashboard.html'))} | {_mb(o.get('dashboard/'))} | {_mb(o.get('audit.json'))} "
                     f"| {_mb(o.get('audit.csv'))} | {_mb(o.get('matrix.csv'))} | {_mb(o.get('audit.md'))} |")
    lines += ["", f"Scaling exponent {res['small']} → {res['n']}: time {res['exponent_time']}, parent memory "
              f"{res['exponent_parent_memory']}, reduce {res['exponent_reduce']}.", "",
              "| simulation | rows | reduce | dashboard + CSV | peak memory | dashboard.html | dashboard/ |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for key in ("sim_1x", "sim_10x"):
        s = res[key]
        o = s["outputs_bytes"]
        lines.append(f"| {key} | {s['n']} | {s['reduce_s']} s | {s['outputs_s']} s | {s['peak_mb']} MB "
                     f"| {_mb(o.get('dashboard.html'))} | {_mb(o.get('dashboard/'))} |")
    lines += ["", f"Simulation exponents (1× → 10×): reduce {res['sim_exponent_reduce_s']}, outputs "
              f"{res['sim_exponent_outputs_s']}, memory {res['sim_exponent_peak_mb']}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
