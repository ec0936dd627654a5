"""The rule engine: generic check kinds, configured by the rule packs.

``evaluate(result)`` runs every rule of ``rules/*.yaml`` that is in force at
the plan's as-of date over the extracted plan (units, sections, tasks,
indicators, citations), its coverage and the reference data, and returns
located findings.  Each rule names one *check kind* (:mod:`checker.judge.checks`,
registered in :mod:`checker.judge.registry`) and gives it its
parameters (patterns, document numbers, thresholds) as data; a check kind
yields :class:`Hit` objects, and the engine turns them into findings
(message, span in the original text, excerpt, fingerprint), then applies the
configuration (disabled rules, severity overrides, waivers, baseline).
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import checker.judge.checks  # noqa: F401  (registers the check kinds)
from checker.judge.context import Ctx
from checker.judge.findings import _dedupe, _finding, merge_absorbed
from checker.judge.registry import CHECKS
from checker.judge.scope import plan_period
from checker.model import CheckResult, Finding



def run_rule(ctx: Ctx, rule: Any, lang: str = "vi") -> list[Finding]:
    fn = CHECKS[rule.kind]
    return [_finding(ctx, rule, h, lang) for h in fn(ctx, rule, rule.params)]


def evaluate(result: CheckResult, rules: list | None = None, config: Any = None,
             lang: str = "vi") -> list[Finding]:
    """All findings of the rules in force at ``result.as_of`` (or, for a rule
    with ``applies_by: period``, at the start of the plan's period; an
    undated draft also gets, as information, the reference rules that start
    before it can be signed), located, fingerprinted, absorbed duplicates
    merged, configured and sorted by line."""
    from checker.judge import baseline as _baseline
    from checker.judge.rulepack import load_rules

    if rules is None:
        rules = load_rules()
    ctx = Ctx(result, lang)
    disabled = set(getattr(config, "disabled", None) or [])
    findings: list[Finding] = []
    for rule in rules:
        if rule.code in disabled or rule.category in disabled:
            continue
        if rule.applies(_when(ctx, rule)):
            findings.extend(run_rule(ctx, rule, lang))
        elif _lapses_in_period(ctx, rule):
            findings.extend(_in_period(f, rule, lang) for f in run_rule(ctx, rule, lang))
    findings = merge_absorbed(_dedupe(findings), rules, lang)
    _baseline.assign_fingerprints(findings, result.plan)
    if config is not None:
        config.apply(findings, ctx.as_of, lang=lang)
    findings.sort(key=lambda f: (f.line is None, f.line or 0, f.start or 0, f.rule))
    return findings


def _when(ctx: Ctx, rule: Any) -> Any:
    """The day a rule is judged at: the as-of date, or for a rule about the
    plan's period (``applies_by: period``) the first day of that period when
    it is later."""
    if rule.applies_by != "period" or ctx.as_of is None:
        return ctx.as_of
    first = plan_period(ctx.result)[0]
    return max(ctx.as_of, dt.date(first, 1, 1)) if first else ctx.as_of


def _lapses_in_period(ctx: Ctx, rule: Any) -> bool:
    """A reference rule not in force at the as-of date, for a plan whose date
    is not filled in (the as-of date is only a lower bound), when the rule
    comes into force before the latest day the plan can be signed: signed
    then, the plan would cite a document that no longer holds."""
    if rule.category != "outdated-reference" or not rule.applies_from or ctx.as_of is None:
        return False
    if ctx.as_of >= rule.applies_from:
        return False
    return rule.applies_from <= _latest_signing(ctx)


def _latest_signing(ctx: Ctx) -> Any:
    """The latest day the plan can be signed given what its date line says
    (month and year: the month's last day; the year alone: 31/12; nothing:
    the end of the plan's period; a full date: that day)."""
    d = ctx.result.plan.header.date
    if d is not None and d.year:
        if d.month is None:
            return dt.date(d.year, 12, 31)
        if d.day is None:
            return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        return ctx.as_of  # a dated plan is judged at its date
    last = plan_period(ctx.result)[1]
    return dt.date(last, 12, 31) if last else ctx.as_of


def _in_period(f: Finding, rule: Any, lang: str) -> Finding:
    """The finding of a rule that would apply if the undated plan is signed
    on or after the rule's date: information, saying from when."""
    d = rule.applies_from
    day = f"{d.day:02d}/{d.month}/{d.year}"
    pre = {"vi": f"Kế hoạch chưa ghi ngày ban hành; nếu ký từ {day} trở đi: ",
           "en": f"The plan's date is not filled in; if it is signed on or after {day}: "}
    texts = getattr(f, "texts", None)
    if texts:
        for lg, (m, sug) in list(texts.items()):
            texts[lg] = (pre[lg] + m, sug)
        f.message = texts["en" if lang == "en" else "vi"][0]
    else:
        f.message = pre["en" if lang == "en" else "vi"] + f.message
    f.severity = "info"
    f.data["in_force_from"] = d.isoformat()
    return f
