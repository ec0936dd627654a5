"""Word plans: .docx with python-docx (.doc/.rtf go through LibreOffice, :mod:`checker.read.legacy`).

Units come in DOCUMENT ORDER: the body's ``w:p`` and ``w:tbl`` children are
walked as they stand (content controls ``w:sdt`` are opened), so a table sits
between the paragraphs around it, as the reader sees it in Word.

* A paragraph is ``Unit(kind="para")`` with ``loc.para`` its 1-based
  paragraph number (``"đoạn N"``).
* A table row is ``Unit(kind="row")``; ``cells`` hold each cell's text,
  ``text`` is the cells joined by a tab and ``cell_spans`` the offsets of each
  cell inside ``text``.  A cell spanning several grid columns is given once,
  followed by empty cells for the columns it covers (so columns stay aligned
  without repeating text; ``spanned`` lists those columns); the lower parts of
  a vertically merged cell are empty and ``merged`` lists their columns (the
  task extractor gives them the upper cell's text).  ``loc.human`` is
  ``"bảng T, hàng R"``.
* ``loc.line`` counts paragraphs and rows together (1-based), in order.
* Word's automatic list numbering is rebuilt from ``numbering.xml``
  (``w:numPr`` on the paragraph or its style; ``numFmt`` + ``lvlText``;
  counters per list and level, lower levels restart).  The label is stored in
  ``Unit.numbering`` AND put in front of the text as ``"label "``, so the
  structure parser sees ``"1. ..."`` exactly as in a pasted text.  Offsets in
  ``text`` therefore include that label.
* A small table that only lays out the header block (issuer | national
  motto, number | place and date) or the signature block (recipients |
  signer) is read as paragraphs, cell by cell, like a text copy lists them;
  ``loc.human`` is still ``"bảng T, hàng R"``.
* Footnotes (``word/footnotes.xml``) come last as ``kind="footnote"`` units.
* Headers, footers, text boxes and deleted (tracked) text are left out.
"""
from __future__ import annotations

import io
import zipfile

from checker.errors import PlanError
from checker.model import Location, Unit
from checker.read.result import ReadResult
from checker.read.word_lists import _Numbering, _num_pr
from checker.read.word_tables import _layout_lines, is_layout_table, row_cells, table_rows
from checker.read.word_xml import W, _style_id, body_items, para_text


MAX_UNZIPPED = 200 * 1024 * 1024  # total uncompressed size allowed
MAX_RATIO = 100  # uncompressed / compressed, per entry and in total
MAX_ENTRIES = 5000  # a Word document has tens of parts, not thousands

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------
# safety checks before python-docx sees the bytes

def check_zip(data: bytes) -> None:
    """Refuse corrupt zips, zip bombs and zips that are not Word documents."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise _corrupt() from e
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 1_000_000),
                default=0)
    if len(infos) > MAX_ENTRIES or total > MAX_UNZIPPED or worst > MAX_RATIO or (
            total > 10_000_000 and total / max(packed, 1) > MAX_RATIO):
        raise PlanError(
            "zip-bomb",
            "Tệp .docx có nội dung nén bất thường (giải nén quá lớn, có thể là “bom zip”); "
            "không mở tệp này.",
            "The .docx holds abnormally compressed content (too large when unpacked, "
            "possibly a zip bomb); it was not opened.",
        )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise PlanError(
            "not-docx",
            "Tệp nén này không phải văn bản Word (.docx): thiếu word/document.xml.",
            "This zip file is not a Word document (.docx): word/document.xml is missing.",
        )
    try:
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise _corrupt() from e
    if bad is not None:
        raise _corrupt()


_MAIN_TYPES = (
    b"application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
)
_DOCX_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _as_document_package(data: bytes) -> bytes:
    """A .docm/.dotx/.dotm package relabelled as a .docx (same body XML), so
    python-docx opens it; macros are never run, only text is read."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            types = zf.read("[Content_Types].xml")
        except KeyError:
            return data
        if not any(t in types for t in _MAIN_TYPES):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zf.infolist():
                blob = zf.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    for t in _MAIN_TYPES:
                        blob = blob.replace(t, _DOCX_TYPE)
                zout.writestr(info, blob)
    return out.getvalue()


def _corrupt() -> PlanError:
    return PlanError(
        "corrupt",
        "Tệp .docx bị hỏng hoặc không đầy đủ (có thể tải về bị ngắt). Hãy mở và lưu lại trong Word.",
        "The .docx file is corrupt or truncated (perhaps an interrupted download). "
        "Open and save it again in Word.",
    )


