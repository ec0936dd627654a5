"""The .docx reader: document order, tables, Word numbering, footnotes, and
agreement with the text version of real seed plans."""
from __future__ import annotations

import importlib.util
import re
import zipfile

import pytest

from builders import build_docx, unit_stream
from checker.read import read
from checker.read.word_lists import letters, roman

docx = pytest.importorskip("docx")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _texts(res):
    return [u.text for u in res.units if u.text.strip()]


def test_paragraphs_and_tables_in_document_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("Trước bảng")
    t = d.add_table(rows=2, cols=3)
    for r, row in enumerate([["STT", "Nội dung", "Chủ trì"], ["1", "Tuyên truyền", "UBND xã"]]):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    d.add_paragraph("Sau bảng")
    d.save(tmp_path / "a.docx")
    res = read(tmp_path / "a.docx")
    assert res.format == "docx"
    kinds = [(u.kind, u.text) for u in res.units if u.text.strip()]
    assert kinds == [("para", "Trước bảng"), ("row", "STT\tNội dung\tChủ trì"),
                     ("row", "1\tTuyên truyền\tUBND xã"), ("para", "Sau bảng")]
    row = res.units[2]
    assert row.cells == ["1", "Tuyên truyền", "UBND xã"]
    for cell, (a, b) in zip(row.cells, row.cell_spans):
        assert row.text[a:b] == cell
    assert row.table == 1
    assert row.loc.human == "bảng 1, hàng 2"
    assert res.units[0].loc.human == "đoạn 1" and res.units[0].loc.line == 1
    last = res.units[-1]
    assert last.loc.human == "đoạn 2" and last.loc.line == 4 and last.loc.para == 2
    # norm/omap are filled by read()
    assert row.norm and len(row.omap) == len(row.norm) + 1


