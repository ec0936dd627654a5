"""The SARIF 2.1.0 report (``--format sarif``), shaped for GitHub code scanning.

* every rule has ``help`` (text and Markdown) and a ``helpUri`` to its section
  of rules/README.md; the driver has an ``informationUri``;
* artifact URIs are relative to the current folder with ``uriBaseId``
  ``%SRCROOT%`` (declared in ``originalUriBaseIds``) when the plan lies below
  it, else absolute ``file://`` URIs;
* ``region.snippet`` is exactly the text of the region (columns count Unicode
  code points, ``columnKind``); the whole source line is the ``contextRegion``;
* every result carries its own plan's as-of date in ``properties``, so one
  run can hold several plans (:func:`merge_logs`);
* at most :data:`MAX_RESULTS` results per run (GitHub's limit); the rest are
  dropped, most severe kept first, with a tool notification saying so.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker.model import CheckResult, Finding
from checker.render.data import PROJECT_URL, _T, _iso, _tool_version, rule_doc_url

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
MAX_RESULTS = 5000  # GitHub code scanning shows at most 5,000 results of a run
_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


# ------------------------------------------------------------------- SARIF

def artifact_location(source: str, root: Path | None = None) -> dict[str, Any]:
    """``{"uri": …, "uriBaseId": "%SRCROOT%"}`` for a plan below ``root``
    (the current folder), else an absolute file URI."""
    root = (root or Path.cwd()).resolve()
    p = Path(source)
    if not p.is_absolute() and ".." not in p.parts:
        return {"uri": quote(p.as_posix()), "uriBaseId": SRCROOT}
    try:
        rel = p.resolve().relative_to(root)
        return {"uri": quote(rel.as_posix()), "uriBaseId": SRCROOT}
    except ValueError:
        return {"uri": p.resolve().as_uri()}


def artifact_uri(source: str) -> str:
    return artifact_location(source)["uri"]


def render_sarif(result: CheckResult, lang: str = "vi", max_results: int = MAX_RESULTS) -> str:
    return json.dumps(cap_results(sarif_data(result, lang), max_results), ensure_ascii=False, indent=2)


def _driver_rules(lang: str) -> list[dict[str, Any]]:
    from checker.judge.rulepack import load_rules

    out = []
    for r in load_rules():
        text, markdown = _help(r, lang)
        out.append({
            "id": r.code,
            "name": r.slug,
            "shortDescription": {"text": r.title(lang)},
            "fullDescription": {"text": _full_description(r, lang)},
            "help": {"text": text, "markdown": markdown},
            "helpUri": rule_doc_url(r.code),
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"category": r.category, "confidence": r.confidence,
                           "tags": [r.category, r.confidence]},
        })
    return out


def sarif_data(result: CheckResult, lang: str = "vi") -> dict[str, Any]:
    from checker.judge.rulepack import load_rules

    index = {r.code: i for i, r in enumerate(load_rules())}
    loc = artifact_location(result.plan.source)
    as_of = {"as_of": _iso(result.as_of), "as_of_basis": result.as_of_basis}
    units = result.plan.units
    results = []
    for f in result.findings:
        res: dict[str, Any] = {
            "ruleId": f.rule,
            "level": SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": f.message + (f" {_T[lang if lang == 'en' else 'vi']['suggestion']}: {f.suggestion}"
                                             if f.suggestion else "")},
            "locations": [_sarif_location(loc, f, units)],
            "partialFingerprints": {"plancheck/v1": f.fingerprint or ""},
            "properties": {"category": f.category, "location": f.location or "",
                           "plan": result.plan.source, **as_of},
        }
        if f.rule in index:
            res["ruleIndex"] = index[f.rule]
        if f.waived:
            res["suppressions"] = [{"kind": "external", "justification": f.waived}]
        results.append(res)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "plancheck", "version": _tool_version(result) or "0",
                            "informationUri": PROJECT_URL, "rules": _driver_rules(lang)}},
        "invocations": [{"executionSuccessful": True}],
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": dict(loc), "properties": {"plan": result.plan.source, **as_of}}],
        "results": results,
        "properties": {**as_of, "plans": [{"plan": result.plan.source, **as_of}]},
    }
    if loc.get("uriBaseId"):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}}
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}


def merge_logs(logs: list[dict[str, Any]], max_results: int = MAX_RESULTS) -> dict[str, Any]:
    """One log with one run for several plans' logs: every plan an artifact,
    every result (with its own as-of) kept, rules once."""
    first = logs[0]
    run = first["runs"][0]
    for d in logs[1:]:
        other = d["runs"][0]
        run["results"].extend(other["results"])
        known = {json.dumps(a["location"], sort_keys=True) for a in run.get("artifacts", [])}
        for a in other.get("artifacts", []):
            if json.dumps(a["location"], sort_keys=True) not in known:
                run.setdefault("artifacts", []).append(a)
        run["properties"]["plans"].extend(other.get("properties", {}).get("plans", []))
        if other.get("originalUriBaseIds"):
            run.setdefault("originalUriBaseIds", {}).update(other["originalUriBaseIds"])
    dates = {p.get("as_of") for p in run["properties"]["plans"]}
    bases = {p.get("as_of_basis") for p in run["properties"]["plans"]}
    # one run-level as-of only when every plan shares it; each result keeps its own
    run["properties"]["as_of"] = dates.pop() if len(dates) == 1 else None
    run["properties"]["as_of_basis"] = bases.pop() if len(bases) == 1 else None
    for i, a in enumerate(run.get("artifacts", [])):
        a_key = json.dumps(a["location"], sort_keys=True)
        for res in run["results"]:
            pl = res["locations"][0]["physicalLocation"]["artifactLocation"]
            if json.dumps({k: v for k, v in pl.items() if k != "index"}, sort_keys=True) == a_key:
                pl["index"] = i
    return cap_results(first, max_results)


def cap_results(log: dict[str, Any], max_results: int = MAX_RESULTS) -> dict[str, Any]:
    run = log["runs"][0]
    results = run["results"]
    if len(results) <= max_results:
        return log
    kept = sorted(results, key=lambda r: _RANK.get(r.get("level", "warning"), 3))[:max_results]
    keep_ids = {id(r) for r in kept}
    run["results"] = [r for r in results if id(r) in keep_ids]  # original order
    n = len(results)
    note = {"level": "warning", "descriptor": {"id": "plancheck/results-truncated"},
            "message": {"text": f"{n} results; only the {max_results} most severe are in this log "
                                f"(GitHub code scanning shows at most {MAX_RESULTS} per run). "
                                "Run plancheck --format json for all findings."}}
    run.setdefault("invocations", [{"executionSuccessful": True}])[0] \
        .setdefault("toolExecutionNotifications", []).append(note)
    run["properties"]["results_truncated"] = {"total": n, "kept": max_results}
    return log


def _full_description(rule: Any, lang: str) -> str:
    basis = "; ".join(f"{b.get('document')} ({b.get('date')})" for b in rule.basis_in(lang))
    lead = "Basis" if lang == "en" else "Căn cứ"
    return f"{rule.title(lang)}. {lead}: {basis}."


def _help(rule: Any, lang: str) -> tuple[str, str]:
    """The rule's help in plain text and in Markdown (GitHub shows the latter)."""
    en = lang == "en"
    lab = {"basis": "Basis" if en else "Căn cứ", "fix": "How to fix" if en else "Cách sửa",
           "valid": "In force" if en else "Hiệu lực", "conf": "Confidence" if en else "Độ tin cậy",
           "more": "Documentation" if en else "Tài liệu", "from": "from" if en else "từ",
           "until": "until" if en else "đến trước"}
    basis = [f"{b.get('document')} ({_iso(b.get('date')) or '—'})" + (f": {b['note']}" if b.get("note") else "")
             for b in rule.basis_in(lang)]
    valid = " ".join(x for x in (f"{lab['from']} {rule.applies_from.isoformat()}" if rule.applies_from else "",
                                 f"{lab['until']} {rule.applies_until.isoformat()}" if rule.applies_until else "")
                     if x)
    sugg = rule.suggestion(lang)
    text = [f"{rule.code} {rule.title(lang)}", f"{lab['fix']}: {sugg}" if sugg else "",
            f"{lab['basis']}: " + "; ".join(basis) if basis else "",
            f"{lab['valid']}: {valid}" if valid else "", f"{lab['conf']}: {rule.confidence}",
            f"{lab['more']}: {rule_doc_url(rule.code)}"]
    md = [f"**{rule.code} {_md(rule.title(lang))}**", "",
          f"{lab['fix']}: {_md(sugg)}" if sugg else "", ""]
    if basis:
        md += [f"{lab['basis']}:", ""] + [f"- {_md(b)}" for b in basis] + [""]
    if valid:
        md += [f"{lab['valid']}: {valid}", ""]
    md += [f"{lab['conf']}: `{rule.confidence}`", "", f"[{lab['more']}]({rule_doc_url(rule.code)})"]
    return "\n".join(t for t in text if t), "\n".join(md).replace("\n\n\n", "\n\n")


def _md(s: str) -> str:
    for ch in "\\`*_[]<>":
        s = s.replace(ch, "\\" + ch)
    return s


def _sarif_location(loc: dict[str, Any], f: Finding, units: list) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {**loc, "index": 0}}
    if f.line:
        line = int(f.line)
        text = None
        if f.unit is not None and 0 <= f.unit < len(units):
            u = units[f.unit]
            if "\n" not in u.text and getattr(u.loc, "line", None) == line:
                text = u.text
        region: dict[str, Any] = {"startLine": line}
        has_span = f.start is not None and f.end is not None and f.end > f.start
        if has_span and (text is None or f.end <= len(text)):
            region["startColumn"] = f.start + 1
            region["endColumn"] = f.end + 1
            if text is not None:
                region["snippet"] = {"text": text[f.start:f.end]}
        elif text is not None:
            region["snippet"] = {"text": text}
        phys["region"] = region
        if text is not None and "startColumn" in region and region["snippet"]["text"] != text:
            # the whole line, only when it is wider than the region (a proper superset)
            phys["contextRegion"] = {"startLine": line, "snippet": {"text": text}}
    return {"physicalLocation": phys}
