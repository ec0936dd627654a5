"""Two revisions of plancheck measured side by side, in one run.

    python bench/compare.py 78d0123 HEAD          # cold and warm check of every seed
    python bench/compare.py 78d0123 HEAD --repeats 7 --cold-runs 5

Each revision is checked out into a temporary git worktree and run from there
(``PYTHONPATH`` points at it; the data folders are the same files in both).
Measures, alternating between the revisions so that the machine's state
favours neither:
  cold  a new process running ``python -m <cli> check SEED --format json``
        (median of --cold-runs);
  warm  ``pipeline.check(SEED)`` in one long-lived process per revision,
        median of --repeats after one warm-up call.
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


def cold_once(tree: Path, mod: str, seed: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", mod, "check", str(seed), "--format", "json"],
                   env=env_for(tree), cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--seeds", default=str(SEEDS))
    a = ap.parse_args(argv)
    seeds = sorted(Path(a.seeds).glob("*.txt"))
    tmp = Path(tempfile.mkdtemp(prefix="plancheck-compare-"))
    trees = {}
    try:
        for label, rev in (("old", a.old), ("new", a.new)):
            tree = tmp / label
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), rev],
                           check=True)
            trees[label] = tree
        mods = {k: cli_module(t) for k, t in trees.items()}
        cold: dict[str, dict[str, list[float]]] = {k: {s.name: [] for s in seeds} for k in trees}
        for _ in range(a.cold_runs):
            for s in seeds:
                for k in ("old", "new"):
                    cold[k][s.name].append(cold_once(trees[k], mods[k], s))
        warm = {}
        for k in ("old", "new"):
            p = subprocess.run([sys.executable, "-c", WARM, str(a.repeats), *map(str, seeds)],
                               env=env_for(trees[k]), cwd=trees[k], capture_output=True, text=True,
                               check=True)
            warm[k] = {Path(s).name: v for s, v in json.loads(p.stdout).items()}
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
    rows = []
    print(f"| seed | cold {a.old} | cold {a.new} | warm {a.old} | warm {a.new} |")
    print("|---|---:|---:|---:|---:|")
    for s in seeds:
        co = statistics.median(cold["old"][s.name]); cn = statistics.median(cold["new"][s.name])
        wo = warm["old"][s.name]; wn = warm["new"][s.name]
        rows.append({"seed": s.name, "cold_old": co, "cold_new": cn, "warm_old": wo, "warm_new": wn})
        print(f"| {s.name[:3]} | {co:.3f} s | {cn:.3f} s | {wo * 1000:.1f} ms | {wn * 1000:.1f} ms |")
    res = {"old": a.old, "new": a.new, "rows": rows}
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    return res


if __name__ == "__main__":
    main()
