"""Reports of a :class:`~checker.model.CheckResult`.

``render(result, fmt, lang, color)`` for fmt in text | md | html | json |
sarif | junit | github | concise; ``combine(parts, fmt)`` makes one report of
several plans' reports (the only place that does), ``render_many`` both.  Text, Markdown and HTML come from the jinja2
templates in ``reports/`` (HTML autoescaped: text from a plan never becomes
markup); JSON, SARIF 2.1.0, JUnit XML and GitHub Actions annotations are
built as data.  ``report_data`` is the one JSON contract every format reads.

One module per output: :mod:`checker.render.text`, :mod:`~checker.render.md`,
:mod:`~checker.render.html`, :mod:`~checker.render.json_out`,
:mod:`~checker.render.sarif`, :mod:`~checker.render.junit`,
:mod:`~checker.render.github`; the labels and ``report_data`` are in
:mod:`checker.render.data`, the template context in :mod:`checker.render.templates`.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from checker.errors import PlanError
from checker.judge.findings import exit_code  # noqa: F401  (exit_code is re-exported)
from checker.model import CheckResult
from checker.render.data import report_data  # noqa: F401  (the JSON contract, re-exported)
from checker.render.concise import render_concise
from checker.render.github import render_github
from checker.render.html import render_html
from checker.render.json_out import render_json
from checker.render.junit import render_junit
from checker.render.md import render_md
from checker.render.sarif import render_sarif
from checker.render.text import render_text


FORMATS = ("text", "md", "html", "json", "sarif", "junit", "github", "concise")


# ------------------------------------------------------------------ entry

def render(result: CheckResult, fmt: str, lang: str = "vi", color: bool | None = None,
           fail_on: str | None = None) -> str:
    """The report of ``result`` in ``fmt`` (text|md|html|json|sarif|junit|github|concise).

    ``fail_on`` decides which findings fail a JUnit test case (every active
    finding when not given)."""
    lang = "en" if lang == "en" else "vi"
    from checker.judge.findings import localize

    localize(result.findings, lang)
    if fmt == "text":
        return render_text(result, lang, color)
    if fmt in ("md", "markdown"):
        return render_md(result, lang)
    if fmt == "html":
        return render_html(result, lang)
    if fmt == "json":
        return render_json(result, lang)
    if fmt == "sarif":
        return render_sarif(result, lang)
    if fmt == "junit":
        return render_junit(result, lang, fail_on or "info")
    if fmt == "github":
        return render_github(result, lang)
    if fmt == "concise":
        return render_concise(result, lang)
    raise PlanError("format", f"Định dạng báo cáo không hỗ trợ: {fmt} (hỗ trợ: {', '.join(FORMATS)})",
                    f"Unsupported report format: {fmt} (supported: {', '.join(FORMATS)})")


def render_many(results: list[CheckResult], fmt: str, lang: str = "vi", color: bool | None = None,
                fail_on: str | None = None, many: bool = False) -> str:
    """One report of several plans (``combine`` of each plan's ``render``)."""
    return combine([render(r, fmt, lang=lang, color=color, fail_on=fail_on) for r in results], fmt, many=many)


def combine(parts: list[str], fmt: str, many: bool = False) -> str:
    """One report for several plans, valid in its format: SARIF as one run
    (every plan an artifact, each result with its own as-of), JUnit as one
    ``<testsuites>`` (a suite per plan), HTML as one page, JSON as
    ``{"plans": [...], "summary": ..., "tool": ...}``.  One plan's report is
    returned as it is, except JSON with ``many`` (the several-plans shape
    for any number of plans)."""
    if fmt == "json" and (many or len(parts) != 1):
        plans = [json.loads(p) for p in parts]
        total = {k: sum(p["summary"].get(k, 0) for p in plans)
                 for k in ("error", "warning", "info", "waived", "total")}
        tool = plans[0]["tool"] if plans else {"name": "plancheck", "version": ""}
        return json.dumps({"plans": plans, "summary": total, "tool": tool}, ensure_ascii=False, indent=2)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return ""
    if fmt == "sarif":
        from checker.render.sarif import merge_logs

        return json.dumps(merge_logs([json.loads(p) for p in parts]), ensure_ascii=False, indent=2)
    if fmt == "junit":
        suites = [ET.fromstring(p.split("?>", 1)[1] if p.startswith("<?xml") else p) for p in parts]
        root = ET.Element("testsuites", {
            "name": "plancheck",
            "tests": str(sum(int(s.get("tests", 0)) for s in suites)),
            "failures": str(sum(int(s.get("failures", 0)) for s in suites)),
            "errors": str(sum(int(s.get("errors", 0)) for s in suites)),
            "skipped": str(sum(int(s.get("skipped", 0)) for s in suites)),
            "time": "0"})
        for i, s in enumerate(suites):
            s.set("id", str(i))
        root.extend(suites)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    if fmt == "html":
        head, _, _ = parts[0].partition("<main>")
        mains = ["<main>" + p.split("<main>", 1)[1].split("</main>", 1)[0] + "</main>" for p in parts]
        return head + "\n".join(mains) + "\n</body>\n</html>\n"
    if fmt == "concise":
        return "".join(parts)
    return "\n".join(parts)  # text, md, github: the plans' reports, a blank line between
