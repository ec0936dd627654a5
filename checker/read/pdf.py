"""PDF plans: the text layer read with pdfplumber.

On each page the ruled tables become row units (cells in column order, a
wrapped cell joined by spaces) and the text outside the tables becomes line
units; both are put in reading order by their top coordinate.  A printed line
that only carries on the line before it (the previous line runs to the right
edge of the text column, this one starts at the left edge without a list
marker) is joined to it, across a page break too, so a paragraph wrapped by
the layout is one unit again, as in the Word original.

Printed lines holding two columns side by side (the header block: issuer |
national motto, number | place and date) are split into one unit per column
part, the left column first, as a Word header table is read cell by cell;
each part keeps the location of its printed line.

``loc.line`` counts printed lines and table rows of the whole document
(1-based; a joined paragraph keeps the number of its first line) and
``loc.human`` is ``"trang P, dòng L"`` (L counts lines and rows on that page)
or ``"trang P, bảng T, hàng R"`` for a table row.

Lines that are only a page number ("3", "- 3 -", "Trang 3", "3/12") in the
top or bottom margin, and running headers/footers repeated on most pages, are
dropped, and so is a table's header row repeated at the top of the next
page.  A PDF without any text layer (a scan) is refused, and so are
encrypted and corrupt files.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

from checker.errors import PlanError
from checker.model import Location, Unit
from checker.read.result import ReadResult

MARGIN = 0.08  # top/bottom share of the page where running headers live
_PAGE_NO = re.compile(r"^\s*(?:-\s*)?(?:(?:trang|page)\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?\s*$",
                      re.I)


def _corrupt(e: Exception | None = None) -> PlanError:
    return PlanError(
        "corrupt",
        "Tệp PDF bị hỏng hoặc không đầy đủ (có thể tải về bị ngắt); không đọc được.",
        "The PDF file is corrupt or truncated (perhaps an interrupted download); it cannot be read.",
    )


def _encrypted() -> PlanError:
    return PlanError(
        "encrypted",
        "Tệp PDF được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu hoặc xuất lại PDF không mật khẩu rồi "
        "kiểm tra lại.",
        "The PDF is password-protected; remove the password or export it again without one, "
        "then check again.",
    )


def _scanned() -> PlanError:
    return PlanError(
        "scanned-pdf",
        "PDF quét, không có lớp văn bản: chương trình không nhận dạng chữ từ ảnh. Hãy dùng bản "
        "Word (.docx) hoặc PDF xuất trực tiếp từ Word.",
        "Scanned PDF without a text layer: text in images is not recognised. Use the Word "
        "(.docx) file or a PDF exported directly from Word.",
    )


def _check_open(data: bytes, budget=None) -> None:
    """Refuse truncated and password-protected files before layout analysis."""
    tail = data[-2048:].rstrip(b"\x00\r\n\t \x0c")
    if b"%%EOF" not in tail[-1100:]:
        raise _corrupt()
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        return
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as e:  # noqa: BLE001 - unsupported algorithms etc.
                raise _encrypted() from e
            if not ok:
                raise _encrypted()
        n_pages = len(reader.pages)
        if budget is not None:
            from checker.read.budget import check_pages
            check_pages(n_pages, budget.limits)
    except PlanError:
        raise
    except PdfReadError as e:
        raise _corrupt() from e
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on bad input
        raise _corrupt() from e


def _clean(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "")
    return re.sub(r"\s*\n\s*", " ", s).strip()


def _page_items(page) -> list[tuple[float, float, str, object]]:
    """(top, x0, kind, payload) for the tables and outside lines of a page."""
    items: list[tuple[float, float, str, object]] = []
    try:
        tables = page.find_tables()
    except Exception:  # noqa: BLE001 - odd graphics must not stop the reading
        tables = []
    rest = page
    for t in tables:
        rows = t.extract()
        cells_rows = []
        for r in rows:
            cells = [_clean(c) if c is not None else "" for c in r]
            if any(cells):
                cells_rows.append(cells)
        if not cells_rows:
            continue
        items.append((t.bbox[1], t.bbox[0], "table", cells_rows))
        try:
            rest = rest.outside_bbox(t.bbox, relative=False, strict=False)
        except ValueError:
            pass
    for ln in rest.extract_text_lines(strip=True, return_chars=True):
        text = unicodedata.normalize("NFC", _columns(ln) or ln["text"])
        if text.strip():
            items.append((ln["top"], ln["x0"], "line",
                          (text, ln["top"], ln["bottom"], ln["x1"], ln["x0"])))
    items.sort(key=lambda it: (round(it[0], 1), it[1]))
    return items


def _columns(line) -> str | None:
    """The text of a printed line that holds two columns side by side (the
    issuer and the national motto at the top of a plan), with a tab between
    the columns as in a text copy; None for an ordinary line."""
    chars = [c for c in line.get("chars", []) if c.get("text")]
    if len(chars) < 2:
        return None
    size = max(float(chars[0].get("size") or 10.0), 1.0)
    big = max(3 * size, 24.0)
    out: list[str] = []
    prev = None
    pending_space = False
    split = False
    for c in chars:
        if c["text"].isspace():
            pending_space = True
            continue
        if prev is not None:
            gap = float(c["x0"]) - float(prev["x1"])
            if gap > big:
                out.append("\t")
                split = True
            elif pending_space or gap > 0.25 * size:
                out.append(" ")
        out.append(c["text"])
        prev = c
        pending_space = False
    return "".join(out) if split else None


def read_pdf(data: bytes, budget=None) -> ReadResult:
    """Read a PDF (bytes) into located line and row units; see module notes.
    ``budget`` (:class:`checker.read.budget.Budget`) bounds pages and time."""
    from checker.read.budget import Budget, check_pages

    budget = budget or Budget()
    _check_open(data, budget)
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover
        raise PlanError("pdf-unsupported", "Thiếu thư viện pdfplumber để đọc PDF.",
                        "The pdfplumber library is missing: PDF cannot be read.") from e
    pages: list[tuple[float, list]] = []
    widths: list[float] = []
    blank_pages: list[int] = []
    any_chars = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            check_pages(len(pdf.pages), budget.limits)
            for page in pdf.pages:
                budget.check_time("PDF")
                if page.chars:
                    any_chars = True
                else:
                    blank_pages.append(page.page_number)
                pages.append((float(page.height), _page_items(page)))
                widths.append(float(page.width))
    except PlanError:
        raise
    except PDFPasswordIncorrect as e:
        raise _encrypted() from e
    except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on bad input
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise _encrypted() from e
        raise _corrupt(e) from e
    if not pages:
        raise _corrupt()
    if not any_chars:
        raise _scanned()

    # running headers/footers: margin lines repeated on most pages
    margin_texts: Counter[str] = Counter()
    for height, items in pages:
        seen = set()
        for top, _x, kind, payload in items:
            if kind == "line" and _in_margin(payload, height):
                key = payload[0].strip()
                if key not in seen:
                    seen.add(key)
                    margin_texts[key] += 1
    repeated = {k for k, n in margin_texts.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}

    left, right = _text_edges(pages, widths[0] if widths else 0.0)
    units: list[Unit] = []
    counter = table_no = 0
    dropped = merged = 0
    prev_line = None  # (payload, unit) of the last printed line kept, if a line came last
    last_table_head, last_table_page, repeated_heads = None, 0, 0
    for pno, (height, items) in enumerate(pages, start=1):
        on_page = 0
        for top, _x, kind, payload in items:
            if kind == "line":
                text = payload[0]
                if _in_margin(payload, height) and (
                        _PAGE_NO.match(text) or text.strip() in repeated):
                    dropped += 1
                    continue
                counter += 1
                on_page += 1
                if prev_line is not None and _continues(prev_line[0], payload, left, right,
                                                        same_page=prev_line[2] == pno):
                    u = prev_line[1]
                    u.text = f"{u.text.rstrip()} {text.lstrip()}"
                    prev_line = (payload, u, pno)
                    merged += 1
                    continue
                u = Unit(index=0, text=text, kind="para",
                         loc=Location(line=counter, page=pno,
                                      human=f"trang {pno}, dòng {on_page}"))
                units.append(u)
                prev_line = (payload, u, pno)
            else:
                table_no += 1
                prev_line = None
                rows = payload
                if (last_table_head is not None and last_table_page == pno - 1
                        and rows and rows[0] == last_table_head and on_page == 0):
                    rows = rows[1:]  # the header row Word repeats on each page
                    repeated_heads += 1
                if payload:
                    last_table_head, last_table_page = payload[0], pno
                for rno, cells in enumerate(rows, start=1):
                    counter += 1
                    on_page += 1
                    spans, pos = [], 0
                    for c in cells:
                        spans.append((pos, pos + len(c)))
                        pos += len(c) + 1
                    units.append(Unit(index=0, text="\t".join(cells), kind="row", cells=cells,
                                      cell_spans=spans, table=table_no,
                                      loc=Location(line=counter, page=pno, row=rno,
                                                   human=f"trang {pno}, bảng {table_no}, "
                                                         f"hàng {rno}")))
    units = _split_columns(units)
    notes = []
    if dropped:
        notes.append(f"Đã bỏ {dropped} dòng đầu/chân trang (số trang).")
    if merged:
        notes.append(f"Đã nối {merged} dòng in bị ngắt vào đoạn văn của chúng.")
    if repeated_heads:
        notes.append(f"Đã bỏ {repeated_heads} hàng tiêu đề bảng lặp lại ở đầu trang.")
    if blank_pages:
        listed = ", ".join(str(n) for n in blank_pages)
        notes.append(f"Trang {listed} không có lớp văn bản (trang trắng hoặc ảnh quét): "
                     "nội dung các trang này không được kiểm tra.")
    return ReadResult(units=units, format="pdf", notes=notes)


_MARKER = re.compile(r"^\s*(?:[-+•*–]\s|#{1,6}\s|\d{1,2}(?:\.\d{1,2})*\.?\)|"
                     r"\d{1,2}(?:\.\d{1,2})*\.\s|[a-zđ]\)|[a-zđ]\.\s|[IVXLC]{1,6}[.)]\s|"
                     r"(?:Điều|Chương|Mục|Phần|PHẦN|Phụ lục|PHỤ LỤC)\s)")


def _text_edges(pages, page_width: float) -> tuple[float, float]:
    """Left and right edges of the text column.

    Left: the most common line start.  Right: where long lines end, but no
    less than the mirror of the left margin (a page of short lines has no
    line reaching the right edge).
    """
    starts: Counter[int] = Counter()
    ends: list[float] = []
    for _h, items in pages:
        for _t, _x, kind, payload in items:
            if kind == "line":
                starts[round(_x)] += 1
                ends.append(payload[3])
    if not ends:
        return 0.0, 0.0
    ends.sort()
    left = float(starts.most_common(1)[0][0])
    return left, max(ends[int(len(ends) * 0.95)], page_width - left)


def _continues(prev, cur, left: float, right: float, same_page: bool) -> bool:
    """Is ``cur`` the wrapped rest of the printed line ``prev``?

    The previous line must run to the right edge of the text column, the
    current one must start at the left edge without a list marker, and (on
    one page) follow it at ordinary line spacing.
    """
    ptext, ptop, pbottom, px1, px0 = prev
    ctext, ctop, cbottom, cx1, cx0 = cur
    if "\t" in ptext or "\t" in ctext:
        return False  # lines in two columns (the header block) stand alone
    width = right - left
    if width <= 0 or px1 < right - max(45.0, 0.12 * width):
        return False
    if abs(cx0 - left) > 6:
        return False
    m = _MARKER.match(ctext)
    if m:
        if m.group(0).strip() not in ("-", "+", "–"):
            return False  # a numbered or lettered item
        after = ctext[m.end():m.end() + 1]
        if after.isupper() or re.search(r"[.;:!?…]\W*$", ptext):
            return False  # a dash item; "kinh tế - xã hội" wraps with a lowercase word

    if same_page:
        height = max(pbottom - ptop, 1.0)
        if ctop < pbottom - 1 or ctop - pbottom > 1.2 * height:
            return False
    return True


def _split_columns(units: list[Unit]) -> list[Unit]:
    """Runs of printed lines in two columns (the header block: issuer | motto,
    number | place and date) become one unit per column part, the left
    column first, as a Word header table is read cell by cell."""
    out: list[Unit] = []
    i = 0
    while i < len(units):
        if units[i].kind != "para" or "\t" not in units[i].text:
            out.append(units[i])
            i += 1
            continue
        j = i
        while (j < len(units) and units[j].kind == "para" and "\t" in units[j].text
               and units[j].loc.page == units[i].loc.page):
            j += 1
        run = units[i:j]
        parts = [[p.strip() for p in u.text.split("\t")] for u in run]
        for col in range(max(len(p) for p in parts)):
            for u, p in zip(run, parts):
                if col < len(p) and p[col]:
                    out.append(Unit(index=0, text=p[col], kind="para", loc=u.loc))
        i = j
    return out


def _in_margin(payload, height: float) -> bool:
    _text, top, bottom = payload[:3]
    return top < height * MARGIN or bottom > height * (1 - MARGIN)
