"""The .pdf reader: lines and ruled tables in reading order, page numbers
dropped, locations by page, and agreement with the text version of seeds."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from builders import build_pdf, find_font, unit_stream
from checker.read import read

pytest.importorskip("pdfplumber")
pytest.importorskip("fpdf")
if find_font() is None:
    pytest.skip("no DejaVuSans.ttf on this machine (apt-get install fonts-dejavu-core)",
                allow_module_level=True)

SMALL = "\n".join([
    "ỦY BAN NHÂN DÂN XÃ HÒA AN",
    "KẾ HOẠCH",
    "Triển khai chuyển đổi số năm 2026",
    "| STT | Nhiệm vụ | Chủ trì | Thời gian |",
    "|---|---|---|---|",
    "| 1 | Số hóa hồ sơ thủ tục hành chính | Văn phòng HĐND và UBND | Quý II/2026 |",
    "| 2 | Phổ cập kỹ năng số cho người dân | Đoàn Thanh niên | Thường xuyên |",
    "Sau bảng là phần tổ chức thực hiện.",
])


def test_lines_and_table_rows_in_order(tmp_path):
    res = read(build_pdf(SMALL, tmp_path / "s.pdf"))
    assert res.format == "pdf"
    got = [(u.kind, u.cells if u.kind == "row" else u.text) for u in res.units]
    assert got == [
        ("para", "ỦY BAN NHÂN DÂN XÃ HÒA AN"),
        ("para", "KẾ HOẠCH"),
        ("para", "Triển khai chuyển đổi số năm 2026"),
        ("row", ["STT", "Nhiệm vụ", "Chủ trì", "Thời gian"]),
        ("row", ["1", "Số hóa hồ sơ thủ tục hành chính", "Văn phòng HĐND và UBND", "Quý II/2026"]),
        ("row", ["2", "Phổ cập kỹ năng số cho người dân", "Đoàn Thanh niên", "Thường xuyên"]),
        ("para", "Sau bảng là phần tổ chức thực hiện."),
    ]
    # the footer page number "1" is gone, and said so
    assert any("số trang" in n for n in res.notes)
    first, row = res.units[0], res.units[4]
    assert first.loc.page == 1 and first.loc.line == 1 and first.loc.human == "trang 1, dòng 1"
    assert row.loc.line == 5 and row.loc.human == "trang 1, bảng 1, hàng 2" and row.table == 1
    for cell, (a, b) in zip(row.cells, row.cell_spans):
        assert row.text[a:b] == cell


def test_pages_and_global_line_numbers(tmp_path):
    lines = [f"Dòng nội dung số {i} của kế hoạch." for i in range(1, 121)]
    res = read(build_pdf("\n".join(lines), tmp_path / "long.pdf"))
    texts = [u.text for u in res.units]
    assert texts == lines  # no page number slipped in between
    pages = {u.loc.page for u in res.units}
    assert len(pages) >= 2
    assert [u.loc.line for u in res.units] == list(range(1, 121))
    second = next(u for u in res.units if u.loc.page == 2)
    assert second.loc.human == "trang 2, dòng 1"


def test_wrapped_cells_are_joined(tmp_path):
    long = ("Xây dựng, cập nhật cơ sở dữ liệu dân cư, đất đai, hộ tịch và kết nối với hệ thống "
            "thông tin giải quyết thủ tục hành chính của tỉnh để phục vụ người dân")
    res = read(build_pdf(f"Bảng\n| 1 | {long} | UBND xã | 2026 |", tmp_path / "w.pdf"))
    rows = [u for u in res.units if u.kind == "row"]
    assert len(rows) == 1
    assert rows[0].cells[1] == long


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    """``seed_pdf(src)`` → a PDF built once per seed for this module."""
    built: dict[str, Path] = {}

    def get(src: Path) -> Path:
        if src.name not in built:
            out = tmp_path_factory.mktemp("seedpdf") / f"{src.stem}.pdf"
            built[src.name] = build_pdf(src.read_text(encoding="utf-8"), out)
        return built[src.name]
    return get


@pytest.mark.parametrize("prefix", ["000", "003", "002", "001", "004"])
def test_seed_pdf_agrees_with_text(seed, seed_pdf, prefix):
    src = seed(prefix)
    res_pdf = read(seed_pdf(src))
    res_txt = read(src)
    # a PDF wraps long lines: compare runs of text joined, rows cell by cell
    assert unit_stream(res_pdf, merge_text=True) == unit_stream(res_txt, merge_text=True)
    assert not any(re.fullmatch(r"\d{1,3}", u.text.strip()) for u in res_pdf.units
                   if u.kind == "para"), "page numbers must be dropped"


def _key(t: str) -> str:
    from checker.normalize import norm

    return re.sub(r"\s+", "", norm(t))


@pytest.mark.skipif(importlib.util.find_spec("checker.pipeline") is None,
                    reason="checker.pipeline is not there yet")
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_pdf_tasks_agree_with_text(seed, seed_pdf, prefix):
    """The PDF wraps prose over printed lines and draws tables; once the reader
    has joined wrapped lines, the tasks are those of the text version."""
    from checker import pipeline
    if not hasattr(pipeline, "extract"):
        pytest.skip("checker.pipeline.extract is not there yet")
    src = seed(prefix)
    p = seed_pdf(src)
    plan_txt = pipeline.extract(src)
    plan_pdf = pipeline.extract(p)
    assert plan_txt.tasks
    assert [_key(t.text) for t in plan_pdf.tasks] == [_key(t.text) for t in plan_txt.tasks]
    assert len(plan_pdf.indicators) == len(plan_txt.indicators)


def test_wrapped_prose_is_joined_but_items_are_not(tmp_path):
    long = ("Đầu tư, nâng cấp và mở rộng hạ tầng số đáp ứng yêu cầu phát triển kinh tế "
            "- xã hội, bảo đảm quốc phòng - an ninh trên địa bàn xã, kết nối với hệ thống "
            "của tỉnh và bảo đảm an toàn thông tin mạng.")
    text = "\n".join([long, "- Tuyên truyền nâng cao nhận thức;", "a) Tổ chức hội nghị.", long])
    res = read(build_pdf(text, tmp_path / "p.pdf"))
    assert [u.text for u in res.units] == text.split("\n")
    assert res.units[1].loc.line > 2  # the first paragraph took two printed lines
    assert any("nối" in n for n in res.notes)


def test_two_column_header_is_read_column_by_column(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dv", fname=find_font())
    pdf.set_font("dv", size=11)
    pdf.add_page()
    for y, left, right in [(20, "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                           (26, "XÃ TÂN HÒA", "Độc lập - Tự do - Hạnh phúc"),
                           (34, "Số: /KH-UBND", "Tân Hòa, ngày 10 tháng 4 năm 2026")]:
        pdf.text(20, y, left)
        pdf.text(95, y, right)
    pdf.text(90, 50, "KẾ HOẠCH")
    pdf.text(20, 60, "Nội dung kế hoạch gồm các nhiệm vụ sau đây.")
    p = tmp_path / "hdr.pdf"
    pdf.output(str(p))
    res = read(p)
    assert [u.text for u in res.units] == [
        "ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA", "Số: /KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Tân Hòa, ngày 10 tháng 4 năm 2026",
        "KẾ HOẠCH",
        "Nội dung kế hoạch gồm các nhiệm vụ sau đây.",
    ]
    assert [u.loc.human for u in res.units][:6] == [
        "trang 1, dòng 1", "trang 1, dòng 2", "trang 1, dòng 3",
        "trang 1, dòng 1", "trang 1, dòng 2", "trang 1, dòng 3"]


@pytest.mark.skipif(importlib.util.find_spec("checker.pipeline") is None,
                    reason="checker.pipeline is not there yet")
def test_two_column_header_feeds_the_plan_header(tmp_path):
    from fpdf import FPDF

    from checker import pipeline
    sample = Path(__file__).resolve().parent / "fixtures" / "read" / "sample_plan.txt"
    pdf = FPDF()
    pdf.add_font("dv", fname=find_font())
    pdf.set_font("dv", size=11)
    pdf.add_page()
    for y, left, right in [(20, "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                           (26, "XÃ TÂN HÒA", "Độc lập - Tự do - Hạnh phúc"),
                           (34, "Số:    /KH-UBND", "Tân Hòa, ngày    tháng 4 năm 2026")]:
        pdf.text(20, y, left)
        pdf.text(95, y, right)
    pdf.set_xy(10, 45)
    pdf.set_font("dv", size=9)
    for line in sample.read_text(encoding="utf-8").split("\n")[6:]:
        pdf.multi_cell(0, 5, line.replace("\t", " "), new_x="LMARGIN", new_y="NEXT")
    p = tmp_path / "plan.pdf"
    pdf.output(str(p))
    h_pdf = pipeline.extract(p).header
    h_txt = pipeline.extract(sample).header
    assert h_pdf.date is not None and h_pdf.date.iso() == "2026-04"
    for field in ("issuer", "number", "place", "kind", "title"):
        assert getattr(h_pdf, field) == getattr(h_txt, field), field


def test_pages_without_text_are_noted(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dv", fname=find_font())
    pdf.set_font("dv", size=11)
    pdf.add_page()
    pdf.text(20, 30, "KẾ HOẠCH chuyển đổi số")
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)  # a scanned page: graphics only
    p = tmp_path / "mixed.pdf"
    pdf.output(str(p))
    res = read(p)
    assert [u.text for u in res.units] == ["KẾ HOẠCH chuyển đổi số"]
    assert any(n.startswith("Trang 2 không có lớp văn bản") for n in res.notes)


def test_repeated_table_header_rows_are_dropped(tmp_path):
    rows = ["| STT | Nội dung nhiệm vụ | Chủ trì | Thời gian |"]
    rows += [f"| {i} | Nhiệm vụ số {i}: rà soát, cập nhật dữ liệu chuyên ngành và kết nối "
             f"với hệ thống của tỉnh | Văn phòng HĐND và UBND | Quý {1 + i % 4}/2026 |"
             for i in range(1, 41)]
    text = "KẾ HOẠCH\n" + "\n".join(rows) + "\nTổ chức thực hiện."
    p = build_pdf(text, tmp_path / "rep.pdf", repeat_table_header=True)
    res = read(p)
    assert len({u.loc.page for u in res.units if u.kind == "row"}) >= 2
    assert any("hàng tiêu đề" in n for n in res.notes)
    heads = [u for u in res.units if u.kind == "row" and u.cells[0] == "STT"]
    assert len(heads) == 1
    assert unit_stream(res, merge_text=True) == unit_stream(read(build_pdf(
        text, tmp_path / "plain.pdf")), merge_text=True)
