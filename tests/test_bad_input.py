"""Bad input: every case gets one clear PlanError (Vietnamese and English),
and through the CLI exit code 2 without a traceback."""
from __future__ import annotations

import io
import random
import struct
import time
import zipfile
from pathlib import Path

import pytest

from builders import build_docx, build_pdf, find_font
from checker.errors import PlanError
from checker.read import read
from checker.read.legacy import find_soffice

PLAN = "KẾ HOẠCH\nI. NHIỆM VỤ\n1. Tuyên truyền về chuyển đổi số cho người dân trong xã."


# ------------------------------------------------------------------ makers

def make_empty(tmp: Path) -> Path:
    p = tmp / "empty.txt"
    p.write_bytes(b"")
    return p


def make_blank(tmp: Path) -> Path:
    p = tmp / "blank.txt"
    p.write_text(" \n\t\n\u00a0\n\n", encoding="utf-8")
    return p


def make_garbage(tmp: Path) -> Path:
    p = tmp / "garbage.txt"
    p.write_bytes(random.Random(7).randbytes(20_000))
    return p


def make_garbage_no_nul(tmp: Path) -> Path:
    """High bytes only: not UTF-8, not Vietnamese in any legacy encoding."""
    rnd = random.Random(11)
    p = tmp / "garbage2.txt"
    p.write_bytes(bytes(rnd.choice(range(0x80, 0x100)) for _ in range(5000)))
    return p


