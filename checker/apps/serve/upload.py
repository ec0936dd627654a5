"""Uploads: the page's texts, the size limit, what a file is by its bytes
(:func:`sniff_upload`), safe display and download names, the as-of field."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from werkzeug.utils import secure_filename

from checker.errors import PlanError


DEFAULT_MAX_MB = 20
ACCEPT = ".docx,.pdf,.txt,.md,.doc,.rtf"

# Magic numbers of files that are certainly not plans (refused with a clear
# message rather than decoded as text).
_BINARY_MAGIC = [
    (b"MZ", "exe"), (b"\x7fELF", "elf"), (b"\xca\xfe\xba\xbe", "mach-o"),
    (b"\xcf\xfa\xed\xfe", "mach-o"), (b"\xfe\xed\xfa", "mach-o"),
    (b"\x1f\x8b", "gzip"), (b"Rar!", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x00asm", "wasm"),
    (b"SQLite format 3", "sqlite"), (b"OggS", "ogg"),
]  # (any other binary is caught by its NUL bytes)
# What a name promises, for a name/content mismatch message.
_SUFFIX_FORMAT = {".docx": "docx", ".pdf": "pdf", ".doc": "doc", ".rtf": "rtf"}


# --------------------------------------------------------------------------
# messages of the page (the plan's own messages come from PlanError)

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Kiểm tra kế hoạch thực hiện Nghị quyết 57-NQ/TW",
        "lead": "Tải lên dự thảo kế hoạch (.docx, .pdf, .txt, .md) để đối chiếu với Nghị quyết 57-NQ/TW, "
                "Nghị quyết 71/NQ-CP và các văn bản đã chọn. Tệp chỉ được xử lý trên máy này và xoá ngay sau khi kiểm tra.",
        "drop": "Kéo và thả tệp vào đây",
        "or": "hoặc",
        "pick": "Chọn tệp…",
        "none": "Chưa chọn tệp",
        "sets": "Bộ văn bản đối chiếu",
        "as_of": "Ngày đánh giá (để trống: ngày của kế hoạch)",
        "submit": "Kiểm tra",
        "checking": "Đang kiểm tra…",
        "limit": "Dung lượng tối đa {mb} MB.",
        "switch": "English",
        "error": "Không kiểm tra được",
        "again": "Kiểm tra tệp khác",
        "download": "Tải báo cáo",
        "too_large": "Tệp quá lớn: giới hạn tải lên là {mb} MB.",
        "no_file": "Chưa chọn tệp kế hoạch để tải lên.",
        "empty": "Tệp rỗng: {name}",
        "binary": "Tệp {name} không phải định dạng được hỗ trợ (là tệp {kind}). "
                  "Chỉ nhận .docx, .pdf, .txt, .md.",
        "mismatch": "Tên tệp {name} có đuôi {suffix} nhưng nội dung không phải tệp {suffix}. "
                    "Chỉ nhận .docx, .pdf, .txt, .md đúng định dạng.",
        "no_sets": "Hãy chọn ít nhất một bộ văn bản đối chiếu.",
        "bad_set": "Bộ văn bản không có: {name}",
        "bad_date": "Ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
        "expired": "Không tìm thấy báo cáo (có thể đã hết hạn sau {minutes} phút). Hãy tải tệp lên lại.",
        "internal": "Lỗi nội bộ khi kiểm tra tệp {name}. Hãy thử lại hoặc dùng lệnh plancheck check.",
        "not_found": "Không có trang này.",
        "too_large_js": "Tệp quá lớn",
        "private": "Chỉ chạy trên máy này",
        "bad_form": "Biểu mẫu gửi lên không hợp lệ: quá nhiều trường hoặc một trường quá dài. "
                    "Hãy dùng biểu mẫu trên trang này.",
        "cross_site": "Yêu cầu bị từ chối: biểu mẫu không được gửi từ trang này "
                      "(chống giả mạo yêu cầu từ trang khác).",
        "bad_host": "Yêu cầu bị từ chối: địa chỉ {host} không phải địa chỉ của máy này.",
        "not_allowed": "Trang này không nhận phương thức {method}.",
        "budget_time": "Tệp cần quá nhiều thời gian để kiểm tra (giới hạn {seconds} giây) nên đã bị dừng. "
                       "Hãy kiểm tra lại nội dung tệp hoặc dùng lệnh plancheck check.",
        "budget_memory": "Tệp cần quá nhiều bộ nhớ để kiểm tra (giới hạn {mb} MB) nên đã bị dừng. "
                         "Hãy kiểm tra lại nội dung tệp hoặc dùng lệnh plancheck check.",
        "worker_died": "Tiến trình kiểm tra tệp bị dừng đột ngột. Hãy thử lại hoặc dùng lệnh plancheck check.",
    },
    "en": {
        "title": "Check a plan that carries out Resolution 57-NQ/TW",
        "lead": "Upload a draft plan (.docx, .pdf, .txt, .md) to check it against Resolution 57-NQ/TW, "
                "Resolution 71/NQ-CP and the chosen documents. The file is processed on this machine only "
                "and deleted right after the check.",
        "drop": "Drag and drop the file here",
        "or": "or",
        "pick": "Choose a file…",
        "none": "No file chosen",
        "sets": "Reference sets",
        "as_of": "As-of date (empty: the plan's own date)",
        "submit": "Check",
        "checking": "Checking…",
        "limit": "Maximum size {mb} MB.",
        "switch": "Tiếng Việt",
        "error": "Could not check the file",
        "again": "Check another file",
        "download": "Download the report",
        "too_large": "File too large: the upload limit is {mb} MB.",
        "no_file": "No plan file was chosen.",
        "empty": "The file is empty: {name}",
        "binary": "{name} is not a supported format (it is a {kind} file). "
                  "Only .docx, .pdf, .txt, .md are accepted.",
        "mismatch": "{name} is named {suffix} but its content is not a {suffix} file. "
                    "Only real .docx, .pdf, .txt, .md files are accepted.",
        "no_sets": "Choose at least one reference set.",
        "bad_set": "Unknown reference set: {name}",
        "bad_date": "Invalid date: {value} (use YYYY-MM-DD or DD/MM/YYYY)",
        "expired": "Report not found (it may have expired after {minutes} minutes). Upload the file again.",
        "internal": "Internal error while checking {name}. Try again or use plancheck check.",
        "not_found": "No such page.",
        "too_large_js": "File too large",
        "private": "Runs on this machine only",
        "bad_form": "The form sent is not valid: too many fields or a field too long. "
                    "Use the form on this page.",
        "cross_site": "Request refused: the form was not sent from this page "
                      "(protection against cross-site request forgery).",
        "bad_host": "Request refused: {host} is not an address of this machine.",
        "not_allowed": "This page does not accept the {method} method.",
        "budget_time": "The file needs too much time to check (limit {seconds} s), so the check was stopped. "
                       "Look at the file's content or use plancheck check.",
        "budget_memory": "The file needs too much memory to check (limit {mb} MB), so the check was stopped. "
                         "Look at the file's content or use plancheck check.",
        "worker_died": "The checking process stopped unexpectedly. Try again or use plancheck check.",
    },
}


def _err(key: str, **kw: Any) -> PlanError:
    return PlanError(f"serve-{key}", TEXT["vi"][key].format(**kw), TEXT["en"][key].format(**kw))


# --------------------------------------------------------------------------
# content checks

def sniff_upload(data: bytes, filename: str) -> str:
    """The plan format of uploaded bytes, judged by content; PlanError if it
    is not a format the readers take.  ``filename`` is only a hint (``.md``)
    and the name shown in messages."""
    from checker.read import sniff

    name = display_name(filename)
    suffix = Path(name).suffix.lower()
    if not data:
        raise _err("empty", name=name)
    fmt = sniff(data[:8192], suffix)
    if fmt in ("txt", "md"):
        for magic, kind in _BINARY_MAGIC:
            if data.startswith(magic):
                raise _err("binary", name=name, kind=kind)
        if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:8192]:
            raise _err("binary", name=name, kind="binary")
    if _SUFFIX_FORMAT.get(suffix) and fmt in ("txt", "md"):
        # named .docx/.pdf/.doc but the bytes are neither that nor any binary
        # we know.  (A real PDF or .docx under a wrong name is read as what it is.)
        raise _err("mismatch", name=name, suffix=suffix)
    return fmt


def display_name(filename: str | None) -> str:
    """The client's file name, for display only: last path part, no control
    characters, at most 120 characters.  Never used to open anything."""
    raw = (filename or "").replace("\\", "/").split("/")[-1]
    raw = "".join(ch for ch in raw if ch.isprintable()).strip()
    if not raw:
        return "upload"
    return raw[-120:]


def download_stem(filename: str) -> str:
    stem = secure_filename(Path(display_name(filename)).stem) or "plan"
    return stem[:80]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address: ``localhost``, an IPv4 address
    in 127.0.0.0/8 or ``::1`` (with or without brackets).  A name is never
    resolved: ``127.example.com`` is not loopback."""
    import ipaddress

    h = (host or "").strip()
    if h.lower() in ("localhost", "localhost."):
        return True
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def parse_as_of(value: str | None) -> dt.date | None:
    from checker.dates import parse_day

    try:
        return parse_day(value)
    except ValueError:
        raise _err("bad_date", value=(value or "").strip()[:40]) from None
