"""Plain text and Markdown plans (text pasted or converted from Word/PDF).

Lines become units; markdown pipe rows and tab-separated rows become table
rows with their cells.  Decoding is in :mod:`checker.read.encoding`.
"""
from __future__ import annotations

import re

from checker.model import Location, Unit
from checker.read.result import ReadResult
from checker.read.encoding import decode

# a markdown table's separator row; written so that no two parts can take the
# same characters (the plain form backtracked cubically on "--|" + spaces)
_SEP_ROW = re.compile(r"^\s*(?:\|\s*)?:?-{2,}:?\s*(?:\|\s*(?:(?::-*:?|-+:?)\s*)?)*$")


def split_pipe_row(line: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    s = line.rstrip("\n")
    stripped = s.strip()
    if not (stripped.startswith("|") and stripped.count("|") >= 2):
        return None
    cells, spans = [], []
    bars = [i for i, c in enumerate(s) if c == "|"]
    for a, b in zip(bars, bars[1:]):
        raw = s[a + 1:b]
        lead = len(raw) - len(raw.lstrip())
        cell = raw.strip()
        cells.append(cell)
        spans.append((a + 1 + lead, a + 1 + lead + len(cell)))
    return cells, spans


def split_tab_row(line: str, min_tabs: int = 3) -> tuple[list[str], list[tuple[int, int]]] | None:
    if line.count("\t") < min_tabs or not line.strip():
        return None
    cells, spans, pos = [], [], 0
    for part in line.split("\t"):
        lead = len(part) - len(part.lstrip())
        cell = part.strip()
        cells.append(cell)
        spans.append((pos + lead, pos + lead + len(cell)))
        pos += len(part) + 1
    return cells, spans


_ENDS = re.compile(r"[.;:!?…)\]”\"»]\s*$")
# a line that ends on one of these words cannot end a paragraph ("Căn cứ Nghị quyết số")
_JOINERS = re.compile(r"\b(số|của|và|về|ngày|theo|với|cho|các|tại|trên|trong|để|là|được|đến|từ)\s*$", re.I)
_COLUMNS = re.compile(r"\S\s{4,}\S")


def hard_wrapped(lines: list[str]) -> int:
    """The wrap width of a hard-wrapped text (lines broken inside sentences, as a
    PDF copy or an e-mail gives it), or 0 when lines are paragraphs."""
    body = [ln.rstrip() for ln in lines if ln.strip() and "\t" not in ln and not ln.lstrip().startswith("|")]
    if len(body) < 10:
        return 0
    lengths = sorted(len(ln) for ln in body)
    width = lengths[int(len(lengths) * 0.95) - 1]
    if width > 100:
        return 0
    cut = sum(1 for a, b in zip(lines, lines[1:])
              if len(a.rstrip()) >= 0.6 * width and b.strip() and not _ENDS.search(a) and not _COLUMNS.search(a))
    return width if cut >= 5 and cut >= 0.15 * len(body) else 0


_ITEM = re.compile(r"^\s*(?:[-+•]\s|[a-zđ]\)\s|\d{1,2}(?:\.\d{1,2})*\.\s|[IVX]{1,5}\.\s)")


def _continues(prev: str, line: str, width: int) -> bool:
    p = prev.rstrip()
    if not p or _ENDS.search(p) or _COLUMNS.search(p) or "\t" in p:
        return False
    if len(p) >= 0.6 * width:
        return True  # a full line that stops mid-sentence: even "- 2030." or "1.000 lượt" carries on
    return bool(_JOINERS.search(p)) and not _ITEM.match(line)


def read_text(data: bytes, fmt: str = "txt") -> ReadResult:
    text, notes = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    width = hard_wrapped(lines)
    joined = 0
    units: list[Unit] = []
    table = 0
    in_table = False
    tab_table = False  # the open table's rows are tab-separated
    for n, line in enumerate(lines, start=1):
        if width and units and units[-1].kind == "para" and line.strip() and "\t" not in line \
                and _continues(units[-1].text, line, width):
            # a hard-wrapped paragraph: the line carries on the one above (the unit keeps
            # the location of its first line)
            units[-1].text = units[-1].text.rstrip() + " " + line.strip()
            joined += 1
            continue
        loc = Location(line=n, human=f"dòng {n}")
        if _SEP_ROW.match(line) and "-" in line and "|" in line:
            continue  # markdown table separator
        # inside a tab table a row with fewer cells (a group row "I<TAB>Title") is a row too
        tab_row = split_tab_row(line, 1 if in_table and tab_table else 3)
        row = split_pipe_row(line) or tab_row
        if row:
            if not in_table:
                table += 1
                in_table = True
            tab_table = row is tab_row
            cells, spans = row
            units.append(Unit(index=0, text=line, loc=loc, kind="row", cells=cells,
                              cell_spans=spans, table=table))
            continue
        if line.strip():
            in_table = False
        units.append(Unit(index=0, text=line, loc=loc))
    if joined:
        notes.append(f"Văn bản bị ngắt dòng cứng (khoảng {width} ký tự một dòng): đã nối {joined} dòng "
                     "vào đoạn văn của chúng.")
    return ReadResult(units=units, format=fmt, notes=notes)
