"""National benchmark of ``plancheck audit``: 3,321 generated plans (one per
commune) and a 10× simulation of the parent's work over stored summaries.

    python bench/national.py --jobs 2                 # the full run (~10–20 min on 2 cores)
    python bench/national.py --n 300 --small 100      # a quick rehearsal

Stages, each in a fresh process as a user runs it (``CI=1``, no progress bar):

1. generate ``--n`` plans with ``bench/make_corpus.py`` (git-ignored
   ``bench/corpus/n<N>``); the first ``--small`` of them are linked into a
   second folder;
2. audit of the ``--small`` plans (fresh cache), then of all ``--n`` (fresh
   cache), then a re-audit of the ``--n`` with nothing changed;
   for each: wall time, CPU time of the audit and all its workers, the load
   average before and after, the audit's own stage times (``timings`` in
   audit.json: discovery + hashing, cache lookup, checks, reduce, HTML, CSV,
   Markdown), the peak memory of the audit's PARENT process (its own
   ``ru_maxrss``, read at exit; the workers are separate processes) and the
   size of every output (``detail/`` included);
3. the scaling exponent between the two audits, for wall time, CPU time,
   parent memory and the reduce: ``log(t_N / t_small) / log(N / small)``
   (1.0 is linear; on a shared machine read the CPU time's);
4. a 10× simulation of the parent over stored summaries: synthetic rows shaped like
   the audit's (groups, every mandate and cited documents drawn from 200 real rows of
   step 2, their ratios and statuses varied) are stored as summaries in a results store
   (their full-row value a placeholder: the summary itself), then a fresh process reads
   them, reduces and writes every output, into an empty folder (``first``) and again
   (``unchanged``), at 1× and 10× ``--n``: time per stage, peak memory, sizes,
   exponents.  No check is run (``--sample ROWS.json`` runs this stage alone).

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
    import resource

    env = {**os.environ, "CI": "1"}
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _WRAP, "audit", str(folder), "--out", str(out), "--cache",
                        str(cache), "--jobs", str(jobs), "--lang", "en"], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    if r.returncode not in (0, 2):
        raise SystemExit(f"audit failed ({r.returncode}): {r.stderr[-3000:]}")
    peak = [line for line in r.stderr.splitlines() if line.startswith("PEAK_PARENT_MB=")]
    s = subprocess.run([sys.executable, "-c", _SUMMARY, str(out / "audit.json")], stdout=subprocess.PIPE,
                       text=True, check=True)
    d = json.loads(s.stdout)
    return {"wall_s": round(wall, 2), "exit": r.returncode, "cpu_s": round(cpu, 1),
            "load": [round(load0, 2), round(os.getloadavg()[0], 2)],
            "parent_peak_mb": float(peak[-1].split("=")[1]) if peak else None,
            "summary": d["summary"], "timings": d["timings"], "outputs_bytes": _sizes(out)}


_SIM_BUILD = r"""
import json, random, sys, time
from pathlib import Path
from checker.apps.audit.slim import stored_summary
from checker.apps.cache import ResultCache

n, sample, store = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
proto = json.loads(sample.read_text(encoding="utf-8"))
rng = random.Random(17)
t0 = time.perf_counter()
with ResultCache(store) as c:
    for i in range(n):
        r = json.loads(json.dumps(proto[i % len(proto)]))
        r.pop("findings", None)
        r["source"] = f"sim/{i // 1000:03d}/plan_{i:06d}.txt"
        r["file"] = r["source"].rsplit("/", 1)[1]
        r["commune"] = f"Xã Mô Phỏng {i}"
        r["sha256"] = f"{i:064x}"
        for g in r.get("groups", []):
            g["ratio"] = round(rng.random(), 3)
        for m in r.get("mandates", []):
            m["status"] = rng.choice(["covered", "partial", "missing"])
        summary, metas = stored_summary(r)
        for meta in metas:
            c.put_meta(*meta)
        text = json.dumps(summary, ensure_ascii=False)
        c.put(f"sim{i:06d}", text, source=r["source"], summary=text)  # the value: a placeholder, see --help
        if i % 1000 == 999:
            c.commit()