def test_merged_cells_are_not_repeated(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "I. NHIỆM VỤ TRỌNG TÂM"
    t.cell(1, 0).text = "1"
    t.cell(1, 1).text = "Xây dựng cơ sở dữ liệu"
    a = t.cell(1, 2).merge(t.cell(2, 2))
    a.text = "Văn phòng HĐND và UBND"
    t.cell(2, 0).text = "2"
    t.cell(2, 1).text = "Số hóa hồ sơ"
    d.save(tmp_path / "m.docx")
    res = read(tmp_path / "m.docx")
    rows = [u.cells for u in res.units if u.kind == "row"]
    assert rows[0] == ["I. NHIỆM VỤ TRỌNG TÂM", "", ""]
    assert rows[1] == ["1", "Xây dựng cơ sở dữ liệu", "Văn phòng HĐND và UBND"]
    assert rows[2] == ["2", "Số hóa hồ sơ", ""]
    joined = " ".join(u.text for u in res.units)
    assert joined.count("NHIỆM VỤ TRỌNG TÂM") == 1
    assert joined.count("Văn phòng HĐND") == 1


def test_word_numbering_is_rebuilt(tmp_path):
    plan = "\n".join([
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "2. Yêu cầu",
        "II. NHIỆM VỤ",
        "1. Tuyên truyền",
        "a) Tổ chức hội nghị",
        "b) Đưa tin trên đài truyền thanh",
        "2. Chuyển đổi số",
        "III. TỔ CHỨC THỰC HIỆN",
    ])
    p = build_docx(plan, tmp_path / "n.docx", use_word_numbering=True)
    # the labels are not in the document text: Word makes them
    with zipfile.ZipFile(p) as z:
        body = z.read("word/document.xml").decode()
    assert "II." not in body and "a)" not in body and "numPr" in body
    res = read(p)
    units = [u for u in res.units if u.text.strip()]
    assert [u.text for u in units] == plan.split("\n")
    assert [u.numbering for u in units] == ["I.", "1.", "2.", "II.", "1.", "a)", "b)", "2.",
                                            "III."]
    assert any("số thứ tự" in n for n in res.notes)


def _add_list(d, abstract_nums: list[str], nums: list[str]) -> None:
    """Add hand-written w:abstractNum elements (before the first w:num, as the
    schema orders them) and w:num elements to a document's numbering part."""
    from docx.oxml import parse_xml

    numbering = d.part.numbering_part.element
    first = numbering.find(f"{{{W_NS}}}num")
    for x in abstract_nums:
        el = parse_xml(x)
        if first is not None:
            first.addprevious(el)
        else:
            numbering.append(el)
    for x in nums:
        numbering.append(parse_xml(x))


def _numbering_doc(tmp_path, lvl_xml: str, items: list[tuple[int, str]], num_ids=None):
    """A document whose paragraphs use one hand-written abstractNum."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    _add_list(d, [f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvl_xml}</w:abstractNum>'],
              [f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
               f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
               f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'])
    for i, (ilvl, text) in enumerate(items):
        p = d.add_paragraph(text)
        nid = (num_ids or {}).get(i, "90")
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{nid}"/></w:numPr>'))
    d.save(tmp_path / "h.docx")
    return read(tmp_path / "h.docx")


def test_multilevel_decimal_and_restart(tmp_path):
    lvls = ('<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1.%2."/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            '<w:lvlText w:val="\uf0b7"/></w:lvl>')
    res = _numbering_doc(tmp_path, lvls, [(0, "Nhiệm vụ chung"), (1, "Tuyên truyền"),
                                          (1, "Đào tạo"), (2, "lớp tập huấn"),
                                          (0, "Nhiệm vụ riêng"), (1, "Số hóa"),
                                          (0, "Danh sách mới"), (0, "Mục tiếp")],
                         num_ids={6: "91", 7: "91"})
    labels = [u.numbering for u in res.units if u.text.strip()]
    assert labels == ["1.", "1.1.", "1.2.", "•", "2.", "2.1.", "1.", "2."]
    assert res.units[1].text == "1.1. Tuyên truyền"


def test_roman_and_letter_formats():
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]
    assert [letters(n) for n in (1, 4, 26, 27)] == ["a", "d", "z", "aa"]


def _add_footnotes(path, texts: list[str], anchor: str) -> None:
    """Give a python-docx file a footnotes part (python-docx cannot write one)."""
    src = path.read_bytes()
    import io

    zin = zipfile.ZipFile(io.BytesIO(src))
    notes = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {t}</w:t></w:r></w:p></w:footnote>'
        for i, t in enumerate(texts, start=1))
    fxml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:footnotes xmlns:w="{W_NS}">'
            f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            f'</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f'<w:continuationSeparator/></w:r></w:p></w:footnote>{notes}</w:footnotes>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'))
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdFn99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>"))
            elif info.filename == "word/document.xml":
                a = f"<w:t>{anchor}</w:t></w:r>".encode()
                assert a in data
                data = data.replace(a, a + b'<w:r><w:footnoteReference w:id="1"/></w:r>', 1)
            zout.writestr(info, data)
        zout.writestr("word/footnotes.xml", fxml)
    path.write_bytes(out.getvalue())


def test_footnotes_come_last(tmp_path):
    d = docx.Document()
    d.add_paragraph("Căn cứ Kế hoạch hành động của Đảng ủy xã")
    d.add_paragraph("Nội dung chính")
    p = tmp_path / "f.docx"
    d.save(p)
    _add_footnotes(p, ["Kế hoạch số 221-KH/ĐU ngày 02/10/2025 của Đảng ủy xã."],
                   "Căn cứ Kế hoạch hành động của Đảng ủy xã")
    res = read(p)
    assert res.units[0].text == "Căn cứ Kế hoạch hành động của Đảng ủy xã"
    fn = [u for u in res.units if u.kind == "footnote"]
    assert len(fn) == 1 and fn[0] is res.units[-1]
    assert fn[0].text == "Kế hoạch số 221-KH/ĐU ngày 02/10/2025 của Đảng ủy xã."
    assert fn[0].loc.human == "chú thích 1"


def test_styles_headings_and_bold(tmp_path):
    p = build_docx("## KẾ HOẠCH\nThực hiện **Nghị quyết số 57-NQ/TW**", tmp_path / "s.docx")
    res = read(p)
    units = [u for u in res.units if u.text.strip()]
    assert units[0].text == "KẾ HOẠCH" and units[0].style == "Heading 2"
    assert units[1].text == "Thực hiện Nghị quyết số 57-NQ/TW"


def test_headers_and_footers_are_ignored(tmp_path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Tiêu đề trang lặp lại"
    d.sections[0].footer.paragraphs[0].text = "Trang 1"
    d.add_paragraph("Nội dung")
    d.save(tmp_path / "hf.docx")
    assert _texts(read(tmp_path / "hf.docx")) == ["Nội dung"]


@pytest.mark.parametrize("prefix,numbering", [("000", True), ("003", False), ("001", False),
                                              ("002", True), ("004", True)])
def test_seed_docx_agrees_with_text(seed, tmp_path, prefix, numbering):
    src = seed(prefix)
    text = src.read_text(encoding="utf-8")
    p = build_docx(text, tmp_path / f"{prefix}.docx", use_word_numbering=numbering)
    res_txt = read(src)
    res_doc = read(p)
    assert unit_stream(res_doc) == unit_stream(res_txt)
    if numbering and prefix == "000":
        assert sum(1 for u in res_doc.units if u.numbering) >= 5


def _norm_task(t: str) -> str:
    from checker.normalize import norm

    return re.sub(r"\s+", "", norm(t))


@pytest.mark.skipif(importlib.util.find_spec("checker.pipeline") is None,
                    reason="checker.pipeline is not there yet")
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_docx_tasks_agree_with_text(seed, tmp_path, prefix):
    from checker import pipeline
    if not hasattr(pipeline, "extract"):
        pytest.skip("checker.pipeline.extract is not there yet")
    src = seed(prefix)
    p = build_docx(src.read_text(encoding="utf-8"), tmp_path / f"{prefix}.docx",
                   use_word_numbering=True)
    plan_txt = pipeline.extract(src)
    plan_doc = pipeline.extract(p)
    assert plan_txt.tasks, "the text version must have tasks"
    assert [_norm_task(t.text) for t in plan_doc.tasks] == \
        [_norm_task(t.text) for t in plan_txt.tasks]
    assert len(plan_doc.indicators) == len(plan_txt.indicators)


def test_numbering_linked_to_heading_styles(tmp_path):
    """Templates number headings through their styles: the style holds the
    numPr and the list level names the style (w:lvl/w:pStyle)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    _add_list(d, [f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">'
                  '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
                  '<w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/></w:lvl>'
                  '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                  '<w:pStyle w:val="Heading2"/><w:lvlText w:val="%2."/></w:lvl></w:abstractNum>'],
              [f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'])
    for sid in ("Heading1", "Heading2"):
        st = d.styles.element.xpath(f'./w:style[@w:styleId="{sid}"]')[0]
        st.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:numId w:val="77"/></w:numPr>'))
    d.add_paragraph("MỤC ĐÍCH", style="Heading 1")
    d.add_paragraph("Mục đích", style="Heading 2")
    d.add_paragraph("", style="Heading 2")  # an empty numbered paragraph still counts
    d.add_paragraph("Yêu cầu", style="Heading 2")
    d.add_paragraph("NHIỆM VỤ", style="Heading 1")
    d.add_paragraph("Tuyên truyền", style="Heading 2")
    d.save(tmp_path / "hs.docx")
    res = read(tmp_path / "hs.docx")
    assert _texts(res) == ["I. MỤC ĐÍCH", "1. Mục đích", "3. Yêu cầu", "II. NHIỆM VỤ",
                           "1. Tuyên truyền"]
    assert res.units[2].text == "" and res.units[2].numbering is None


def test_content_controls_and_tracked_changes(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    body = d.element.body
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>Trong ô nội dung</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>')
    p = parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">Giao </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>Phòng Văn hóa</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>Văn phòng HĐND và UBND</w:t></w:r></w:ins>'
        '<w:hyperlink><w:r><w:t xml:space="preserve"> theo dõi</w:t></w:r></w:hyperlink></w:p>')
    body.insert(0, p)
    body.insert(0, sdt)
    d.save(tmp_path / "cc.docx")
    assert _texts(read(tmp_path / "cc.docx")) == [
        "Trong ô nội dung", "Giao Văn phòng HĐND và UBND theo dõi"]


def _header_and_signature_doc(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA"
    t.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    t.cell(1, 0).text = "Số:    /KH-UBND"
    t.cell(1, 1).text = "Tân Hòa, ngày    tháng 4 năm 2026"
    from builders import blocks

    for kind, payload in blocks(FIX_SAMPLE.read_text(encoding="utf-8").split("\n")[6:]):
        if kind == "para":
            d.add_paragraph(payload)
            continue
        data = d.add_table(rows=0, cols=len(payload[0]))
        data.style = "Table Grid"
        for r in payload:
            for cell, value in zip(data.add_row().cells, r):
                cell.text = value
    s = d.add_table(rows=1, cols=2)
    s.cell(0, 0).text = "Nơi nhận:\n- Sở Khoa học và Công nghệ;\n- Lưu: VT."
    s.cell(0, 1).text = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn An"
    p = tmp_path / "official.docx"
    d.save(p)
    return p


FIX_SAMPLE = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "read" / \
    "sample_plan.txt"


def test_header_and_signature_tables_read_as_paragraphs(tmp_path):
    res = read(_header_and_signature_doc(tmp_path))
    texts = _texts(res)
    assert texts[:6] == ["ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", "Số:    /KH-UBND",
                         "Tân Hòa, ngày    tháng 4 năm 2026"]
    assert texts[-6:] == ["Nơi nhận:", "- Sở Khoa học và Công nghệ;", "- Lưu: VT.",
                          "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"]
    assert res.units[0].kind == "para" and res.units[0].loc.human == "bảng 1, hàng 1"
    # the data table in the middle stays a table
    rows = [u for u in res.units if u.kind == "row"]
    assert [r.cells[0] for r in rows] == ["STT", "1"]


@pytest.mark.skipif(importlib.util.find_spec("checker.pipeline") is None,
                    reason="checker.pipeline is not there yet")
def test_header_table_feeds_the_plan_header(tmp_path):
    from checker import pipeline
    h_doc = pipeline.extract(_header_and_signature_doc(tmp_path)).header
    h_txt = pipeline.extract(FIX_SAMPLE).header
    assert h_doc.date is not None and h_doc.date.iso() == "2026-04"
    for field in ("issuer", "number", "place", "kind", "title"):
        assert getattr(h_doc, field) == getattr(h_txt, field), field


def test_legacy_doc_goes_through_libreoffice(tmp_path, monkeypatch):
    """With a (stand-in) soffice on PATH, a .doc is converted and read as .docx."""
    import os
    import stat

    converted = build_docx("KẾ HOẠCH\nI. NHIỆM VỤ", tmp_path / "converted.docx")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ "$#" -gt 0 ]; do if [ "$1" = "--outdir" ]; then out="$2"; fi; shift; done\n'
        f'cp "{converted}" "$out/input.docx"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    res = read(doc)
    assert res.format == "doc"
    assert _texts(res) == ["KẾ HOẠCH", "I. NHIỆM VỤ"]
    assert any("LibreOffice" in n for n in res.notes)


@pytest.mark.parametrize("main_type", [
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
], ids=["docm", "dotx"])
def test_macro_documents_and_templates_are_read(tmp_path, main_type):
    import io

    p = build_docx("KẾ HOẠCH\nI. NHIỆM VỤ", tmp_path / "plain.docx")
    src = zipfile.ZipFile(p)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                blob = blob.replace(b"application/vnd.openxmlformats-officedocument."
                                    b"wordprocessingml.document.main+xml", main_type.encode())
            z.writestr(info, blob)
    q = tmp_path / "plan.docm"
    q.write_bytes(out.getvalue())
    assert _texts(read(q)) == ["KẾ HOẠCH", "I. NHIỆM VỤ"]


def test_numbering_through_a_list_style_link(tmp_path):
    """abstractNum 1 only points at the list style "KHList"; abstractNum 2
    defines it (w:styleLink)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    _add_list(d, [f'<w:abstractNum {nsdecls("w")} w:abstractNumId="51"><w:numStyleLink w:val="KHList"/>'
                  '</w:abstractNum>',
                  f'<w:abstractNum {nsdecls("w")} w:abstractNumId="52"><w:styleLink w:val="KHList"/>'
                  '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
                  '<w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>'],
              [f'<w:num {nsdecls("w")} w:numId="51"><w:abstractNumId w:val="51"/></w:num>'])
    for text in ("Tuyên truyền", "Đào tạo"):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="51"/></w:numPr>'))
    d.save(tmp_path / "sl.docx")
    assert _texts(read(tmp_path / "sl.docx")) == ["a) Tuyên truyền", "b) Đào tạo"]
