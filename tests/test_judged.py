"""The judged findings set (issue 14): every finding `plancheck check` gave on
the five seeds and the three corpus plans, judged true or false by reading
the plan and ../shared/reference-facts.md (tests/data/judged_findings.yaml).
A finding judged true must stay; one judged false (and fixed) must not come
back; the precision the README reports is the one of this file."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from checker.judge.config import Config

DATA = Path(__file__).resolve().parent / "data" / "judged_findings.yaml"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
JUDGED = yaml.safe_load(DATA.read_text(encoding="utf-8"))["findings"]


def _key(plan: str, rule: str, line, mandates: str | None):
    if rule == "MIS001":
        return (plan, rule, (mandates or "").split(", ")[0])
    return (plan, rule, line)


def _precision() -> tuple[float, float]:
    """Precision over the findings still given on the seeds (an entry marked
    gone or merged_into is a finding withdrawn: it no longer counts), all
    rules and MIS001 alone."""
    live = [e for e in JUDGED if e["plan"].startswith("seeds/")
            and not e.get("gone") and not e.get("merged_into")]
    mis = [e for e in live if e["rule"] == "MIS001"]
    return sum(e["verdict"] for e in live) / len(live), sum(e["verdict"] for e in mis) / len(mis)


def test_the_set_is_well_formed_and_precise_enough():
    for e in JUDGED:
        assert isinstance(e["verdict"], bool) and e["reason"].strip(), e
    prec, prec_mis = _precision()
    # regression floor: issue 14's target (below); measured 0.986 / 0.973 on
    # 2026-12-01 after mis14 (0.947 / 0.905 before): a change that makes the
    # findings worse than the target fails here
    assert prec >= 0.95 and prec_mis >= 0.90, (prec, prec_mis)
    # no gap judged twice (two findings of another rule may share a line)
    keys = Counter(_key(e["plan"], e["rule"], e["line"], e.get("mandates")) for e in JUDGED if e["rule"] == "MIS001")
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]


def test_the_set_reaches_the_issue_target():
    """Issue 14's target, 0.95 overall and 0.90 for missing tasks, on the
    findings still given on the seeds (was expected to fail until mis14:
    0.947 / 0.905)."""
    prec, prec_mis = _precision()
    assert prec >= 0.95 and prec_mis >= 0.90, (prec, prec_mis)


@pytest.mark.parametrize("plan", sorted({e["plan"] for e in JUDGED}))
def test_judged_findings_stay_and_false_ones_do_not_return(plan):
    from checker.pipeline import check

    path = SHARED / plan
    if not path.is_file():
        pytest.skip(f"../shared/{plan} is absent")
    res = check(str(path), config=Config())
    got = Counter(_key(plan, f.rule, f.line, f.data.get("mandates")) for f in res.findings)
    # a true finding folded into another one (``merged_into``: the keeper's rule,
    # rules/README.md "absorbs") is kept when the keeper on its line names it
    for f in res.findings:
        for code in (f.data.get("merged") or "").split(", "):
            if code:
                got[_key(plan, code, f.line, None)] += 1
    mine = [e for e in JUDGED if e["plan"] == plan]
    # ``gone``: a finding judged once and since withdrawn on purpose (the reason says why)
    want = Counter(_key(plan, e["rule"], e["line"], e.get("mandates")) for e in mine
                   if e["verdict"] and not e.get("gone") and e.get("merged_into") != "MIS001")
    for e in mine:
        if e.get("merged_into") == "MIS001" == e["rule"]:
            # a duty folded into another by the crosswalk: that finding names its mandate
            mid = (e.get("mandates") or "").split(", ")[0]
            assert any(mid in (f.data.get("mandates") or "").split(", ") for f in res.findings
                       if f.rule == "MIS001"), e
        elif e.get("merged_into"):
            keeper = [f for f in res.findings if f.rule == e["merged_into"] and f.line == e["line"]]
            assert keeper and e["rule"] in keeper[0].data.get("merged", ""), e
    lost = [k for k, n in want.items() if got[k] < n]
    back = [e for e in mine if (not e["verdict"] or e.get("gone")) and not e.get("open")
            and _key(plan, e["rule"], e["line"], e.get("mandates")) in got]
    assert not lost, f"true findings no longer given: {lost}"
    assert not back, f"findings judged false are back: {back}"
