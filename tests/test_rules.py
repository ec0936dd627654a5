"""Every rule of every rule pack, run on its fixture cases through the real
pipeline (read → structure → citations → match → evaluate).

A fixture file ``rules/fixtures/<CODE>.yaml`` holds ``fail`` cases (each with
``at``: text of the lines the rule must report, one finding per entry, and
``plan_level``: how many findings without a line) and ``pass`` cases (the rule
reports nothing).  A case may carry a small ``reference_set`` of its own.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import yaml

from checker.judge.config import Config
from checker.judge.engine import evaluate
from checker.judge.registry import CHECKS
from checker.judge.rulepack import CATEGORIES, load_fixtures, load_rules, parse_rule

RULES = load_rules()
CASES = []
for _r in RULES:
    _fx = load_fixtures(_r.code)
    for _kind in ("fail", "pass"):
        for _i, _c in enumerate(_fx.get(_kind) or []):
            CASES.append(pytest.param(_r.code, _kind, _i, id=f"{_r.code}-{_kind}-{_i}"))


def _lines_of(text: str, needles: list[str]) -> list[int]:
    lines = text.split("\n")
    out = []
    for n in needles:
        hits = [i + 1 for i, line in enumerate(lines) if n in line]
        assert hits, f"fixture error: {n!r} is not in the plan"
        out.append(hits[0])
    return out


def run_case(code: str, case: dict, tmp_path) -> list:
    from checker import pipeline
    rule = next(r for r in RULES if r.code == code)
    path = tmp_path / "plan.txt"
    path.write_text(case["plan"], encoding="utf-8")
    refs = None
    if case.get("reference_set"):
        ref = tmp_path / f"{case['reference_set']['id']}.yaml"
        ref.write_text(yaml.safe_dump(case["reference_set"], allow_unicode=True), encoding="utf-8")
        refs = [str(ref)]
    as_of = case["as_of"]
    if not isinstance(as_of, dt.date):
        as_of = dt.date.fromisoformat(str(as_of))
    res = pipeline.check(str(path), references=refs, as_of=as_of, config=Config())
    return evaluate(res, rules=[rule])


@pytest.mark.parametrize("code,kind,idx", CASES)
def test_fixture_case(code, kind, idx, tmp_path):
    case = load_fixtures(code)[kind][idx]
    findings = run_case(code, case, tmp_path)
    got = [f.line for f in findings if f.line is not None]
    plan_level = sum(1 for f in findings if f.line is None)
    if kind == "pass":
        assert findings == [], [(f.line, f.message) for f in findings]
        return
    want = _lines_of(case["plan"], case.get("at") or [])
    assert Counter(got) == Counter(want), [(f.line, f.message) for f in findings]
    assert plan_level == int(case.get("plan_level", 0)), [(f.line, f.message) for f in findings]
    for f in findings:
        assert f.rule == code and f.message and f.suggestion
        assert "{" not in f.message and "{" not in f.suggestion
        if f.line is not None:
            assert f.location and f.excerpt
            assert f.fingerprint


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_has_pass_and_fail_fixtures(rule):
    fx = load_fixtures(rule.code)
    assert fx.get("rule") == rule.code
    assert fx.get("fail"), f"{rule.code}: no failing fixture case"
    assert fx.get("pass"), f"{rule.code}: no passing fixture case"


def test_rule_packs_are_valid():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for r in RULES:
        assert r.kind in CHECKS
        assert r.category in CATEGORIES
        assert r.message_vi and r.message_en and r.suggestion_vi and r.suggestion_en
        assert all(b.get("document") for b in r.basis)
        # a rule resting on a belief never says "error"
        if r.confidence == "belief":
            assert r.severity != "error"


def test_belief_rule_is_capped_and_asks_for_review():
    raw = {"code": "XYZ001", "slug": "x", "category": "structure", "severity": "error",
           "message_vi": "m", "message_en": "m", "suggestion_vi": "s", "suggestion_en": "s",
           "basis": {"document": "d", "date": "2025"}, "confidence": "belief",
           "check": {"kind": "text-pattern", "patterns": ["x"]}}
    assert parse_rule(raw, "t", set(CHECKS)).severity == "warning"


def test_bad_rule_is_a_plan_error():
    from checker.errors import PlanError

    raw = {"code": "XYZ001", "slug": "x", "category": "nope", "severity": "error",
           "message_vi": "m", "message_en": "m", "suggestion_vi": "s", "suggestion_en": "s",
           "basis": {"document": "d"}, "confidence": "verified", "check": {"kind": "text-pattern"}}
    with pytest.raises(PlanError):
        parse_rule(raw, "t", set(CHECKS))
    raw["category"] = "structure"
    raw["check"] = {"kind": "no-such-kind"}
    with pytest.raises(PlanError):
        parse_rule(raw, "t", set(CHECKS))


def test_rules_command_lists_and_explains():
    from click.testing import CliRunner

    from checker.apps.cmd_rules import rules_command

    r = CliRunner().invoke(rules_command, [])
    assert r.exit_code == 0 and "REF001" in r.output and "BODY001" in r.output
    r = CliRunner().invoke(rules_command, ["--explain", "REF001", "--lang", "en"])
    assert r.exit_code == 0
    assert "71/NQ-CP" in r.output and "Basis" in r.output and "Fixtures" in r.output
    r = CliRunner().invoke(rules_command, ["--explain", "NOPE999"])
    assert r.exit_code == 2


def test_rules_readme_is_up_to_date():
    from pathlib import Path

    from checker.apps.cmd_rules import rules_markdown

    readme = Path(__file__).resolve().parent.parent / "rules" / "README.md"
    assert readme.read_text(encoding="utf-8") == rules_markdown(), \
        "rules/README.md is stale: run `plancheck rules --format md > rules/README.md`"