print(json.dumps({"build_s": round(time.perf_counter() - t0, 2)}))
"""

_SIM = r"""
import json, resource, sys, time
from pathlib import Path
from checker.apps import audit as A
from checker.apps.audit.run import _slim_hits
from checker.apps.audit.slim import Interner
from checker.apps.cache import ResultCache

n, store, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
keys = [f"sim{i:06d}" for i in range(n)]
with ResultCache(store) as c:
    hits = _slim_hits(c, keys, Interner())
rows = []
for k in keys:
    r = hits[k]
    r["cached"] = True
    rows.append(r)
audit = A.Audit(rows=rows, jobs=2, cache_path=str(store / "results.sqlite"), slim=True,
                keys={r["source"]: k for k, r in zip(keys, rows)})
t_rows = time.perf_counter()
A.aggregate(audit)
t_reduce = time.perf_counter()
A.write_outputs(audit, out, ["html", "csv", "json", "md"], lang="en")
t_out = time.perf_counter()
sizes = {}
for p in sorted(out.iterdir()):
    sizes[p.name + ("/" if p.is_dir() else "")] = (sum(q.stat().st_size for q in p.rglob("*") if q.is_file())
                                                  if p.is_dir() else p.stat().st_size)
print(json.dumps({"n": n, "rows_s": round(t_rows - t0, 2), "reduce_s": round(t_reduce - t_rows, 2),
                  "outputs_s": round(t_out - t_reduce, 2), "total_s": round(t_out - t0, 2),
                  "timings": audit.timings,
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "outputs_bytes": sizes}))
"""


def _child(code: str, *args: object) -> dict:
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise SystemExit(f"simulation failed: {r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def simulate(n: int, sample: Path, work: Path) -> dict:
    """The parent's work over ``n`` stored summaries: a store of ``n``
    synthetic rows is built (not timed as the audit), then a fresh process
    reads the summaries, reduces and writes every output (``first``: an
    empty output folder, as after the checks of a first audit), and again
    (``unchanged``: as in an unchanged re-audit)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    res = _child(_SIM_BUILD, n, sample, work / "store")
    res["first"] = _child(_SIM, n, work / "store", work / "out")
    res["unchanged"] = _child(_SIM, n, work / "store", work / "out")
    res["n"] = n
    return res


def exponent(a: float, b: float, na: int, nb: int) -> float | None:
    if not a or not b or na == nb:
        return None
    return round(math.log(b / a) / math.log(nb / na), 3)


