"""``plancheck annotate``: Word comments anchored on the exact words of each
finding, on .docx versions of the real seeds and on small hand-made documents
(runs with different formatting, table cells, Word-numbered lists, decomposed
characters), the original never touched, the text unchanged apart from the
comments, LibreOffice able to open the result, and the round trip through
``check``."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import unicodedata

import pytest

from builders import build_docx
from checker.apps.annotate import annotate, map_docx, read_comments
from checker.model import CheckResult, Coverage, Finding
from checker.read import read

docx = pytest.importorskip("docx")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------ helpers

def _sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _plan(path):
    from checker.pipeline import extract

    return extract(path)


def _result(plan, findings, coverage=None) -> CheckResult:
    return CheckResult(plan=plan, as_of=dt.date(2026, 1, 1), as_of_basis="option",
                       findings=findings, coverage=coverage or Coverage())


def _finding(unit, start, end, rule="T01", **kw) -> Finding:
    return Finding(rule=rule, category="test", severity=kw.pop("severity", "warning"),
                   message=kw.pop("message", f"span {start}-{end}"), unit=unit.index,
                   start=start, end=end, **kw)


def _expected(unit, start, end) -> str:
    """What a comment on unit span [start, end) must cover: the span minus
    Word's generated list label (which is not in the runs)."""
    if unit.numbering:
        start = max(start, len(unit.numbering) + 1)
    return unit.text[start:end]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _comments_by_id(path):
    return {c.id: c for c in read_comments(path)}


def _units(path):
    return [(u.kind, u.text, u.numbering, u.cells) for u in read(path).units]


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory):
    """.docx versions of every seed, with Word's automatic numbering."""
    from conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds/ is absent: seed plans are not in this checkout")
    out = tmp_path_factory.mktemp("seeds")
    paths = []
    for s in sorted(SEEDS.glob("*.txt")):
        p = out / (s.stem[:3] + ".docx")
        build_docx(s.read_text(encoding="utf-8"), p, use_word_numbering=True)
        paths.append(p)
    if not paths:
        pytest.skip("no seed plans in ../shared/seeds/")
    return paths


# ----------------------------------------------------- the walk is the reader's

def test_unit_map_matches_reader_on_every_seed(seed_docx):
    for p in seed_docx:
        plan = _plan(p)
        maps = map_docx(docx.Document(str(p)), plan.units)
        body = [u for u in plan.units if u.kind in ("para", "row")]
        assert sorted(maps) == [u.index for u in body], p.name
        assert all(m.exact for m in maps.values()), p.name


# ------------------------------------------------ seeds: hand-made spans

_WORDS = re.compile(r"\d+[-/]\s?[A-ZĐ]{1,4}[-/][A-ZĐ]{1,4}|UBND \w+|huyện|[Cc]huyển đổi số|"
                    r"Ủy ban nhân dân|khoa học")


def test_spans_on_seeds_land_on_their_words(seed_docx, tmp_path):
    """Every occurrence of document numbers and a few common words, in
    paragraphs, Word-numbered items and table cells, gets a comment on
    exactly those characters."""
    kinds = {"para": 0, "numbered": 0, "row": 0}
    for p in seed_docx:
        plan = _plan(p)
        fs = []
        for u in plan.units:
            for m in _WORDS.finditer(u.text):
                fs.append(_finding(u, m.start(), m.end(), message=m.group()))
        out = tmp_path / (p.stem + ".rev.docx")
        rep = annotate(p, out, result=_result(plan, fs), author="Tổ rà soát")
        cs = _comments_by_id(out)
        assert len(cs) == len(fs) + 1  # + the summary
        for placed in rep.placed:
            f = placed.finding
            if f is None:
                continue
            u = plan.units[f.unit]
            assert placed.how == "span", (p.name, f.message)
            got = cs[placed.comment_id].anchored
            assert got == _expected(u, f.start, f.end), (p.name, u.loc.human, f.message)
            assert cs[placed.comment_id].author == "Tổ rà soát"
            kinds["row" if u.kind == "row" else "numbered" if u.numbering else "para"] += 1
    # the test means something only if all three shapes occurred
    assert all(n > 5 for n in kinds.values()), kinds


