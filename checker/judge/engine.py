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

from typing import Any

import checker.judge.checks  # noqa: F401  (registers the check kinds)
from checker.judge.context import Ctx
from checker.judge.findings import _dedupe, _finding, merge_absorbed
from checker.judge.registry import CHECKS
from checker.model import CheckResult, Finding



def run_rule(ctx: Ctx, rule: Any, lang: str = "vi") -> list[Finding]:
    fn = CHECKS[rule.kind]
    return [_finding(ctx, rule, h, lang) for h in fn(ctx, rule, rule.params)]


def evaluate(result: CheckResult, rules: list | None = None, config: Any = None,
             lang: str = "vi") -> list[Finding]:
    """All findings of the rules in force at ``result.as_of``, located,
    fingerprinted, configured and sorted by line."""
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
        if not rule.applies(ctx.as_of):
            continue
        findings.extend(run_rule(ctx, rule, lang))
    findings = merge_absorbed(_dedupe(findings), rules, lang)
    _baseline.assign_fingerprints(findings, result.plan)
    if config is not None:
        config.apply(findings, ctx.as_of, lang=lang)
    findings.sort(key=lambda f: (f.line is None, f.line or 0, f.start or 0, f.rule))
    return findings
