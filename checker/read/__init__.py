"""Readers: every supported format becomes one list of located text units.

``read(path)`` picks the reader by file content (not by name alone), checks
size limits, and returns a :class:`ReadResult`.  Each reader module exposes
``read_<format>(path_or_bytes) -> ReadResult``.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from checker.errors import PlanError
from checker.model import Unit, safe_text
from checker.normalize import normalize_both
from checker.read.budget import LIMITS, Budget, Limits, cap_units, check_pdf_streams, check_text_lines
from checker.read.result import ReadResult

__all__ = ["MAX_BYTES", "Budget", "Limits", "ReadResult", "finish", "read", "sniff"]

MAX_BYTES = LIMITS.max_bytes  # larger plans are refused (a commune plan is < 1 MB)


def sniff(data: bytes, suffix: str) -> str:
    """The format of a file from its first bytes (and its name as a hint)."""
    if data[:4] == b"PK\x03\x04":
        return "docx"
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "doc"  # OLE2: legacy .doc, or an encrypted .docx
    if data[:5] == b"{\\rtf":
        return "rtf"
    return "md" if suffix == ".md" else "txt"


# control characters that no plan means (NUL and the other C0 codes but tab,
# line feed, form feed and carriage return); a text file may carry them past
# the first 4 KB that the binary test looks at
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def scrub(res: ReadResult) -> None:
    """Remove control characters from the units' text, with a note (never silently)."""
    n = 0
    for u in res.units:
        if _CONTROL.search(u.text):
            u.text, k = _CONTROL.subn("", u.text)
            n += k
    if n:
        res.notes.append(f"Đã bỏ {n} ký tự điều khiển (NUL…) không thuộc nội dung văn bản. / "
                         f"{n} control characters (NUL…) that are not text were removed.")


def finish(units: list[Unit]) -> list[Unit]:
    """Fill the analysis form of every unit; number them in order."""
    for i, u in enumerate(units):
        u.index = i
        u.norm, u.disp, u.omap = normalize_both(u.text)
    return units


def read(path: str | Path, max_bytes: int | None = None, budget: Budget | None = None) -> ReadResult:
    """Read a plan within its budget (:mod:`checker.read.budget`)."""
    budget = budget or Budget()
    limits = budget.limits
    max_bytes = max_bytes if max_bytes is not None else limits.max_bytes
    p = Path(path)
    name = safe_text(p)
    if p.is_symlink() and not p.exists():
        raise PlanError("broken-link",
                        f"Liên kết tượng trưng hỏng hoặc tự trỏ vòng (symlink loop): {name}",
                        f"Broken or looping symbolic link: {name}")
    if not p.exists():
        raise PlanError("not-found", f"Không tìm thấy tệp: {name}", f"File not found: {name}")
    if p.is_dir():
        raise PlanError("is-dir", f"Đây là thư mục, không phải tệp kế hoạch: {name} "
                        "(để kiểm tra mọi kế hoạch trong thư mục: plancheck audit).",
                        f"This is a folder, not a plan file: {name} "
                        "(to check every plan in a folder: plancheck audit).")
    if not p.is_file():
        raise PlanError("not-a-file", f"Không phải tệp thông thường (thiết bị, FIFO…): {name}",
                        f"Not a regular file (a device, a FIFO…): {name}")
    try:
        size = p.stat().st_size
    except OSError as e:
        raise PlanError("unreadable", f"Không đọc được tệp {name}: {e.strerror or e}",
                        f"Cannot read {name}: {e.strerror or e}")
    if size == 0:
        raise PlanError("empty", f"Tệp rỗng: {safe_text(p.name)}", f"The file is empty: {safe_text(p.name)}")
    if size > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise PlanError(
            "too-large",
            f"Tệp quá lớn ({size / 1048576:.1f} MB, giới hạn {mb} MB): {safe_text(p.name)}",
            f"File too large ({size / 1048576:.1f} MB, limit {mb} MB): {safe_text(p.name)}",
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise PlanError("unreadable", f"Không đọc được tệp {name}: {e.strerror or e}",
                        f"Cannot read {name}: {e.strerror or e}")
    fmt = sniff(data, p.suffix.lower())
    if fmt == "docx":
        from checker.read.word import read_docx
        res = read_docx(data, limits)
    elif fmt == "pdf":
        from checker.read.pdf import read_pdf
        check_pdf_streams(data, limits)
        res = read_pdf(data, budget)
    elif fmt in ("doc", "rtf"):
        from checker.read.legacy import read_legacy_doc
        res = read_legacy_doc(data, p.name)
    else:
        from checker.read.text import read_text
        check_text_lines(data, limits)
        res = read_text(data, fmt)
    budget.check_time("read")
    res.sha256 = hashlib.sha256(data).hexdigest()
    scrub(res)
    cap_units(res, limits)
    from checker.read.quality import check_layer
    res.units = check_layer(res.units, res.notes, res.skipped_pages)
    finish(res.units)
    if not any(u.norm.strip() for u in res.units):
        raise PlanError("no-text", f"Tệp không có nội dung văn bản: {safe_text(p.name)}",
                        f"The file holds no text: {safe_text(p.name)}")
    return res