def _audits(a: argparse.Namespace, out: Path, res: dict) -> Path:
    """Stages 1–3; returns the sample rows for the simulation."""
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
    print(f"  {res['reaudit_n']['wall_s']} s", file=sys.stderr, flush=True)
    for k, f in (("time", lambda r: r["wall_s"]), ("cpu", lambda r: r["cpu_s"]),
                 ("parent_memory", lambda r: r["parent_peak_mb"]),
                 ("reduce", lambda r: r["timings"].get("reduce"))):
        res[f"exponent_{k}"] = exponent(f(res["audit_small"]), f(res["audit_n"]), a.small, a.n)

    # rows for the simulation: the whole rows (detail files) of real plans, gathered by a child
    sample = out / "sample-rows.json"
    subprocess.run([sys.executable, "-c",
                    "import json,sys,os; o=sys.argv[1]; d=json.load(open(os.path.join(o,'audit.json'),encoding='utf-8'));"
                    "rows=[r for r in d['rows'] if r.get('ok')][:200];"
                    "rows=[json.load(open(os.path.join(o,r['detail']),encoding='utf-8')) if r.get('detail') else r "
                    "for r in rows];"
                    "json.dump(rows, open(sys.argv[2],'w',encoding='utf-8'), ensure_ascii=False)",
                    str(out / "audit_small"), str(sample)], check=True)
    return sample


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3321)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sim", type=int, default=10, help="the simulation's multiple of --n")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--sample", default=None,
                    help="rows (JSON list) for the simulation: skip the audits and simulate only")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"n": a.n, "small": a.small, "jobs": a.jobs, "cpus": os.cpu_count(),
                 "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                 "loadavg_start": os.getloadavg()}

    if a.sample:
        sample = Path(a.sample)
    else:
        sample = _audits(a, out, res)
    for key, mult in (("sim_1x", 1), ("sim_10x", a.sim)):
        print(f"simulation ×{mult}: {a.n * mult} stored summaries …", file=sys.stderr, flush=True)
        res[key] = simulate(a.n * mult, sample, out / key.replace("_", "-"))
        u = res[key]["unchanged"]
        print(f"  first {res[key]['first']['total_s']} s, unchanged {u['total_s']} s, {u['peak_mb']} MB",
              file=sys.stderr, flush=True)
    for run in ("first", "unchanged"):
        for k in ("total_s", "reduce_s", "outputs_s", "peak_mb"):
            res[f"sim_exponent_{run}_{k}"] = exponent(res["sim_1x"][run][k], res["sim_10x"][run][k],
                                                      a.n, a.n * a.sim)
    res["loadavg_end"] = os.getloadavg()
    (out / "national.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "national.md").write_text(table(res), encoding="utf-8")
    print(table(res))
    return res


def _mb(b: int | None) -> str:
    return "—" if b is None else f"{b / 1e6:.1f} MB"


def _sizes_cells(o: dict) -> str:
    return " | ".join(_mb(o.get(k)) for k in ("dashboard.html", "dashboard/", "audit.json", "detail/", "audit.csv",
                                             "matrix.csv", "audit.md"))


SIZE_HEAD = "dashboard.html | dashboard/ | audit.json | detail/ | audit.csv | matrix.csv | audit.md"


def table(res: dict) -> str:
    lines = []
    if "audit_n" in res:
        lines += [f"National benchmark: {res['n']} plans (and {res['small']}), --jobs {res['jobs']}, "
                  f"{res['cpus']} CPUs, load average {res['loadavg_start'][0]:.1f} at the start, "
                  f"{res['loadavg_end'][0]:.1f} at the end.", "",
                  "| run | wall | CPU (all processes) | load (start → end) | discover + hash | cache lookup | checks "
                  "| reduce | html | csv | md | parent peak | " + SIZE_HEAD + " |",
                  "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * 7]
        for key, label in (("audit_small", f"audit of {res['small']}"), ("audit_n", f"audit of {res['n']}"),
                           ("reaudit_n", f"re-audit of {res['n']}, unchanged")):
            r = res[key]
            t = r["timings"]
            ld = r.get("load") or ["—", "—"]
            cells = [f"{t.get(k, '—')} s" for k in ("discover_hash", "cache_lookup", "check", "reduce", "out_html",
                                                    "out_csv", "out_md")]
            lines.append(f"| {label} | {r['wall_s']} s | {r.get('cpu_s', '—')} s | {ld[0]} → {ld[1]} | "
                         + " | ".join(cells) + f" | {r['parent_peak_mb']} MB | {_sizes_cells(r['outputs_bytes'])} |")
        lines += ["", f"Scaling exponent {res['small']} → {res['n']}: wall time {res['exponent_time']}, CPU time "
                  f"{res.get('exponent_cpu')}, parent memory {res['exponent_parent_memory']}, reduce "
                  f"{res['exponent_reduce']}.", ""]
    lines += ["Simulation of the parent over stored summaries (synthetic rows; no checks run): read the "
              "summaries, reduce, write every output — into an empty folder (first) and again (unchanged).", "",
              "| simulation | rows | pass | read summaries | reduce | outputs | total | peak memory | "
              + SIZE_HEAD + " |",
              "|---|---:|---|---:|---:|---:|---:|---:|" + "---:|" * 7]
    for key in ("sim_1x", "sim_10x"):
        for run in ("first", "unchanged"):
            s = res[key][run]
            lines.append(f"| {key} | {s['n']} | {run} | {s['rows_s']} s | {s['reduce_s']} s | {s['outputs_s']} s "
                         f"| {s['total_s']} s | {s['peak_mb']} MB | {_sizes_cells(s['outputs_bytes'])} |")
    ex = [f"{run}: total {res.get(f'sim_exponent_{run}_total_s')}, reduce {res.get(f'sim_exponent_{run}_reduce_s')}, "
          f"outputs {res.get(f'sim_exponent_{run}_outputs_s')}, memory {res.get(f'sim_exponent_{run}_peak_mb')}"
          for run in ("first", "unchanged")]
    lines += ["", "Simulation exponents (1× → 10×): " + "; ".join(ex) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
