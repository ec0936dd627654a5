"""Citation extraction: every surface form with a hit and a miss, the seed
plans' real citations, the consistency checks and the lower-bound date."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from checker.cite.citations import extract_citations
from checker.cite.consistency import citation_issues
from checker.cite.resolve import as_of_lower_bound, document_list
from checker.model import Location, PartialDate, Unit
from checker.read import finish, read
from checker.extract.structure import parse_header

FIX = Path(__file__).parent / "fixtures" / "citations"


def units_of(*lines: str) -> list[Unit]:
    return finish([Unit(index=i, text=t, loc=Location(i + 1, f"dòng {i + 1}")) for i, t in enumerate(lines)])


def cites(*lines: str):
    return extract_citations(units_of(*lines))


def one(text: str):
    cs = cites(text)
    assert len(cs) == 1, [c.surface for c in cs]
    return cs[0]


# ------------------------------------------------------------------ symbols
@pytest.mark.parametrize("text,number,doc_id", [
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị", "57-NQ/TW", "57-NQ/TW@2024"),
    ("theo Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ", "03/NQ-CP", "03/NQ-CP@2025"),
    ("theo Nghị quyết 04/2025/NQ-CP ngày 20/8/2025 của Chính phủ", "04/2025/NQ-CP", "04/2025/NQ-CP@2025"),
    ("Quyết định số 1169/QĐ-TTg ngày 16/6/2025 của Thủ tướng Chính phủ", "1169/QĐ-TTg", "1169/QĐ-TTg@2025"),
    ("Luật Giao dịch điện tử số 20/2023/QH15", "20/2023/QH15", "20/2023/QH15@2023"),
    ("NGHỊ QUYẾT SỐ 71/NQ-CP NGÀY 01/4/2025", "71/NQ-CP", "71/NQ-CP@2025"),
])
def test_symbol_forms_resolve(text, number, doc_id):
    c = one(text)
    assert c.number == number
    assert c.doc_id == doc_id
    assert "malformed-symbol" not in c.warnings


@pytest.mark.parametrize("text", [
    "tỷ lệ 03/10 hộ gia đình có máy tính",
    "Nghị quyết của Đại hội Đảng bộ xã nhiệm kỳ 2025 - 2030",
    "thực hiện đúng quy định của pháp luật về đầu tư",
    "Báo cáo 6 tháng gửi trước ngày 10/6",
    "Kế hoạch năm 2026 của xã",
])
def test_no_citation_in_plain_text(text):
    assert cites(text) == []


def test_glued_symbol_is_repaired_with_warning():
    c = one("Kế hoạch số 92/KHUBND của UBND tỉnh")
    assert c.number == "92/KH-UBND"
    assert c.number_raw == "92/KHUBND"
    assert "malformed-symbol" in c.warnings
    assert "malformed-symbol" not in one("Kế hoạch số 92/KH-UBND của UBND tỉnh").warnings


def test_spaced_symbol_is_repaired_with_warning():
    c = one("Tuyên truyền Nghị quyết 57- NQ/TW đến cán bộ")
    assert c.number == "57-NQ/TW" and c.doc_id == "57-NQ/TW@2024"
    assert "malformed-symbol" in c.warnings
    assert "malformed-symbol" not in one("Tuyên truyền Nghị quyết 57-NQ/TW đến cán bộ").warnings


def test_bare_symbol_takes_type_from_code():
    c = one("các nhiệm vụ theo 469-KH/TU ngày 16/5/2025")
    assert c.doc_type == "Kế hoạch" and c.number == "469-KH/TU"
    # the plan's own number in its header is not a citation
    assert cites("Số: 15/KH-UBND") == []


# ------------------------------------------------------------------ short and named forms
def test_short_form_resolves_through_catalogue_alias():
    c = one("Triển khai Nghị quyết số 57 trên địa bàn xã")
    assert c.doc_id == "57-NQ/TW@2024" and c.number == "57-NQ/TW"
    c = one("Triển khai Nghị quyết 57 trên địa bàn xã")
    assert c.doc_id == "57-NQ/TW@2024"


def test_short_form_without_candidate_stays_unresolved():
    c = one("Thực hiện Quyết định số 45 của UBND xã")
    assert c.doc_id is None
    assert "unresolved-short-form" in c.warnings


def test_named_documents():
    assert one("điều chỉnh quy trình theo Luật Giao dịch điện tử").doc_id == "20/2023/QH15@2023"
    assert one("gắn với Đề án 06 của Chính phủ").doc_id == "06/QĐ-TTg@2022"
    assert cites("phát triển giao dịch điện tử trên địa bàn") == []


def test_homonym_number_needs_a_year():
    c = one("Nghị quyết số 11/NQ-CP của Chính phủ")
    assert c.doc_id is None and "ambiguous" in c.warnings
    assert one("Nghị quyết số 11/NQ-CP ngày 30/01/2022 của Chính phủ").doc_id == "11/NQ-CP@2022"
    assert one("Nghị quyết số 11/NQ-CP ngày 14/01/2026 của Chính phủ").doc_id == "11/NQ-CP@2026"


def test_undated_mention_takes_the_year_given_elsewhere_in_the_plan():
    cs = cites("Căn cứ Nghị quyết số 11/NQ-CP ngày 30/01/2022 của Chính phủ;",
               "Thực hiện tốt Nghị quyết số 11/NQ-CP.")
    assert [c.doc_id for c in cs] == ["11/NQ-CP@2022", "11/NQ-CP@2022"]


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("text,iso", [
    ("Kế hoạch số 5/KH-UBND ngày 22/12/2024 của UBND xã", "2024-12-22"),
    ("Kế hoạch số 5/KH-UBND ngày 1/4/2025 của UBND xã", "2025-04-01"),
    ("Kế hoạch số 5/KH-UBND ngày 22 tháng 12 năm 2024 của UBND xã", "2024-12-22"),
    ("Kế hoạch số 5/KH-UBND ngày 22.12.2024 của UBND xã", "2024-12-22"),
    ("Kế hoạch số 5/KH-UBND ngày 22-12-2024 của UBND xã", "2024-12-22"),
    ("Nghị quyết 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị", "2024-12-22"),
])
def test_date_forms(text, iso):
    c = one(text)
    assert c.date is not None and c.date.iso() == iso


def test_no_date_when_none_written():
    assert one("Kế hoạch số 5/KH-UBND của UBND xã, báo cáo trước ngày 20 hằng tháng").date is None


def test_impossible_date_is_flagged():
    c = one("Kế hoạch số 5/KH-UBND ngày 31/02/2025 của UBND xã")
    assert c.date is None and "impossible-date" in c.warnings
    kinds = [i["kind"] for i in citation_issues([c], None)]
    assert "impossible-date" in kinds
    assert "impossible-date" not in one("Kế hoạch số 5/KH-UBND ngày 28/02/2025 của UBND xã").warnings


# ------------------------------------------------------------------ issuers
@pytest.mark.parametrize("text,issuer", [
    ("Kế hoạch số 06/KH-UBND ngày 10/01/2026 của UBND tỉnh Lạng Sơn về việc", "UBND tỉnh Lạng Sơn"),
    ("Kế hoạch số 91/KH-UBND ngày 12/02/2026 của Ủy ban nhân dân tỉnh Đồng Nai triển khai",
     "Ủy ban nhân dân tỉnh Đồng Nai"),
    ("Kế hoạch hành động số 238-KH/TU ngày 23/5/2025 của Ban Thường vụ Tỉnh ủy triển khai",
     "Ban Thường vụ Tỉnh ủy"),
    ("Quyết định số 1169/QĐ-TTg ngày 16/6/2025 của Thủ tướng Chính phủ phê duyệt", "Thủ tướng Chính phủ"),
    ("Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ về ban hành", "Chính phủ"),
    ("Kế hoạch số 47-KH/ĐU ngày 02/01/2026 của Đảng ủy xã Cao Lộc về việc", "Đảng ủy xã Cao Lộc"),
    ("Kế hoạch số 44/KH-UBND ngày 20/3/2025 của UBND huyện Tư Nghĩa về thực hiện", "UBND huyện Tư Nghĩa"),
    ("Nghị quyết số 57-NQ/TW của Bộ Chính trị", "Bộ Chính trị"),
])
def test_issuer_forms(text, issuer):
    assert cites(text)[0].issuer == issuer


def test_no_issuer_for_ordinary_words():
    assert one("Kế hoạch số 5/KH-UBND của người dân trên địa bàn").issuer is None


def test_issuer_spelled_two_ways_is_one_document():
    cs = cites("Kế hoạch số 92/KH-UBND ngày 15/9/2025 của UBND tỉnh Đồng Nai;",
               "Kế hoạch số 92/KH-UBND ngày 15/9/2025 của Ủy ban nhân dân tỉnh Đồng Nai.")
    assert cs[0].doc_id == cs[1].doc_id == "92/KH-UBND@2025~dong-nai"
    assert not [i for i in citation_issues(cs, None) if i["kind"] == "issuer-conflict"]


def test_unknown_document_gets_a_local_id_and_is_grouped():
    cs = cites("Căn cứ Kế hoạch số 17/KH-UBND ngày 02/3/2025 của UBND tỉnh Bình Phước;",
               "Tiếp tục thực hiện Kế hoạch số 17/KH-UBND.")
    assert cs[0].doc_id == "17/KH-UBND@2025~binh-phuoc"
    assert cs[1].doc_id == cs[0].doc_id
    docs = document_list(cs)
    assert len(docs) == 1 and docs[0]["count"] == 2 and docs[0]["in_catalog"] is False
    assert docs[0]["level"] == "province" and docs[0]["lines"] == [1, 2]


# ------------------------------------------------------------------ a small plan: roles, nesting, aliases
@pytest.fixture(scope="module")
def mini():
    res = read(FIX / "mini_plan.txt")
    header = parse_header(res.units)
    return extract_citations(res.units, header), header


def _find(cs, number, line=None):
    hits = [c for c in cs if c.number == number and (line is None or c.loc.line == line)]
    assert hits, f"{number} not found"
    return hits


def test_roles_and_nesting(mini):
    cs, _ = mini
    kh12 = _find(cs, "12/KH-UBND", 8)[0]
    assert kh12.role == "implements" and kh12.parent is None
    nq03 = _find(cs, "03/NQ-CP", 8)[0]
    assert nq03.parent == kh12.index and nq03.role == "mention"
    nq57 = _find(cs, "57-NQ/TW", 10)[0]
    assert nq57.role == "basis" and nq57.date.iso() == "2024-12-22"
    # siblings after ";" and after "và" in a Căn cứ paragraph are bases too
    assert _find(cs, "1169/QĐ-TTg", 11)[0].role == "basis"
    assert _find(cs, "238-KH/TU", 12)[0].role == "basis"
    assert [c for c in cs if c.doc_id == "20/2023/QH15@2023"][0].role == "basis"
    # after heading I. a citation is a mention
    assert all(c.role == "mention" for c in cs if c.loc.line == 15)
    att = _find(cs, "99/KH-UBND")[0]
    assert att.role == "attachment"


def test_aliases(mini):
    cs, _ = mini
    alias57 = [c for c in cs if c.loc.line == 10 and c.alias and c.parent is not None][0]
    assert alias57.doc_id == "57-NQ/TW@2024"
    later = [c for c in cs if c.loc.line == 15]
    assert {c.doc_id for c in later} == {"57-NQ/TW@2024", _find(cs, "03-KH/BCĐ", 11)[0].doc_id}
    # the glued later mention joins the document cited in full earlier
    glued = [c for c in cs if c.number_raw == "12/KHUBND"][0]
    assert glued.doc_id == _find(cs, "12/KH-UBND", 8)[0].doc_id
    assert "malformed-symbol" in glued.warnings


def test_mini_plan_issues(mini):
    cs, header = mini
    issues = citation_issues(cs, header.date)
    kinds = {i["kind"] for i in issues}
    assert {"date-after-plan", "impossible-date", "malformed-symbol"} <= kinds
    late = {i["data"]["number"] for i in issues if i["kind"] == "date-after-plan"}
    assert late == {"1169/QĐ-TTg", "238-KH/TU"}
    # "Báo cáo 6 tháng" is not a citation
    assert not [c for c in cs if c.doc_type == "Báo cáo"]


def test_type_symbol_mismatch():
    cs = cites("Căn cứ Kế hoạch số 15/NQ-CP ngày 01/02/2025 của UBND xã")
    kinds = [i["kind"] for i in citation_issues(cs, None)]
    assert "type-symbol-mismatch" in kinds
    ok = cites("Căn cứ Kế hoạch số 15/KH-UBND ngày 01/02/2025 của UBND xã")
    assert "type-symbol-mismatch" not in [i["kind"] for i in citation_issues(ok, None)]


def test_date_and_issuer_conflicts():
    cs = cites("Căn cứ Kế hoạch số 7/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh;",
               "Thực hiện Kế hoạch số 7/KH-UBND ngày 02/02/2025 của UBND tỉnh Hà Tĩnh.")
    assert cs[0].doc_id == cs[1].doc_id
    conflict = [i for i in citation_issues(cs, None) if i["kind"] == "date-conflict"]
    assert conflict and conflict[0]["data"]["dates"] == ["2025-02-01", "2025-02-02"]
    assert conflict[0]["lines"] == [1, 2]
    same = cites("Căn cứ Kế hoạch số 7/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh;",
                 "Thực hiện Kế hoạch số 7/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh.")
    assert not [i for i in citation_issues(same, None) if i["kind"] == "date-conflict"]
    cs = cites("Căn cứ Kế hoạch số 7/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh;",
               "Thực hiện Kế hoạch số 7/KH-UBND ngày 01/02/2025 của Tỉnh ủy Hà Tĩnh.")
    assert cs[0].doc_id == cs[1].doc_id == "7/KH-UBND@2025~ha-tinh"
    clash = [i for i in citation_issues(cs, None) if i["kind"] == "issuer-conflict"]
    assert clash and clash[0]["citations"] == [0, 1]
    # a catalogue document given the wrong issuer
    c = one("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Chính phủ")
    assert c.doc_id == "57-NQ/TW@2024" and "catalog-issuer-differs" in c.warnings
    clash = [i for i in citation_issues([c], None) if i["kind"] == "issuer-conflict"]
    assert clash and clash[0]["data"]["catalog_issuer"] == "Bộ Chính trị"


def test_lower_bound():
    cs = cites("Căn cứ Kế hoạch số 5/KH-UBND ngày 05/9/2025 của UBND xã;",
               "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; Kế hoạch số 8/KH-UBND ngày /9/2025")
    day, c = as_of_lower_bound(cs)
    assert day == dt.date(2025, 9, 5) and c.number == "5/KH-UBND"
    assert as_of_lower_bound(cites("Nghị quyết số 57-NQ/TW của Bộ Chính trị")) is None


def test_spans_point_at_the_original_text():
    # decomposed characters and a bookmark in the original; the span still covers the reference
    import unicodedata
    raw = "[bookmark: b1]Căn cứ " + unicodedata.normalize("NFD", "Nghị quyết số 57-NQ/TW ngày 22/12/2024")
    u = units_of(raw)
    c = extract_citations(u)[0]
    assert raw[c.start:c.end] == c.surface
    assert unicodedata.normalize("NFC", c.surface) == "Nghị quyết số 57-NQ/TW ngày 22/12/2024"


# ------------------------------------------------------------------ the seed plans
def seed_cits(seed, prefix):
    res = read(seed(prefix))
    header = parse_header(res.units)
    return extract_citations(res.units, header), header


def by_number(cs, number):
    return [c for c in cs if c.number == number]


def test_seed_000(seed):
    cs, header = seed_cits(seed, "000")
    title03 = by_number(cs, "03/NQ-CP")[0]
    assert title03.role == "implements" and title03.date.iso() == "2025-01-09" and title03.issuer == "Chính phủ"
    kh44 = by_number(cs, "44/KH-UBND")
    assert kh44[0].issuer == "UBND huyện Tư Nghĩa" and kh44[0].date.iso() == "2025-03-20"
    assert kh44[0].role == "implements" and kh44[0].doc_id == "44/KH-UBND@2025~tu-nghia"
    nested = [c for c in cs if c.parent == kh44[0].index]
    assert nested and nested[0].number == "03/NQ-CP"
    kh51 = by_number(cs, "51/KH-UBND")[0]
    assert kh51.issuer == "UBND tỉnh Quảng Ngãi" and kh51.date.iso() == "2025-03-07"
    assert kh51.doc_id == "51/KH-UBND@2025~quang-ngai"
    assert by_number(cs, "31-CTr/HU")[0].issuer == "Huyện ủy Tư Nghĩa"
    assert by_number(cs, "45-NQ/TW")[0].doc_id == "45-NQ/TW@2023"
    # the alias "(sau đây viết tắt là Nghị quyết số 03/NQ-CP)"
    assert any(c.alias and c.number == "03/NQ-CP" for c in cs)
    assert not [i for i in citation_issues(cs, header.date) if i["kind"] != "date-after-plan"]
    assert as_of_lower_bound(cs)[0] == dt.date(2025, 3, 20)


def test_seed_001_footnote(seed):
    cs, header = seed_cits(seed, "001")
    kh06 = by_number(cs, "06/KH-UBND")[0]
    assert kh06.role == "basis" and kh06.issuer == "UBND tỉnh Lạng Sơn" and kh06.doc_id == "06/KH-UBND@2026~lang-son"
    kh47 = by_number(cs, "47-KH/ĐU")[0]
    assert kh47.role == "basis" and kh47.issuer == "Đảng ủy xã Cao Lộc" and kh47.date.iso() == "2026-01-02"
    foot = [c for c in cs if c.loc.line == 23]
    numbers = [c.number for c in foot]
    for n in ("221-KH/ĐU", "70/KH-UBND", "71/NQ-CP", "238-KH/TU", "74/KH-UBND", "1169/QĐ-TTg"):
        assert n in numbers
    kh238 = by_number(foot, "238-KH/TU")[0]
    assert kh238.date.iso() == "2025-05-23" and kh238.issuer == "Ban Thường vụ Tỉnh ủy"
    assert kh238.doc_id == "238-KH/TU@2025~lang-son"
    qd = by_number(foot, "1169/QĐ-TTg")[0]
    assert qd.date.iso() == "2025-06-16" and qd.issuer == "Thủ tướng Chính phủ"
    assert qd.parent == by_number(foot, "74/KH-UBND")[0].index
    words_date = [c for c in foot if c.number == "57-NQ/TW" and "tháng 12 năm 2024" in c.surface]
    assert words_date and words_date[0].date.iso() == "2024-12-22"
    # nothing cited after the plan's own date (23/01/2026)
    assert not [i for i in citation_issues(cs, header.date) if i["kind"] == "date-after-plan"]


def test_seed_002_inconsistencies(seed):
    cs, header = seed_cits(seed, "002")
    issues = citation_issues(cs, header.date)
    conflict = [i for i in issues if i["kind"] == "date-conflict" and i["data"]["number"] == "469-KH/TU"]
    assert conflict and conflict[0]["data"]["dates"] == ["2025-05-15", "2025-05-16"]
    assert conflict[0]["data"]["catalog_date"] == "2025-05-16"
    bad = [i for i in issues if i["kind"] == "malformed-symbol"]
    assert bad and bad[0]["data"]["number_raw"] == "92/KHUBND" and bad[0]["line"] == 21
    bases = [c.number for c in cs if c.role == "basis"]
    assert bases == ["57-NQ/TW", "469-KH/TU", "92/KH-UBND", "03-KH/BCĐ", "91/KH-UBND"]
    # "NQ 11/NQ-CP sửa đổi, bổ sung NQ 71/NQ-CP": of the two 11/NQ-CP (2022,
    # 2026) only the 2026 one amends NQ 71 in the catalogue
    nq11 = by_number(cs, "11/NQ-CP")[0]
    assert nq11.doc_id == "11/NQ-CP@2026" and "ambiguous" not in nq11.warnings
    assert any(c.parent == nq11.index and c.doc_id == "71/NQ-CP@2025" for c in cs)
    nq04 = by_number(cs, "04/2025/NQ-CP")[0]
    assert nq04.date.iso() == "2025-08-20" and nq04.doc_id == "04/2025/NQ-CP@2025"
    kh92 = {c.doc_id for c in by_number(cs, "92/KH-UBND")}
    assert kh92 == {"92/KH-UBND@2025~dong-nai"}


def test_a_homonym_resolves_by_the_document_its_title_names():
    amend = cites("Thực hiện Nghị quyết số 11/NQ-CP sửa đổi, bổ sung Nghị quyết số 71/NQ-CP "
                  "ngày 01/4/2025 của Chính phủ;")
    assert [c.doc_id for c in amend] == ["11/NQ-CP@2026", "71/NQ-CP@2025"]
    # no title to tell them apart: still ambiguous, never a guess
    alone = cites("Thực hiện Nghị quyết số 11/NQ-CP của Chính phủ;")
    assert alone[0].doc_id is None and "ambiguous" in alone[0].warnings
    # a title that names an unrelated document does not pick one either
    other = cites("Thực hiện Nghị quyết số 11/NQ-CP về triển khai Nghị quyết số 57-NQ/TW "
                  "ngày 22/12/2024 của Bộ Chính trị;")
    assert other[0].doc_id is None and "ambiguous" in other[0].warnings


def test_seed_003(seed):
    cs, _ = seed_cits(seed, "003")
    assert [c.number for c in cs] == ["57-NQ/TW", "06-NQ/TU"]
    nq06 = cs[1]
    assert nq06.issuer == "Ban Chấp hành Đảng bộ tỉnh" and nq06.doc_id.startswith("06-NQ/TU@")
    docs = {d["id"]: d for d in document_list(cs)}
    assert docs[nq06.doc_id]["in_catalog"] is False


def test_seed_004(seed):
    cs, header = seed_cits(seed, "004")
    day, c = as_of_lower_bound(cs)
    assert day == dt.date(2025, 9, 5) and c.number == "09-KH/ĐU"
    assert c.issuer == "Đảng uỷ xã Đăk Hà" or c.issuer == "Đảng ủy xã Đăk Hà"
    bases = [x.number for x in cs if x.role == "basis"]
    assert bases == ["57-NQ/TW", "03/NQ-CP", "51/KH-UBND", "09-KH/ĐU"]
    short = [x for x in cs if x.number_raw == "57"]
    assert short and all(x.doc_id == "57-NQ/TW@2024" for x in short)
    assert len([x for x in cs if "malformed-symbol" in x.warnings]) == 2
    assert by_number(cs, "359-KH/TU")[0].issuer == "Tỉnh ủy Quảng Ngãi"
    ids = {x.doc_id for x in cs}
    assert {"06/QĐ-TTg@2022", "20/2023/QH15@2023", "02-KH/BCĐTW@2025", "71/NQ-CP@2025"} <= ids


def test_pipeline_header_lower_bound(seed):
    pipeline = pytest.importorskip("checker.pipeline")
    plan = pipeline.extract(seed("004"))
    assert plan.header.date_lower_bound == "2025-09-05"
    assert plan.documents and all("id" in d for d in plan.documents)


def test_every_seed_citation_has_number_and_location(all_seeds):
    for p in all_seeds:
        res = read(p)
        for c in extract_citations(res.units, parse_header(res.units)):
            assert c.number or c.doc_id, c.surface
            assert c.loc.line >= 1 and c.surface.strip()
            assert c.role in ("basis", "implements", "attachment", "mention")


# ------------------------------------------------------------------ speed
def test_scanning_a_40kb_plan_takes_a_few_ms(seed):
    res = read(seed("004"))
    units = res.units
    size = sum(len(u.text.encode("utf-8")) for u in units)
    assert size > 30_000
    extract_citations(units)  # warm the catalogue and pattern caches
    times = []
    for _ in range(15):
        t = time.process_time()
        extract_citations(units)
        times.append(time.process_time() - t)
    # 3-5 ms of CPU on the development machine; the bound leaves room for slow runners
    assert min(times) < 0.025


# ------------------------------------------------------------------ every document type
@pytest.mark.parametrize("text,doc_type,number", [
    ("Kế hoạch hành động số 221-KH/ĐU ngày 02/10/2025 của Ban Thường vụ Đảng ủy xã", "Kế hoạch hành động", "221-KH/ĐU"),
    ("Chương trình hành động số 31-CTr/HU ngày 16/02/2024 của Huyện ủy", "Chương trình hành động", "31-CTr/HU"),
    ("Chương trình số 12-CTr/TU của Tỉnh ủy", "Chương trình", "12-CTr/TU"),
    ("Chỉ thị số 07/CT-TTg ngày 14/3/2025 của Thủ tướng Chính phủ", "Chỉ thị", "07/CT-TTg"),
    ("Kết luận số 130-KL/TW ngày 14/3/2025 của Bộ Chính trị", "Kết luận", "130-KL/TW"),
    ("Nghị định số 150/2025/NĐ-CP ngày 12/6/2025 của Chính phủ", "Nghị định", "150/2025/NĐ-CP"),
    ("Thông tư số 19/2025/TT-BNNMT của Bộ Nông nghiệp và Môi trường", "Thông tư", "19/2025/TT-BNNMT"),
    ("Công văn số 402-CV/VPĐU ngày 25/5/2025", "Công văn", "402-CV/VPĐU"),
    ("Hướng dẫn số 05-HD/BTGTW", "Hướng dẫn", "05-HD/BTGTW"),
    ("Thông báo số 408/TB-VPCP ngày 08/8/2025 của Văn phòng Chính phủ", "Thông báo", "408/TB-VPCP"),
    ("Quy chế số 02-QC/BCĐTW ngày 10/6/2025", "Quy chế", "02-QC/BCĐTW"),
    ("Quy định số 230-QĐ/TW ngày 10/01/2025", "Quy định", "230-QĐ/TW"),
    ("Báo cáo số 198/BC-UBND ngày 20/6/2025 của UBND tỉnh Đồng Nai", "Báo cáo", "198/BC-UBND"),
    ("Tờ trình số 04/TTr-BKHCN-BTTTT ngày 02/01/2025", "Tờ trình", "04/TTr-BKHCN-BTTTT"),
    ("Văn bản số 562/BKHCN-VCL của Bộ Khoa học và Công nghệ", "Văn bản", "562/BKHCN-VCL"),
    ("Đề án số 06/ĐA-UBND của UBND xã", "Đề án", "06/ĐA-UBND"),
    ("Luật số 93/2025/QH15", "Luật", "93/2025/QH15"),
])
def test_document_types(text, doc_type, number):
    c = cites(text)[0]
    assert (c.doc_type, c.number) == (doc_type, number)
    assert not [i for i in citation_issues([c], None) if i["kind"] == "type-symbol-mismatch"]


@pytest.mark.parametrize("text", [
    "theo hướng dẫn của Sở Khoa học và Công nghệ",
    "xây dựng quy chế phối hợp giữa các ban ngành",
    "Thông báo kết quả cho người dân trước 15 ngày",
    "Văn bản chỉ đạo có liên quan",
])
def test_type_words_without_a_number_are_not_citations(text):
    assert cites(text) == []


def test_issuers_of_catalogue_documents_resolve():
    c = cites("Thông báo số 408/TB-VPCP ngày 08/8/2025 của Văn phòng Chính phủ")[0]
    assert c.doc_id == "408/TB-VPCP@2025" and c.issuer == "Văn phòng Chính phủ"
    c = cites("Kết luận số 130-KL/TW ngày 14/3/2025 của Bộ Chính trị, Ban Bí thư")[0]
    assert c.doc_id == "130-KL/TW@2025"


def test_number_without_symbol():
    c = one("Căn cứ Nghị định 45/2025 của Chính phủ")
    assert c.doc_id == "45/2025/NĐ-CP@2025" and c.number == "45/2025/NĐ-CP"
    assert "incomplete-symbol" in c.warnings
    assert [i["kind"] for i in citation_issues([c], None)] == ["incomplete-symbol"]
    local = one("tại Nghị quyết 99/2024 của HĐND tỉnh")
    assert local.doc_id == "99/2024@2024" and "incomplete-symbol" in local.warnings
    assert "incomplete-symbol" not in one("Nghị định số 45/2025/NĐ-CP").warnings


def test_named_law_picks_the_version_by_year():
    old = one("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")
    assert old.doc_id == "77/2015/QH13@2015" and old.role == "basis"
    new = one("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    assert new.doc_id == "72/2025/QH15@2025"
    amended = one("Căn cứ Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;")
    assert amended.doc_id == "77/2015/QH13@2015"
    bare = one("theo Luật Tổ chức chính quyền địa phương")
    assert bare.doc_id is None and "ambiguous" in bare.warnings
    assert one("Căn cứ Luật Khoa học và Công nghệ năm 2013;").doc_id == "29/2013/QH13@2013"


def test_generic_provincial_issuer_takes_the_province_the_plan_names():
    cs = cites("Căn cứ Kế hoạch số 3/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh;",
               "Căn cứ Kế hoạch số 8/KH-UBND ngày 01/3/2025 của UBND tỉnh;")
    assert cs[1].doc_id == "8/KH-UBND@2025~ha-tinh"
    two = cites("Căn cứ Kế hoạch số 3/KH-UBND ngày 01/02/2025 của UBND tỉnh Hà Tĩnh;",
                "Căn cứ Kế hoạch số 4/KH-UBND ngày 01/02/2025 của UBND tỉnh Nghệ An;",
                "Căn cứ Kế hoạch số 8/KH-UBND ngày 01/3/2025 của UBND tỉnh;")
    assert two[2].doc_id == "8/KH-UBND@2025"


def test_basis_only_in_the_preamble():
    cs = cites("KẾ HOẠCH",
               "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;",
               "MỤC ĐÍCH, YÊU CẦU",
               "Căn cứ Kế hoạch số 8/KH-UBND ngày 01/3/2025 của UBND xã, các phòng xây dựng kế hoạch.")
    assert [c.role for c in cs] == ["basis", "mention"]


def test_references_broken_across_hard_wrapped_lines():
    res = read(FIX / "wrapped.txt")
    cs = extract_citations(res.units)
    kh51 = by_number(cs, "51/KH-UBND")[0]
    assert kh51.loc.line == 1 and kh51.surface == "Kế hoạch số"  # the part on its own line
    assert kh51.date.iso() == "2025-03-07" and kh51.issuer == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert kh51.role == "basis" and kh51.doc_id == "51/KH-UBND@2025~quang-ngai"
    assert len(by_number(cs, "51/KH-UBND")) == 1  # not found a second time on line 2
    nq03 = by_number(cs, "03/NQ-CP")[0]
    assert nq03.issuer == "Chính phủ" and nq03.parent == kh51.index and nq03.role == "mention"
    assert by_number(cs, "1169/QĐ-TTg")[0].role == "basis"  # the paragraph began with "Căn cứ"


def test_subject_of_an_uncatalogued_document(seed):
    cs, _ = seed_cits(seed, "001")
    docs = {d["id"]: d for d in document_list(cs)}
    title = docs["70/KH-UBND@2025~cao-loc"]["title"]
    assert title.startswith("về việc triển khai thực hiện Nghị quyết số 71/NQ-CP")
    assert docs["57-NQ/TW@2024"]["title"].startswith("Về đột phá")  # the catalogue's official title


def test_covering_citation():
    from checker.cite.resolve import covering_citation

    u = units_of("Căn cứ Kế hoạch số 92/KH-UBND ngày 15/9/2025 của UBND tỉnh Đồng Nai; báo cáo UBND tỉnh Đồng Nai.")
    cs = extract_citations(u)
    text = u[0].text
    first = text.index("UBND tỉnh Đồng Nai")
    last = text.rindex("UBND tỉnh Đồng Nai")
    c = covering_citation(cs, 0, first, first + len("UBND tỉnh Đồng Nai"))
    assert c is not None and c.date.iso() == "2025-09-15"
    assert covering_citation(cs, 0, last, last + len("UBND tỉnh Đồng Nai")) is None


def test_wrong_separators_resolve_with_a_warning():
    c = one("Quán triệt Nghị quyết số 57/NQ-TW ngày 22/12/2024 của Bộ Chính trị")
    assert c.doc_id == "57-NQ/TW@2024" and c.number == "57-NQ/TW" and c.number_raw == "57/NQ-TW"
    assert "malformed-symbol" in c.warnings
    issue = [i for i in citation_issues([c], None) if i["kind"] == "malformed-symbol"][0]
    assert issue["data"]["number_raw"] == "57/NQ-TW" and "57-NQ/TW" in issue["message"]["vi"]
