"""One check of one plan, measured against the floor of reading it (issue 17).

    python bench/single.py                     # seed 004, 15 repeats
    python bench/single.py SEED.txt --repeats 21 --json

The *floor* is what any checker must do with the plan: read the file,
decode it, normalise it to NFC and scan it once with a citation regex
(``checker.cite.patterns.BARE_RE``, the document-number pattern).  Measured
in the same process as the checks:

  warm        ``pipeline.check(seed)`` again and again (the per-text memos of
              the process are warm: the same lines were seen before);
  fresh       ``pipeline.check`` of a copy of the seed under a new name, with
              every per-text memo of the checker cleared first (``functools``
              caches of 512 entries or more: the convention of this code for
              caches keyed by a line or a name; the data caches, of one to 64
              entries, stay) - a plan the process has not seen;
  ratio       fresh / floor, the issue's measure (target ≤ 25).

Medians of ``--repeats`` calls after one warm-up call, wall time and CPU time
of the process (CPU time does not grow with the machine's load; the ratio is
given for both).  This file is also run by bench/compare.py inside another
revision's checkout, so it uses only ``checker.pipeline.check`` and touches
no ``sys.path``.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def _citation_regex() -> re.Pattern:
    try:
        from checker.cite.patterns import BARE_RE

        return BARE_RE
    except Exception:  # an old revision without it
        return re.compile(r"\b\d{1,5}/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9-]*")


def floor_once(path: Path, rx: re.Pattern) -> int:
    text = path.read_bytes().decode("utf-8")
    return len(rx.findall(unicodedata.normalize("NFC", text)))


def clear_text_memos() -> int:
    """Clear the checker's per-text memos (lru caches of ≥ 512 entries)."""
    n = 0
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "checker" or name.startswith("checker.")):
            continue
        for v in list(vars(mod).values()):
            info = getattr(v, "cache_info", None)
            if callable(info) and callable(getattr(v, "cache_clear", None)):
                try:
                    if (info().maxsize or 0) >= 512:
                        v.cache_clear()
                        n += 1
                except TypeError:
                    pass
    return n


def _median_times(fn, repeats: int, before=None) -> tuple[float, float]:
    walls, cpus = [], []
    for i in range(repeats):
        if before:
            before(i)
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def measure(seed: Path, repeats: int = 15) -> dict:
    """Floor, warm and fresh checks of ``seed`` in this process (seconds)."""
    from checker import pipeline

    rx = _citation_regex()
    tmp = Path(tempfile.mkdtemp(prefix="plancheck-single-"))
    try:
        copies = []
        for i in range(repeats + 1):
            p = tmp / f"fresh-{i:03d}" / seed.name
            p.parent.mkdir()
            shutil.copyfile(seed, p)
            copies.append(p)
        floor_once(seed, rx)
        floor_w, floor_c = _median_times(lambda i: floor_once(seed, rx), max(repeats, 21))
        pipeline.check(seed)  # warm-up: imports and data
        warm_w, warm_c = _median_times(lambda i: pipeline.check(seed), repeats)
        fresh_w, fresh_c = _median_times(lambda i: pipeline.check(copies[i]), repeats,
                                         before=lambda i: clear_text_memos())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    import checker

    return {
        "seed": seed.name, "kb": round(seed.stat().st_size / 1024, 1), "repeats": repeats,
        "checker": str(Path(checker.__file__).resolve().parent),
        "floor_s": floor_w, "floor_cpu_s": floor_c,
        "warm_s": warm_w, "warm_cpu_s": warm_c,
        "fresh_s": fresh_w, "fresh_cpu_s": fresh_c,
        "ratio_fresh_floor": fresh_w / floor_w, "ratio_fresh_floor_cpu": fresh_c / floor_c,
        "ratio_warm_floor": warm_w / floor_w,
    }


def line(m: dict) -> str:
    return (f"{m['seed'][:3]} ({m['kb']} KB): floor {m['floor_s'] * 1000:.2f} ms "
            f"(CPU {m['floor_cpu_s'] * 1000:.2f}); warm check {m['warm_s'] * 1000:.1f} ms "
            f"(CPU {m['warm_cpu_s'] * 1000:.1f}); fresh text {m['fresh_s'] * 1000:.1f} ms "
            f"(CPU {m['fresh_cpu_s'] * 1000:.1f}); fresh/floor {m['ratio_fresh_floor']:.1f}× "
            f"(CPU {m['ratio_fresh_floor_cpu']:.1f}×; target ≤ 25×)")


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", nargs="*")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--json", action="store_true", help="print one JSON list (for bench/compare.py)")
    a = ap.parse_args(argv)
    seeds = [Path(s) for s in a.seeds] or sorted(SEEDS.glob("004_*.txt"))
    out = [measure(s, a.repeats) for s in seeds]
    if a.json:
        print(json.dumps(out))
    else:
        for m in out:
            print(line(m))
    return out


if __name__ == "__main__":
    main()
