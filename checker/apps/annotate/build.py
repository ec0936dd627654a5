"""The Word document annotated when the plan is not a .docx: a built copy of a
text or PDF plan, or a legacy .doc/.rtf converted with LibreOffice."""
from __future__ import annotations

from pathlib import Path

from checker.apps.annotate.docx_map import Segment, UnitMap, map_docx
from checker.apps.annotate.placement import _title_units
from checker.model import Plan


def _converted_legacy(src: Path, plan: Plan):
    """(document, maps) of a LibreOffice .docx conversion of a .doc/.rtf whose
    every unit matches the plan's units; (None, None) otherwise."""
    import io
    import os
    import subprocess
    import tempfile

    import docx

    from checker.read.legacy import find_soffice

    exe = find_soffice()
    if exe is None:
        return None, None
    with tempfile.TemporaryDirectory(prefix="plancheck-") as tmp:
        data = src.read_bytes()
        suffix = ".rtf" if data[:5] == b"{\\rtf" else ".doc"
        inp = os.path.join(tmp, "input" + suffix)
        with open(inp, "wb") as f:
            f.write(data)
        try:
            subprocess.run([exe, "--headless", "--norestore",
                            f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, inp],
                           check=True, capture_output=True, timeout=120)
            with open(os.path.join(tmp, "input.docx"), "rb") as f:
                converted = f.read()
        except (subprocess.SubprocessError, OSError):
            return None, None
    doc = docx.Document(io.BytesIO(converted))
    maps = map_docx(doc, plan.units)
    body = [u.index for u in plan.units if u.kind in ("para", "row")]
    if sorted(i for i in maps if plan.units[i].kind != "footnote") != body or \
            not all(m.exact for m in maps.values()):
        return None, None
    return doc, maps


# ------------------------------------------------- .txt/.md/.pdf → new .docx

def _visible_pieces(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` worth showing in Word: conversion debris
    (``[bookmark: …]``, markdown ``**``/``#`` marks) is left out."""
    import re

    end = len(text) if end is None else end
    drop = []
    for rx in (re.compile(r"\[bookmark:[^\]]*\]"), re.compile(r"\*\*|__"),
               re.compile(r"^\s*#{1,6}\s+")):
        for m in rx.finditer(text, start, end):
            if m.end() > m.start():
                drop.append((m.start(), m.end()))
    drop.sort()
    out, pos = [], start
    for a, b in drop:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < end:
        out.append((pos, end))
    return out


def _fill_paragraph(p, text: str, pieces: list[tuple[int, int]], m: UnitMap) -> None:
    """Write ``pieces`` of ``text`` as one run each; record the segments."""
    pos = 0
    for a, b in pieces:
        chunk = text[a:b]
        if not chunk:
            continue
        p.add_run(chunk)
        # python-docx turns \t and \n into w:tab / w:br: one character each
        m.segments.append(Segment(a, b - a, p._p, pos))
        pos += b - a


def build_docx(plan: Plan):
    """A new document from the plan's units, and the unit maps into it."""
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    st = doc.styles["Normal"]
    st.font.name = "Times New Roman"
    st.font.size = Pt(13)
    heads = {s.unit: s for s in plan.sections}
    title_units = set(_title_units(plan))
    maps: dict[int, UnitMap] = {}
    units = plan.units
    i = 0
    while i < len(units):
        u = units[i]
        if u.kind == "row":
            rows = [u]
            j = i + 1
            while j < len(units) and units[j].kind == "row" and units[j].table == u.table:
                rows.append(units[j])
                j += 1
            width = max(len(r.cells or [r.text]) for r in rows)
            table = doc.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for r in rows:
                cells = table.add_row().cells
                m = UnitMap(r.index)
                spans = r.cell_spans or [(0, len(r.text))]
                for c, (a, b) in enumerate(spans[:width]):
                    raw = r.text[a:b]
                    lead = len(raw) - len(raw.lstrip())
                    tail = len(raw.rstrip())
                    cp = cells[c].paragraphs[0]
                    _fill_paragraph(cp, r.text, _visible_pieces(r.text, a + lead, a + tail), m)
                    m.paragraphs.append(cp._p)
                maps[r.index] = m
            i = j
            continue
        i += 1
        if not u.text.strip():
            continue
        m = UnitMap(u.index)
        sec = heads.get(u.index)
        if sec is not None:
            p = doc.add_paragraph(style=f"Heading {min(max(sec.level, 1), 4)}")
        else:
            p = doc.add_paragraph()
        if u.index in title_units:
            p.alignment = 1  # centred
        raw = u.text
        lead = len(raw) - len(raw.lstrip())
        _fill_paragraph(p, raw, _visible_pieces(raw, lead, len(raw.rstrip())), m)
        if u.index in title_units:
            for r in p.runs:
                r.bold = True
        m.paragraphs.append(p._p)
        maps[u.index] = m
    return doc, maps
