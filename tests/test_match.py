"""Coverage of reference mandates by plan tasks (checker.match.matcher), the nlp
helpers it stands on, and ``plancheck explain``."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.match.matcher import COVERED, PARTIAL, expand_abbreviations, match, pair_score
from checker.model import Location, Task
from checker.extract.nlp import find_roles, make_doc, phrase_matcher, syllables, tokens

DATA = Path(__file__).resolve().parent / "data"
OFFTOPIC = DATA / "offtopic_plan.txt"
NQ57_GROUPS = ["III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7"]


def plan_of(path):
    from checker.pipeline import extract

    return extract(path)


def coverage(path, refs=("nq57",), **kw):
    p = plan_of(path)
    return match(p.tasks, list(refs), indicators=p.indicators, **kw)


def groups(cov, ref="nq57"):
    return {g["group"]: g for g in cov.groups if g["reference"] == ref}


def status(cov, mid):
    return next(s for s in cov.mandates if s.mandate.id == mid)


def task(text, section_title=None, line=1):
    return Task(id=f"T{line}", text=text, section=None, unit=0,
                loc=Location(line=line, human=f"dòng {line}"), section_title=section_title)


# ------------------------------------------------------------ nlp

def test_tokens_join_compounds():
    toks = tokens("Phòng Văn hoá – Xã hội chủ trì tuyên truyền chuyển đổi số")
    assert "Văn hóa" in toks and "chủ trì" in toks and "tuyên truyền" in toks


def test_phrase_matcher_meets_both_tone_styles_and_no_accents():
    pm = phrase_matcher(["hoà nhập số", "Bình dân học vụ số"])
    for text in ("chương trình hòa nhập số", "chương trình hoà nhập số",
                 "chuong trinh hoa nhap so", "phong trào BÌNH DÂN HỌC VỤ SỐ"):
        assert pm.find(syllables(text)), text
    doc = make_doc(["chuyen", "doi", "so"])
    assert len(doc) == 3 and doc.vocab is make_doc(["x"]).vocab


@pytest.mark.parametrize("text,lead,partners", [
    ("Phòng Văn hóa – Xã hội chủ trì, phối hợp với Công an xã, Đoàn Thanh niên triển khai tập huấn.",
     "Phòng Văn hóa – Xã hội", ["Công an xã", "Đoàn Thanh niên"]),
    ("Giao Phòng Kinh tế chủ trì, phối hợp với Trung tâm Phục vụ hành chính công và các cơ quan, "
     "đơn vị liên quan thực hiện.",
     "Phòng Kinh tế", ["Trung tâm Phục vụ hành chính công", "các cơ quan, đơn vị liên quan"]),
    ("UBND xã giao Công an xã thực hiện việc kích hoạt tài khoản định danh điện tử.", "Công an xã", []),
    ("Giao Trung tâm Dịch vụ tổng hợp chủ trì, phối hợp với Hội Nông dân xã tổ chức lớp học.",
     "Trung tâm Dịch vụ tổng hợp", ["Hội Nông dân xã"]),
    ("Tổ chức tuyên truyền sâu rộng trong Nhân dân.", None, []),
    ("Chủ trì, phối hợp với Trạm Trồng trọt và Bảo vệ thực vật khu vực, các hợp tác xã nông nghiệp "
     "theo dõi diễn biến dịch hại.", None,
     ["Trạm Trồng trọt và Bảo vệ thực vật khu vực", "các hợp tác xã nông nghiệp"]),
    ("Phối hợp tổ chức triển khai các chương trình đào tạo, bồi dưỡng.", None, []),
    ("Chủ trì, phối hợp với các cơ quan liên quan trên địa bàn thực hiện tốt công tác thông tin.", None,
     ["các cơ quan liên quan"]),
])
def test_find_roles(text, lead, partners):
    r = find_roles(text)
    assert r["lead"] == lead
    assert r["partners"] == partners


def test_abbreviations_are_expanded_case_sensitively():
    t = expand_abbreviations("Ứng dụng AI trong giải quyết TTHC; ai cũng dùng DVCTT, KH&CN")
    assert "trí tuệ nhân tạo (AI)" in t and "thủ tục hành chính (TTHC)" in t
    assert "dịch vụ công trực tuyến (DVCTT)" in t and "khoa học và công nghệ (KH&CN)" in t
    assert "ai cũng" in t  # the pronoun is not an abbreviation


# ------------------------------------------------------------ scoring

def test_abbreviated_and_spelled_out_tasks_score_alike():
    a = pair_score("Nâng cao tỷ lệ hồ sơ TTHC xử lý qua DVCTT toàn trình", "nq57.III.5.04")
    b = pair_score("Nâng cao tỷ lệ hồ sơ thủ tục hành chính xử lý qua dịch vụ công trực tuyến toàn trình",
                   "nq57.III.5.04")
    assert a >= COVERED and b >= COVERED and abs(a - b) < 12


def test_tone_styles_score_alike():
    a = pair_score("Phát triển văn hoá số trong cộng đồng, thực hiện bộ quy tắc ứng xử", "nq57.III.5.08")
    b = pair_score("Phát triển văn hóa số trong cộng đồng, thực hiện bộ quy tắc ứng xử", "nq57.III.5.08")
    assert a == pytest.approx(b) and a >= COVERED


def test_purpose_clause_weighs_less_than_the_action():
    action = pair_score("Cung cấp dịch vụ công trực tuyến toàn trình cho người dân", "nq57.III.5.04")
    purpose = pair_score("Đầu tư trang thiết bị cho Đài truyền thanh xã nhằm hỗ trợ dịch vụ công trực tuyến",
                         "nq57.III.5.04")
    assert action > purpose


def test_off_topic_wording_does_not_cover():
    s = pair_score("Tuyên truyền trên hệ thống truyền thanh xã về lịch thời vụ và phòng trừ rầy nâu",
                   "nq57.III.1.01")
    assert s < COVERED


def test_labelled_pairs_precision_and_recall():
    """The calibrated thresholds keep precision ≥ 0.9 and recall ≥ 0.75 on
    tests/data/labelled_pairs.yaml (bench/calibrate_match.py prints them)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import calibrate_match as cm

    r = cm.evaluate()
    assert r["pairs"] >= 150
    assert r["precision"] >= 0.9, r
    assert r["recall"] >= 0.75, r
    # pairs labelled blind after tuning: the honest estimate
    h = cm.evaluate(cm.load_pairs(cm.HELDOUT))
    assert h["pairs"] >= 30  # seeds 000/004 removed (blind test)
    assert h["precision"] >= 0.85, h
    assert h["recall"] >= 0.75, h


