"""Build real .docx and .pdf files from plan text, for reader tests.

``build_docx`` writes markdown pipe tables and tab-separated rows as real
Word tables, markdown headings as Word heading styles and ``**bold**`` as
bold runs; with ``use_word_numbering=True`` the labels "I.", "1.", "a)" of
headings and items are taken out of the text and made by Word's automatic
numbering instead (only where Word's counter gives the same label, so the
document reads exactly like the text).  ``build_pdf`` lays the same text out
with fpdf2 (DejaVu Sans, tables drawn with ``FPDF.table`` so pdfplumber finds
their rules) and prints a page number in every footer.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from checker.read.text import _SEP_ROW, split_pipe_row, split_tab_row

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
]


def _lines(text_or_lines) -> list[str]:
    if isinstance(text_or_lines, (list, tuple)):
        return [str(x) for x in text_or_lines]
    text = str(text_or_lines)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def blocks(text_or_lines) -> list[tuple[str, object]]:
    """Plan text as ("para", line) and ("table", [cells, ...]) blocks."""
    out: list[tuple[str, object]] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            out.append(("table", list(rows)))
            rows.clear()

    for line in _lines(text_or_lines):
        if _SEP_ROW.match(line) and "-" in line and "|" in line:
            continue
        row = split_pipe_row(line) or split_tab_row(line)
        if row:
            rows.append(row[0])
            continue
        flush()
        out.append(("para", line))
    flush()
    return out


# ------------------------------------------------------------------ docx

_ROMAN_RE = re.compile(r"^(?P<label>[IVX]{1,5})\.\s+(?P<rest>\S.*)$")
_DEC_RE = re.compile(r"^(?P<label>\d{1,2})\.\s+(?P<rest>\S.*)$")
_LET_RE = re.compile(r"^(?P<label>[a-z])\)\s+(?P<rest>\S.*)$")
_LEVELS = [("upperRoman", "%1.", _ROMAN_RE), ("decimal", "%2.", _DEC_RE),
           ("lowerLetter", "%3)", _LET_RE)]


def _add_numbering(doc) -> str:
    """Add one multi-level list (I. / 1. / a)) to the document; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = doc.part.numbering_part.element
    ids = [int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId")] or [0]
    nids = [int(x) for x in numbering.xpath("./w:num/@w:numId")] or [0]
    aid, nid = max(ids) + 1, max(nids) + 1
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{txt}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, txt, _re) in enumerate(_LEVELS))
    absnum = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
                       f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>')
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>'
                    f'</w:num>')
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(absnum)
    else:
        numbering.append(absnum)
    numbering.append(num)
    return str(nid)


def _set_num(paragraph, num_id: str, ilvl: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/>'
                         f'<w:numId w:val="{num_id}"/></w:numPr>'))


def _label_value(ilvl: int, label: str) -> int:
    from checker.read.word_lists import letters, roman

    if ilvl == 0:
        for n in range(1, 40):
            if roman(n) == label:
                return n
        return -1
    if ilvl == 1:
        return int(label)
    for n in range(1, 27):
        if letters(n) == label:
            return n
    return -1


def _add_runs(paragraph, text: str) -> None:
    parts = text.split("**")
    for i, part in enumerate(parts):
        if part:
            run = paragraph.add_run(part)
            if i % 2 == 1:
                run.bold = True


