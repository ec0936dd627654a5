"""Readers: every supported format becomes one list of located text units.

``read(path)`` picks the reader by file content (not by name alone), checks
size limits, and returns a :class:`ReadResult`.  Each reader module exposes
``read_<format>(path_or_bytes) -> ReadResult``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from checker.errors import PlanError
from checker.model import Unit
from checker.normalize import normalize_both
from checker.read.result import ReadResult

__all__ = ["MAX_BYTES", "ReadResult", "finish", "read", "sniff"]

MAX_BYTES = 20 * 1024 * 1024  # larger plans are refused (a commune plan is < 1 MB)


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


def finish(units: list[Unit]) -> list[Unit]:
    """Fill the analysis form of every unit; number them in order."""
    for i, u in enumerate(units):
        u.index = i
        u.norm, u.disp, u.omap = normalize_both(u.text)
    return units


def read(path: str | Path, max_bytes: int = MAX_BYTES) -> ReadResult:
    p = Path(path)
    if not p.exists():
        raise PlanError("not-found", f"Không tìm thấy tệp: {p}", f"File not found: {p}")
    if p.is_dir():
        raise PlanError("is-dir", f"Đây là thư mục, không phải tệp kế hoạch: {p} "
                        "(để kiểm tra mọi kế hoạch trong thư mục: plancheck audit).",
                        f"This is a folder, not a plan file: {p} "
                        "(to check every plan in a folder: plancheck audit).")
    size = p.stat().st_size
    if size == 0:
        raise PlanError("empty", f"Tệp rỗng: {p.name}", f"The file is empty: {p.name}")
    if size > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise PlanError(
            "too-large",
            f"Tệp quá lớn ({size / 1048576:.1f} MB, giới hạn {mb} MB): {p.name}",
            f"File too large ({size / 1048576:.1f} MB, limit {mb} MB): {p.name}",
        )
    data = p.read_bytes()
    fmt = sniff(data, p.suffix.lower())
    if fmt == "docx":
        from checker.read.word import read_docx
        res = read_docx(data)
    elif fmt == "pdf":
        from checker.read.pdf import read_pdf
        res = read_pdf(data)
    elif fmt in ("doc", "rtf"):
        from checker.read.legacy import read_legacy_doc
        res = read_legacy_doc(data, p.name)
    else:
        from checker.read.text import read_text
        res = read_text(data, fmt)
    res.sha256 = hashlib.sha256(data).hexdigest()
    finish(res.units)
    if not any(u.norm.strip() for u in res.units):
        raise PlanError("no-text", f"Tệp không có nội dung văn bản: {p.name}",
                        f"The file holds no text: {p.name}")
    return res
