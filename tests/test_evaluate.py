"""The rule engine on hand-made plans and on the real seed plans."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from checker.judge.config import Config, Waiver
from checker.judge.engine import evaluate
from checker.judge.findings import exit_code
from checker.judge.registry import CHECKS
from checker.model import CheckResult, Coverage, Finding, Location, Mandate, MandateStatus, Plan, Unit
from checker.normalize import normalize
from checker.judge.rulepack import load_rules

RULES = {r.code: r for r in load_rules()}


def make_plan(lines: list[str]) -> Plan:
    units = []
    for i, text in enumerate(lines):
        n, om = normalize(text)
        units.append(Unit(index=i, text=text, loc=Location(line=i + 1, human=f"dòng {i + 1}"),
                          norm=n, omap=om))
    return Plan(source="plan.txt", format="txt", units=units)


def run(lines: list[str], as_of: str, codes: list[str] | None = None, **kw) -> list[Finding]:
    res = CheckResult(plan=make_plan(lines), as_of=dt.date.fromisoformat(as_of), as_of_basis="option", **kw)
    rules = [RULES[c] for c in codes] if codes else None
    return evaluate(res, rules=rules)


# ------------------------------------------------------------------ engine

def test_as_of_decides_whether_a_rule_applies():
    lines = ["Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ;",
             "Kịp thời báo cáo UBND huyện Tư Nghĩa kết quả thực hiện."]
    assert run(lines, "2025-03-20", ["REF001", "BODY001"]) == []
    got = run(lines, "2026-01-01", ["REF001", "BODY001"])
    assert [(f.rule, f.line) for f in got] == [("REF001", 1), ("BODY001", 2)]
    body = got[1]
    assert body.excerpt and "UBND huyện Tư Nghĩa" == lines[1][body.start:body.end]
    assert body.severity == "error" and body.category == "abolished-body"


def test_current_version_cited_as_basis_silences_the_old_one():
    lines = ["Căn cứ Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ;",
             "- Tiếp tục thực hiện các nhiệm vụ còn lại của Nghị quyết số 03/NQ-CP ngày 09/01/2025."]
    assert run(lines, "2025-10-01", ["REF001"]) == []


def test_other_year_of_the_same_number_is_another_document():
    lines = ["Căn cứ Nghị quyết số 03/NQ-CP ngày 10/01/2024 của Chính phủ;"]
    assert run(lines, "2025-10-01", ["REF001"]) == []


def test_span_points_at_original_text_with_decomposed_marks():
    # "huyện" written with combining marks (as in seed 004): the span must
    # still cover exactly the original characters
    raw = unicodedata.normalize("NFD", "Báo cáo UBND huyện kết quả.")
    f = run([raw], "2026-01-01", ["BODY001"])[0]
    assert unicodedata.normalize("NFC", raw[f.start:f.end]) == "UBND huyện"


def test_historical_mention_with_cu_is_not_reported():
    lines = ["Xã Phước An (thuộc huyện Nhơn Trạch cũ) triển khai Kế hoạch."]
    assert run(lines, "2026-01-01", ["BODY001"]) == []


def test_commune_culture_office_is_current():
    lines = ["Phòng Văn hóa – Xã hội chủ trì, phối hợp với Văn phòng HĐND và UBND xã."]
    assert run(lines, "2026-01-01", ["BODY001", "BODY002", "BODY005"]) == []


def test_belief_body_asks_for_review_and_is_not_an_error():
    lines = ["Phòng Tài chính – Kế hoạch tham mưu bố trí kinh phí."]
    f = run(lines, "2025-09-01", ["BODY005"])[0]
    assert f.severity == "warning" and f.message.startswith("Cần kiểm tra")
    f_en = evaluate(CheckResult(plan=make_plan(lines), as_of=dt.date(2025, 9, 1), as_of_basis="option"),
                    rules=[RULES["BODY005"]], lang="en")[0]
    assert f_en.message.startswith("Needs review")


def test_count_mismatch_counts_numbered_rows_and_group_rows():
    lines = ["| STT | Chỉ tiêu năm 2026 (5 chỉ tiêu) | Đơn vị | Kết quả |",
             "| I | Hạ tầng (02) | | |",
             "| 1 | Phủ sóng 4G | % | 100% |",
             "| II | Dịch vụ công (02) | | |",
             "| 1 | Hồ sơ trực tuyến | % | 80% |",
             "| 2 | Thanh toán trực tuyến | % | 60% |"]
    plan = make_plan(lines)
    for u in plan.units:
        u.kind = "row"
        u.cells = [c.strip() for c in u.text.strip().strip("|").split("|")]
        u.table = 1
    res = CheckResult(plan=plan, as_of=dt.date(2026, 1, 1), as_of_basis="option")
    got = evaluate(res, rules=[RULES["CON006"]])
    assert [(f.line, f.data["said"], f.data["counted"]) for f in got] == [(1, 5, 3), (2, 2, 1)]


def test_past_year_task_ignores_horizons_and_reviews():
    lines = ["II. NHIỆM VỤ TRỌNG TÂM",
             "- Hoàn thành số hóa hồ sơ trong năm 2025.",
             "- Phấn đấu đến năm 2030 đạt 80%; giai đoạn 2026-2030.",
             "- Phát huy kết quả năm 2025, tiếp tục triển khai trong năm 2026.",
             "- Căn cứ Kế hoạch ngày 10 tháng 12 năm 2025 của UBND tỉnh."]
    got = run(lines, "2026-02-01", ["CON007"])
    assert [f.line for f in got] == [2]


def test_missing_mandate_from_coverage():
    m = Mandate(id="nq57.III.6.01", reference="nq57", group="III.6", title="Hỗ trợ doanh nghiệp nhỏ chuyển đổi số")
    ok = Mandate(id="nq57.III.5.01", reference="nq57", group="III.5", title="Chính quyền số")
    opt = Mandate(id="nq57.III.7.01", reference="nq57", group="III.7", title="Hợp tác", required=False)
    cov = Coverage(mandates=[MandateStatus(m, "missing"), MandateStatus(ok, "covered"),
                             MandateStatus(opt, "missing")])
    got = run(["II. NHIỆM VỤ"], "2026-01-01", ["MIS001"], coverage=cov)
    # issue 14: every missing mandate is named - the required one as a
    # warning, the optional one as information; the id stays in the data,
    # out of the officer's sentence
    assert [(f.data["mandate"], f.severity) for f in got] == [("nq57.III.6.01", "warning"),
                                                             ("nq57.III.7.01", "info")]
    assert all(f.category == "missing-task" for f in got)
    assert "nq57.III" not in got[0].message and "Hỗ trợ doanh nghiệp nhỏ" in got[0].message


def test_weak_target_only_same_year():
    from checker.model import Indicator

    plan = make_plan(["| 1 | Tỷ lệ sử dụng dịch vụ công trực tuyến | % | ≥ 60% |"])
    loc = plan.units[0].loc
    ind = Indicator(text="Tỷ lệ sử dụng dịch vụ công trực tuyến", unit=0, loc=loc, measure="%",
                    target="≥ 60%", value=60.0, comparator=">=", year=2026)
    plan.indicators = [ind]
    mand = Mandate(id="x.1", reference="x", group="III.5", title="DVCTT", targets=[
        {"text": "Tỷ lệ sử dụng dịch vụ công trực tuyến", "unit": "%", "value": 80, "comparator": ">=", "year": 2030}])
    cov = Coverage(mandates=[MandateStatus(mand, "covered")])
    res = CheckResult(plan=plan, as_of=dt.date(2026, 1, 1), as_of_basis="option", coverage=cov)
    assert evaluate(res, rules=[RULES["TGT001"]]) == []
    mand.targets[0]["year"] = 2026
    got = evaluate(res, rules=[RULES["TGT001"]])
    assert len(got) == 1 and "80" in got[0].message and got[0].line == 1


def test_config_disables_overrides_and_waives():
    lines = ["Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ;",
             "Kịp thời báo cáo UBND huyện kết quả thực hiện."]
    plan = make_plan(lines)
    res = CheckResult(plan=plan, as_of=dt.date(2026, 1, 1), as_of_basis="option")
    rules = [RULES["REF001"], RULES["BODY001"]]
    assert {f.rule for f in evaluate(res, rules=rules, config=Config(disabled={"REF001"}))} == {"BODY001"}
    got = evaluate(res, rules=rules, config=Config(severity={"BODY001": "info"}))
    assert {f.rule: f.severity for f in got}["BODY001"] == "info"
    fp = next(f for f in got if f.rule == "BODY001").fingerprint
    live = Config(waivers=[Waiver(reason="Đã báo cáo tỉnh", approver="Chủ tịch UBND xã",
                                  expires=dt.date.today() + dt.timedelta(days=30), finding=fp)])
    got = evaluate(res, rules=rules, config=live)
    waived = next(f for f in got if f.rule == "BODY001")
    assert waived.waived and "Đã báo cáo tỉnh" in waived.waived
    assert exit_code(got, "warning") == 1  # REF001 still counts
    expired = Config(waivers=[Waiver(reason="cũ", expires=dt.date(2020, 1, 1), finding=fp)])
    got = evaluate(res, rules=rules, config=expired)
    assert not next(f for f in got if f.rule == "BODY001").waived


def test_exit_code_levels():
    fs = [Finding(rule="A", category="structure", severity="warning", message="m")]
    assert exit_code(fs, "error") == 0
    assert exit_code(fs, "warning") == 1
    assert exit_code(fs, "info") == 1
    assert exit_code(fs, "never") == 0
    fs[0].waived = "baseline"
    assert exit_code(fs, "info") == 0
    assert exit_code([], "info") == 0


def test_every_check_kind_is_used_or_aliased():
    used = {r.kind for r in RULES.values()}
    assert used <= set(CHECKS)


# ------------------------------------------------------------------- seeds

def _check(path, as_of=None):
    from checker import pipeline
    return pipeline.check(str(path), as_of=as_of, config=Config())


def test_seed_004_relies_on_nq03_after_nq71(seed):
    res = _check(seed("004"))
    assert res.as_of >= dt.date(2025, 9, 5)
    ref = [f for f in res.findings if f.rule == "REF001"]
    assert ref, "seed 004 cites NQ 03/NQ-CP as its basis"
    f = ref[0]
    unit = res.plan.units[f.unit]
    assert "03/NQ-CP" in unit.text and unit.text.lstrip().startswith("Căn cứ")
    assert "03/NQ-CP" in unit.text[f.start:f.end]


def test_seed_002_known_inconsistencies(seed):
    res = _check(seed("002"))
    by = {}
    for f in res.findings:
        by.setdefault(f.rule, []).append(f)
    two = [f for f in by.get("CON001", []) if f.data.get("number") == "469-KH/TU"]
    assert two and two[0].data["date"] == "15/05/2025" and two[0].data["other_date"] == "16/05/2025"
    assert "469-KH/TU" in res.plan.units[two[0].unit].text
    mal = by.get("CON002", [])
    assert any("92/KHUBND" in res.plan.units[f.unit].text[f.start:f.end] for f in mal)
    cnt = by.get("CON006", [])
    assert any(f.data["said"] == 54 and f.data["counted"] == 40 for f in cnt)


def test_seed_000_clean_for_its_date_not_in_2026(seed):
    res = _check(seed("000"))
    assert res.as_of < dt.date(2025, 4, 1)
    outdated = [f for f in res.findings if f.category in ("outdated-reference", "abolished-body")]
    assert outdated == [], [(f.rule, f.line, f.message) for f in outdated]
    res = _check(seed("000"), as_of=dt.date(2026, 1, 1))
    rules = {f.rule for f in res.findings}
    assert "REF001" in rules and "BODY001" in rules


def test_every_seed_finding_is_located(all_seeds):
    for path in all_seeds:
        res = _check(path)
        for f in res.findings:
            assert f.message and f.suggestion and f.fingerprint
            if f.rule in ("STR001",):
                continue
            assert f.line is not None and f.location, (path.name, f.rule, f.message)
            if f.start is not None:
                u = res.plan.units[f.unit]
                assert 0 <= f.start < f.end <= len(u.text)


def test_fingerprints_survive_line_shifts(seed, tmp_path):
    src = seed("002").read_text(encoding="utf-8")
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(src, encoding="utf-8")
    lines = src.split("\n")
    # three blank lines after the header and a new paragraph in the purpose part
    k = next(i for i, line in enumerate(lines) if line.startswith("I. MỤC ĐÍCH"))
    lines[k + 1:k + 1] = ["", "- Bổ sung: bảo đảm an toàn thông tin trong toàn bộ quá trình thực hiện.", "", ""]
    b.write_text("\n".join(lines), encoding="utf-8")
    fa = {f.fingerprint: f.line for f in _check(a, as_of=dt.date(2026, 2, 12)).findings}
    fb = {f.fingerprint: f.line for f in _check(b, as_of=dt.date(2026, 2, 12)).findings}
    moved = [fp for fp in fa if fp in fb and fa[fp] is not None and fb[fp] != fa[fp]]
    assert moved, "some findings should have moved down"
    assert set(fa) <= set(fb)


def test_date_after_a_nested_number_is_a_warning_not_an_error(tmp_path):
    """ "NQ 11/NQ-CP sửa đổi NQ 71/NQ-CP ngày 14/01/2026": the date may be
    NQ 11's, so the two-dates finding asks to re-read (warning), while a plain
    second date for one document stays an error."""
    p = tmp_path / "plan.txt"
    p.write_text(
        "ỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 12/KH-UBND\nAn Bình, ngày 20 tháng 02 năm 2026\n"
        "KẾ HOẠCH\nThực hiện chuyển đổi số năm 2026\n"
        "Căn cứ Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ;\n"
        "Căn cứ Kế hoạch số 469-KH/TU ngày 16/5/2025 của Tỉnh ủy;\n"
        "Thực hiện Nghị quyết số 11/NQ-CP sửa đổi, bổ sung Nghị quyết số 71/NQ-CP "
        "ngày 14/01/2026 của Chính phủ;\n"
        "Thực hiện Kế hoạch số 469-KH/TU ngày 15/5/2025 của Tỉnh ủy.\n",
        encoding="utf-8")
    res = _check(p)
    two = {f.data.get("number"): f for f in res.findings if f.rule == "CON001"}
    assert two["71/NQ-CP"].severity == "warning"
    assert "11/NQ-CP" in two["71/NQ-CP"].message
    assert two["469-KH/TU"].severity == "error"