# ------------------------------------------------------------ coverage of real plans

def test_seed_000_follows_the_seven_groups(seed):
    cov = coverage(seed("000"))
    g = groups(cov)
    for gid in NQ57_GROUPS:
        assert g[gid]["covered"] >= 1, gid
        assert g[gid]["ratio"] >= 0.5, (gid, g[gid])
    total = sum(g[x]["covered"] for x in NQ57_GROUPS)
    appl = sum(g[x]["total"] for x in NQ57_GROUPS)
    assert total / appl >= 0.75
    # concrete evidence a reviewer can check
    s = status(cov, "nq57.III.5.06")
    assert s.status == "covered"
    assert any("danh tính số" in e.task for e in s.evidence)
    assert s.evidence[0].location.startswith("dòng")


def test_seed_003_annex_covers_awareness_and_science_groups(seed):
    cov = coverage(seed("003"))
    g = groups(cov)
    assert g["III.1"]["covered"] >= 1  # tuyên truyền, nâng cao nhận thức
    assert g["III.7"]["covered"] >= 1  # giao lưu, học tập kinh nghiệm
    assert g["III.4"]["covered"] >= 1  # STEM, nhân lực
    assert status(cov, "nq57.III.1.01").status == "covered"
    assert status(cov, "nq57.III.4.02").status == "covered"
    # a short S&T annex does not do digital government: most of III.5 is missing
    assert g["III.5"]["covered"] <= 2
    assert status(cov, "nq57.III.5.06").status == "missing"


def test_seed_002_indicator_table_counts_as_evidence(seed):
    p = plan_of(seed("002"))
    with_ind = match(p.tasks, ["nq57"], indicators=p.indicators)
    without = match(p.tasks, ["nq57"])
    s1, s0 = status(with_ind, "nq57.III.5.06"), status(without, "nq57.III.5.06")
    assert s1.score >= s0.score
    assert s1.status == "covered"  # VNeID, định danh số in Mục tiêu cụ thể


@pytest.mark.parametrize("sid", ["000", "001", "002", "004"])
def test_full_plans_cover_most_of_nq57(seed, sid):
    cov = coverage(seed(sid))
    g = groups(cov)
    cov_n = sum(g[x]["covered"] + g[x]["partial"] for x in NQ57_GROUPS)
    total = sum(g[x]["total"] for x in NQ57_GROUPS)
    assert cov_n / total >= 0.5, (sid, cov_n, total)


def test_offtopic_plan_does_not_cover_nq57():
    cov = coverage(OFFTOPIC, refs=("nq57", "nq71"))
    g = groups(cov)
    assert all(g[x]["covered"] == 0 for x in NQ57_GROUPS), g
    ratios = [g[x]["ratio"] for x in NQ57_GROUPS]
    assert sum(ratios) / len(ratios) < 0.1
    assert not [s for s in cov.mandates if s.status == "covered"]
    # its tasks are listed as unmatched, not errors
    assert len(cov.unmatched_tasks) >= 8
    assert {"id", "line", "location", "text"} <= set(cov.unmatched_tasks[0])


