"""Reading official documents as they arrive (issue 12): the three real
provincial plans of ../shared/corpus/ and five layout fixtures of our own,
compared with what a careful reader wrote down by hand
(tests/data/corpus_expected/*.yaml, tests/fixtures/layouts/*.expected.yaml).

How tasks are counted: the reader counts one task per item at paragraph level
in the task parts; the extractor may split a paragraph that packs several
instructions into one task per instruction, so the body tasks are compared as
the number of distinct source paragraphs (``unit``) of ``source == "prose"``
tasks, within 25 % of the reader's count.  Duties of TỔ CHỨC THỰC HIỆN
(``source == "organisation"``) and annex rows (``source == "table"``) are
compared apart, as the reader counted them apart."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builders import build_docx, build_pdf, find_font
from checker.errors import PlanError
from checker.pipeline import extract

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
EXPECTED = HERE / "data" / "corpus_expected"
LAYOUTS = HERE / "fixtures" / "layouts"


def _corpus_cases():
    out = []
    for y in sorted(EXPECTED.glob("0*.yaml")):
        out.append(pytest.param(CORPUS / (y.stem + ".txt"), y, id=y.stem[:12]))
    return out


def _layout_cases():
    out = []
    for y in sorted(LAYOUTS.glob("*.expected.yaml")):
        base = y.name[:-len(".expected.yaml")]
        src = LAYOUTS / (base + ".md") if (LAYOUTS / (base + ".md")).exists() else LAYOUTS / (base + ".txt")
        out.append(pytest.param(src, y, id=base))
    return out


ALL = _corpus_cases() + _layout_cases()


def _need(src: Path) -> None:
    if not src.exists():
        pytest.skip(f"{src} is absent (../shared/corpus/ is not beside this checkout)")


def _header_ok(plan, exp) -> None:
    h, e = plan.header, exp["header"]
    assert h.issuer == e["issuer"]
    assert h.number == e["number"]
    assert (h.date.iso() if h.date else None) == e["date"]
    assert h.place == e["place"]
    assert h.kind == e["kind"]
    assert h.governing_body == e.get("governing_body")


def _body_tasks(plan) -> int:
    return len({t.unit for t in plan.tasks if t.source == "prose"})


@pytest.mark.parametrize("src,yml", ALL)
def test_header_as_given(src, yml):
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    plan = extract(src)
    _header_ok(plan, exp)
    e = exp["header"]
    assert plan.header.title == e["title"]
    sig = e.get("signer") or {}
    assert plan.header.signer == sig.get("name")
    assert (plan.header.signature or {}).get("authority") == sig.get("authority")
    assert len(plan.header.recipients) == e["recipients_count"]


@pytest.mark.parametrize("src,yml", ALL)
def test_tasks_duties_and_annex_rows(src, yml):
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    plan = extract(src)
    want = exp["tasks_total"]
    assert abs(_body_tasks(plan) - want) <= 0.25 * want, (_body_tasks(plan), want)
    duties = [t for t in plan.tasks if t.source == "organisation"]
    assert abs(len(duties) - exp["duties_total"]) <= 0.25 * exp["duties_total"]
    rows = [t for t in plan.tasks if t.source == "table"]
    assert len(rows) == ((exp.get("annex") or {}).get("task_rows") or 0)
    # no false "no tasks section" on plans whose task parts are named by theme
    assert any(s.role == "tasks" for s in plan.sections)


@pytest.mark.parametrize("src,yml", ALL)
def test_organisation_bodies_and_requests(src, yml):
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    plan = extract(src)
    duties = [t for t in plan.tasks if t.source == "organisation"]
    leads = {t.lead for t in duties}
    assert "Đề nghị" not in leads and not any((x or "").startswith("Đề nghị") for x in leads)
    for body in exp["organisation"]:
        mine = [t for t in duties if t.lead == body["body"]]
        if not mine:
            continue  # a body named only inside its duty's sentence
        assert all(t.request == body["request"] for t in mine), body
    named = [b for b in exp["organisation"] if any(t.lead == b["body"] for t in duties)]
    assert len(named) >= 0.75 * len(exp["organisation"])
    assert any(t.request for t in duties) == any(b["request"] for b in exp["organisation"])


def _docx_lines(src: Path) -> list[str]:
    """The text with its two-column header as a real Word table (pipe rows) and
    its tab tables as Word tables."""
    lines = src.read_text(encoding="utf-8").split("\n")
    out = []
    for i, ln in enumerate(lines):
        if i < 4 and ln.count("\t") == 1:
            a, b = ln.split("\t")
            out.append(f"| {a.strip()} | {b.strip()} |")
        else:
            out.append(ln)
    return out


@pytest.mark.parametrize("src,yml", _corpus_cases() + [c for c in _layout_cases() if "tab" in c.id
                                                      or "chu-de" in c.id or "quyet" in c.id])
def test_header_and_rows_from_docx(src, yml, tmp_path):
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    path = build_docx(_docx_lines(src), tmp_path / "plan.docx")
    plan = extract(path)
    _header_ok(plan, exp)
    want = exp["tasks_total"]
    assert abs(_body_tasks(plan) - want) <= 0.25 * want
    rows = [t for t in plan.tasks if t.source == "table"]
    assert len(rows) == ((exp.get("annex") or {}).get("task_rows") or 0)


def test_pdf_of_a_commune_plan(tmp_path):
    if not find_font():
        pytest.skip("no Unicode font for fpdf2")
    src = LAYOUTS / "xa-chuong-theo-chu-de.txt"
    exp = yaml.safe_load((LAYOUTS / "xa-chuong-theo-chu-de.expected.yaml").read_text(encoding="utf-8"))
    lines = [ln.replace("\t", "    ") for ln in src.read_text(encoding="utf-8").split("\n")]
    plan = extract(build_pdf(lines, tmp_path / "plan.pdf"))
    assert plan.header.number == exp["header"]["number"]
    assert (plan.header.date.iso() if plan.header.date else None) == exp["header"]["date"]
    assert abs(_body_tasks(plan) - exp["tasks_total"]) <= 0.25 * exp["tasks_total"]


# ----------------------------------------------------------- the "Why" cases


def test_quyet_dinh_issuing_a_plan_is_read_as_that_plan():
    plan = extract(LAYOUTS / "quyet-dinh-ban-hanh.txt")
    h = plan.header
    assert (h.kind, h.number) == ("QUYẾT ĐỊNH", "45/QĐ-UBND")
    assert h.plan["kind"] == "KẾ HOẠCH"
    assert h.plan["title"].startswith("Thực hiện Nghị quyết số 57-NQ/TW")
    assert h.plan["issued_by"] == {"number": "45/QĐ-UBND", "date": "2026-02-12", "line": 34}
    assert _body_tasks(plan) == 6
    # four duties: the authority line "ỦY BAN NHÂN DÂN XÃ …" that closes the plan (line 60,
    # no signature block under it) is not a fifth duty of the last body
    duties = [(t.loc.line, t.lead, t.request) for t in plan.tasks if t.source == "organisation"]
    assert duties == [(55, "Phòng Văn hóa - Xã hội", False), (56, "Phòng Kinh tế", False),
                      (57, "Công an xã", False), (58, "Hội Nông dân xã", True)]


def test_authority_line_closes_the_body(tmp_path):
    """A plan (or an annex plan) that ends with its issuer's name in capitals and no
    "Nơi nhận"/"TM." block: nothing from that line on is a task or a duty; the same
    words inside the body (a heading "3. ỦY BAN NHÂN DÂN CÁC THÔN", a sentence) are kept."""
    p = tmp_path / "plan.txt"
    p.write_text("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ AN LẠC\tĐộc lập - Tự do - Hạnh phúc\n"
                 "Số: 9/KH-UBND\tAn Lạc, ngày 02 tháng 3 năm 2026\n\nKẾ HOẠCH\nChuyển đổi số năm 2026\n\n"
                 "I. NHIỆM VỤ, GIẢI PHÁP\n- Triển khai ký số trên toàn bộ văn bản đi của xã.\n"
                 "- Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực.\n"
                 "II. TỔ CHỨC THỰC HIỆN\n1. Văn phòng HĐND và UBND xã: chủ trì theo dõi, tổng hợp, báo cáo "
                 "kết quả thực hiện Kế hoạch.\n2. ỦY BAN NHÂN DÂN CÁC THÔN\n- Tuyên truyền, vận động người dân "
                 "sử dụng dịch vụ công trực tuyến.\n\nỦY BAN NHÂN DÂN XÃ AN LẠC\n", encoding="utf-8")
    duties = [(t.loc.line, t.lead) for t in extract(p).tasks if t.source == "organisation"]
    assert duties == [(12, "Văn phòng HĐND và UBND xã"), (14, "ỦY BAN NHÂN DÂN CÁC THÔN")]


def test_motto_never_glued_to_the_issuer_and_date_kept(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text("**ỦY BAN NHÂN DÂN** TỈNH ĐỒNG THÁP --------\t**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM** "
                 "Độc lập - Tự do - Hạnh phúc ---------------\n"
                 "Số: 552/KH-UBND\t*Đồng Tháp, ngày 19 tháng 11 năm 2025*\n\n**KẾ HOẠCH**\n\n"
                 "Chuyển đổi số năm 2026\n\nI. NHIỆM VỤ, GIẢI PHÁP\n1. Chính quyền số\n"
                 "a) Triển khai ký số trên toàn bộ văn bản đi của các cơ quan.\n", encoding="utf-8")
    h = extract(p).header
    assert h.issuer == "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP"
    assert (h.number, h.place, h.date.iso()) == ("552/KH-UBND", "Đồng Tháp", "2025-11-19")


def test_governing_body_over_issuing_body(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text("UBND TỈNH AN GIANG\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                 "SỞ KHOA HỌC VÀ CÔNG NGHỆ\tĐộc lập - Tự do - Hạnh phúc\n"
                 "Số: 88/KH-SKHCN\tAn Giang, ngày 02 tháng 3 năm 2026\n\nKẾ HOẠCH\nChuyển đổi số\n\n"
                 "I. NHIỆM VỤ\n- Triển khai nền tảng số dùng chung của Sở trong năm 2026.\n", encoding="utf-8")
    h = extract(p).header
    assert (h.governing_body, h.issuer) == ("UBND TỈNH AN GIANG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")


def test_bold_annex_header_keeps_its_rows():
    src = CORPUS / "02_dongthap-617-kh-ubnd-2025-cds-doanh-nghiep.txt"
    _need(src)
    rows = [t for t in extract(src).tasks if t.source == "table"]
    assert len(rows) == 11
    assert rows[0].lead == "Sở KH&CN" and rows[0].deadline == "Thường xuyên"


def test_request_heading_is_not_a_task_nor_a_lead():
    src = CORPUS / "02_dongthap-617-kh-ubnd-2025-cds-doanh-nghiep.txt"
    _need(src)
    duties = [t for t in extract(src).tasks if t.source == "organisation" and t.section == "IV.6"]
    assert [t.loc.line for t in duties] == [128, 130, 132]  # not the heading at 126
    assert {t.lead for t in duties} == {"Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh, Liên minh Hợp tác xã Tỉnh"}
    assert all(t.request for t in duties)
    assert extract(src).tasks[0].to_dict()["request"] is False


def test_italic_sub_headings_and_leads_are_not_tasks():
    plan = extract(LAYOUTS / "xa-chuong-theo-chu-de.txt")
    lines = sorted({t.loc.line for t in plan.tasks if t.source == "prose"})
    assert lines == [22, 23, 26, 27, 30, 31, 32, 36, 37, 39, 40]


def test_hard_wrapped_text_is_rebuilt_into_paragraphs():
    plan = extract(LAYOUTS / "xa-xuong-dong.txt")
    assert any("ngắt dòng cứng" in n for n in plan.notes)
    assert plan.header.title.endswith("Phú Ân Nam giai đoạn 2026 - 2030")
    first = next(t for t in plan.tasks if t.source == "prose")
    assert first.loc.line == 36 and first.text.endswith("cho người dân và doanh nghiệp.")
    assert any(c.number == "71/NQ-CP" and c.loc.line == 12 for c in plan.citations)
    assert _body_tasks(plan) == 5


def test_no_tasks_gets_a_finding(tmp_path):
    from checker.pipeline import check

    p = tmp_path / "plan.txt"
    p.write_text("ỦY BAN NHÂN DÂN\nXÃ AN BÌNH\nSố: 14/KH-UBND\nAn Bình, ngày 20 tháng 02 năm 2026\n\n"
                 "KẾ HOẠCH\nChuyển đổi số năm 2026\n\nI. MỤC TIÊU\n- Đến hết năm 2026, 100% hồ sơ được "
                 "tiếp nhận trực tuyến.\n", encoding="utf-8")
    assert any(f.rule == "STR004" for f in check(p).findings)


def test_seed001_duty_opening_like_a_preamble(seed):
    plan = extract(seed("001"))
    t = [t for t in plan.tasks if t.loc.line == 147]
    assert t and t[0].source == "organisation"
    assert t[0].text.startswith("Căn cứ chức năng, nhiệm vụ được giao, xây dựng kế hoạch")


def test_garbled_pdf_text_layer_is_refused(tmp_path):
    if not find_font():
        pytest.skip("no Unicode font for fpdf2")
    # what pdfplumber gives for a PDF whose font lacks Vietnamese glyphs
    garbled = ["K(cid:3)HO(cid:3)CH", "Y(cid:7)u c(cid:3)u v(cid:3) chuy(cid:7)n (cid:8)(cid:3)i s(cid:3)",
               "I. NHI(cid:3)M V(cid:3)", "- Tri(cid:7)n khai c=ac nhi=em v=u ch(cid:3) y(cid:7)u",
               "- X(cid:3)y d(cid:3)ng k(cid:3) ho(cid:3)ch c(cid:3)a x(cid:3)"] * 4
    with pytest.raises(PlanError) as e:
        extract(build_pdf(garbled, tmp_path / "bad.pdf"))
    assert e.value.code == "garbled-text"


def test_garbled_text_gives_exit_2(tmp_path):
    from click.testing import CliRunner

    from checker.apps.cli import main

    p = tmp_path / "bad.txt"
    p.write_text("Y\ue001u c\ue002u\nI. NHI\ue003M V\ue004\n- Tri(cid:7)n khai c=ac nhi=em v=u\n" * 5,
                 encoding="utf-8")
    r = CliRunner().invoke(main, ["extract", str(p)])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_text_in_another_language_is_not_called_a_broken_font(tmp_path):
    """A .md in English (e.g. a README dropped by mistake) is refused as not Vietnamese,
    not with the advice to export a PDF again with a Unicode font."""
    from click.testing import CliRunner

    from checker.apps.cli import main

    p = tmp_path / "notes.md"
    p.write_text("# Notes\n\nThese transcriptions are unofficial: expect typos and cut cells.\n"
                 "Use them as input to import and to test against, as a user would.\n" * 6, encoding="utf-8")
    r = CliRunner().invoke(main, ["check", str(p)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "không phải văn bản tiếng Việt" in r.output and "phông" not in r.output
    with pytest.raises(PlanError) as e:
        extract(str(p))
    assert e.value.code == "not-vietnamese"


def test_numbered_items_that_are_instructions_are_tasks(tmp_path):
    """A task part written as "1. <instruction>." lines with nothing under them: each
    numbered line is a task (not an empty sub-heading); a numbered sub-heading with items
    under it stays a heading, and objectives stay out."""
    from checker.pipeline import extract

    p = tmp_path / "ke-hoach.txt"
    p.write_text("ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nSố: 3/KH-UBND\nAn Phú, ngày 02 tháng 3 năm 2026\n"
                 "KẾ HOẠCH\nChuyển đổi số năm 2026\nI. MỤC TIÊU\n"
                 "1. Nâng cao nhận thức của cán bộ về chuyển đổi số.\n"
                 "II. NHIỆM VỤ, GIẢI PHÁP\n"
                 "1. Văn phòng HĐND và UBND xã chủ trì xây dựng kế hoạch chuyển đổi số, "
                 "hoàn thành trước ngày 30/9/2026.\n"
                 "2. Về hạ tầng số\n- Phát triển hạ tầng số đến các thôn.\n"
                 "3. Tuyên truyền về chuyển đổi số cho người dân trên loa truyền thanh.\n"
                 "III. TỔ CHỨC THỰC HIỆN\nCác đơn vị triển khai kế hoạch này.\n", encoding="utf-8")
    plan = extract(p)
    texts = [t.text for t in plan.tasks]
    assert texts[0].startswith("Văn phòng HĐND và UBND xã chủ trì") and plan.tasks[0].loc.line == 10
    assert plan.tasks[0].lead == "Văn phòng HĐND và UBND xã"
    assert plan.tasks[0].deadline == "hoàn thành trước ngày 30/9/2026"
    assert "Phát triển hạ tầng số đến các thôn." in texts
    assert any(t.startswith("Tuyên truyền về chuyển đổi số") for t in texts)
    assert not any("Về hạ tầng số" == t for t in texts)  # a heading with items under it
    assert not any("Nâng cao nhận thức" in t for t in texts)  # an objective, not a task


@pytest.mark.parametrize("src,yml", ALL)
def test_each_duty_has_the_body_of_its_entry(src, yml):
    """Every duty of TỔ CHỨC THỰC HIỆN is given the body of the entry it sits under
    (the reader's entries, by line): never the body of the entry above, never a
    sentence taken for a name, and a request keeps its flag."""
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    entries = sorted(exp["organisation"], key=lambda b: b["line"])
    duties = [t for t in extract(src).tasks if t.source == "organisation"]
    wrong = []
    for k, body in enumerate(entries):
        stop = entries[k + 1]["line"] if k + 1 < len(entries) else 10 ** 6
        mine = [t for t in duties if body["line"] <= t.loc.line < stop]
        assert mine, body  # every entry gives at least one duty
        wrong += [(t.loc.line, t.lead, body["body"]) for t in mine
                  if t.lead != body["body"] or t.request != body["request"]]
        if yml.parent == LAYOUTS:  # our own fixtures: one duty per item the reader counted
            assert len(mine) == body["duties"], (body, [t.loc.line for t in mine])
    assert not wrong
    assert all(t.loc.line >= entries[0]["line"] for t in duties)


@pytest.mark.parametrize("src,yml", _corpus_cases())
def test_each_duty_has_the_body_of_its_entry_from_docx(src, yml, tmp_path):
    """The same from a .docx of each corpus plan (bold runs instead of "**" markers; the
    lines of the reader's entries are matched by their text, a .docx counts paragraphs)."""
    _need(src)
    exp = yaml.safe_load(yml.read_text(encoding="utf-8"))
    plan = extract(build_docx(_docx_lines(src), tmp_path / "plan.docx"))
    duties = [t for t in plan.tasks if t.source == "organisation"]
    leads = [t.lead for t in duties]
    for body in exp["organisation"]:
        assert body["body"] in leads, body
        assert all(t.request == body["request"] for t in duties if t.lead == body["body"]), body
    # in the order of the entries, each body's duties together
    order = [b["body"] for b in sorted(exp["organisation"], key=lambda b: b["line"])]
    seen = [x for k, x in enumerate(leads) if k == 0 or leads[k - 1] != x]
    assert seen == order