def _encrypted() -> PlanError:
    return PlanError(
        "encrypted",
        "Tệp được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu (Word: Tệp → Thông tin → Bảo vệ tài liệu) "
        "rồi kiểm tra lại.",
        "The file is password-protected; remove the password (Word: File → Info → Protect "
        "Document) and check again.",
    )


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE2 container holding an encrypted OOXML package.

    Password-protected .docx files are OLE2 compound files with the streams
    ``EncryptionInfo`` and ``EncryptedPackage``; their directory entries hold
    the names in UTF-16LE.
    """
    if not data.startswith(OLE2_MAGIC):
        return False
    return ("EncryptedPackage".encode("utf-16-le") in data
            or "EncryptionInfo".encode("utf-16-le") in data)


# --------------------------------------------------------------------------
# readers

def read_docx(data: bytes, limits=None) -> ReadResult:
    """Read a .docx (bytes) into units in document order; see module notes.
    ``limits`` (:class:`checker.read.budget.Limits`) bounds each XML part."""
    from checker.read.budget import LIMITS, check_docx_parts

    if is_encrypted_ole(data):
        raise _encrypted()
    check_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_docx_parts(zf.infolist(), limits or LIMITS)
    try:
        import docx  # python-docx
        doc = docx.Document(io.BytesIO(_as_document_package(data)))
    except PlanError:
        raise
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on bad input
        raise _corrupt() from e

    numbering = _Numbering.from_document(doc)
    style_names = _style_names(doc)
    style_num_cache: dict = {}
    units: list[Unit] = []
    counter = para_no = table_no = 0

    for el in body_items(doc.element.body):
        if el.tag == W + "p":
            counter += 1
            para_no += 1
            text = para_text(el)
            label = None
            np_ = _num_pr(el, doc, style_num_cache, numbering)
            if np_ is not None:
                label = numbering.label(*np_)  # Word counts empty numbered paragraphs too
            if label and text.strip():
                text = f"{label} {text}"
            elif label:
                label = None
            sid = _style_id(el)
            units.append(Unit(
                index=0, text=text, kind="para", numbering=label,
                style=style_names.get(sid, sid) if sid else None,
                loc=Location(line=counter, human=f"đoạn {para_no}", para=para_no)))
        else:
            table_no += 1
            row_no = 0
            if is_layout_table(el):
                # the header block (issuer | motto, number | place and date) or
                # the signature block (recipients | signer): read as paragraphs,
                # cell by cell, as a text copy of the document lists them
                for row_no, (t, sid) in _layout_lines(el):
                    counter += 1
                    units.append(Unit(
                        index=0, text=t, kind="para",
                        style=style_names.get(sid, sid) if sid else None,
                        loc=Location(line=counter, row=row_no,
                                     human=f"bảng {table_no}, hàng {row_no}")))
                continue
            for tr in table_rows(el):
                cells, merged, spanned = row_cells(tr)
                if not any(c for c in cells):
                    continue
                row_no += 1
                counter += 1
                spans, pos = [], 0
                for c in cells:
                    spans.append((pos, pos + len(c)))
                    pos += len(c) + 1
                units.append(Unit(
                    index=0, text="\t".join(cells), kind="row", cells=cells,
                    cell_spans=spans, table=table_no, merged=merged, spanned=spanned,
                    loc=Location(line=counter, human=f"bảng {table_no}, hàng {row_no}",
                                 row=row_no)))

    for fn_no, text in enumerate(_footnotes(doc), start=1):
        counter += 1
        units.append(Unit(index=0, text=text, kind="footnote", numbering=f"({fn_no})",
                          loc=Location(line=counter, human=f"chú thích {fn_no}")))
    notes = []
    if any(u.numbering and u.kind == "para" for u in units):
        notes.append("Đã dựng lại số thứ tự tự động của Word.")
    return ReadResult(units=units, format="docx", notes=notes)


def _style_names(doc) -> dict[str, str]:
    out = {}
    try:
        from docx.styles import BabelFish  # "heading 1" → "Heading 1", as Word shows it

        for st in doc.styles.element.findall(W + "style"):
            name = st.find(W + "name")
            if name is not None:
                out[st.get(W + "styleId")] = BabelFish.internal2ui(name.get(W + "val"))
    except Exception:  # noqa: BLE001
        pass
    return out


def _footnotes(doc) -> list[str]:
    """Texts of the real footnotes (separators skipped), in file order."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = None
    for rel in doc.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            break
    if part is None:
        return []
    try:
        root = etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return []
    out = []
    for fn in root.findall(W + "footnote"):
        if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(t for t in (para_text(p).strip() for p in fn.iter(W + "p")) if t)
        if text:
            out.append(text)
    return out
