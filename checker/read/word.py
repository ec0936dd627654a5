"""Word plans: .docx with python-docx; .doc/.rtf through LibreOffice.

Units come in DOCUMENT ORDER: the body's ``w:p`` and ``w:tbl`` children are
walked as they stand (content controls ``w:sdt`` are opened), so a table sits
between the paragraphs around it, as the reader sees it in Word.

* A paragraph is ``Unit(kind="para")`` with ``loc.para`` its 1-based
  paragraph number (``"đoạn N"``).
* A table row is ``Unit(kind="row")``; ``cells`` hold each cell's text,
  ``text`` is the cells joined by a tab and ``cell_spans`` the offsets of each
  cell inside ``text``.  A cell spanning several grid columns is given once,
  followed by empty cells for the columns it covers (so columns stay aligned
  without repeating text); the lower parts of a vertically merged cell are
  empty.  ``loc.human`` is ``"bảng T, hàng R"``.
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
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field

from checker.errors import PlanError
from checker.model import Location, Unit
from checker.read.result import ReadResult

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

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
# list numbering

@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart (1-based level) if given
    pstyle: str | None = None  # w:pStyle: the paragraph style linked to this level


@dataclass
class _Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    num_abstract: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def from_document(cls, doc) -> "_Numbering":
        self = cls()
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return self
        style_link: dict[str, str] = {}  # list style name → abstractNum that defines it
        num_style_link: dict[str, str] = {}  # abstractNum → list style it only points to
        for an in root.findall(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            e = an.find(W + "styleLink")
            if e is not None:
                style_link[e.get(W + "val")] = aid
            e = an.find(W + "numStyleLink")
            if e is not None:
                num_style_link[aid] = e.get(W + "val")
            levels: dict[int, _Level] = {}
            for lvl in an.findall(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                lv = _Level()
                e = lvl.find(W + "numFmt")
                if e is not None:
                    lv.fmt = e.get(W + "val", "decimal")
                e = lvl.find(W + "lvlText")
                if e is not None:
                    lv.text = e.get(W + "val", "")
                e = lvl.find(W + "start")
                if e is not None:
                    lv.start = int_attr(e.get(W + "val"), 1)
                e = lvl.find(W + "lvlRestart")
                if e is not None:
                    lv.restart = int_attr(e.get(W + "val"), None)
                e = lvl.find(W + "pStyle")
                if e is not None:
                    lv.pstyle = e.get(W + "val")
                levels[ilvl] = lv
            self.abstract[aid] = levels
        for num in root.findall(W + "num"):
            nid = num.get(W + "numId")
            a = num.find(W + "abstractNumId")
            if a is not None:
                aid = a.get(W + "val")
                # a list that only names a list style: use the style's definition
                if aid in num_style_link and num_style_link[aid] in style_link:
                    aid = style_link[num_style_link[aid]]
                self.num_abstract[nid] = aid
            for ov in num.findall(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None:
                    self.overrides.setdefault(nid, {})[int(ov.get(W + "ilvl", "0"))] = \
                        int_attr(so.get(W + "val"), 1)
        return self

    def level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        """The level a list gives to a style (w:lvl/w:pStyle), if any."""
        levels = self.abstract.get(self.num_abstract.get(num_id, ""), {})
        for ilvl, lv in levels.items():
            if style_id and lv.pstyle == style_id:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> str | None:
        aid = self.num_abstract.get(num_id)
        if aid is None or num_id == "0":
            return None  # numId 0 switches numbering off
        levels = self.abstract.get(aid, {})
        if ilvl not in levels:
            return None
        # Word continues a list across w:num instances of one abstractNum
        # unless the instance restarts it with a startOverride.
        key = f"n{num_id}" if num_id in self.overrides else f"a{aid}"
        cnt = self.counters.setdefault(key, {})
        starts = {lv: self.overrides.get(num_id, {}).get(lv, levels[lv].start) for lv in levels}
        if ilvl in cnt:
            cnt[ilvl] += 1
        else:
            cnt[ilvl] = starts[ilvl]
        for deeper in [k for k in cnt if k > ilvl]:
            r = levels.get(deeper, _Level()).restart
            if r is None or r == 0 or r - 1 >= ilvl:
                del cnt[deeper]
        lv = levels[ilvl]
        if lv.fmt == "none":
            return None
        if lv.fmt == "bullet":
            sym = lv.text.strip()
            if not sym or any(0xE000 <= ord(c) <= 0xF8FF for c in sym) or sym in ("o", "§", "·"):
                return "•"  # Symbol/Wingdings glyphs
            return sym
        out = lv.text
        for k in range(9):
            token = f"%{k + 1}"
            if token in out:
                value = cnt.get(k, starts.get(k, 1))
                out = out.replace(token, _fmt(value, levels.get(k, _Level()).fmt))
        return out.strip() or None


def int_attr(v, default):
    """An integer attribute value, or ``default`` when absent or malformed."""
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = []
    for v, s in _ROMAN:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def letters(n: int) -> str:
    """a, b, …, z, aa, bb, … as Word writes them."""
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _fmt(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerRoman":
        return roman(n).lower()
    if fmt == "upperRoman":
        return roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _num_pr(p, doc, style_cache: dict, numbering: "_Numbering | None" = None
            ) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph: its own numPr, else its style's (the
    level then comes from the list level linked to the style, if any)."""
    ppr = p.find(W + "pPr")
    if ppr is not None:
        npr = ppr.find(W + "numPr")
        if npr is not None:
            nid = npr.find(W + "numId")
            ilvl = npr.find(W + "ilvl")
            if nid is not None:
                return nid.get(W + "val"), int_attr(ilvl.get(W + "val") if ilvl is not None else 0, 0)
    sid = _style_id(p)
    if sid is None:
        return None
    if sid not in style_cache:
        found = _style_num(doc, sid)
        if found is not None and numbering is not None:
            linked = numbering.level_of_style(found[0], sid)
            if linked is not None:
                found = (found[0], linked)
        style_cache[sid] = found
    return style_cache[sid]