def build_docx(text_or_lines, path, use_word_numbering: bool = False) -> Path:
    """Write plan text as a real .docx at ``path``; return the path."""
    import docx

    doc = docx.Document()
    num_id = _add_numbering(doc) if use_word_numbering else None
    counters: dict[int, int] = {}
    numbered = 0
    for kind, payload in blocks(text_or_lines):
        if kind == "table":
            rows: list[list[str]] = payload  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for r in rows:
                cells = table.add_row().cells
                for i, value in enumerate(r):
                    cells[i].text = value
            continue
        line: str = payload  # type: ignore[assignment]
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            p = doc.add_paragraph(style=f"Heading {min(len(m.group(1)), 9)}")
            _add_runs(p, m.group(2))
            continue
        if num_id is not None:
            done = False
            for ilvl, (_fmt, _txt, rx) in enumerate(_LEVELS):
                mm = rx.match(line)
                if not mm:
                    continue
                want = _label_value(ilvl, mm.group("label"))
                nxt = counters.get(ilvl, 0) + 1
                if want == nxt:
                    counters[ilvl] = nxt
                    for deeper in [k for k in counters if k > ilvl]:
                        del counters[deeper]
                    p = doc.add_paragraph()
                    _set_num(p, num_id, ilvl)
                    _add_runs(p, mm.group("rest"))
                    numbered += 1
                    done = True
                break
            if done:
                continue
        p = doc.add_paragraph()
        _add_runs(p, line)
    path = Path(path)
    doc.save(str(path))
    return path


# ------------------------------------------------------------------ pdf

def find_font() -> str | None:
    for c in FONT_CANDIDATES:
        if Path(c).exists():
            return c
    try:
        import matplotlib

        p = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        if p.exists():
            return str(p)
    except ImportError:
        pass
    return None


_DEBRIS = re.compile(r"\[bookmark:[^\]]*\]")


def _pdf_text(s: str) -> str:
    # bookmarks are invisible in a real document: only text conversions show them
    s = _DEBRIS.sub("", unicodedata.normalize("NFC", s))
    s = re.sub(r"^\s*#{1,6}\s+", "", s)  # a markdown heading prints as its text
    s = s.replace("**", "")  # and bold as bold, without asterisks.replace("\t", " ").replace("\u00a0", " ")
    return re.sub(r" {2,}", " ", s).strip()


def build_pdf(text_or_lines, path, font: str | None = None,
              repeat_table_header: bool = False) -> Path:
    """Write plan text as a text-layer PDF at ``path``; return the path.

    ``repeat_table_header`` repeats a table's first row at the top of each
    page the table runs onto, as Word does for a marked header row."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    font = font or find_font()
    if font is None:
        raise RuntimeError("no Unicode TTF font found (install fonts-dejavu-core)")

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("dv", size=9)
            self.cell(0, 8, str(self.page_no()), align="C")

    pdf = _Doc(format="A4")
    pdf.add_font("dv", fname=font)
    pdf.set_font("dv", size=10)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for kind, payload in blocks(text_or_lines):
        if kind == "table":
            rows: list[list[str]] = payload  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            pdf.set_font("dv", size=8)
            with pdf.table(first_row_as_headings=repeat_table_header,
                           repeat_headings=1 if repeat_table_header else 0,
                           headings_style=FontFace(), line_height=4) as table:
                for r in rows:
                    row = table.row()
                    for value in list(r) + [""] * (width - len(r)):
                        row.cell(_pdf_text(value))
            pdf.set_font("dv", size=10)
            pdf.ln(2)
            continue
        line = _pdf_text(payload)  # type: ignore[arg-type]
        if not line:
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    path = Path(path)
    pdf.output(str(path))
    return path


# ------------------------------------------------------------------ comparing readers

def unit_stream(result, merge_text: bool = False) -> list[tuple]:
    """What a reader saw, modulo whitespace: ("text", s) and ("row", cells).

    Texts are the analysis forms with all whitespace removed; empty units are
    skipped and trailing empty cells dropped.  ``merge_text`` joins runs of
    text units (a PDF wraps one source line over several printed lines).
    """
    from checker.normalize import norm

    out: list[tuple] = []
    for u in result.units:
        if u.kind == "row":
            cells = [re.sub(r"\s+", "", norm(c)) for c in (u.cells or [])]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                out.append(("row", tuple(cells)))
            continue
        t = re.sub(r"\s+", "", u.norm or norm(u.text))
        if not t:
            continue
        if merge_text and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + t)
        else:
            out.append(("text", t))
    return out
