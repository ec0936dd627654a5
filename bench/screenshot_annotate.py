"""Screenshot of a reviewed seed plan rendered by LibreOffice → docs/img/annotate.png.

    python bench/screenshot_annotate.py [--seed 004] [--page N] [--out docs/img/annotate.png]

Steps: the seed text is written as a real .docx (tests/builders.build_docx,
Word's automatic numbering on), ``plancheck annotate`` runs on it (the real
check), LibreOffice converts the reviewed copy to PDF with its comments
exported as PDF annotations, and ``pdftoppm`` renders the page.  LibreOffice
7.4 cannot lay comments out in the margin when it runs headless, so the
comment panel on the right is drawn here from what LibreOffice exported: each
PDF annotation's text and position (a yellow mark on the commented words,
found with pdfplumber, a line to its note).  Nothing in the page itself is
drawn by this script.

Needs soffice (apt: libreoffice-writer-nogui) and pdftoppm (apt: poppler-utils);
without them it says so and exits 0.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
DPI = 110


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s or "")


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", _nfc(s)).strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", default="004")
    ap.add_argument("--page", type=int, default=0, help="1-based page; default: the page "
                    "with the most comments among the first three")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img" / "annotate.png"))
    ap.add_argument("--keep", default=None, help="folder to keep the .docx and .pdf in")
    args = ap.parse_args(argv)

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("soffice and pdftoppm are needed (apt-get install libreoffice-writer-nogui "
              "poppler-utils); no screenshot made.")
        return 0

    from builders import build_docx
    from conftest import SEEDS

    from checker.apps.annotate import annotate, read_comments

    seeds = sorted(SEEDS.glob(f"{args.seed}_*.txt"))
    if not seeds:
        print(f"seed {args.seed} not found in {SEEDS}")
        return 1
    work = Path(args.keep or tempfile.mkdtemp(prefix="plancheck-shot-"))
    work.mkdir(parents=True, exist_ok=True)
    src = build_docx(seeds[0].read_text(encoding="utf-8"), work / f"seed{args.seed}.docx",
                     use_word_numbering=True)
    reviewed = work / f"seed{args.seed}.reviewed.docx"
    rep = annotate(src, reviewed)
    print(f"{reviewed}: {len(rep.placed)} comments "
          f"({rep.count('span')} on exact words, {rep.count('section')} on section headings)")

    subprocess.run([soffice, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{work}/lo-profile",
                    "--convert-to",
                    'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                    "--outdir", str(work), str(reviewed)],
                   check=True, capture_output=True, timeout=300)
    pdf = work / (reviewed.stem + ".pdf")

    import pdfplumber
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    notes_per_page = []
    for pg in reader.pages:
        notes = []
        for a in pg.get("/Annots") or []:
            a = a.get_object()
            if a.get("/Subtype") == "/Text":
                notes.append((str(a.get("/Contents") or ""), [float(x) for x in a["/Rect"]]))
        notes_per_page.append(notes)
    page_no = args.page or max(range(min(3, len(notes_per_page))),
                               key=lambda i: (len(notes_per_page[i]), -i)) + 1
    notes = notes_per_page[page_no - 1]

    # the anchored words of each comment, to mark them on the page
    anchored = {_squash(c.text): c.anchored for c in read_comments(reviewed)}

    prefix = work / "page"
    subprocess.run([pdftoppm, "-png", "-r", str(DPI), "-f", str(page_no), "-l", str(page_no),
                    "-singlefile", str(pdf), str(prefix)], check=True, capture_output=True)
    png = prefix.with_suffix(".png")

    from PIL import Image, ImageDraw, ImageFont

    page = Image.open(png).convert("RGB")
    scale = DPI / 72.0
    pw, ph = page.size
    panel_w = int(pw * 0.62)
    img = Image.new("RGB", (pw + panel_w, ph), "white")
    img.paste(page, (0, 0))
    draw = ImageDraw.Draw(img, "RGBA")
    font = ImageFont.truetype(FONT, 13)
    bold = ImageFont.truetype(FONT_BOLD, 13)
    small = ImageFont.truetype(FONT, 11)

    with pdfplumber.open(str(pdf)) as doc:
        pp = doc.pages[page_no - 1]
        height = float(pp.height)
        marks = []
        for text, rect in notes:
            ax, ay = rect[0], height - rect[3]  # LibreOffice puts the note at the range end
            words = anchored.get(_squash(text), "")
            box = _find_words(pp, words, ax, ay)
            marks.append((text, (ax, ay), box))

    # highlight the commented words on the page, line by line
    for _text, _pt, boxes in marks:
        for box in boxes or []:
            x0, top, x1, bottom = (v * scale for v in box)
            draw.rectangle([x0 - 1, top - 1, x1 + 1, bottom + 1], fill=(255, 214, 0, 90))

    # the panel: one box per comment, near the height of its words
    draw.rectangle([pw, 0, pw + panel_w, ph], fill=(246, 246, 246))
    draw.text((pw + 14, 10), f"Nhận xét của plancheck — trang {page_no}", font=bold,
              fill=(40, 40, 40))
    y_free = 36
    for text, (ax, ay), boxes in sorted(marks, key=lambda m: m[1][1]):
        box = boxes[-1] if boxes else None
        lines = []
        for i, para in enumerate(text.splitlines()):
            lines.extend(_wrap(para, bold if not lines else font, panel_w - 48))
        if len(lines) > 14:
            lines = lines[:13] + ["…"]
        h = 10 + 17 * len(lines)
        y = max(y_free, int(ay * scale) - 10)
        if y + h > ph - 30:
            y = max(y_free, ph - 30 - h)
        x = pw + 14
        sev_colour = (200, 40, 40) if "LỖI" in lines[0] else (
            (215, 130, 0) if "CẢNH BÁO" in lines[0] else (40, 110, 200))
        draw.rounded_rectangle([x, y, pw + panel_w - 12, y + h], 6, fill="white",
                               outline=sev_colour, width=2)
        for i, ln in enumerate(lines):
            draw.text((x + 8, y + 5 + 17 * i), ln, font=bold if i == 0 else font,
                      fill=(30, 30, 30))
        px, py = (box[2] * scale, (box[1] + box[3]) / 2 * scale) if box else (ax * scale, ay * scale)
        draw.line([(px, py), (pw, py), (x, y + 12)], fill=sev_colour + (160,), width=1)
        y_free = y + h + 8
    draw.text((pw + 14, ph - 36), "Trang: LibreOffice dựng từ bản .docx đã rà soát.", font=small,
              fill=(110, 110, 110))
    draw.text((pw + 14, ph - 20), "Khung nhận xét: vẽ từ chú thích PDF do LibreOffice xuất.",
              font=small, fill=(110, 110, 110))

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, optimize=True)
    print(f"wrote {out} (page {page_no}, {len(marks)} comments)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _wrap(text: str, font, width: float) -> list[str]:
    """Wrap ``text`` to ``width`` pixels in ``font``."""
    out, line = [], ""
    for word in text.split(" "):
        cand = f"{line} {word}" if line else word
        if font.getlength(cand) <= width or not line:
            line = cand
        else:
            out.append(line)
            line = word
    out.append(line)
    return out


def _find_words(page, words: str, ax: float, ay: float):
    """Boxes (x0, top, x1, bottom), one per printed line, of the commented
    words: the occurrence that ends nearest the note (LibreOffice puts the
    note at the end of the range)."""
    words = _squash(words)
    if not words:
        return None
    pat = r"\s*".join(re.escape(w) for w in words.split(" "))
    try:
        hits = page.search(pat, regex=True, case=True, return_chars=True)
    except Exception:  # noqa: BLE001
        return None
    if not hits:
        return None
    best = min(hits, key=lambda h: (h["chars"][-1]["x1"] - ax) ** 2
               + (h["chars"][-1]["bottom"] - ay) ** 2 if h.get("chars") else 1e12)
    lines: dict[int, list] = {}
    for ch in best.get("chars") or []:
        lines.setdefault(round(ch["top"]), []).append(ch)
    return [(min(c["x0"] for c in cs), min(c["top"] for c in cs), max(c["x1"] for c in cs),
             max(c["bottom"] for c in cs)) for _, cs in sorted(lines.items())]


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main())
