"""Snapshot every report of the five seeds (and the sample plan) into a folder, to prove a
refactor changed nothing: run before and after, then `diff -r BEFORE AFTER`.

    python bench/golden.py /tmp/golden-before
"""
from __future__ import annotations

import sys
from pathlib import Path
import re

from click.testing import CliRunner

from checker.apps.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FORMATS = ["text", "json", "md", "html", "sarif", "junit", "github"]


def plans() -> list[Path]:
    """Paths relative to the checkout (the snapshot is run from there), so that
    two checkouts of the project give the same snapshot."""
    out = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return [Path("..") / p.relative_to(ROOT.parent) for p in out] + [Path("examples") / "ke-hoach-mau.md"]


def main_(dest: Path) -> None:
    dest = dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    import os

    os.chdir(ROOT)
    runner = CliRunner()
    stamp = re.compile(r'timestamp="[^"]*"')
    for plan in plans():
        for lang in ("vi", "en"):
            for fmt in FORMATS:
                res = runner.invoke(main, ["check", str(plan), "--format", fmt, "--lang", lang,
                                           "--no-color"])
                (dest / f"{plan.stem}.{lang}.{fmt}").write_text(
                    stamp.sub("timestamp=\"\"", f"exit={res.exit_code}\n{res.output}"), encoding="utf-8")
        res = runner.invoke(main, ["extract", str(plan)])
        (dest / f"{plan.stem}.extract.json").write_text(stamp.sub("timestamp=\"\"", f"exit={res.exit_code}\n{res.output}"),
                                                        encoding="utf-8")
        for gfmt in ("json", "graphml", "dot", "html", "svg"):
            res = runner.invoke(main, ["graph", str(plan), "--format", gfmt])
            (dest / f"{plan.stem}.graph.{gfmt}").write_text(f"exit={res.exit_code}\n{res.output}",
                                                            encoding="utf-8")
        res = runner.invoke(main, ["extract", str(plan), "--format", "json"])
        (dest / f"{plan.stem}.extract-json.json").write_text(f"exit={res.exit_code}\n{res.output}",
                                                             encoding="utf-8")
    res = runner.invoke(main, ["graph", *[str(p) for p in plans()], "--format", "html"])
    (dest / "ALL.graph.html").write_text(f"exit={res.exit_code}\n{res.output}", encoding="utf-8")
    # several plans in one report
    all_ = [str(p) for p in plans()]
    for fmt in FORMATS:
        res = runner.invoke(main, ["check", *all_, "--format", fmt, "--no-color"])
        (dest / f"ALL.{fmt}").write_text(stamp.sub("timestamp=\"\"", f"exit={res.exit_code}\n{res.output}"), encoding="utf-8")
    print(f"{len(list(dest.iterdir()))} files in {dest}")


if __name__ == "__main__":
    main_(Path(sys.argv[1]))
