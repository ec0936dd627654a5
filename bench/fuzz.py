"""Long fuzz run (issue 16): ``python bench/fuzz.py [-n 10000] [--seed S]``.

Drives the four targets of tests/fuzz_inputs.py — the readers (bytes of every
kind), the header parser, the citation scanner and the whole pipeline
(library API, with a report rendered) — with hypothesis, ``-n`` examples in
all (shared 30/25/25/20 %), and reports every exception that is not a
PlanError (input kept in bench/out/fuzz-failures.json).  Exit 1 if any.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_inputs import (file_bytes, plan_text, small_text, target_citations, target_header,  # noqa: E402
                         target_pipeline, target_read)

SHARES = {"read": 0.30, "header": 0.25, "citations": 0.25, "pipeline": 0.20}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000, help="examples in all (default 10,000)")
    ap.add_argument("--seed", type=int, default=57)
    ap.add_argument("--slow", type=float, default=10.0, help="report examples slower than this (s)")
    args = ap.parse_args()
    failures: list[dict] = []
    slow: list[dict] = []
    counts: dict[str, int] = {}
    times: dict[str, float] = {}

    def guard(name, fn, *inp):
        counts[name] = counts.get(name, 0) + 1
        t0 = time.perf_counter()
        try:
            fn(*inp)
        except Exception as e:  # noqa: BLE001 - every one is a finding of the run
            failures.append({"target": name, "error": f"{type(e).__name__}: {e}"[:500],
                             "trace": traceback.format_exc()[-2000:], "input": repr(inp)[:4000]})
        dt = time.perf_counter() - t0
        times[name] = times.get(name, 0.0) + dt
        if dt > args.slow:
            slow.append({"target": name, "seconds": round(dt, 2), "input": repr(inp)[:400]})

    def cfg(share):
        return settings(max_examples=max(1, round(args.n * share)), deadline=None, database=None,
                        phases=[Phase.generate], derandomize=False,
                        suppress_health_check=list(HealthCheck))

    runs = {
        "read": given(file_bytes())(lambda c: guard("read", target_read, *c)),
        "header": given(small_text())(lambda t: guard("header", target_header, t)),
        "citations": given(small_text())(lambda t: guard("citations", target_citations, t)),
        "pipeline": given(plan_text(), st.sampled_from(["json", "html", "sarif", "md", "text"]))(
            lambda t, f: guard("pipeline", target_pipeline, t, f)),
    }
    import random

    random.seed(args.seed)
    t0 = time.perf_counter()
    for name, fn in runs.items():
        cfg(SHARES[name])(fn)()
        print(f"{name:10s} {counts.get(name, 0):6d} examples  {times.get(name, 0):7.1f} s  "
              f"failures so far {len(failures)}", flush=True)
    total = sum(counts.values())
    print(f"total {total} examples in {time.perf_counter() - t0:.0f} s; "
          f"{len(failures)} failures; {len(slow)} slower than {args.slow:g} s")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz-failures.json").write_text(json.dumps({"examples": counts, "failures": failures,
                                                        "slow": slow}, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    for f in failures[:20]:
        print(f"- {f['target']}: {f['error']}\n  {f['input'][:300]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
