"""Calibrate and measure checker.match.matcher.

Prints, for the labelled pairs in tests/data/labelled_pairs.yaml (used to
tune keywords and thresholds) and tests/data/heldout_pairs.yaml (labelled
blind afterwards, never tuned on):
* precision / recall / F1 at the thresholds in checker.match.matcher (COVERED: a
  pair counts as "yes"; COVERED-or-PARTIAL is reported too);
* a sweep of thresholds, so a change of weights can be re-calibrated;
and the matching time per plan (seeds in ../shared/seeds, a 40 KB plan made
by repeating a seed's tasks), cold and warm.

    python bench/calibrate_match.py [--sweep]
"""
from __future__ import annotations

import argparse
import glob
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAIRS = ROOT / "tests" / "data" / "labelled_pairs.yaml"
HELDOUT = ROOT / "tests" / "data" / "heldout_pairs.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


def load_pairs(path: Path = PAIRS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]


def scores(pairs: list[dict]) -> list[float]:
    """Score every pair with the real matcher (all sets, no level filter).

    The pairs of one plan are scored together, as match() does, so the
    plan-level topic share applies as it would on the whole plan."""
    from checker.match.matcher import score_pairs
    from checker.model import Location, Task

    out = [0.0] * len(pairs)
    by_plan: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        by_plan.setdefault(p.get("plan", ""), []).append(i)
    for plan, idx in by_plan.items():
        texts: list[tuple[str, str | None, int]] = []
        for i in idx:
            k = (pairs[i]["text"], pairs[i].get("section_title"), pairs[i].get("line") or 0)
            if k not in texts:
                texts.append(k)
        tasks = [Task(id=f"T{j}", text=t, section=None, unit=0, loc=Location(line=ln, human=""),
                      section_title=st) for j, (t, st, ln) in enumerate(texts)]
        mds, _, pr = score_pairs(tasks, ("nq57", "nq03", "nq71"), None)
        by_id = {md.mandate.id: mi for mi, md in enumerate(mds)}
        for i in idx:
            p = pairs[i]
            ti = texts.index((p["text"], p.get("section_title"), p.get("line") or 0))
            v = pr.get((ti, by_id.get(p["mandate"], -1)))
            out[i] = v.score if v else 0.0
    return out


def prf(labels: list[bool], preds: list[bool]) -> tuple[float, float, float, int, int, int]:
    tp = sum(lab and pr for lab, pr in zip(labels, preds))
    fp = sum((not lab) and pr for lab, pr in zip(labels, preds))
    fn = sum(lab and (not pr) for lab, pr in zip(labels, preds))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def evaluate(pairs=None, sc=None) -> dict:
    from checker.match import matcher as M
    pairs = pairs if pairs is not None else load_pairs()
    sc = sc if sc is not None else scores(pairs)
    labels = [p["label"] == "yes" for p in pairs]
    p, r, f, tp, fp, fn = prf(labels, [s >= M.COVERED for s in sc])
    p2, r2, f2, *_ = prf(labels, [s >= M.PARTIAL for s in sc])
    return {"pairs": len(pairs), "yes": sum(labels), "covered_threshold": M.COVERED,
            "precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "partial_threshold": M.PARTIAL, "precision_at_partial": p2, "recall_at_partial": r2,
            "f1_at_partial": f2}


def timing() -> list[tuple[str, int, int, float, float, float]]:
    from checker.match.matcher import match
    from checker.pipeline import extract

    rows = []
    files = sorted(glob.glob(str(SEEDS / "*.txt")))
    for i, f in enumerate(files):
        plan = extract(f)
        t0 = time.perf_counter()
        match(plan.tasks, ["nq57", "nq71"], indicators=plan.indicators)
        first = time.perf_counter() - t0
        runs, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            match(plan.tasks, ["nq57", "nq71"], indicators=plan.indicators)
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        rows.append((Path(f).name[:3], Path(f).stat().st_size, len(plan.tasks), first,
                     statistics.median(runs), statistics.median(cpu)))
    if files:
        # a 40 KB plan: seed 004's tasks repeated until the text reaches 40 KB
        plan = extract(files[-1])
        base = plan.tasks
        size = sum(len(t.text.encode()) for t in base)
        reps = max(1, int(40_000 / max(size, 1)) + 1)
        from dataclasses import replace

        tasks = [replace(t, id=f"{t.id}-{k}") for k in range(reps) for t in base]
        tsize = sum(len(t.text.encode()) for t in tasks)
        runs, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            match(tasks, ["nq57", "nq71"])
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        rows.append(("40KB", tsize, len(tasks), runs[0], statistics.median(runs[1:]),
                     statistics.median(cpu[1:])))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", action="store_true", help="print a threshold sweep")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list misclassified pairs")
    a = ap.parse_args()
    t0 = time.perf_counter()
    import checker.match.matcher  # noqa: F401

    pairs = load_pairs()
    sc = scores(pairs)
    cold = time.perf_counter() - t0
    r = evaluate(pairs, sc)
    print(f"labelled pairs: {r['pairs']} ({r['yes']} yes)   [scoring incl. library load {cold:.2f} s]")
    print(f"covered  ≥ {r['covered_threshold']:.0f}: precision {r['precision']:.3f}  recall {r['recall']:.3f}"
          f"  F1 {r['f1']:.3f}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
    print(f"partial+ ≥ {r['partial_threshold']:.0f}: precision {r['precision_at_partial']:.3f}  "
          f"recall {r['recall_at_partial']:.3f}  F1 {r['f1_at_partial']:.3f}")
    labels = [p["label"] == "yes" for p in pairs]
    if HELDOUT.exists():
        h = evaluate(load_pairs(HELDOUT))
        print(f"held-out pairs: {h['pairs']} ({h['yes']} yes), never tuned on:")
        print(f"covered  ≥ {h['covered_threshold']:.0f}: precision {h['precision']:.3f}  recall {h['recall']:.3f}"
              f"  F1 {h['f1']:.3f}  (tp {h['tp']}, fp {h['fp']}, fn {h['fn']})")
        print(f"partial+ ≥ {h['partial_threshold']:.0f}: precision {h['precision_at_partial']:.3f}  "
              f"recall {h['recall_at_partial']:.3f}  F1 {h['f1_at_partial']:.3f}")
    if a.sweep:
        print("\nthreshold  precision  recall  F1")
        for th in range(30, 80, 2):
            p, rc, f, *_ = prf(labels, [s >= th for s in sc])
            print(f"  {th:3d}      {p:.3f}     {rc:.3f}   {f:.3f}")
    if a.errors:
        from checker.match.matcher import COVERED

        print("\nmisclassified at the covered threshold (tuning pairs):")
        for p, s, lab in zip(pairs, sc, labels):
            if (s >= COVERED) != lab:
                kind = "FN" if lab else "FP"
                print(f"  {kind} {s:5.1f} {p['id']} {p['mandate']:16} {p['text'][:90]}")
    if not a.no_timing:
        print("\nmatching time per plan (nq57 + nq71, sets loaded):")
        print("  (wall time depends on machine load; CPU time is this process only)")
        print("  plan   bytes  tasks  first-call   warm wall   warm CPU")
        for name, size, n, first, warm, cpu in timing():
            print(f"  {name:5} {size:6d}  {n:5d}  {first * 1000:8.1f} ms  {warm * 1000:7.1f} ms"
                  f"  {cpu * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
