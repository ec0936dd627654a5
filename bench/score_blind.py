"""Score matching against a reviewer's links kept OUTSIDE the repository (the blind test).

    python bench/score_blind.py --labels /path/to/blind   # holds links.csv and coverage.csv

links.csv    plan,line,task,mandate,strength,reason   (exact/close links the reviewer drew;
             a row with an empty mandate = a task with no link)
coverage.csv plan,mandate,status,lines                 (covered / partial / missing per
             locality task of the annex)

The annex (NQ 03/NQ-CP Phụ lục II) is imported as set ``nq03a2`` with
``plancheck reference import``; each plan is checked against it with
``plancheck check --reference <that set> --format json`` and its ``links`` and mandate
statuses are compared with the reviewer's:
  links     predicted exact+close links (task line, mandate) against the reviewer's;
  missing   over the reviewer's locality tasks: a task the plan never addresses must be
            reported missing (positive class), one it carries out must not; tasks the
            reviewer calls partial are left out of this measure.
Nothing here is tuned: it only measures.  Plans are looked up in ../shared/seeds by the
file stem the CSVs give.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANNEX = SHARED / "reference-texts" / "nq03-nq-cp-2025-annex2-tasks.md"


def plancheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker.apps.cli", *args], capture_output=True,
                          text=True, cwd=ROOT)


def pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", required=True, help="folder with links.csv and coverage.csv")
    ap.add_argument("--annex", default=str(ANNEX))
    ap.add_argument("--seeds", default=str(SHARED / "seeds"))
    a = ap.parse_args(argv)
    labels = Path(a.labels)
    links = list(csv.DictReader((labels / "links.csv").open(encoding="utf-8")))
    cover = list(csv.DictReader((labels / "coverage.csv").open(encoding="utf-8")))
    tmp = Path(tempfile.mkdtemp(prefix="plancheck-blind-"))
    set_path = tmp / "nq03a2.yaml"
    r = plancheck("reference", "import", a.annex, "--id", "nq03a2", "-o", str(set_path))
    if r.returncode != 0:
        raise SystemExit(f"import failed: {r.stderr}")
    plans = sorted({row["plan"] for row in links} | {row["plan"] for row in cover})
    out: dict = {"plans": {}}
    tot = defaultdict(int)
    for stem in plans:
        path = next(Path(a.seeds).glob(f"{stem}*"), None)
        if path is None:
            raise SystemExit(f"plan {stem} not found in {a.seeds}")
        r = plancheck("check", str(path), "--reference", str(set_path), "--format", "json")
        if r.returncode not in (0, 1):
            raise SystemExit(f"check failed on {path.name}: {r.stderr}")
        data = json.loads(r.stdout)
        pred = {(int(lk["line"]), lk["mandate"]) for lk in data.get("links", [])
                if lk.get("set") == "nq03a2" and lk.get("strength") in ("exact", "close")}
        gold = {(int(row["line"]), row["mandate"]) for row in links
                if row["plan"] == stem and row["mandate"]}
        tp, fp, fn = len(pred & gold), len(pred - gold), len(gold - pred)
        status = {m["id"]: m["status"] for m in data.get("coverage", {}).get("mandates", [])}
        mtp = mfp = mfn = 0
        for row in cover:
            if row["plan"] != stem or row["status"] == "partial":
                continue
            said_missing = status.get(row["mandate"]) == "missing"
            is_missing = row["status"] == "missing"
            mtp += said_missing and is_missing
            mfp += said_missing and not is_missing
            mfn += is_missing and not said_missing
        lp, lr = pr(tp, fp, fn)
        mp, mr = pr(mtp, mfp, mfn)
        out["plans"][stem] = {"links": {"tp": tp, "fp": fp, "fn": fn, "precision": lp, "recall": lr},
                              "missing": {"tp": mtp, "fp": mfp, "fn": mfn, "precision": mp, "recall": mr}}
        for k, v in (("tp", tp), ("fp", fp), ("fn", fn), ("mtp", mtp), ("mfp", mfp), ("mfn", mfn)):
            tot[k] += v
    lp, lr = pr(tot["tp"], tot["fp"], tot["fn"])
    mp, mr = pr(tot["mtp"], tot["mfp"], tot["mfn"])
    out["total"] = {"links": {"precision": lp, "recall": lr}, "missing": {"precision": mp, "recall": mr}}
    print("| plan | links P | links R | missing P | missing R |")
    print("|---|---:|---:|---:|---:|")
    for stem, v in out["plans"].items():
        print(f"| {stem[:3]} | {v['links']['precision']:.2f} | {v['links']['recall']:.2f} "
              f"| {v['missing']['precision']:.2f} | {v['missing']['recall']:.2f} |")
    print(f"| all | {lp:.2f} | {lr:.2f} | {mp:.2f} | {mr:.2f} |")
    return out


if __name__ == "__main__":
    main()
