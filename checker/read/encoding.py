"""Decoding text files: UTF-8 (with or without BOM) and UTF-16.

Legacy Vietnamese encodings (Windows-1258, TCVN3/ABC, VNI) are detected and
converted here, or refused with a clear message.
"""
from __future__ import annotations

from ..errors import PlanError


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl > len(sample) * 0.05


def decode(data: bytes) -> tuple[str, list[str]]:
    """Return ``(text, notes)``; raise PlanError when the bytes are not text."""
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="replace"), []
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), ["utf-16"]
        except UnicodeDecodeError as e:
            raise PlanError("bad-encoding", "Tệp UTF-16 bị hỏng, không đọc được.",
                            "Corrupt UTF-16 file.") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _looks_binary(data):
            raise PlanError("binary", "Tệp không phải văn bản (dữ liệu nhị phân).",
                            "The file is not text (binary data).")
        return text, []
    if _looks_binary(data):
        raise PlanError("binary", "Tệp không phải văn bản (dữ liệu nhị phân).",
                        "The file is not text (binary data).")
    raise PlanError(
        "bad-encoding",
        "Không nhận ra bảng mã của tệp (không phải UTF-8). Hãy lưu lại tệp với bảng mã Unicode UTF-8.",
        "Unknown text encoding (not UTF-8). Save the file as Unicode UTF-8.",
    )