def _without_section(path: Path, start_prefix: str, end_prefix: str, tmp_path: Path) -> Path:
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.strip().startswith(start_prefix))
    j = next(k for k, ln in enumerate(lines) if k > i and ln.strip().startswith(end_prefix))
    out = tmp_path / path.name
    out.write_text("\n".join(lines[:i] + lines[j:]), encoding="utf-8")
    return out


def test_deleting_a_group_section_makes_its_mandates_missing(seed, tmp_path):
    src = seed("000")
    before = coverage(src)
    assert groups(before)["III.7"]["covered"] >= 2
    cut = _without_section(src, "7. Tăng cường hợp tác", "III. KINH PHÍ", tmp_path)
    after = coverage(cut)
    g = groups(after)["III.7"]
    assert g["covered"] == 0 and g["partial"] == 0 and g["missing"] == g["total"]
    # the other groups are untouched
    for gid in ("III.1", "III.5"):
        assert groups(after)[gid]["covered"] == groups(before)[gid]["covered"]


def test_deleting_the_awareness_section_of_seed_004(seed, tmp_path):
    src = seed("004")
    cut = _without_section(src, "2. Nâng cao nhận thức", "3. Hoàn thiện cơ chế", tmp_path)
    before, after = coverage(src), coverage(cut)
    # duties written only in that section go missing ... (or partial on a trace only:
    # a line elsewhere with part of the duty in other words, checker.match.traces;
    # no keyword evidence is left)
    for mid in ("nq57.III.1.05", "nq57.III.1.06", "nq57.III.1.08"):
        assert status(before, mid).status == "covered"
        st = status(after, mid)
        assert st.status == "missing" or (st.status == "partial" and all(e.trace for e in st.evidence)), mid
    # ... while those the plan repeats elsewhere (propaganda in IV.2, the head's
    # responsibility in III.4/III.6) stay covered, with evidence outside the cut
    for mid in ("nq57.III.1.01", "nq57.III.1.02"):
        s = status(after, mid)
        assert s.status == "covered" and s.evidence


# ------------------------------------------------------------ statuses

def test_levels_make_national_mandates_not_applicable():
    cov = match([task("Tổ chức tuyên truyền Nghị quyết 57 về chuyển đổi số")], ["nq57"])
    s = status(cov, "nq57.III.2.01")
    assert s.status == "not-applicable" and "commune" in s.reason
    g = groups(cov)["III.2"]
    assert g["not_applicable"] >= 1 and g["total"] == g["covered"] + g["partial"] + g["missing"]
    prov = match([task("x")], ["nq57"], level="province")
    assert status(prov, "nq57.III.3.09").status != "not-applicable"


def test_waivers_with_reason_and_expiry():
    waivers = [
        {"mandate": "nq57.III.7.*", "reason": "xã không có hợp tác quốc tế", "approver": "UBND tỉnh",
         "expires": "2030-12-31"},
        {"mandate": "nq57.III.5.03", "reason": "IOC do tỉnh làm", "approver": "Sở KH&CN",
         "expires": "2020-01-01"},
    ]
    cov = match([task("Tổ chức tuyên truyền Nghị quyết 57 về chuyển đổi số")], ["nq57"], waivers=waivers,
                as_of=dt.date(2026, 1, 1))
    s = status(cov, "nq57.III.7.01")
    assert s.status == "waived" and "hợp tác quốc tế" in s.reason and "UBND tỉnh" in s.reason
    assert status(cov, "nq57.III.5.03").status == "missing"  # expired waiver
    assert groups(cov)["III.7"]["waived"] >= 3


def test_coverage_json_shape():
    cov = match([task("Xây dựng kế hoạch tuyên truyền về chuyển đổi số trên đài truyền thanh xã", line=7)],
                ["nq57", "nq71"])
    d = cov.to_dict()
    row = d["groups"][0]
    assert {"reference", "group", "title", "total", "covered", "partial", "missing", "ratio"} <= set(row)
    m = next(x for x in d["mandates"] if x["id"] == "nq57.III.1.01")
    assert {"id", "reference", "group", "status", "score", "evidence"} <= set(m)
    ev = m["evidence"][0]
    assert {"line", "location", "task", "score", "keywords"} <= set(ev)
    assert ev["line"] == 7 and "kế hoạch tuyên truyền" in ev["keywords"]
    assert {g["reference"] for g in d["groups"]} == {"nq57", "nq71"}


