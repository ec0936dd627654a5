"""The JUnit XML report (``--format junit``): one test case per rule."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from checker.model import CheckResult, location_label
from checker.render.data import _T, _iso


# ------------------------------------------------------------------- JUnit

def render_junit(result: CheckResult, lang: str = "vi") -> str:
    from checker.judge.rulepack import load_rules

    t = _T["en" if lang == "en" else "vi"]
    active = [f for f in result.findings if not f.waived]
    suite = ET.Element("testsuite", {
        "name": f"plancheck: {result.plan.source}",
        "tests": "0", "failures": str(len(active)), "errors": "0", "skipped": "0",
        "timestamp": dt.datetime.now().replace(microsecond=0).isoformat(),
    })
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", {"name": "as_of", "value": _iso(result.as_of) or ""})
    ET.SubElement(props, "property", {"name": "as_of_basis", "value": result.as_of_basis})
    n = 0
    skipped = 0
    for r in load_rules():
        n += 1
        case = ET.SubElement(suite, "testcase", {"classname": f"plancheck.{r.category}",
                                                 "name": f"{r.code} {r.slug}"})
        fs = [f for f in active if f.rule == r.code]
        if not r.applies(result.as_of if isinstance(result.as_of, dt.date) else None):
            ET.SubElement(case, "skipped", {"message": "not in force at the as-of date"})
            skipped += 1
            continue
        for f in fs:
            el = ET.SubElement(case, "failure", {"type": f.severity, "message": f.message})
            el.text = (f"{result.plan.source}:{f.line or ''} ({location_label(f.location, lang) or ''})\n"
                       f"{f.excerpt or ''}\n{t['suggestion']}: {f.suggestion}")
    suite.set("tests", str(n))
    suite.set("skipped", str(skipped))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
