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

With ``--links`` it measures the statistical matcher of imported sets
(checker.match.lexical) on tests/data/match_pairs/ instead: precision and
recall of exact+close links and of missing-task detection, cross-validated
with folds grouped by plan (a plan is never in the folds that fit the
weights and thresholds applied to it), the naive rapidfuzz baseline, the
hand-written NQ 57 matcher on the same labels, and the matching time per
plan against the imported 140-task annex.  ``--fit`` also refits on every
plan and writes the weights into checker/match/lexical.py.  Seeds 000 and
004 are never used: they are the blind test.

    python bench/calibrate_match.py --links [--fit] [--errors]

``--errors`` lists the wrong links of the cross-validated run with both texts
(the error analysis of README.md's "Labelled pairs for imported sets").  The
figures of the ideas tried in issue 13's third pass are printed too; ``--ideas``
runs them again (bench/match_ideas.py, a few minutes).
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


# cross-validated figures before issue 13's second pass (2026-12-01: 952 labelled pairs, one
# curated mandate per imported one, matrix products through BLAS); README.md has both
BEFORE = {"exact+close links, every plan × set": (0.713, 0.629),
          "exact+close links, commune × annex": (0.610, 0.580),
          "missing tasks": (0.872, 0.838)}


def print_errors(errors: list[dict]) -> None:
    """The cross-validated run's wrong links, with both texts, for reading."""
    import match_eval as E
    from checker.match.links import mandate_text

    print(f"\nwrong exact+close links of the cross-validated run ({len(errors)}; gold None = never judged):")
    for e in errors:
        t = E.plan(e["plan"]).tasks[e["task"]]
        m = {x.id: x for x in E.mandate_set(e["set"]).mandates}[e["mandate"]]
        print(f"{e['kind']} {e['plan'][:3]} l.{t.loc.line} {e['mandate']} gold={e['gold']} p={e['p']:.2f} "
              f"rank={e['rank']}")
        print(f"   task:    {t.text[:200]}")
        print(f"   mandate: {mandate_text(m)[:200]}")


def links_report(fit: bool = False, timing_runs: int = 5, errors: bool = False, ideas: bool = False) -> dict:
    """Cross-validated precision/recall of the lexical matcher (see the module doc)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np

    import match_eval as E
    import match_fit as MF

    t0 = time.perf_counter()
    bs = E.blocks()
    print(f"labelled pairs: {len(E.pairs())} in {len(bs)} plan × set blocks "
          f"(features of every pair built in {time.perf_counter() - t0:.1f} s)")
    if E.UNMATCHED:
        lost = sorted({(r["plan"][:3], int(r["line"])) for r in E.UNMATCHED})
        print(f"  {len(E.UNMATCHED)} pairs name a task the extractor no longer gives (skipped): {lost}")
    r = MF.cross_validate(bs, beta="target")
    c = r["counts"]

    def line(name, k):
        tp, fp, fn = c[k][:3]
        p, rc, f = MF.pr(tp, fp, fn)
        print(f"  {name:44} P {p:.3f}  R {rc:.3f}  F1 {f:.3f}   (tp {tp}, fp {fp}, fn {fn})")

    print("cross-validated, folds grouped by plan (7 plans; weights and thresholds fitted on the other 6):")
    line("exact+close links, every plan × set", "links")
    line("exact+close links, commune plans × NQ 03 annex", "links_annex_commune")
    line("missing tasks, 4 commune plans × 82 locality tasks", "missing")
    for name, (p0, r0) in BEFORE.items():
        print(f"    before: {name:40} P {p0:.3f}  R {r0:.3f}")
    for plan, d in sorted(r["per_plan"].items()):
        lp, lr, _ = MF.pr(*d["links"])
        mp, mr, _ = MF.pr(*d["missing"][:3])
        print(f"    {plan[:26]:26} links P {lp:.2f} R {lr:.2f}   missing P {mp:.2f} R {mr:.2f}"
              f"   (thresholds close {d['close']:.3f}, loose {d['loose']:.3f})")
    # the naive baseline of issue 13: token_set_ratio >= 80 over every pair
    from rapidfuzz import fuzz

    tp = fp = fn = 0
    for b in bs:
        if b.set_id != "nq03a2" or b.plan not in E.COMMUNE:
            continue
        ms = E.mandate_set("nq03a2")
        from checker.match.lexical import short_string

        tasks = E.plan(b.plan).tasks
        for ti in b.judged:
            for mi, m in enumerate(ms.mandates):
                pred = fuzz.token_set_ratio(short_string(tasks[ti].text), short_string(m.description)) >= 80
                gold = b.labels.get((ti, mi), "none") in E.STRONG
                tp, fp, fn = tp + (pred and gold), fp + (pred and not gold), fn + (gold and not pred)
    p, rc, f = MF.pr(tp, fp, fn)
    print(f"  {'baseline token_set_ratio >= 80, commune × annex':44} P {p:.3f}  R {rc:.3f}  F1 {f:.3f}")
    # the hand-written NQ 57 matcher on the same kind of labels (its own thresholds)
    from checker.match.matcher import COVERED, score_pairs

    tp = fp = fn = 0
    for b in bs:
        if b.set_id != "nq57":
            continue
        mds, _, prs = score_pairs(E.plan(b.plan).tasks, ("nq57",), "commune")
        pos = {md.mandate.id: i for i, md in enumerate(mds)}
        for ti in b.judged:
            for mid in b.mids:
                pr_ = prs.get((ti, pos[mid]))
                pred = bool(pr_) and pr_.score >= COVERED
                gold = b.labels.get((ti, b.mids.index(mid)), "none") in E.STRONG
                tp, fp, fn = tp + (pred and gold), fp + (pred and not gold), fn + (gold and not pred)
    p, rc, f = MF.pr(tp, fp, fn)
    print(f"  {'hand-written nq57 matcher (score >= 60)':44} P {p:.3f}  R {rc:.3f}  F1 {f:.3f}")
    import match_ideas

    match_ideas.print_table()
    if ideas:
        match_ideas.run(bs)
    if errors:
        print_errors(r["errors"])
    if fit:
        # the shipped weights are fitted on the features the matcher computes at run time
        # (the shipped latent vectors, which learned from every labelled plan's text)
        w, e, cl, lo = MF.fit_all(E.blocks(held_out=False), beta="target")
        MF.write_constants(w, e, cl, lo)
        print(f"fitted on every plan and written to checker/match/lexical.py: exact {e:.3f}, close {cl:.3f}, "
              f"loose {lo:.3f}")
    # time per plan against the imported annex (warm: the set's index is built once per process)
    from checker.match.matcher import match

    ms = E.mandate_set("nq03a2")
    print(f"matching time per plan against the imported annex ({len(ms.mandates)} tasks), warm:")
    print("  (wall time depends on machine load; CPU time is this process only)")
    rows = []
    for name in sorted({b.plan for b in bs}):
        tasks = E.plan(name).tasks
        match(tasks, [ms], level=E.level_of(name))
        wall, cpu = [], []
        for _ in range(timing_runs):
            a, b_ = time.perf_counter(), time.process_time()
            match(tasks, [ms], level=E.level_of(name))
            wall.append(time.perf_counter() - a)
            cpu.append(time.process_time() - b_)
        rows.append((name, len(tasks), statistics.median(wall), statistics.median(cpu)))
        print(f"  {name[:30]:30} {len(tasks):4d} tasks   wall {statistics.median(wall) * 1000:6.1f} ms"
              f"   CPU {statistics.median(cpu) * 1000:6.1f} ms")
    return {"cv": r, "timing": rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", action="store_true",
                    help="measure the statistical matcher of imported sets on tests/data/match_pairs/")
    ap.add_argument("--fit", action="store_true", help="with --links: refit and write the weights")
    ap.add_argument("--sweep", action="store_true", help="print a threshold sweep")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list misclassified pairs")
    ap.add_argument("--ideas", action="store_true",
                    help="with --links: run issue 13's third-pass ideas again (bench/match_ideas.py)")
    a = ap.parse_args()
    if a.links:
        links_report(fit=a.fit, errors=a.errors, ideas=a.ideas)
        return
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
