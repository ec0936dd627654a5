"""Plain text and Markdown plans (text pasted or converted from Word/PDF).

Lines become units; markdown pipe rows and tab-separated rows become table
rows with their cells.  Decoding is in :mod:`checker.read.encoding`.
"""
from __future__ import annotations

import re

from checker.model import Location, Unit
from checker.read.result import ReadResult
from checker.read.encoding import decode

_SEP_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")


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


def read_text(data: bytes, fmt: str = "txt") -> ReadResult:
    text, notes = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    units: list[Unit] = []
    table = 0
    in_table = False
    tab_table = False  # the open table's rows are tab-separated
    for n, line in enumerate(text.split("\n"), start=1):
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
    return ReadResult(units=units, format=fmt, notes=notes)
