"""plancheck.toml / [tool.plancheck]: discovery, parsing, waivers, baseline."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from checker.judge.baseline import apply_baseline, filter_new, load_baseline
from checker.judge.config import find_config, load_config, read_config
from checker.errors import PlanError

PLAN = """ỦY BAN NHÂN DÂN
XÃ AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 10 tháng 01 năm 2026

KẾ HOẠCH
Thực hiện Nghị quyết số 57-NQ/TW trên địa bàn xã An Bình năm 2026

Căn cứ Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ;

I. MỤC ĐÍCH, YÊU CẦU
- Cụ thể hóa nhiệm vụ cấp trên giao phù hợp với thực tế của xã.

II. NHIỆM VỤ VÀ GIẢI PHÁP
1. Nhiệm vụ trọng tâm
- Số hóa hồ sơ thủ tục hành chính tại Trung tâm Phục vụ hành chính công xã.

III. KINH PHÍ THỰC HIỆN
Ngân sách xã bố trí hằng năm.

IV. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã báo cáo UBND huyện kết quả thực hiện.
"""


def test_found_upward_from_the_plan(tmp_path):
    (tmp_path / "plancheck.toml").write_text('as_of = "2026-01-01"\nreferences = ["nq57"]\n', encoding="utf-8")
    sub = tmp_path / "xa" / "2026"
    sub.mkdir(parents=True)
    plan = sub / "ke-hoach.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert find_config(plan) == tmp_path / "plancheck.toml"
    cfg = load_config(plan)
    assert cfg.as_of == dt.date(2026, 1, 1) and cfg.references == ["nq57"]


def test_as_of_from_the_config_says_so(tmp_path):
    (tmp_path / "plancheck.toml").write_text('as_of = "2026-01-01"\n', encoding="utf-8")
    plan = tmp_path / "ke-hoach.txt"
    plan.write_text(PLAN, encoding="utf-8")
    from checker.pipeline import check

    res = check(str(plan))
    assert (res.as_of, res.as_of_basis) == (dt.date(2026, 1, 1), "config")
    # the option still wins over the file
    res = check(str(plan), as_of=dt.date(2025, 6, 1))
    assert (res.as_of, res.as_of_basis) == (dt.date(2025, 6, 1), "option")


def test_pyproject_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.plancheck]\nfail_on = "warning"\ndisable = ["TSK002"]\n'
        '[tool.plancheck.severity]\nBODY003 = "info"\n', encoding="utf-8")
    plan = tmp_path / "p.txt"
    plan.write_text(PLAN, encoding="utf-8")
    cfg = load_config(plan)
    assert cfg.fail_on == "warning" and cfg.disabled == {"TSK002"} and cfg.severity == {"BODY003": "info"}


def test_pyproject_without_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    plan = tmp_path / "p.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert find_config(plan) is None or find_config(plan).parent != tmp_path
    assert load_config(None).path is None


@pytest.mark.parametrize("text", [
    'as_of = "01/01/2026"\n',
    'fail_on = "sometimes"\n',
    '[severity]\nREF001 = "fatal"\n',
    '[[waivers]]\nfinding = "abc"\n',  # no reason
    '[[waivers]]\nreason = "x"\n',  # no target
    'this is not toml = = =\n',
])
def test_bad_config_is_a_plan_error(tmp_path, text):
    p = tmp_path / "plancheck.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as e:
        read_config(p)
    assert "plancheck.toml" in e.value.vi and e.value.en


def test_waivers_and_expiry(tmp_path):
    from checker import pipeline
    plan = tmp_path / "p.txt"
    plan.write_text(PLAN, encoding="utf-8")
    res = pipeline.check(str(plan), config=load_config(None))
    body = next(f for f in res.findings if f.rule == "BODY001")
    future = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    (tmp_path / "plancheck.toml").write_text(
        f'[[waivers]]\nfinding = "{body.fingerprint}"\nreason = "Đã xin ý kiến Sở Nội vụ"\n'
        f'approver = "Chủ tịch UBND xã"\nexpires = {future}\n'
        '[[waivers]]\nrule = "REF001"\nreason = "Giữ căn cứ theo chỉ đạo của tỉnh"\nexpires = 2020-01-01\n',
        encoding="utf-8")
    cfg = load_config(plan)
    res = pipeline.check(str(plan), config=cfg)
    body = next(f for f in res.findings if f.rule == "BODY001")
    ref = next(f for f in res.findings if f.rule == "REF001")
    assert body.waived and "Sở Nội vụ" in body.waived and body.data["waiver"]["approver"] == "Chủ tịch UBND xã"
    assert not ref.waived and ref.data["waiver_expired"] == "2020-01-01"
    cfg.waivers[0].mandate = "nq57.III.5.01"
    assert cfg.mandate_waiver("nq57.III.5.01") is not None


def test_baseline_command_and_filter(tmp_path):
    from click.testing import CliRunner

    from checker import pipeline
    from checker.apps.cmd_rules import baseline_command

    plan = tmp_path / "p.txt"
    plan.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "baseline.json"
    r = CliRunner().invoke(baseline_command, [str(plan), "--output", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["findings"]
    fps = load_baseline(out)
    # a new finding appears after the plan is edited: only it is new
    plan.write_text(PLAN.replace("III. KINH PHÍ", "- Phối hợp Sở Thông tin và Truyền thông triển khai nền tảng số.\n\nIII. KINH PHÍ"),
                    encoding="utf-8")
    res = pipeline.check(str(plan), config=load_config(None))
    new = filter_new(res.findings, fps)
    # the new line brings a body that no longer exists (BODY002), and it half
    # covers a duty that was missing: that duty is now "partial", a new finding
    # pointing at the new line (issue 14: partial duties are named too); the
    # new line is also a second prose task with no lead, product nor deadline (TSK003)
    assert sorted(f.rule for f in new) == ["BODY002", "MIS001", "TSK003"]
    mis = next(f for f in new if f.rule == "MIS001")
    assert mis.data["status"] == "partial"
    assert apply_baseline(res.findings, fps) == len(res.findings) - 3
    # a baseline named in the config file is applied by the engine
    (tmp_path / "plancheck.toml").write_text('baseline = "baseline.json"\n', encoding="utf-8")
    res = pipeline.check(str(plan), config=load_config(plan))
    assert sorted(f.rule for f in res.findings if not f.waived) == ["BODY002", "MIS001", "TSK003"]


def test_bad_baseline_file(tmp_path):
    p = tmp_path / "b.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(PlanError):
        load_baseline(p)
    with pytest.raises(PlanError):
        load_baseline(tmp_path / "missing.json")
