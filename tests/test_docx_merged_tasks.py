"""An annex task table with REAL merged Word cells (issue 12), built with
python-docx: a section row merged across every column (w:gridSpan), a section
row whose title spans the columns after its number, and lead, partner and
deadline cells merged down over several task rows (w:vMerge).  A reader reads a
merged cell as belonging to every row it covers; the reader of plancheck keeps
its text once (no repeated text in the units) and the task extractor gives it
to each row.  The plan is invented."""
from __future__ import annotations

import pytest

docx = pytest.importorskip("docx")

from checker.pipeline import extract  # noqa: E402
from checker.read import read  # noqa: E402

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]


def _plan_docx(path):
    d = docx.Document()
    head = d.add_table(rows=2, cols=2)
    for (r, c), v in {(0, 0): "ỦY BAN NHÂN DÂN XÃ TÂN HÒA", (0, 1): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                      (1, 0): "Số: 31/KH-UBND", (1, 1): "Tân Hòa, ngày 16 tháng 3 năm 2026"}.items():
        head.cell(r, c).text = v
    for line in ["KẾ HOẠCH", "Chuyển đổi số của xã Tân Hòa năm 2026",
                 "I. MỤC ĐÍCH, YÊU CẦU",
                 "- Triển khai kịp thời các nhiệm vụ chuyển đổi số cấp trên giao cho xã.",
                 "II. NHIỆM VỤ, GIẢI PHÁP",
                 "Các nhiệm vụ cụ thể tại Phụ lục kèm theo Kế hoạch này.",
                 "III. TỔ CHỨC THỰC HIỆN",
                 "1. Văn phòng HĐND và UBND xã: chủ trì theo dõi, tổng hợp, báo cáo kết quả thực hiện Kế hoạch.",
                 "Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn Bình",
                 "PHỤ LỤC", "DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2026"]:
        d.add_paragraph(line)
    rows = [
        HEADER,
        ["I. CHÍNH QUYỀN SỐ"] + [None] * 5,                       # one cell over all six columns
        ["1", "Triển khai ký số trên toàn bộ văn bản đi của xã", "Văn phòng HĐND và UBND xã",
         "Các phòng chuyên môn", "Quý II/2026", "Văn bản được ký số"],
        ["2", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "^", "^", "Quý III/2026",
         "Hồ sơ được số hóa"],
        ["3", "Vận hành hệ thống họp không giấy tờ", "^", "Công an xã", "Năm 2026", "Hệ thống vận hành"],
        ["II", "KINH TẾ SỐ"] + [None] * 4,                         # the title over five columns
        ["4", "Hỗ trợ hợp tác xã mở gian hàng trên sàn thương mại điện tử", "Phòng Kinh tế",
         "Hội Nông dân xã", "Năm 2026", "Gian hàng trực tuyến"],
        ["5", "Tuyên truyền thanh toán không dùng tiền mặt tại chợ xã", "^", "Đoàn Thanh niên xã", "^",
         "Tin bài, tờ rơi"],
    ]
    t = d.add_table(rows=len(rows), cols=len(HEADER))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v != "^":
                t.cell(r, c).text = v
    # horizontal merges (w:gridSpan): a cell and the empty ones after it
    for r, row in enumerate(rows):
        if None in row:
            first = row.index(None) - 1
            t.cell(r, first).merge(t.cell(r, len(row) - 1))
    # vertical merges (w:vMerge): "^" continues the cell above
    for c in range(len(HEADER)):
        r = 0
        while r < len(rows):
            if rows[r][c] == "^":
                top = r - 1
                while r < len(rows) and rows[r][c] == "^":
                    r += 1
                t.cell(top, c).merge(t.cell(r - 1, c))
            r += 1
    d.save(path)
    return path


def test_the_docx_really_holds_merged_cells(tmp_path):
    import zipfile

    xml = zipfile.ZipFile(_plan_docx(tmp_path / "p.docx")).read("word/document.xml").decode()
    assert '<w:gridSpan w:val="6"/>' in xml and '<w:gridSpan w:val="5"/>' in xml
    assert xml.count('<w:vMerge w:val="restart"/>') == 4  # lead 1–3, partners 1–2, lead 4–5, deadline 4–5
    assert "<w:vMerge/>" in xml


def test_merged_text_is_read_once(tmp_path):
    res = read(_plan_docx(tmp_path / "p.docx"))
    text = "\n".join(u.text for u in res.units)
    assert text.count("Văn phòng HĐND và UBND xã") == 2  # once in the body, once in the table
    assert text.count("Phòng Kinh tế") == 1
    assert text.count("CHÍNH QUYỀN SỐ") == 1


def test_tasks_leads_and_groups_from_merged_cells(tmp_path):
    plan = extract(_plan_docx(tmp_path / "p.docx"))
    rows = [t for t in plan.tasks if t.source == "table"]
    got = [(t.text.split()[0], t.lead, t.partners, t.deadline, t.product) for t in rows]
    assert got == [
        ("Triển", "Văn phòng HĐND và UBND xã", ["Các phòng chuyên môn"], "Quý II/2026", "Văn bản được ký số"),
        ("Số", "Văn phòng HĐND và UBND xã", ["Các phòng chuyên môn"], "Quý III/2026", "Hồ sơ được số hóa"),
        ("Vận", "Văn phòng HĐND và UBND xã", ["Công an xã"], "Năm 2026", "Hệ thống vận hành"),
        ("Hỗ", "Phòng Kinh tế", ["Hội Nông dân xã"], "Năm 2026", "Gian hàng trực tuyến"),
        ("Tuyên", "Phòng Kinh tế", ["Đoàn Thanh niên xã"], "Năm 2026", "Tin bài, tờ rơi"),
    ]
    groups = {s.unit: s for s in plan.sections}
    by_task = [plan.sections[[s.id for s in plan.sections].index(t.section)] for t in rows]
    assert [s.title for s in by_task] == ["CHÍNH QUYỀN SỐ"] * 3 + ["KINH TẾ SỐ"] * 2
    assert [s.label for s in by_task] == ["I"] * 3 + ["II"] * 2
    assert all(s.role == "tasks" for s in by_task) and len(groups) == len(plan.sections)
    # neither section row is a task, and no task row is taken for a section
    assert not any("CHÍNH QUYỀN SỐ" in t.text or t.text == "KINH TẾ SỐ" for t in plan.tasks)


def test_reference_import_reads_merged_leads(tmp_path):
    """`plancheck reference import` of the same annex: each mandate keeps the lead of
    the merged cell over its row."""
    from checker.pipeline import import_reference

    data = import_reference(_plan_docx(tmp_path / "p.docx"), "tanhoa-31-2026")
    got = [(m["title"].split()[0], m.get("lead")) for m in data["mandates"]]
    assert got == [("Triển", "Văn phòng HĐND và UBND xã"), ("Số", "Văn phòng HĐND và UBND xã"),
                   ("Vận", "Văn phòng HĐND và UBND xã"), ("Hỗ", "Phòng Kinh tế"), ("Tuyên", "Phòng Kinh tế")]
