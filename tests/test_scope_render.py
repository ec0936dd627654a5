"""A plan on one subject (a sector plan) answers for its own groups: the
coverage table shows the other groups as outside its scope, not as gaps
(issue 14: an independent reviewer read "III.5 … 15 % (thiếu 10)" on a plan
whose assumed scope said "only group III.6"), and the JSON says so in
``coverage.groups[].in_scope``."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.apps.cli import main

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SECTOR = SHARED / "corpus" / "02_dongthap-617-kh-ubnd-2025-cds-doanh-nghiep.txt"
WHOLE = SHARED / "seeds" / "001_30f6003b53efe500.txt"


def _run(path: Path, fmt: str) -> str:
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    res = CliRunner().invoke(main, ["check", str(path), "--format", fmt, "--fail-on", "never"])
    assert res.exit_code == 0, res.output[-1500:]
    return res.output


def test_sector_plan_shows_other_groups_outside_its_scope():
    data = json.loads(_run(SECTOR, "json"))
    assert data["scope"]["groups"] == ["III.6"]
    flags = {(g["reference"], g["group"]): g["in_scope"] for g in data["coverage"]["groups"]}
    assert flags[("nq57", "III.6")] and not flags[("nq57", "III.5")]
    text = _run(SECTOR, "text")
    row = next(ln for ln in text.splitlines() if " III.5 " in ln and "nq57" in ln)
    assert "ngoài phạm vi" in row and "thiếu" not in row
    row6 = next(ln for ln in text.splitlines() if " III.6 " in ln and "nq71" in ln)
    assert "ngoài phạm vi" not in row6
    assert "(ngoài phạm vi)" in _run(SECTOR, "md") and 'class="oos"' in _run(SECTOR, "html")


def test_whole_plan_has_every_group_in_scope():
    data = json.loads(_run(WHOLE, "json"))
    assert all(g["in_scope"] for g in data["coverage"]["groups"])
    assert "ngoài phạm vi" not in _run(WHOLE, "text")
