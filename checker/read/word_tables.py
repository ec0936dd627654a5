"""Word tables: rows in order, cells with merged cells kept in place, and the
small layout tables of a header or signature block."""
from __future__ import annotations

from checker.read.word_xml import MC_FALLBACK, W, _style_id, int_attr, para_text


def _cell_text(tc) -> str:
    parts: list[str] = []
    for el in tc.iter(W + "p"):
        # skip paragraphs of text boxes inside the cell
        anc = el.getparent()
        skip = False
        while anc is not None and anc is not tc:
            if anc.tag in (W + "txbxContent", MC_FALLBACK):
                skip = True
                break
            anc = anc.getparent()
        if skip:
            continue
        t = para_text(el).replace("\t", " ").strip()
        if t:
            parts.append(t)
    return " ".join(parts)


def row_tcs(tr) -> list:
    """The ``w:tc`` cells of a row, content controls around cells included."""
    tcs = []
    for ch in tr:
        if ch.tag == W + "tc":
            tcs.append(ch)
        elif ch.tag == W + "sdt":  # content control around cells
            content = ch.find(W + "sdtContent")
            if content is not None:
                tcs.extend(content.findall(W + "tc"))
    return tcs


_LAYOUT_MARKS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA", "Độc lập - Tự do",
                 "Nơi nhận", "TM. ", "TM.", "KT. ", "CHỦ TỊCH", "ỦY BAN NHÂN DÂN",
                 "UỶ BAN NHÂN DÂN")


def is_layout_table(tbl) -> bool:
    """A small table that only lays out the header or signature block."""
    import unicodedata

    rows = list(table_rows(tbl))
    if not rows or len(rows) > 4:
        return False
    if max(len(row_tcs(tr)) for tr in rows) > 3:
        return False
    text = unicodedata.normalize("NFC", " ".join(para_text(p) for p in tbl.iter(W + "p")))
    return any(m in text for m in _LAYOUT_MARKS)


def _layout_lines(tbl):
    """(row number, (line, style id)) for each non-empty line of a layout table."""
    for row_no, tr in enumerate(table_rows(tbl), start=1):
        for tc in row_tcs(tr):
            for cp in tc.iter(W + "p"):
                for line in para_text(cp, br="\n").split("\n"):
                    if line.strip():
                        yield row_no, (line, _style_id(cp))


def cell_span(tc) -> tuple[int, bool]:
    """How many grid columns a cell spans, and whether it continues a cell merged
    from the row above (its text then belongs to that cell)."""
    span, cont = 1, False
    tcpr = tc.find(W + "tcPr")
    if tcpr is not None:
        gs = tcpr.find(W + "gridSpan")
        if gs is not None:
            span = max(1, int_attr(gs.get(W + "val"), 1))
        vm = tcpr.find(W + "vMerge")
        if vm is not None and vm.get(W + "val") in (None, "continue"):
            cont = True
    return span, cont


def _row_cells(tr) -> list[str]:
    return row_cells(tr)[0]


def row_cells(tr) -> tuple[list[str], tuple[int, ...], tuple[int, ...]]:
    """A row's cells on the grid, the grid columns whose cell continues a cell
    merged from the row above (``w:vMerge``: empty here, the text is the upper
    cell's), and the columns covered by a cell to their left (``w:gridSpan``)."""
    cells: list[str] = []
    merged: list[int] = []
    spanned: list[int] = []
    for tc in row_tcs(tr):
        span, vmerge_continue = cell_span(tc)
        if vmerge_continue:
            merged.extend(range(len(cells), len(cells) + span))
        cells.append("" if vmerge_continue else _cell_text(tc))
        spanned.extend(range(len(cells), len(cells) + span - 1))
        cells.extend([""] * (span - 1))
    return cells, tuple(merged), tuple(spanned)


def table_rows(tbl):
    """``w:tr`` of a table in order, opening content controls."""
    for ch in tbl:
        if ch.tag == W + "tr":
            yield ch
        elif ch.tag == W + "sdt":
            content = ch.find(W + "sdtContent")
            if content is not None:
                yield from content.findall(W + "tr")
