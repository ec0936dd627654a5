"""Header, sections, tasks and indicators on the real seed plans and on our
own sample plan."""
from pathlib import Path

import pytest

from checker.pipeline import extract

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "ke-hoach-mau.md"


def ids(plan):
    return {s.id: s for s in plan.sections}


def test_seed000_header_partial_date_and_seven_groups(seed):
    p = extract(seed("000"))
    h = p.header
    assert h.date.iso() == "2025-03"  # "ngày      tháng 3 năm 2025"
    assert h.number == "/KH-UBND"
    assert "NGHĨA THƯƠNG" in h.issuer
    assert h.place == "Nghĩa Thương"
    assert h.kind == "KẾ HOẠCH"
    assert h.title.startswith("Thực hiện Nghị quyết số 03/NQ-CP")
    s = ids(p)
    assert s["II"].role == "tasks"
    assert [k for k in s if k.startswith("II.")] == [f"II.{i}" for i in range(1, 8)]
    assert s["IV"].role == "organisation" and s["III"].role == "funding"
    # every lettered item of the seven groups is a task (55 items) ...
    prose = [t for t in p.tasks if t.source == "prose"]
    assert len({t.unit for t in prose}) == 55
    # ... and an item that packs several instructions gives one task each
    line66 = [t.text for t in prose if t.loc.line == 66]
    assert len(line66) == 4
    assert line66[0].startswith("Đẩy mạnh chuyển đổi số trong lĩnh vực văn hóa")
    assert line66[2].startswith("Thúc đẩy xây dựng các cơ sở dữ liệu về văn hoá")
    # elaborations ("Việc xây dựng …") stay with their instruction
    b = [t.text for t in prose if t.loc.line == 24]
    assert len(b) == 1 and "Việc xây dựng, ban hành chương trình" in b[0]
    assert prose[0].loc.line == 23 and prose[0].text.startswith("Xây dựng và tổ chức triển khai chương trình tuyên truyền")
    assert prose[0].section == "II.1"
    org = [t for t in p.tasks if t.source == "organisation"]
    assert {t.lead for t in org} >= {"Phòng Tài chính – Kế hoạch", "Văn phòng UBND xã"}
    assert h.recipients[0].startswith("Phòng VH, KH&CN")


def test_seed001_markdown_headings_decimal_sections_signer(seed):
    p = extract(seed("001"))
    h = p.header
    assert h.date.iso() == "2026-01-23"
    assert h.signer == "Hứa Anh Tuấn"
    assert h.issuer == "UBND xã Cao Lộc"  # no issuer block: inferred from the text
    s = ids(p)
    assert s["III.5.1"].title.startswith("Hạ tầng kỹ thuật, công nghệ")
    assert s["III.5.1"].parent == "III.5"
    assert s["III"].role == "tasks" and s["IV"].role == "organisation"
    leads = {t.lead for t in p.tasks if t.source == "organisation"}
    assert "Phòng Văn hoá và Xã hội xã" in leads
    # a paragraph broken across a blank line is one task
    t = next(t for t in p.tasks if t.text.startswith("Tuyên truyền, triển khai thực hiện các cơ chế đã có"))
    assert t.text.endswith("nhằm phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.")
    nxt = p.tasks[p.tasks.index(t) + 1]
    assert nxt.text.startswith("Thực hiện nhất quán chủ trương ngân sách") and nxt.unit == t.unit


def test_seed002_indicator_table_split_across_pages(seed):
    p = extract(seed("002"))
    assert p.header.date.iso() == "2026"  # "ngày tháng năm 2026"
    ind = p.indicators
    table = [i for i in ind if i.group != "inline"]
    assert len(table) == 40  # the heading says 54: a rule reports the mismatch
    first = table[0]
    assert first.text == "Tỉ lệ phủ sóng 5G trên địa bàn"
    assert (first.measure, first.target, first.owner) == ("%", "≥ 60%", "Phòng VHXXH")
    assert first.group.startswith("Về phát triển hạ tầng")
    # the row continued after a page break is merged into the row above
    adults = next(i for i in table if i.text.startswith("Tỉ lệ dân số trưởng thành tiếp cận dịch vụ số"))
    assert adults.text.endswith("trong y tế, giáo dục, bảo hiểm, giao thông")
    assert "Tổ công nghệ số cộng đồng" in adults.owner
    lgsp = next(i for i in table if "trực liên thông dữ liệu tỉnh" in i.text)
    assert lgsp.text.endswith("(LGSP)")
    # LaTeX debris in a target cell
    innov = next(i for i in table if i.text.startswith("Doanh nghiệp có hoạt động đổi mới sáng tạo"))
    assert innov.target == "≥ 10%" and innov.value == 10 and innov.comparator == ">="
    assert all(i.year == 2026 for i in table)
    # "II. MỤC TIÊU" and "II- NHIỆM VỤ TRỌNG TÂM" both exist: distinct ids
    roles = {s.id: s.role for s in p.sections}
    assert roles["II"] == "objectives" and roles["II~2"] == "tasks"