def _style_num(doc, sid: str, depth: int = 0) -> tuple[str, int] | None:
    try:
        styles = doc.styles.element
    except Exception:  # noqa: BLE001 - a document without styles part
        return None
    for st in styles.findall(W + "style"):
        if st.get(W + "styleId") != sid:
            continue
        ppr = st.find(W + "pPr")
        if ppr is not None:
            npr = ppr.find(W + "numPr")
            if npr is not None:
                nid = npr.find(W + "numId")
                ilvl = npr.find(W + "ilvl")
                if nid is not None:
                    return nid.get(W + "val"), int_attr(
                        ilvl.get(W + "val") if ilvl is not None else 0, 0)
        based = st.find(W + "basedOn")
        if based is not None and depth < 10:
            return _style_num(doc, based.get(W + "val"), depth + 1)
        return None
    return None


def _style_id(p) -> str | None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None
    ps = ppr.find(W + "pStyle")
    return ps.get(W + "val") if ps is not None else None


# --------------------------------------------------------------------------
# text of paragraphs and cells

# elements whose text is not plan text (annotate walks runs with the same set)
SKIPPED_TAGS = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "txbxContent", MC_FALLBACK,
         W + "instrText", W + "delText", W + "footnoteReference", W + "endnoteReference",
         W + "commentReference"}


def para_text(p, br: str = " ") -> str:
    """The visible text of a ``w:p`` element (tabs kept, line breaks as ``br``)."""
    out: list[str] = []

    def walk(el) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in SKIPPED_TAGS:
                continue
            if tag == W + "t":
                out.append(ch.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append(br)
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "softHyphen":
                continue
            elif tag == W + "sym":
                continue
            else:
                walk(ch)

    walk(p)
    return "".join(out)


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


def _row_tcs(tr) -> list:
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
    if max(len(_row_tcs(tr)) for tr in rows) > 3:
        return False
    text = unicodedata.normalize("NFC", " ".join(para_text(p) for p in tbl.iter(W + "p")))
    return any(m in text for m in _LAYOUT_MARKS)


def _layout_lines(tbl):
    """(row number, (line, style id)) for each non-empty line of a layout table."""
    for row_no, tr in enumerate(table_rows(tbl), start=1):
        for tc in _row_tcs(tr):
            for cp in tc.iter(W + "p"):
                for line in para_text(cp, br="\n").split("\n"):
                    if line.strip():
                        yield row_no, (line, _style_id(cp))


def _row_cells(tr) -> list[str]:
    cells: list[str] = []
    for tc in _row_tcs(tr):
        span = 1
        vmerge_continue = False
        tcpr = tc.find(W + "tcPr")
        if tcpr is not None:
            gs = tcpr.find(W + "gridSpan")
            if gs is not None:
                span = max(1, int_attr(gs.get(W + "val"), 1))
            vm = tcpr.find(W + "vMerge")
            if vm is not None and vm.get(W + "val") in (None, "continue"):
                vmerge_continue = True
        cells.append("" if vmerge_continue else _cell_text(tc))
        cells.extend([""] * (span - 1))
    return cells


def body_items(parent):
    """``w:p`` and ``w:tbl`` children in order, opening content controls."""
    for ch in parent:
        if ch.tag in (W + "p", W + "tbl"):
            yield ch
        elif ch.tag == W + "sdt":
            content = ch.find(W + "sdtContent")
            if content is not None:
                yield from body_items(content)
        elif ch.tag in (W + "customXml", W + "ins", W + "moveTo"):
            yield from body_items(ch)


def table_rows(tbl):
    """``w:tr`` of a table in order, opening content controls."""
    for ch in tbl:
        if ch.tag == W + "tr":
            yield ch
        elif ch.tag == W + "sdt":
            content = ch.find(W + "sdtContent")
            if content is not None:
                yield from content.findall(W + "tr")


# --------------------------------------------------------------------------
# readers

def read_docx(data: bytes) -> ReadResult:
    """Read a .docx (bytes) into units in document order; see module notes."""
    if is_encrypted_ole(data):
        raise _encrypted()
    check_zip(data)
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
                cells = _row_cells(tr)
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
                    cell_spans=spans, table=table_no,
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