def test_span_covering_a_list_label_anchors_on_the_text(seed_docx, tmp_path):
    for p in seed_docx:
        plan = _plan(p)
        numbered = [u for u in plan.units if u.numbering and len(u.text) > len(u.numbering) + 6]
        if not numbered:
            continue
        u = numbered[0]
        lab = len(u.numbering) + 1
        fs = [_finding(u, 0, lab + 5), _finding(u, 0, len(u.text))]
        out = tmp_path / "label.docx"
        rep = annotate(p, out, result=_result(plan, fs))
        cs = _comments_by_id(out)
        a, b = (cs[x.comment_id].anchored for x in rep.placed[1:])
        assert a == u.text[lab:lab + 5]
        assert b == u.text[lab:]
        return
    pytest.skip("no Word-numbered paragraph in the seeds' .docx versions")


# ------------------------------------------------- hand-made documents

def _formatted_doc(path):
    """Runs with different formatting around a document number; a table whose
    cell holds two paragraphs; a Word-numbered item; decomposed text."""
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Triển khai Nghị quyết số 57-NQ/TW trên địa bàn xã")
    p = d.add_paragraph()
    p.add_run("Căn cứ Nghị quyết số ")
    r = p.add_run("03/NQ")
    r.bold = True
    r2 = p.add_run("-CP")
    r2.italic = True
    r2.font.size = docx.shared.Pt(15)
    p.add_run(" ngày 09/01/2025 của Chính phủ;")
    t = d.add_table(rows=1, cols=3)
    t.cell(0, 0).text = "1"
    c = t.cell(0, 1)
    c.text = "Tuyên truyền về chuyển đổi số"
    c.add_paragraph("  do UBND huyện chủ trì")
    t.cell(0, 2).text = "Quý IV/2025"
    nfd = unicodedata.normalize("NFD", "Phòng Văn hoá và Thông tin huyện")
    d.add_paragraph(nfd)
    d.save(str(path))
    return path


def test_span_across_runs_keeps_each_run_formatting(tmp_path):
    src = _formatted_doc(tmp_path / "f.docx")
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ" in u.text)
    s = u.text.index("số 03")
    e = u.text.index("-CP") + 2  # ends inside the italic run: "-C"
    out = tmp_path / "f.rev.docx"
    annotate(src, out, result=_result(plan, [_finding(u, s, e)]))
    c = [x for x in read_comments(out) if x.text.startswith("[")][0]
    assert c.anchored == "số 03/NQ-C"
    # the runs inside the range keep their formatting; the split halves too
    d = docx.Document(str(out))
    para = next(p for p in d.paragraphs if "03/NQ" in p.text)
    runs = [(r.text, r.bold, r.italic, r.font.size) for r in para.runs if r.text]
    assert ("Căn cứ Nghị quyết ", None, None, None) in runs
    assert ("số ", None, None, None) in runs
    assert ("03/NQ", True, None, None) in runs
    assert ("-C", None, True, docx.shared.Pt(15)) in runs
    assert ("P", None, True, docx.shared.Pt(15)) in runs
    assert para.text == u.text


def test_span_in_table_cell_and_across_cell_paragraphs(tmp_path):
    src = _formatted_doc(tmp_path / "t.docx")
    plan = _plan(src)
    row = next(u for u in plan.units if u.kind == "row")
    assert row.cells[1] == "Tuyên truyền về chuyển đổi số do UBND huyện chủ trì"
    a = row.text.index("chuyển đổi")
    b = row.text.index("huyện") + len("huyện")
    h = row.text.index("UBND huyện")
    fs = [_finding(row, a, a + len("chuyển đổi số")), _finding(row, h, b),
          _finding(row, a, b)]  # crosses the two paragraphs of the cell
    out = tmp_path / "t.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    cs = _comments_by_id(out)
    got = [cs[p.comment_id].anchored for p in rep.placed[1:]]
    assert got[0] == "chuyển đổi số"
    assert got[1] == "UBND huyện"
    # between the cell's paragraphs the reader puts one space; Word has a
    # paragraph mark (and the second paragraph's leading spaces are not text)
    assert _squash(got[2]) == _squash(row.text[a:b])
    assert got[2].startswith("chuyển đổi số") and got[2].endswith("UBND huyện")


