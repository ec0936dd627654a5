"""Legacy .doc and .rtf files: converted to .docx with LibreOffice, then read
as a .docx."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from checker.errors import PlanError
from checker.read.result import ReadResult
from checker.read.word import _encrypted, is_encrypted_ole, read_docx


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    return None


def read_legacy_doc(data: bytes, name: str = "plan.doc") -> ReadResult:
    """Read a legacy .doc or .rtf by converting it to .docx with LibreOffice."""
    if is_encrypted_ole(data):
        raise _encrypted()
    exe = find_soffice()
    if exe is None:
        raise PlanError(
            "doc-unsupported",
            "Không đọc trực tiếp được tệp Word cũ (.doc/.rtf). Hãy mở tệp trong Word và lưu lại "
            "thành .docx (Tệp → Lưu thành → Word Document), hoặc cài LibreOffice để chương trình "
            "tự chuyển đổi.",
            "Legacy Word files (.doc/.rtf) cannot be read directly. Open the file in Word and save "
            "it as .docx (File → Save As → Word Document), or install LibreOffice so the "
            "conversion runs automatically.",
        )
    suffix = ".rtf" if data[:5] == b"{\\rtf" else ".doc"
    with tempfile.TemporaryDirectory(prefix="plancheck-") as tmp:
        src = os.path.join(tmp, "input" + suffix)
        with open(src, "wb") as f:
            f.write(data)
        try:
            subprocess.run(
                [exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", "docx", "--outdir", tmp, src],
                check=True, capture_output=True, timeout=120)
        except (subprocess.SubprocessError, OSError) as e:
            raise PlanError(
                "doc-convert-failed",
                f"LibreOffice không chuyển được tệp {name} sang .docx. Hãy lưu lại thành .docx "
                "trong Word.",
                f"LibreOffice could not convert {name} to .docx. Save it as .docx in Word.",
            ) from e
        out = os.path.join(tmp, "input.docx")
        if not os.path.exists(out):
            raise PlanError(
                "doc-convert-failed",
                f"LibreOffice không chuyển được tệp {name} sang .docx. Hãy lưu lại thành .docx "
                "trong Word.",
                f"LibreOffice could not convert {name} to .docx. Save it as .docx in Word.",
            )
        with open(out, "rb") as f:
            converted = f.read()
    res = read_docx(converted)
    res.format = "doc" if suffix == ".doc" else "rtf"
    res.notes.append(f"Đã chuyển {name} sang .docx bằng LibreOffice.")
    return res
