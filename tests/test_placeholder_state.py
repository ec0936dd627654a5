"""CON008's wording follows what the plan says of itself (issue 14: an
independent reviewer found "normal for a draft" on a plan that names its
signer and on an issued plan's annex caption), and the blank number and the
blank date of one header are one finding."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from checker.judge.config import Config
from checker.pipeline import check

FIX = yaml.load((Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "CON008.yaml")
                .read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
SIGNATURE = "\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n\nNguyễn Văn Bình\n"


def _con008(tmp_path, text: str, name: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    res = check(str(p), config=Config(), as_of=dt.date(2025, 10, 15))
    return [f for f in res.findings if f.rule == "CON008"]


def test_draft_header_is_one_finding_and_says_draft(tmp_path):
    draft = FIX["fail"][0]["plan"]
    fs = _con008(tmp_path, draft, "draft.txt")
    assert len(fs) == 1
    assert "/KH-UBND" in fs[0].message and "tháng 10 năm 2025" in fs[0].message
    assert "dự thảo" in fs[0].message


def test_named_signer_is_not_called_a_draft(tmp_path):
    signed = FIX["fail"][0]["plan"] + SIGNATURE
    fs = _con008(tmp_path, signed, "signed.txt")
    assert len(fs) == 1
    assert "dự thảo" not in fs[0].message and "tên người ký" in fs[0].message


def test_annex_caption_of_an_issued_plan_says_copy_the_header(tmp_path):
    fs = _con008(tmp_path, FIX["fail"][1]["plan"], "caption.txt")
    assert len(fs) == 1
    assert "dự thảo" not in fs[0].message and "phần đầu kế hoạch đã ghi số và ngày" in fs[0].message