def test_decomposed_characters_and_old_tone_marks(tmp_path):
    """A span found in the analysis text (NFC, new tone style) is mapped back
    with the unit's offset map and lands on the decomposed original."""
    src = _formatted_doc(tmp_path / "n.docx")
    plan = _plan(src)
    u = next(u for u in plan.units if u.text != u.norm and "Ph" in u.text)
    ns = u.norm.index("Văn hóa")
    s, e = u.orig_span(ns, ns + len("Văn hóa"))
    assert u.text[s:e] != "Văn hóa"  # decomposed, old tone place: really different
    assert unicodedata.normalize("NFC", u.text[s:e]) == "Văn hoá"
    hs = u.norm.index("huyện")
    fs = [_finding(u, s, e), _finding(u, *u.orig_span(hs, hs + 5))]
    out = tmp_path / "n.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    cs = _comments_by_id(out)
    got = [cs[p.comment_id].anchored for p in rep.placed[1:]]
    assert got[0] == u.text[s:e]
    assert unicodedata.normalize("NFC", got[1]) == "huyện"


def test_word_numbered_item(tmp_path):
    src = tmp_path / "l.docx"
    build_docx(["KẾ HOẠCH", "Chuyển đổi số năm 2026", "I. MỤC ĐÍCH, YÊU CẦU",
                "1. Triển khai Nghị quyết số 03/NQ-CP của Chính phủ",
                "2. Phòng Kinh tế huyện chủ trì"], src, use_word_numbering=True)
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ-CP" in u.text)
    assert u.numbering == "1." and u.text.startswith("1. ")
    s = u.text.index("03/NQ-CP")
    out = tmp_path / "l.rev.docx"
    annotate(src, out, result=_result(plan, [_finding(u, s, s + 8)]))
    c = read_comments(out)[1]
    assert c.anchored == "03/NQ-CP"


def test_header_layout_table_read_as_lines(tmp_path):
    """The reader gives a header layout table as one paragraph unit per line
    of each cell; spans on those lines land on their words."""
    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nXÃ AN BÌNH"
    t.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    t.cell(1, 0).text = "Số:     /KH-UBND"
    t.cell(1, 1).text = "An Bình, ngày    tháng    năm 2026"
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Chuyển đổi số năm 2026 trên địa bàn xã")
    d.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    src = tmp_path / "h.docx"
    d.save(str(src))
    plan = _plan(src)
    fs = []
    for word in ("XÃ AN BÌNH", "Tự do", "/KH-UBND", "ngày    tháng", "KẾ HOẠCH"):
        u = next(u for u in plan.units if word in u.text)
        s = u.text.index(word)
        fs.append(_finding(u, s, s + len(word), message=word))
    maps = map_docx(docx.Document(str(src)), plan.units)
    assert all(m.exact for m in maps.values())
    out = tmp_path / "h.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    cs = _comments_by_id(out)
    for p in rep.placed[1:]:
        assert (p.how, cs[p.comment_id].anchored) == ("span", p.finding.message)
    assert _units(out) == _units(src)


