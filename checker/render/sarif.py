"""The SARIF 2.1.0 report (``--format sarif``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker.model import CheckResult, Finding
from checker.render.data import _T, _iso, _tool_version


SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


# ------------------------------------------------------------------- SARIF

def artifact_uri(source: str) -> str:
    p = Path(source)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix())


def render_sarif(result: CheckResult, lang: str = "vi") -> str:
    return json.dumps(sarif_data(result, lang), ensure_ascii=False, indent=2)


def sarif_data(result: CheckResult, lang: str = "vi") -> dict[str, Any]:
    from checker.judge.rulepack import load_rules

    rules = load_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        driver_rules.append({
            "id": r.code,
            "name": r.slug,
            "shortDescription": {"text": r.title(lang)},
            "fullDescription": {"text": _full_description(r, lang)},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"category": r.category, "confidence": r.confidence,
                           "tags": [r.category, r.confidence]},
        })
    uri = artifact_uri(result.plan.source)
    units = result.plan.units
    results = []
    for f in result.findings:
        res: dict[str, Any] = {
            "ruleId": f.rule,
            "level": SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": f.message + (f" {_T[lang if lang == 'en' else 'vi']['suggestion']}: {f.suggestion}"
                                             if f.suggestion else "")},
            "locations": [_sarif_location(uri, f, units)],
            "partialFingerprints": {"plancheck/v1": f.fingerprint or ""},
            "properties": {"category": f.category, "location": f.location or ""},
        }
        if f.rule in index:
            res["ruleIndex"] = index[f.rule]
        if f.waived:
            res["suppressions"] = [{"kind": "external", "justification": f.waived}]
        results.append(res)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "plancheck", "version": _tool_version(result) or "0",
                                "rules": driver_rules}},
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
            "properties": {"as_of": _iso(result.as_of), "as_of_basis": result.as_of_basis},
        }],
    }


def _full_description(rule: Any, lang: str) -> str:
    basis = "; ".join(f"{b.get('document')} ({b.get('date')})" for b in rule.basis)
    lead = "Basis" if lang == "en" else "Căn cứ"
    return f"{rule.title(lang)}. {lead}: {basis}."


def _sarif_location(uri: str, f: Finding, units: list) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if f.line:
        region: dict[str, Any] = {"startLine": int(f.line)}
        if f.start is not None and f.end is not None and f.end > f.start:
            region["startColumn"] = f.start + 1
            region["endColumn"] = f.end + 1
        if f.excerpt:
            region["snippet"] = {"text": f.excerpt}
        phys["region"] = region
    return {"physicalLocation": phys}