def test_evidence_is_capped_and_ordered(seed):
    cov = coverage(seed("004"))
    for s in cov.mandates:
        assert len(s.evidence) <= 3
        scores = [e.score for e in s.evidence]
        assert scores == sorted(scores, reverse=True)
        assert all(e.score >= PARTIAL for e in s.evidence)


def test_matching_time_per_plan(seed):
    """A 40 KB plan against nq57 + nq71 well under 0.3 s once loaded."""
    p = plan_of(seed("004"))
    match(p.tasks, ["nq57", "nq71"])  # load sets, spaCy, rapidfuzz
    from dataclasses import replace

    tasks = [replace(t, id=f"{t.id}-{k}") for k in range(2) for t in p.tasks]  # ~ 45 KB of task text
    runs = []
    for _ in range(3):
        t0 = time.process_time()  # CPU time: robust to other jobs on the machine
        match(tasks, ["nq57", "nq71"])
        runs.append(time.process_time() - t0)
    assert min(runs) < 0.3, runs


# ------------------------------------------------------------ explain

def test_explain_command(seed):
    from checker.apps.cmd_reference import explain_command

    r = CliRunner()
    res = r.invoke(explain_command, [str(seed("000")), "--mandate", "nq57.III.5.06"])
    assert res.exit_code == 0, res.output
    assert "ĐÃ CÓ" in res.output and "danh tính số" in res.output
    res = r.invoke(explain_command, [str(seed("003")), "--mandate", "nq57.III.5.10", "--lang", "en"])
    assert res.exit_code == 0 and "MISSING" in res.output and "Suggestion" in res.output
    res = r.invoke(explain_command, [str(seed("003")), "--mandate", "nq57.III.1.01", "--format", "json"])
    import json

    d = json.loads(res.output)
    assert d["status"] == "covered" and d["evidence"][0]["line"]
    res = r.invoke(explain_command, [str(seed("003")), "--mandate", "nq57.X.1"])
    assert res.exit_code == 2


def test_a_mandate_named_only_in_the_objectives_is_partial_with_its_mention(tmp_path):
    """An aim is not a task, but it is not "nothing" either: the mandate is
    partial (an independent reviewer judged "not found" wrong for duties the
    objectives state), and the finding quotes the objective and says it is not
    yet assigned, so the reviewer knows what to turn into a task."""
    from checker.judge.config import Config
    from checker.pipeline import check

    p = tmp_path / "plan.txt"
    p.write_text(
        "ỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 12/KH-UBND\nAn Bình, ngày 20 tháng 02 năm 2026\n"
        "KẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW năm 2026\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n"
        "- Tổ chức triển khai, kết nối, tích hợp và khai thác hiệu quả các nền tảng số quốc gia, "
        "nền tảng số dùng chung theo danh mục đã ban hành.\n"
        "II. NHIỆM VỤ, GIẢI PHÁP\n1. Nâng cao nhận thức\n"
        "- Tổ chức quán triệt Nghị quyết số 57-NQ/TW cho cán bộ, công chức, đảng viên.\n"
        "III. TỔ CHỨC THỰC HIỆN\nVăn phòng UBND xã theo dõi, tổng hợp, báo cáo kết quả thực hiện.\n",
        encoding="utf-8")
    res = check(str(p), references=["nq57", "nq71"], config=Config())
    assert [s.loc.line for s in res.plan.statements] == [7]
    s = status(res.coverage, "nq71.A2.058")
    assert s.status == "partial" and s.mentions and s.mentions[0].line == 7
    assert s.to_dict()["mentions"][0]["line"] == 7
    # one finding per duty (issue 14): the NQ 71 task is one of its mandates
    f = next(f for f in res.findings if f.rule == "MIS001" and "nq71.A2.058" in f.data["mandates"].split(", "))
    assert f.line == 7 and f.data["status"] == "partial"
    assert "(dòng 7); câu này thuộc phần mục đích, mục tiêu: nội dung đã được nêu nhưng chưa giao thành " \
           "nhiệm vụ" in f.message
    assert "(line 7); that sentence is in the purpose or objectives: the duty is named but not assigned" \
           in f.texts["en"][0]
    # a covered mandate gets no mention, and a missing one without an aim neither
    assert status(res.coverage, "nq57.III.1.01").mentions == []
    assert all(not x.mentions for x in res.coverage.mandates if x.mandate.id.startswith("nq57.III.7"))
    from checker.apps.cmd_reference import explain_command

    out = CliRunner().invoke(explain_command, [str(p), "--mandate", "nq71.A2.058"])
    assert out.exit_code == 0, out.output
    assert "Nêu ở mục đích, mục tiêu nhưng chưa giao thành nhiệm vụ:\n  - dòng 7 " in out.output
