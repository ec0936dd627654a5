"""Two revisions of plancheck measured side by side, in one run.

    python bench/compare.py 78d0123 HEAD          # cold and warm check of every seed
    python bench/compare.py 78d0123 HEAD --repeats 7 --cold-runs 5

Each revision is checked out into a temporary git worktree and run from there
(``PYTHONPATH`` points at it, and its ``rules/``, ``reference/`` and ``reports/``
are linked into its ``checker/`` so that each revision reads its own data).
Measures, alternating between the revisions so that the machine's state
favours neither:
  cold  a new process running ``python -m <cli> check SEED --format json``
        (median of --cold-runs);
  cold, empty cache  the same with an empty data cache (``PLANCHECK_CACHE_DIR``
        set to a new folder: a first run after install; a revision without
        the cache ignores it);
  warm  ``pipeline.check(SEED)`` in one long-lived process per revision,
        median of --repeats after one warm-up call;
  floor, fresh (with --floor, seed 004 by default: bench/single.py run in each
        revision's checkout) a check of text the process has not seen
        against the floor of reading the file, NFC and one citation-regex
        scan, and their ratio (issue 17: ≤ 25×).
The load average is printed with the table: on a loaded machine compare the
two revisions' figures with each other, not with figures of another day.
Prints a Markdown table and writes bench/out/compare.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

WARM = r"""
import json, statistics, sys, time
from checker import pipeline
out = {}
for seed in sys.argv[2:]:
    pipeline.check(seed)
    ts = []
    for _ in range(int(sys.argv[1])):
        t = time.perf_counter(); pipeline.check(seed); ts.append(time.perf_counter() - t)
    out[seed] = statistics.median(ts)
print(json.dumps(out))
"""


def cli_module(tree: Path) -> str:
    text = (tree / "pyproject.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith("plancheck ="):
            return line.split("=", 1)[1].strip().strip('"').split(":")[0]
    raise SystemExit("no plancheck entry point in pyproject.toml")


def env_for(tree: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    return env


def cold_once(tree: Path, mod: str, seed: Path, cache: Path | None = None) -> float:
    env = env_for(tree)
    if cache is not None:
        env["PLANCHECK_CACHE_DIR"] = str(cache)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", mod, "check", str(seed), "--format", "json"],
                   env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--seeds", default=str(SEEDS))
    ap.add_argument("--floor", nargs="*", metavar="SEED", default=None,
                    help="also measure fresh-text checks against the floor (default seed: 004)")
    ap.add_argument("--no-empty-cache", action="store_true", help="skip the cold runs with an empty data cache")
    a = ap.parse_args(argv)
    load_start = os.getloadavg()
    seeds = sorted(Path(a.seeds).glob("*.txt"))
    tmp = Path(tempfile.mkdtemp(prefix="plancheck-compare-"))
    trees = {}
    try:
        for label, rev in (("old", a.old), ("new", a.new)):
            tree = tmp / label
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), rev],
                           check=True)
            trees[label] = tree
            # each revision reads its own data: checker.rules etc. resolve to the
            # tree's folders, not to those of the installed (editable) checkout
            for name in ("rules", "reference", "reports"):
                link = tree / "checker" / name
                if (tree / name).is_dir() and not link.exists():
                    link.symlink_to(Path("..") / name, target_is_directory=True)
        mods = {k: cli_module(t) for k, t in trees.items()}
        cold: dict[str, dict[str, list[float]]] = {k: {s.name: [] for s in seeds} for k in trees}
        empty: dict[str, dict[str, list[float]]] = {k: {s.name: [] for s in seeds} for k in trees}
        for run in range(a.cold_runs):
            for s in seeds:
                for k in ("old", "new"):
                    cold[k][s.name].append(cold_once(trees[k], mods[k], s))
                    if not a.no_empty_cache:
                        empty[k][s.name].append(
                            cold_once(trees[k], mods[k], s, tmp / f"cache-{k}-{run}-{s.name}"))
        warm = {}
        for k in ("old", "new"):
            p = subprocess.run([sys.executable, "-c", WARM, str(a.repeats), *map(str, seeds)],
                               env=env_for(trees[k]), cwd=trees[k], capture_output=True, text=True)
            if p.returncode:
                raise SystemExit(f"warm checks failed in {k} ({trees[k]}):\n{p.stderr[-3000:]}")
            warm[k] = {Path(s).name: v for s, v in json.loads(p.stdout).items()}
        floor = {}
        if a.floor is not None:
            fseeds = a.floor or [str(p) for p in sorted(Path(a.seeds).glob("004_*.txt"))]
            for k in ("old", "new"):
                p = subprocess.run([sys.executable, str(ROOT / "bench" / "single.py"), "--json",
                                    "--repeats", str(max(a.repeats, 9)), *fseeds],
                                   env=env_for(trees[k]), cwd=trees[k], capture_output=True, text=True,
                                   check=True)
                floor[k] = json.loads(p.stdout.strip().splitlines()[-1])
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
    rows = []
    load_end = os.getloadavg()
    print(f"load average {load_start[0]:.1f} at start, {load_end[0]:.1f} at end ({os.cpu_count()} CPUs); "
          f"medians of {a.cold_runs} cold runs and {a.repeats} warm calls\n")
    print(f"| seed | cold {a.old} | cold {a.new} | cold, empty cache {a.old} | cold, empty cache {a.new} "
          f"| warm {a.old} | warm {a.new} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    for s in seeds:
        co = med(cold["old"][s.name]); cn = med(cold["new"][s.name])
        eo = med(empty["old"][s.name]); en = med(empty["new"][s.name])
        wo = warm["old"][s.name]; wn = warm["new"][s.name]
        rows.append({"seed": s.name, "cold_old": co, "cold_new": cn, "cold_empty_cache_old": eo,
                     "cold_empty_cache_new": en, "warm_old": wo, "warm_new": wn})
        print(f"| {s.name[:3]} | {co:.3f} s | {cn:.3f} s | {eo:.3f} s | {en:.3f} s "
              f"| {wo * 1000:.1f} ms | {wn * 1000:.1f} ms |")
    if floor:
        print(f"\n| seed | floor | fresh check {a.old} | fresh/floor {a.old} | fresh check {a.new} "
              f"| fresh/floor {a.new} | CPU fresh/floor {a.old} | CPU fresh/floor {a.new} |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for fo, fn in zip(floor["old"], floor["new"]):
            print(f"| {fo['seed'][:3]} | {fn['floor_s'] * 1000:.2f} ms | {fo['fresh_s'] * 1000:.1f} ms "
                  f"| {fo['ratio_fresh_floor']:.1f}× | {fn['fresh_s'] * 1000:.1f} ms | {fn['ratio_fresh_floor']:.1f}× "
                  f"| {fo['ratio_fresh_floor_cpu']:.1f}× | {fn['ratio_fresh_floor_cpu']:.1f}× |")
    res = {"old": a.old, "new": a.new, "rows": rows, "floor": floor,
           "loadavg_start": load_start, "loadavg_end": load_end}
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    return res


if __name__ == "__main__":
    main()