def test_hyperlinks_fields_tracked_changes_and_content_controls(tmp_path):
    """Runs inside a hyperlink, a tracked insertion, a field result, a content
    control and a simple field count as text (deleted text and field codes do
    not), exactly as the reader reads them."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Chuyển đổi số")
    xml = (
        f'<w:p {nsdecls("w", "r")}>'
        '<w:r><w:t xml:space="preserve">Căn cứ </w:t></w:r>'
        '<w:bookmarkStart w:id="0" w:name="b1"/><w:proofErr w:type="spellStart"/>'
        '<w:hyperlink r:id="rIdX"><w:r><w:rPr><w:u w:val="single"/></w:rPr>'
        '<w:t>Nghị quyết số 03/NQ-CP</w:t></w:r></w:hyperlink><w:bookmarkEnd w:id="0"/>'
        '<w:ins w:id="1" w:author="A" w:date="2025-01-01T00:00:00Z"><w:r>'
        '<w:t xml:space="preserve"> ngày 09/01/2025</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="A" w:date="2025-01-01T00:00:00Z"><w:r>'
        '<w:delText> ngày 01/01/2025</w:delText></w:r></w:del>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t xml:space="preserve"> của Chính </w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:sdt><w:sdtContent><w:r><w:t>phủ</w:t><w:tab/><w:t>và UBND huyện</w:t><w:br/>'
        '<w:t>X</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:fldSimple w:instr="DATE"><w:r><w:t>; hết.</w:t></w:r></w:fldSimple></w:p>')
    d.element.body.insert(len(d.element.body) - 1, parse_xml(xml))
    src = tmp_path / "r.docx"
    d.save(str(src))
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ" in u.text)
    assert u.text == ("Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ\tvà UBND "
                      "huyện X; hết.")
    words = ["Căn cứ Nghị", "03/NQ-CP ngày", "ngày 09", "Chính phủ", "phủ\tvà UBND",
             "huyện X; hết", "số 03"]
    fs = []
    for w in words:
        s = u.text.index(w)
        fs.append(_finding(u, s, s + len(w), message=w))
    out = tmp_path / "r.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    cs = _comments_by_id(out)
    for p in rep.placed[1:]:
        assert (p.how, cs[p.comment_id].anchored) == ("span", p.finding.message)
    assert _units(out) == _units(src)


def test_finding_in_a_footnote_goes_on_its_reference_mark(tmp_path):
    try:
        from test_read_docx import _add_footnotes  # the readers' footnote builder
    except ImportError:
        pytest.skip("tests/test_read_docx.py has no _add_footnotes helper")
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Căn cứ Kế hoạch hành động của Huyện ủy")
    src = tmp_path / "fn.docx"
    d.save(str(src))
    _add_footnotes(src, ["Kế hoạch số 12-KH/HU ngày 02/3/2025 của Huyện ủy."],
                   "Căn cứ Kế hoạch hành động của Huyện ủy")
    plan = _plan(src)
    u = next(u for u in plan.units if u.kind == "footnote")
    s = u.text.index("Huyện ủy")
    out = tmp_path / "fn.rev.docx"
    rep = annotate(src, out, result=_result(plan, [_finding(u, s, s + 8)]))
    assert rep.placed[1].how == "footnote"
    c = _comments_by_id(out)[rep.placed[1].comment_id]
    assert "“Huyện ủy”" in c.text.splitlines()[0]
    # the range holds the reference mark, right after the words it annotates
    xml = docx.Document(str(out)).element.body.xml
    cid = rep.placed[1].comment_id
    i = xml.index(f'<w:commentRangeStart w:id="{cid}"/>')
    j = xml.index(f'<w:commentRangeEnd w:id="{cid}"/>')
    assert i < xml.index("footnoteReference", i) < j
    assert _units(out) == _units(src)


def test_overlapping_spans_each_keep_their_words(tmp_path):
    src = _formatted_doc(tmp_path / "o.docx")
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ" in u.text)
    s = u.text.index("Nghị quyết")
    e = u.text.index("2025") + 4
    m = u.text.index("03/NQ")
    fs = [_finding(u, s, e), _finding(u, m, m + 8), _finding(u, m + 3, e)]
    out = tmp_path / "o.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    cs = _comments_by_id(out)
    for p in rep.placed[1:]:
        f = p.finding
        assert cs[p.comment_id].anchored == u.text[f.start:f.end]


# ------------------------------------------- file safety and text unchanged

def test_original_unchanged_and_text_unchanged(seed_docx, tmp_path):
    p = seed_docx[0]
    before = _sha(p)
    plan = _plan(p)
    fs = [_finding(u, m.start(), m.end()) for u in plan.units for m in _WORDS.finditer(u.text)]
    out = tmp_path / "x.rev.docx"
    annotate(p, out, result=_result(plan, fs))
    assert _sha(p) == before
    assert _units(out) == _units(p)


def test_refuses_to_overwrite_the_original_and_reports_write_errors(seed_docx, tmp_path):
    from checker.errors import PlanError

    p = seed_docx[0]
    plan = _plan(p)
    with pytest.raises(PlanError):
        annotate(p, p, result=_result(plan, []))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(PlanError) as e:
        annotate(p, blocker / "out.docx", result=_result(plan, []))
    assert e.value.code == "write-failed"


# ------------------------------------------ spanless findings and summary

def test_missing_mandate_goes_to_the_section_of_its_group(tmp_path):
    src = tmp_path / "m.docx"
    build_docx(["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH", "KẾ HOẠCH", "Chuyển đổi số năm 2026",
                "I. MỤC ĐÍCH, YÊU CẦU", "Bảo đảm thực hiện.",
                "II. NHIỆM VỤ, GIẢI PHÁP",
                "1. Nâng cao nhận thức, đổi mới tư duy",
                "Tuyên truyền trên loa truyền thanh.",
                "2. Phát triển hạ tầng số và dữ liệu",
                "Lắp đặt wifi công cộng.",
                "III. TỔ CHỨC THỰC HIỆN", "Văn phòng UBND xã theo dõi."], src)
    plan = _plan(src)
    cov = Coverage(groups=[
        {"reference": "nq57", "group": "III.1", "title": "Nhận thức, lãnh đạo", "total": 4,
         "covered": 1, "partial": 1, "missing": 2, "ratio": 0.375},
        {"reference": "nq57", "group": "III.3", "title": "Đầu tư, hạ tầng, dữ liệu", "total": 5,
         "covered": 0, "partial": 0, "missing": 5, "ratio": 0.0}])
    tasks_head = next(s for s in plan.sections if s.role in ("tasks", "solutions"))
    fs = [Finding(rule="MIS001", category="missing-task", severity="warning",
                  message=f"Thiếu {g}", unit=tasks_head.unit, data={"group": g, "mandate": g})
          for g in ("III.3", "III.1")]
    out = tmp_path / "m.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs, cov))
    cs = _comments_by_id(out)
    summary = cs[rep.placed[0].comment_id]
    assert summary.anchored.startswith("KẾ HOẠCH")
    assert "III.1" in summary.text and "III.3" in summary.text and "0%" in summary.text
    got = {p.finding.data["group"]: (p.how, cs[p.comment_id].anchored) for p in rep.placed[1:]}
    assert got["III.3"] == ("section", "2. Phát triển hạ tầng số và dữ liệu")
    assert got["III.1"] == ("section", "1. Nâng cao nhận thức, đổi mới tư duy")


def test_missing_mandates_of_one_section_share_a_comment(tmp_path):
    src = tmp_path / "g.docx"
    build_docx(["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH", "KẾ HOẠCH", "Chuyển đổi số năm 2026",
                "I. NHIỆM VỤ, GIẢI PHÁP",
                "1. Phát triển hạ tầng số và dữ liệu",
                "Lắp đặt wifi công cộng.",
                "II. TỔ CHỨC THỰC HIỆN", "Văn phòng UBND xã theo dõi."], src)
    plan = _plan(src)
    cov = Coverage(groups=[{"reference": "nq57", "group": "III.3", "title": "Đầu tư, hạ tầng, dữ liệu",
                            "total": 5, "covered": 0, "partial": 0, "missing": 5, "ratio": 0.0}])
    head = next(s for s in plan.sections if s.role in ("tasks", "solutions"))
    fs = [Finding(rule="MIS001", category="missing-task", severity=sev, message=f"Thiếu {m}",
                  suggestion=f"Bổ sung {m}", unit=head.unit, data={"group": "III.3", "mandate": m})
          for m, sev in (("nq57.III.3.04", "warning"), ("nq57.III.3.06", "info"))]
    out = tmp_path / "g.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs, cov))
    placed = [p for p in rep.placed if p.finding is not None]
    assert len(placed) == 2 and placed[0].comment_id == placed[1].comment_id
    assert placed[0].how == "section"
    cs = _comments_by_id(out)
    c = cs[placed[0].comment_id]
    assert c.anchored == "1. Phát triển hạ tầng số và dữ liệu"
    lines = c.text.splitlines()
    assert lines[0] == "[CẢNH BÁO · MIS001] Thiếu 2 nhiệm vụ được giao ở phần này:"
    assert lines[1:3] == ["• Thiếu nq57.III.3.04", "• Thiếu nq57.III.3.06"]
    assert lines[3].startswith("Đề xuất: bổ sung các nhiệm vụ trên")
    assert len(read_comments(out)) == 2  # the summary and the one list


def test_comment_text_has_message_and_suggestion(tmp_path):
    src = _formatted_doc(tmp_path / "s.docx")
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ" in u.text)
    s = u.text.index("Nghị quyết")
    f = _finding(u, s, u.text.index("Chính phủ") + 9, rule="REF001", severity="error",
                 message="Đã được sửa đổi, cập nhật bởi Nghị quyết số 71/NQ-CP.",
                 suggestion="Căn cứ Nghị quyết số 71/NQ-CP ngày 01/4/2025.")
    out = tmp_path / "s.rev.docx"
    annotate(src, out, result=_result(plan, [f]))
    c = read_comments(out)[1]
    assert c.text.splitlines() == ["[LỖI · REF001] Đã được sửa đổi, cập nhật bởi Nghị quyết số "
                                   "71/NQ-CP.", "Đề xuất: Căn cứ Nghị quyết số 71/NQ-CP ngày "
                                   "01/4/2025."]
    assert c.author == "plancheck"
    out_en = tmp_path / "s.en.docx"
    annotate(src, out_en, result=_result(plan, [f]), lang="en", author="Reviewer A")
    c = read_comments(out_en)[1]
    assert c.text.startswith("[ERROR · REF001]") and "\nSuggestion: " in c.text
    assert c.author == "Reviewer A"


def test_finding_on_an_empty_paragraph_gets_an_empty_range(tmp_path):
    src = tmp_path / "e.docx"
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Chuyển đổi số năm 2026")
    d.add_paragraph("")
    d.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    d.save(str(src))
    plan = _plan(src)
    empty = next(u for u in plan.units if not u.text)
    f = Finding(rule="STR001", category="structure", severity="info", message="Thiếu mục",
                unit=empty.index)
    out = tmp_path / "e.rev.docx"
    rep = annotate(src, out, result=_result(plan, [f]))
    assert rep.placed[1].how == "unit"
    cs = _comments_by_id(out)
    assert cs[rep.placed[1].comment_id].anchored == ""
    assert _units(out) == _units(src)


def test_annotating_a_reviewed_copy_replaces_our_comments_only(tmp_path):
    src = _formatted_doc(tmp_path / "h.docx")
    d = docx.Document(str(src))
    para = next(p for p in d.paragraphs if "03/NQ" in p.text)
    d.add_comment(para.runs[0], text="Chị Lan: xem lại căn cứ", author="Chị Lan", initials="L")
    d.save(str(src))
    plan = _plan(src)
    u = next(u for u in plan.units if "03/NQ" in u.text)
    s = u.text.index("03/NQ")
    first = tmp_path / "h.rev1.docx"
    annotate(src, first, result=_result(plan, [_finding(u, s, s + 8)]))
    assert sorted(c.author for c in read_comments(first)) == ["Chị Lan", "plancheck", "plancheck"]
    plan1 = _plan(first)
    second = tmp_path / "h.rev2.docx"
    rep = annotate(first, second, result=_result(plan1, [_finding(u, s, s + 5)]))
    assert any("2" in n for n in rep.notes)
    cs = read_comments(second)
    assert sorted(c.author for c in cs) == ["Chị Lan", "plancheck", "plancheck"]
    lan = next(c for c in cs if c.author == "Chị Lan")
    assert lan.anchored == "Căn cứ Nghị quyết số " and lan.text == "Chị Lan: xem lại căn cứ"
    ours = [c for c in cs if c.author == "plancheck" and c.text.startswith("[")]
    assert [c.anchored for c in ours] == ["03/NQ"]
    assert _units(second) == _units(src)
    xml = docx.Document(str(second)).element.body.xml
    assert xml.count("<w:commentReference") == 3  # hers, our summary, our finding


# ---------------------------------------------- text, markdown, pdf plans

def test_text_plan_becomes_a_new_docx(seed, tmp_path):
    src = seed("002")
    plan = _plan(src)
    fs = [_finding(u, m.start(), m.end()) for u in plan.units for m in _WORDS.finditer(u.text)]
    out = tmp_path / "002.rev.docx"
    rep = annotate(src, out, result=_result(plan, fs))
    assert rep.built and rep.notes and ".docx" in rep.notes[0]
    cs = _comments_by_id(out)
    for p in rep.placed[1:]:
        f = p.finding
        u = plan.units[f.unit]
        want = re.sub(r"\[bookmark:[^\]]*\]|\*\*", "", u.text[f.start:f.end])
        assert p.how == "span" and cs[p.comment_id].anchored == want
    # headings, paragraphs and real tables, read back in the same order
    back = read(out)
    assert any(u.kind == "row" for u in back.units)
    d = docx.Document(str(out))
    assert any(p.style.name.startswith("Heading") for p in d.paragraphs)
    assert _squash("".join(u.text for u in back.units if u.kind == "para")) == _squash("".join(
        re.sub(r"\[bookmark:[^\]]*\]|\*\*|^\s*#{1,6}\s+", "", u.text)
        for u in plan.units if u.kind == "para"))


def test_pdf_plan_becomes_a_new_docx(seed, tmp_path):
    from builders import build_pdf, find_font

    if find_font() is None:
        pytest.skip("no Unicode TTF font for building a PDF")
    pdf = build_pdf(seed("004").read_text(encoding="utf-8"), tmp_path / "004.pdf")
    plan = _plan(pdf)
    fs = [_finding(u, m.start(), m.end()) for u in plan.units for m in _WORDS.finditer(u.text)]
    assert fs
    out = tmp_path / "004.rev.docx"
    rep = annotate(pdf, out, result=_result(plan, fs))
    assert rep.built
    cs = _comments_by_id(out)
    for p in rep.placed[1:]:
        f = p.finding
        assert cs[p.comment_id].anchored == plan.units[f.unit].text[f.start:f.end]


# ------------------------------------------------------------- LibreOffice

def test_libreoffice_opens_the_reviewed_copy(seed_docx, tmp_path):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check that it opens the copy")
    p = seed_docx[2] if len(seed_docx) > 2 else seed_docx[0]
    plan = _plan(p)
    fs = [_finding(u, m.start(), m.end()) for u in plan.units for m in _WORDS.finditer(u.text)]
    out = tmp_path / "lo.docx"
    annotate(p, out, result=_result(plan, fs))
    subprocess.run([exe, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                    "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "lo.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    from pypdf import PdfReader

    r = PdfReader(str(pdf))
    text = "".join(pg.extract_text() or "" for pg in r.pages[:3])
    assert "KẾ HOẠCH" in unicodedata.normalize("NFC", text)
    # LibreOffice exports the comments as PDF text annotations
    notes = [a.get_object().get("/Contents") for pg in r.pages
             for a in (pg.get("/Annots") or []) if a.get_object().get("/Subtype") == "/Text"]
    assert len(notes) == len(fs) + 1


def test_legacy_doc_is_annotated_through_its_docx_conversion(tmp_path):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: .doc plans cannot be read")
    src = _formatted_doc(tmp_path / "legacy.docx")
    subprocess.run([exe, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    doc_path = tmp_path / "legacy.doc"
    plan = _plan(doc_path)
    assert plan.format == "doc"
    u = next(u for u in plan.units if "03/NQ" in u.text)
    s = u.text.index("số 03")
    e = u.text.index("-CP") + 2
    out = tmp_path / "legacy.rev.docx"
    rep = annotate(doc_path, out, result=_result(plan, [_finding(u, s, e)]))
    assert not rep.built and "LibreOffice" in rep.notes[0]
    assert read_comments(out)[1].anchored == "số 03/NQ-C"
    # the formatting came through the conversion
    para = next(p for p in docx.Document(str(out)).paragraphs if "03/NQ" in p.text)
    assert ("03/NQ", True) in [(r.text, r.bold) for r in para.runs]


# ------------------------------------------------- real check, round trip

def _check(path):
    try:
        from checker.pipeline import check
    except ImportError as e:  # pragma: no cover
        pytest.skip(f"pipeline.check unavailable: {e}")
    return check(path)


def _key(f: Finding):
    return (f.rule, f.severity, f.line, f.unit, f.start, f.end, f.message, f.suggestion)


def test_real_findings_on_seeds_and_round_trip(seed_docx, tmp_path):
    located = 0
    for p in seed_docx:
        before = _sha(p)
        res = _check(p)
        out = tmp_path / (p.stem + ".rev.docx")
        rep = annotate(p, out, result=res)
        assert _sha(p) == before
        cs = _comments_by_id(out)
        # every finding is placed once; missing mandates on one heading share a comment
        assert sorted(map(_key, (x.finding for x in rep.placed[1:]))) == sorted(map(_key, res.findings))
        assert len(cs) == 1 + len({x.comment_id for x in rep.placed[1:]})
        for placed in rep.placed[1:]:
            f = placed.finding
            if f.start is None or f.unit is None:
                assert placed.how in ("section", "unit", "title")
                assert cs[placed.comment_id].anchored.strip()
                assert f.message in cs[placed.comment_id].text
                continue
            u = res.plan.units[f.unit]
            got = cs[placed.comment_id].anchored
            want = _expected(u, f.start, f.end)
            if u.kind == "row":
                assert _squash(got) == _squash(want), (p.name, f.rule, u.loc.human)
            else:
                assert got == want, (p.name, f.rule, u.loc.human)
            located += 1
        # round trip: the comments are not plan text
        again = _check(out)
        assert sorted(map(_key, again.findings)) == sorted(map(_key, res.findings)), p.name
        assert _units(out) == _units(p)
    assert located >= 10


def test_cli_annotate(seed_docx, tmp_path):
    from click.testing import CliRunner

    from checker.apps.cmd_annotate import command

    p = seed_docx[-1]
    out = tmp_path / "cli.docx"
    r = CliRunner().invoke(command, [str(p), "-o", str(out), "--author", "Văn phòng",
                                     "--as-of", "2026-01-01"])
    assert r.exit_code == 0, r.output
    assert out.exists() and "nhận xét" in r.output
    cs = read_comments(out)
    assert cs and all(c.author == "Văn phòng" for c in cs)
    assert "2026-01-01" in cs[0].text

    out_en = tmp_path / "cli-en.docx"
    r = CliRunner().invoke(command, [str(p), "-o", str(out_en), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Wrote ")
    cs = read_comments(out_en)
    assert cs[0].text.startswith("plancheck — review summary")
    assert all(not c.text.startswith("[") or c.text.split("]")[0].split(" · ")[0]
               in ("[ERROR", "[WARNING", "[NOTE") for c in cs)

    r = CliRunner().invoke(command, [str(tmp_path / "absent.docx")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = CliRunner().invoke(command, [str(p), "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code == 2
