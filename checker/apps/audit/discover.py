"""The plan files of an audit: every .txt, .md, .docx and .pdf under the given
paths, minus the excluded ones, in a stable order — and every path among them
that cannot be read as a file (a FIFO, a device, a symlink loop, a dangling
link, a folder it may not enter), so that the audit shows it as an error row
instead of leaving it out silently."""
from __future__ import annotations

import errno
import glob
import os
import stat
from pathlib import Path
from typing import Iterable


PLAN_SUFFIXES = (".txt", ".md", ".docx", ".pdf")


# ---------------------------------------------------------------- discovery

def safe_name(path: str | Path) -> str:
    """``path`` as text that always encodes to UTF-8: a file name whose bytes
    are not UTF-8 (decoded by Python with surrogate escapes) gets U+FFFD for
    each bad byte.  For display and for the rows; the file is opened by its
    real name."""
    s = os.fspath(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _problem(p: Path) -> tuple[str, str, str] | None:
    """Why ``p`` cannot be read as a plan file, or None if it is a regular file."""
    try:
        st = p.stat()
    except OSError as e:
        if e.errno == errno.ELOOP:
            return ("symlink-loop", "Liên kết tượng trưng vòng lặp", "Symbolic link loop")
        if p.is_symlink():
            return ("dangling-link", "Liên kết tượng trưng trỏ tới tệp không có",
                    "Symbolic link to a missing file")
        return ("unreadable", f"Không đọc được: {e.strerror or e}", f"Cannot read: {e.strerror or e}")
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    if stat.S_ISFIFO(st.st_mode):
        return ("not-a-file", "Không phải tệp thường (ống FIFO)", "Not a regular file (a FIFO)")
    if stat.S_ISSOCK(st.st_mode):
        return ("not-a-file", "Không phải tệp thường (socket)", "Not a regular file (a socket)")
    return ("not-a-file", "Không phải tệp thường (thiết bị)", "Not a regular file (a device)")


def find_plans(paths: Iterable[str | Path], exclude: Iterable[str | Path] = (),
               problems: list[tuple[Path, str, str, str]] | None = None) -> list[Path]:
    """Every plan file under ``paths`` (folders recursively, files, globs).

    A file named explicitly is kept whatever its suffix; inside folders and
    globs only .txt .md .docx .pdf count.  Hidden folders and the folders in
    ``exclude`` (the audit's own output and cache) are skipped.

    ``problems``, if given, receives ``(path, code, vi, en)`` for each path
    with a plan suffix (or named explicitly) that is not a readable regular
    file, and for each folder that cannot be listed.
    """
    skip = [Path(p).resolve() for p in exclude]
    found: dict[Path, Path] = {}
    bad: dict[str, tuple[Path, str, str, str]] = {}

    def note(p: Path, code: str, vi: str, en: str) -> None:
        bad.setdefault(os.fspath(p), (p, code, vi, en))

    def keep(p: Path, explicit: bool = False) -> None:
        if not explicit and p.suffix.lower() not in PLAN_SUFFIXES:
            return
        why = _problem(p)
        if why is not None:
            note(p, *why)
            return
        if not p.is_file():
            return
        rp = p.resolve()
        if any(rp == s or s in rp.parents for s in skip):
            return
        found.setdefault(rp, p)

    def walk_error(e: OSError) -> None:
        where = Path(e.filename) if e.filename else Path("?")
        note(where, "unreadable-folder", f"Không mở được thư mục: {e.strerror or e}",
             f"Cannot open the folder: {e.strerror or e}")

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p, onerror=walk_error):
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
                        if not sub.is_dir():
                            keep(sub)
                else:
                    keep(hp)
        elif os.path.lexists(p):  # a FIFO, a device, a dangling link or a loop named on the line
            why = _problem(p)
            if why is not None:
                note(p, *why)
    if problems is not None:
        problems.extend(v for _, v in sorted(bad.items(), key=lambda kv: safe_name(kv[0])))
    return sorted(found.values(), key=lambda q: str(q))
