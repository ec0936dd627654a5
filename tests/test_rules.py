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
    # ``with_rules``: run these rules too (a rule that absorbs their findings on
    # the same citation, rules/README.md "absorbs"); only ``code``'s findings are
    # compared with ``at``, and ``merged`` names the rules that must have been folded in
    others = [r for r in RULES if r.code in (case.get("with_rules") or [])]
    return evaluate(res, rules=[rule] + others)


@pytest.mark.parametrize("code,kind,idx", CASES)
def test_fixture_case(code, kind, idx, tmp_path):
    case = load_fixtures(code)[kind][idx]
    findings = run_case(code, case, tmp_path)
    for other in case.get("merged") or []:
        assert not [f for f in findings if f.rule == other], f"{other} should be folded into {code}"
        assert any(other in f.data.get("merged", "") for f in findings if f.rule == code)
    findings = [f for f in findings if f.rule == code]
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


# ------------------------------------------------------- rule-pack schema

_PACK = """\
rules:
  - code: XYZ001
    slug: demo
    category: structure
    severity: warning
    confidence: verified
    applies_from: 2025-07-01
    basis: {document: Nghị quyết số 57-NQ/TW, date: 2024-12-22}
    message_vi: m
    message_en: m
    suggestion_vi: s
    suggestion_en: s
    check: {kind: text-pattern, patterns: ['x', {re: 'y', replacement: z}]}
"""


def _pack_error(text: str, name: str = "bad-pack.yaml") -> str:
    from checker.errors import PlanError
    from checker.judge.rulepack import parse_pack

    with pytest.raises(PlanError) as e:
        parse_pack(text, name, set(CHECKS))
    assert e.value.code == "rule-pack"
    assert name in e.value.vi and name in e.value.en
    return e.value.en


def test_a_good_pack_parses():
    from checker.judge.rulepack import parse_pack

    (r,) = parse_pack(_PACK, "good.yaml", set(CHECKS))
    assert r.code == "XYZ001" and r.applies_from == dt.date(2025, 7, 1) and r.kind == "text-pattern"
    assert r.basis == [{"document": "Nghị quyết số 57-NQ/TW", "date": dt.date(2024, 12, 22)}]


def test_pack_with_a_wrong_type_is_a_plan_error():
    en = _pack_error(_PACK.replace("slug: demo", "slug: [demo]"))
    assert "$.rules[0].slug" in en and "XYZ001" in en
    en = _pack_error(_PACK.replace("patterns: ['x',", "patterns: [5,"))
    assert "$.rules[0].check.patterns[0]" in en
    en = _pack_error(_PACK.replace("severity: warning", "severity: fatal"))
    assert "$.rules[0].severity" in en


def test_pack_with_a_missing_key_is_a_plan_error():
    en = _pack_error(_PACK.replace("    message_en: m\n", ""))
    assert "$.rules[0]" in en and "message_en" in en
    en = _pack_error(_PACK.replace("basis: {document: Nghị quyết số 57-NQ/TW,", "basis: {"))
    assert "$.rules[0].basis" in en
    assert "'rules' is a required property" in _pack_error("")
    assert "is not of type 'object'" in _pack_error("- just\n- a list\n")


def test_pack_with_an_unknown_key_or_check_kind_is_a_plan_error():
    en = _pack_error(_PACK.replace("    message_en: m\n", "    message_en: m\n    mesage_vi: typo\n"))
    assert "$.rules[0]" in en and "mesage_vi" in en
    en = _pack_error(_PACK.replace("kind: text-pattern", "kind: no-such-kind"))
    assert "$.rules[0].check.kind" in en and "no-such-kind" in en
    en = _pack_error(_PACK.replace("2025-07-01", "'2025-02-30'"))
    assert "$.rules[0].applies_from" in en and "2025-02-30" in en
    # an impossible unquoted YAML date fails in the YAML reader: still a PlanError
    _pack_error(_PACK.replace("2025-07-01", "2025-13-45"))


def test_schema_is_valid_and_agrees_with_the_code():
    import json

    from jsonschema import Draft202012Validator

    from checker import resources
    from checker.judge.rulepack import CONFIDENCES, SCHEMA, SEVERITIES

    schema = json.loads(resources.read_text("rules", SCHEMA))
    Draft202012Validator.check_schema(schema)
    rule = schema["$defs"]["rule"]["properties"]
    assert rule["category"]["enum"] == list(CATEGORIES)
    assert rule["severity"]["enum"] == list(SEVERITIES)
    assert schema["$defs"]["confidence"]["enum"] == list(CONFIDENCES)


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in __import__(
    "checker.judge.rulepack", fromlist=["rule_packs"]).rule_packs()])
def test_shipped_packs_match_the_schema(name):
    from checker.judge.rulepack import _jsonable, _validator, read_pack

    data = _jsonable(yaml.safe_load(read_pack(name)))
    assert [e.message for e in _validator().iter_errors(data)] == []


def test_missing_jsonschema_or_schema_is_a_plan_error(monkeypatch):
    import sys

    from checker.errors import PlanError
    from checker.judge import rulepack

    rulepack._validator.cache_clear()
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")  # a cached parse would skip the validator
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(PlanError) as e:
        rulepack.parse_pack(_PACK, "good.yaml", set(CHECKS))
    assert e.value.code == "jsonschema-missing" and "pip install" in e.value.en
    monkeypatch.undo()
    monkeypatch.setenv("PLANCHECK_DATA_CACHE", "0")
    monkeypatch.setattr(rulepack, "SCHEMA", "no-such.schema.json")
    with pytest.raises(PlanError) as e:
        rulepack.parse_pack(_PACK, "good.yaml", set(CHECKS))
    assert e.value.code == "rule-pack-schema" and "no-such.schema.json" in e.value.en
    monkeypatch.undo()
    rulepack._validator.cache_clear()
    assert rulepack.parse_pack(_PACK, "good.yaml", set(CHECKS))


def test_bad_pack_exits_2_through_the_cli(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from checker.apps.cli import main
    from checker.judge import rulepack

    plan = tmp_path / "plan.txt"
    plan.write_text("KẾ HOẠCH\nI. MỤC ĐÍCH\nNội dung.\n", encoding="utf-8")
    monkeypatch.setattr(rulepack, "_CACHE", {})
    monkeypatch.setattr(rulepack, "rule_packs", lambda: ["broken.yaml"])
    monkeypatch.setattr(rulepack, "read_pack", lambda name: _PACK.replace("severity: warning", "severity: 3"))
    r = CliRunner().invoke(main, ["check", str(plan), "--lang", "en"])
    assert r.exit_code == 2, r.output
    assert "broken.yaml" in r.output and "$.rules[0].severity" in r.output
    assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)


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