def make_truncated_docx(tmp: Path) -> Path:
    full = build_docx(PLAN, tmp / "full.docx").read_bytes()
    p = tmp / "truncated.docx"
    p.write_bytes(full[: len(full) // 2])
    return p


def make_truncated_docx_tail(tmp: Path) -> Path:
    """Cut in the central directory: the zip still opens only in part."""
    full = build_docx(PLAN, tmp / "full2.docx").read_bytes()
    p = tmp / "truncated2.docx"
    p.write_bytes(full[:-30])
    return p


def make_pk_garbage(tmp: Path) -> Path:
    p = tmp / "fake.docx"
    p.write_bytes(b"PK\x03\x04" + random.Random(3).randbytes(4000))
    return p


def make_encrypted_docx(tmp: Path) -> Path:
    """What Office writes for a password-protected .docx: an OLE2 compound file
    with the streams EncryptionInfo and EncryptedPackage (a minimal one)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)  # minor, major version, byte order
    struct.pack_into("<H", header, 30, 9)  # sector size 2^9
    struct.pack_into("<I", header, 48, 0)  # first directory sector
    entries = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[: len(raw)] = raw
        struct.pack_into("<H", entry, 64, len(raw))
        entry[66] = 5 if name == "Root Entry" else 2
        entries += bytes(entry)
    body = entries + bytes(512 - len(entries) % 512) + random.Random(5).randbytes(4096)
    p = tmp / "secret.docx"
    p.write_bytes(bytes(header) + body)
    return p


def make_zip_bomb(tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))
    p = tmp / "bomb.docx"
    p.write_bytes(buf.getvalue())
    assert p.stat().st_size < 200_000  # small on disk, huge inside
    return p


def make_zip_not_docx(tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "Kế hoạch nằm trong tệp khác")
    p = tmp / "archive.docx"
    p.write_bytes(buf.getvalue())
    return p


def make_docx_without_text(tmp: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("")
    d.add_table(rows=2, cols=2)
    p = tmp / "blank.docx"
    d.save(p)
    return p


def make_encrypted_pdf(tmp: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    src = build_pdf(PLAN, tmp / "open.pdf")
    w = PdfWriter()
    for page in PdfReader(src).pages:
        w.add_page(page)
    w.encrypt(user_password="matkhau", owner_password="chu", algorithm="AES-128")
    p = tmp / "locked.pdf"
    with open(p, "wb") as f:
        w.write(f)
    return p


def make_truncated_pdf(tmp: Path) -> Path:
    full = build_pdf(PLAN, tmp / "whole.pdf").read_bytes()
    p = tmp / "cut.pdf"
    p.write_bytes(full[: len(full) // 2])
    return p


def make_scanned_pdf(tmp: Path) -> Path:
    """A page holding only graphics: a drawn frame and an image, no text layer."""
    from fpdf import FPDF
    from PIL import Image

    img = Image.new("L", (200, 120), 255)
    for x in range(20, 180):
        for y in (40, 60, 80):
            img.putpixel((x, y), 0)  # "lines of text" in the scan
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 190, 277)
    pdf.image(img, x=20, y=20, w=170)
    pdf.add_page()
    pdf.image(img, x=20, y=20, w=170)
    p = tmp / "scan.pdf"
    pdf.output(str(p))
    return p


def make_big_file(tmp: Path) -> Path:
    p = tmp / "big.txt"
    with open(p, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    return p


def make_legacy_doc(tmp: Path) -> Path:
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    p = tmp / "old.doc"
    p.write_bytes(bytes(header) + "WordDocument".encode("utf-16-le") + bytes(2000))
    return p


def make_rtf(tmp: Path) -> Path:
    p = tmp / "old.rtf"
    p.write_bytes(b"{\\rtf1\\ansi K\\'ea ho\\'e1ch}")
    return p


CASES = {
    "empty": (make_empty, "empty"),
    "blank": (make_blank, "no-text"),
    "garbage": (make_garbage, "binary"),
    "garbage-high-bytes": (make_garbage_no_nul, "bad-encoding"),
    "truncated-docx": (make_truncated_docx, "corrupt"),
    "truncated-docx-tail": (make_truncated_docx_tail, "corrupt"),
    "pk-garbage": (make_pk_garbage, "corrupt"),
    "encrypted-docx": (make_encrypted_docx, "encrypted"),
    "zip-bomb": (make_zip_bomb, "zip-bomb"),
    "zip-not-docx": (make_zip_not_docx, "not-docx"),
    "docx-without-text": (make_docx_without_text, "no-text"),
    "encrypted-pdf": (make_encrypted_pdf, "encrypted"),
    "truncated-pdf": (make_truncated_pdf, "corrupt"),
    "scanned-pdf": (make_scanned_pdf, "scanned-pdf"),
    "50MB": (make_big_file, "too-large"),
}
if find_soffice() is None:
    CASES["legacy-doc"] = (make_legacy_doc, "doc-unsupported")
    CASES["rtf"] = (make_rtf, "doc-unsupported")

NEEDS_FONT = {"encrypted-pdf", "truncated-pdf"}


def _make(name, tmp_path):
    if name in NEEDS_FONT and find_font() is None:
        pytest.skip("no DejaVuSans.ttf to build the PDF")
    return CASES[name][0](tmp_path)


@pytest.mark.parametrize("name", list(CASES))
def test_read_refuses_with_a_clear_message(tmp_path, name):
    path = _make(name, tmp_path)
    with pytest.raises(PlanError) as e:
        read(path)
    err = e.value
    assert err.code == CASES[name][1]
    assert err.vi.strip() and err.en.strip() and err.vi != err.en
    assert "Traceback" not in err.vi


def test_big_file_is_refused_before_reading(tmp_path, monkeypatch):
    p = make_big_file(tmp_path)

    def no_reading(self):
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    t0 = time.perf_counter()
    with pytest.raises(PlanError) as e:
        read(p)
    assert time.perf_counter() - t0 < 1.0
    assert "50.0 MB" in e.value.vi and "50.0 MB" in e.value.en


def test_zip_bomb_is_refused_quickly(tmp_path):
    p = make_zip_bomb(tmp_path)
    t0 = time.perf_counter()
    with pytest.raises(PlanError):
        read(p)
    assert time.perf_counter() - t0 < 1.0  # refused from the zip directory, not unpacked


def test_zip_total_size_limit(tmp_path, monkeypatch):
    from checker.read import word

    monkeypatch.setattr(word, "MAX_UNZIPPED", 10_000)
    p = build_docx(PLAN + "\n" + "Nội dung dài. " * 2000, tmp_path / "large.docx")
    with pytest.raises(PlanError) as e:
        read(p)
    assert e.value.code == "zip-bomb"


def test_pdf_with_owner_password_only_is_read(tmp_path):
    """Restrictions without a password to open (common in official PDFs) are fine."""
    if find_font() is None:
        pytest.skip("no font")
    from pypdf import PdfReader, PdfWriter

    src = build_pdf(PLAN, tmp_path / "open.pdf")
    w = PdfWriter()
    for page in PdfReader(src).pages:
        w.add_page(page)
    w.encrypt(user_password="", owner_password="chu", algorithm="AES-128")
    p = tmp_path / "restricted.pdf"
    with open(p, "wb") as f:
        w.write(f)
    res = read(p)
    assert [u.text for u in res.units][:2] == ["KẾ HOẠCH", "I. NHIỆM VỤ"]


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(PlanError) as e:
        read(tmp_path / "nothing.docx")
    assert e.value.code == "not-found"
    with pytest.raises(PlanError) as e:
        read(tmp_path)
    assert e.value.code == "is-dir"


def test_text_without_plan_structure_is_read(tmp_path):
    """read() has nothing against text that is not a plan: the structure check
    belongs to the pipeline (see the CLI test below)."""
    p = tmp_path / "note.txt"
    p.write_text("Chiều nay trời mưa to, mọi người nhớ mang áo mưa.\n", encoding="utf-8")
    res = read(p)
    assert [u.text for u in res.units if u.text] == [
        "Chiều nay trời mưa to, mọi người nhớ mang áo mưa."]


# ------------------------------------------------------------------ through the CLI

def _cli():
    from click.testing import CliRunner

    from checker.apps.cli import main
    return CliRunner(), main


def _no_structure(tmp: Path) -> Path:
    p = tmp / "note.txt"
    p.write_text("Chiều nay trời mưa to, mọi người nhớ mang áo mưa.\n", encoding="utf-8")
    return p


CLI_CASES = dict(CASES)
CLI_CASES["no-structure"] = (_no_structure, "no-structure")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_extract_exits_2_without_traceback(tmp_path, name, lang):
    runner, main = _cli()
    if name in NEEDS_FONT and find_font() is None:
        pytest.skip("no font")
    path = CLI_CASES[name][0](tmp_path)
    result = runner.invoke(main, ["extract", str(path), "--format", "json", "--lang", lang])
    out = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert result.exit_code == 2, out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not result.stdout.strip().startswith("{"), "no result may be printed as success"
    message = result.stderr.strip()
    assert message
    if lang == "en":
        assert message.startswith("Error:")
    else:
        assert message.startswith("Lỗi:")


def test_zip_with_too_many_entries(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(6000):
            z.writestr(f"word/media/x{i}.bin", b"")
    p = tmp_path / "many.docx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(PlanError) as e:
        read(p)
    assert e.value.code == "zip-bomb"
