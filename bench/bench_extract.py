"""Time the extraction of each seed plan: cold process and warm, in one run.

    python bench/bench_extract.py [--seeds DIR] [--repeat N] [--formats txt,docx,pdf]

* cold: wall time of a fresh ``python -m checker.apps.cli extract SEED --format
  json`` process (interpreter start, imports, reading, structure, output);
* warm: in this process, after one untimed run, the median of N runs of
  ``read()`` alone, of ``pipeline.extract()`` (read + structure + tasks +
  citations) and of the citation scan alone (``extract_citations`` on the
  read units).

``--formats docx,pdf`` also builds a Word and a PDF version of each seed with
the test builders (python-docx, fpdf2) and times those.
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def cold(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checker.apps.cli", "extract", str(path),
                           "--format", "json"], cwd=ROOT, capture_output=True)
    return time.perf_counter() - t0, proc.returncode


def warm(fn, path: Path, repeat: int) -> float:
    fn(path)  # untimed: lazy imports and caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def variants(seed: Path, formats: list[str], tmp: Path) -> list[tuple[str, Path]]:
    out = []
    text = None
    for fmt in formats:
        if fmt == "txt":
            out.append(("txt", seed))
            continue
        if text is None:
            text = seed.read_text(encoding="utf-8")
        sys.path.insert(0, str(ROOT / "tests"))
        builders = importlib.import_module("builders")
        target = tmp / f"{seed.stem}.{fmt}"
        if fmt == "docx":
            builders.build_docx(text, target, use_word_numbering=True)
        elif fmt == "pdf":
            builders.build_pdf(text, target)
        else:
            raise SystemExit(f"unknown format: {fmt}")
        out.append((fmt, target))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--formats", default="txt", help="comma list of txt, docx, pdf")
    args = ap.parse_args(argv)
    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        print(f"no seed plans in {args.seeds}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from checker.read import read

    try:
        from checker.pipeline import extract
    except ImportError:  # the pipeline may not be there yet: time read() only
        extract = None

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    from checker.cite.citations import extract_citations

    header = (f"{'seed':<28} {'fmt':<5} {'KB':>6} {'cold s':>7} {'rc':>3} "
              f"{'read ms':>8} {'extract ms':>11} {'cite ms':>8} {'units':>6} {'tasks':>6} {'cits':>5}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="plancheck-bench-") as tmpdir:
        for seed in seeds:
            for fmt, path in variants(seed, formats, Path(tmpdir)):
                c, rc = cold(path)
                r = warm(read, path, args.repeat)
                units = len(read(path).units)
                if extract is not None:
                    e = warm(extract, path, args.repeat)
                    plan = extract(path)
                    tasks = len(plan.tasks)
                    e_s, t_s = f"{e * 1000:11.1f}", f"{tasks:6d}"
                    # citation scanning alone (tokenize → resolve), on the read units
                    cs = warm(lambda _p: extract_citations(plan.units, plan.header), path, args.repeat)
                    c_s, n_s = f"{cs * 1000:8.1f}", f"{len(plan.citations):5d}"
                else:
                    e_s, t_s, c_s, n_s = f"{'-':>11}", f"{'-':>6}", f"{'-':>8}", f"{'-':>5}"
                print(f"{seed.name[:28]:<28} {fmt:<5} {path.stat().st_size / 1024:6.1f} "
                      f"{c:7.2f} {rc:3d} {r * 1000:8.1f} {e_s} {c_s} {units:6d} {t_s} {n_s}")
    print(f"\ncold: one fresh process each; warm: median of {args.repeat} runs in-process "
          f"(Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