def test_seed003_tab_table_annex_with_row_continuation(seed):
    p = extract(seed("003"))
    h = p.header
    assert h.kind == "PHỤ LỤC"
    assert h.date.iso() == "2026-06"  # "ngày /6/2026"
    assert h.issuer == "UBND xã Nghĩa Hưng"
    assert len(p.tasks) == 15
    assert all(t.lead and t.deadline and t.product for t in p.tasks)
    t11 = p.tasks[0]
    assert t11.loc.line == 9 and t11.lead == "UBND xã"
    assert t11.partners == ["Phòng Văn hoá – Xã hội", "các cơ quan, đơn vị"]
    assert t11.deadline == "Thường xuyên"
    t14 = p.tasks[3]
    assert t14.text.endswith("cá nhân và cộng đồng trên địa bàn xã.")
    assert "thần sẵn sàng tiên phong" in t14.text
    groups = [s for s in p.sections if s.parent == "PL"]
    assert len(groups) == 7 and groups[0].title.startswith("Tuyên truyền, nâng cao nhận thức")
    assert p.tasks[-1].section == groups[-1].id


def test_seed004_bookmarks_and_decomposed_text(seed):
    p = extract(seed("004"))
    assert p.header.date.iso() == "2025"
    s = ids(p)
    assert s["I"].title == "MỤC ĐÍCH, YÊU CẦU"  # "[bookmark: bookmark0]I. MỤC ĐÍCH, YÊU CẦU"
    assert [k for k in s if k.startswith("III.")] == [f"III.{i}" for i in range(1, 10)]
    assert s["IV.2"].title.startswith("Phòng Văn hóa - Xã hội")
    t = next(t for t in p.tasks if t.text.startswith("Tuyên truyền thường xuyên, sâu rộng"))
    assert t.section == "III.2"
    police = [t for t in p.tasks if t.lead == "Công an xã"]
    assert police


def test_sample_plan(tmp_path):
    p = extract(SAMPLE)
    h = p.header
    assert (h.number, h.place, h.date.iso(), h.signer) == ("15/KH-UBND", "Tân Hòa", "2026-02-12", "Nguyễn Văn Bình")
    assert [s.role for s in p.sections if s.level == 1] == ["purpose", "objectives", "tasks", "funding", "organisation", "annex"]
    table = [t for t in p.tasks if t.source == "table"]
    assert len(table) == 4
    assert table[2].product is None and table[2].deadline == "Thường xuyên"
    assert table[3].lead is None
    prose = next(t for t in p.tasks if "an toàn thông tin" in t.text)
    assert prose.lead == "Phòng Văn hóa – Xã hội"
    assert prose.deadline == "hoàn thành trước ngày 30/6/2026"
    inline = [i for i in p.indicators if i.group == "inline"]
    assert inline[0].value == 70 and inline[0].comparator == ">=" and inline[0].year == 2026


def test_plain_text_without_plan_structure_is_refused(tmp_path):
    from checker.errors import PlanError

    f = tmp_path / "note.txt"
    f.write_text("Chiều nay họp tổ dân phố lúc 3 giờ.\nMang theo sổ ghi chép.\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        extract(f)
    assert e.value.code == "no-structure"


def test_paragraph_broken_by_a_page_is_one_task_and_duties_are_not_introductions(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text(
        "ỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 12/KH-UBND\nAn Bình, ngày 20 tháng 02 năm 2026\n"
        "KẾ HOẠCH\nThực hiện chuyển đổi số năm 2026\n"
        "I. NHIỆM VỤ\n1. Chuyển đổi số\nTriển khai nền tảng số dùng chung cho các cơ quan của xã.\n"
        "II. TỔ CHỨC THỰC HIỆN\n1. Phòng Kinh tế\n"
        "Trên cơ sở khả năng cân đối ngân sách, chủ trì tham mưu kinh phí đưa vào kế hoạch đầu tư "
        "hằng năm, thực hiện dự\n\n"
        "án đầu tư chuyển đổi số theo quy định.\n"
        "Trên cơ sở các nhiệm vụ nêu trên, các đơn vị chủ động phối hợp thực hiện hiệu quả.\n"
        "2. Phòng Văn hóa – Xã hội\n"
        "Theo dõi, tổng hợp tình hình thực hiện Kế hoạch, báo cáo UBND xã hằng quý.\n",
        encoding="utf-8")
    plan = extract(p)
    org = [t for t in plan.tasks if t.section == "II.1"]
    # the paragraph cut after "dự" continues on the next page: one task, from its first line
    assert [t.text for t in org] == [
        "Trên cơ sở khả năng cân đối ngân sách, chủ trì tham mưu kinh phí đưa vào kế hoạch đầu tư "
        "hằng năm, thực hiện dự án đầu tư chuyển đổi số theo quy định."]
    assert org[0].loc.line == 11 and org[0].lead == "Phòng Kinh tế"
    # a closed paragraph is not glued to a following one
    assert any(t.text.startswith("Theo dõi, tổng hợp") for t in plan.tasks)
