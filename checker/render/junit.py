"""The JUnit XML report (``--format junit``): one test case per rule.

A test case fails when its rule has an active (not waived) finding at or
above ``fail_on`` — the same threshold as the exit code — with one
``<failure>`` listing every such finding; findings below the threshold are in
the case's ``<system-out>``.  A rule not in force at the plan's as-of date is
``<skipped>``.  So ``tests`` = test cases, ``failures`` = failing cases,
``skipped`` = skipped cases, ``errors`` = 0, in the suite and in the combined
``<testsuites>``.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from checker.model import CheckResult, location_label
from checker.render.data import _T, _iso

_RANK = {"error": 3, "warning": 2, "info": 1}


def _finding_text(result: CheckResult, f, lang: str, t: dict) -> str:
    return (f"[{f.severity}] {result.plan.source}:{f.line or ''} ({location_label(f.location, lang) or ''}) "
            f"{f.message}\n" + (f"  {f.excerpt}\n" if f.excerpt else "")
            + (f"  {t['suggestion']}: {f.suggestion}\n" if f.suggestion else ""))


def junit_suite(result: CheckResult, lang: str = "vi", fail_on: str = "info") -> ET.Element:
    from checker.judge.findings import reaches
    from checker.judge.rulepack import load_rules

    t = _T["en" if lang == "en" else "vi"]
    active = [f for f in result.findings if not f.waived]
    suite = ET.Element("testsuite", {
        "name": f"plancheck: {result.plan.source}",
        "tests": "0", "failures": "0", "errors": "0", "skipped": "0", "time": "0",
        "timestamp": dt.datetime.now().replace(microsecond=0).isoformat(),
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("plan", result.plan.source), ("as_of", _iso(result.as_of) or ""),
                        ("as_of_basis", result.as_of_basis), ("fail_on", fail_on)):
        ET.SubElement(props, "property", {"name": name, "value": value})
    tests = failures = skipped = 0
    as_of = result.as_of if isinstance(result.as_of, dt.date) else None
    for r in load_rules():
        tests += 1
        case = ET.SubElement(suite, "testcase", {"classname": f"plancheck.{r.category}",
                                                 "name": f"{r.code} {r.slug}", "time": "0"})
        fs = [f for f in active if f.rule == r.code]
        if not r.applies(as_of) and not fs:
            ET.SubElement(case, "skipped", {"message": "not in force at the as-of date"})
            skipped += 1
            continue
        failing = [f for f in fs if reaches(f.severity, fail_on)]
        other = [f for f in fs if f not in failing]
        if failing:
            failures += 1
            worst = max(failing, key=lambda f: _RANK.get(f.severity, 0))
            msg = worst.message if len(failing) == 1 else f"{len(failing)} × {r.code}: {worst.message}"
            el = ET.SubElement(case, "failure", {"type": worst.severity, "message": msg})
            el.text = "".join(_finding_text(result, f, lang, t) for f in failing)
        if other:
            out = ET.SubElement(case, "system-out")
            out.text = "".join(_finding_text(result, f, lang, t) for f in other)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    return suite


def render_junit(result: CheckResult, lang: str = "vi", fail_on: str = "info") -> str:
    suite = junit_suite(result, lang, fail_on)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
