"""The plan files of an audit: every .txt, .md, .docx and .pdf under the given
paths, minus the excluded ones, in a stable order."""
from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable


PLAN_SUFFIXES = (".txt", ".md", ".docx", ".pdf")


# ---------------------------------------------------------------- discovery

def find_plans(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Every plan file under ``paths`` (folders recursively, files, globs).

    A file named explicitly is kept whatever its suffix; inside folders and
    globs only .txt .md .docx .pdf count.  Hidden folders and the folders in
    ``exclude`` (the audit's own output and cache) are skipped.
    """
    skip = [Path(p).resolve() for p in exclude]
    found: dict[Path, Path] = {}

    def keep(p: Path, explicit: bool = False) -> None:
        if not p.is_file():
            return
        if not explicit and p.suffix.lower() not in PLAN_SUFFIXES:
            return
        rp = p.resolve()
        if any(rp == s or s in rp.parents for s in skip):
            return
        found.setdefault(rp, p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if not name.startswith("."):
                        keep(Path(root) / name)
        elif p.is_file():
            keep(p, explicit=True)
        elif any(ch in str(raw) for ch in "*?["):
            for hit in sorted(glob.glob(str(raw), recursive=True)):
                hp = Path(hit)
                if hp.is_dir():
                    for sub in sorted(hp.rglob("*")):
                        keep(sub)
                else:
                    keep(hp)
    return sorted(found.values(), key=lambda q: str(q))
