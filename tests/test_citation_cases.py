"""The citation cases of issue 12, each on a small fixture of our own and,
where the real text has it, on the corpus plan it was seen in."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.pipeline import check, extract

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
LAYOUTS = HERE / "fixtures" / "layouts"

HEAD = ("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ AN BÌNH\tĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 15/KH-UBND\tAn Bình, ngày 20 tháng 02 năm 2026\n\nKẾ HOẠCH\nChuyển đổi số năm 2026\n\n")
BODY = "\nI. NHIỆM VỤ, GIẢI PHÁP\n1. Chính quyền số\n- Số hóa hồ sơ thủ tục hành chính tại bộ phận một cửa.\n"


def _plan(tmp_path, preamble: str, tail: str = ""):
    p = tmp_path / "plan.txt"
    p.write_text(HEAD + preamble + BODY + tail, encoding="utf-8")
    return p


def test_spaces_inside_a_symbol(tmp_path):
    plan = extract(_plan(tmp_path, "Căn cứ Nghị quyết số 71/NQ -CP ngày 01/4/2025 của Chính phủ;\n"))
    c = plan.citations[0]
    assert (c.number, c.doc_id) == ("71/NQ-CP", "71/NQ-CP@2025")
    assert "malformed-symbol" in c.warnings


def test_spaces_inside_a_symbol_in_the_corpus():
    src = CORPUS / "06_hanoi-310-kh-ubnd-2025-5g-iot.txt"
    if not src.exists():
        pytest.skip("../shared/corpus/ is absent")
    assert any(c.doc_id == "71/NQ-CP@2025" and c.loc.line == 8 for c in extract(src).citations)


def test_a_number_inside_a_committees_name_is_not_a_citation(tmp_path):
    plan = extract(_plan(tmp_path, "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;\n",
                         "- Ban Chỉ đạo thực hiện Đề án 06 của xã rà soát dữ liệu dân cư trong quý I/2026.\n"
                         "- Triển khai các nhiệm vụ của Đề án 06 trên địa bàn xã.\n"))
    lines = [c.loc.line for c in plan.citations if c.doc_type == "Đề án"]
    assert lines == [14]  # line 14 cites it; the committee's name on line 13 does not


def test_own_annex_caption_is_a_self_reference(tmp_path):
    plan = extract(_plan(tmp_path, "",
                         "\nPHỤ LỤC\n(Kèm theo Kế hoạch số 15/KH-UBND ngày 20/02/2026 của UBND xã An Bình)\n"))
    assert plan.citations == [] and plan.documents == []
    assert plan.header.date_lower_bound is None


def test_decision_caption_is_a_self_reference():
    plan = extract(LAYOUTS / "quyet-dinh-ban-hanh.txt")
    assert not any(c.number == "45/QĐ-UBND" for c in plan.citations)


def test_issuer_in_lower_case(tmp_path):
    plan = extract(_plan(tmp_path, "Căn cứ Kế hoạch số 92/KH-UBND ngày 12/02/2026 của ủy ban nhân dân tỉnh Đồng Nai;\n"))
    assert plan.citations[0].issuer == "ủy ban nhân dân tỉnh Đồng Nai"


def test_issuer_after_a_comma(tmp_path):
    plan = extract(_plan(tmp_path, "Căn cứ Chương trình hành động số 10-CTr/TU ngày 13/8/2025, của Ban Thường vụ Tỉnh ủy;\n"))
    assert plan.citations[0].issuer == "Ban Thường vụ Tỉnh ủy"


def test_case_variants_of_a_symbol_are_one_document(tmp_path):
    plan = extract(_plan(tmp_path, "Căn cứ Chương trình hành động số 10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh ủy;\n"
                                   "Căn cứ Chương trình hành động số 10-CTR/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh ủy;\n"))
    assert [c.number for c in plan.citations] == ["10-CTr/TU", "10-CTR/TU"]  # as written
    assert len({c.doc_id for c in plan.citations}) == 1
    assert len(plan.documents) == 1 and plan.documents[0]["count"] == 2


def test_a_date_that_disagrees_with_the_catalogue(tmp_path):
    p = _plan(tmp_path, "Căn cứ Nghị quyết số 71/NQ-CP ngày 01/5/2025 của Chính phủ;\n")
    hits = [f for f in check(p).findings if f.rule == "CON012"]
    assert len(hits) == 1 and hits[0].line == 8 and "01/04/2025" in hits[0].message.replace("1/4/2025", "01/04/2025")


def test_a_date_that_disagrees_with_the_catalogue_in_the_corpus():
    src = CORPUS / "02_dongthap-617-kh-ubnd-2025-cds-doanh-nghiep.txt"
    if not src.exists():
        pytest.skip("../shared/corpus/ is absent")
    res = check(src)
    assert any(f.rule == "CON012" and f.line == 8 for f in res.findings)
    assert not any(c.number == "617/KH-UBND" for c in res.plan.citations)  # the annex caption (line 146)
