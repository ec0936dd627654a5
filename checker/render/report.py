"""Reports of a :class:`~checker.model.CheckResult`.

``render(result, fmt, lang, color)`` for fmt in text | md | html | json |
sarif | junit | github.  Text, Markdown and HTML come from the jinja2
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
from checker.render.github import render_github
from checker.render.html import render_html
from checker.render.json_out import render_json
from checker.render.junit import render_junit
from checker.render.md import render_md
from checker.render.sarif import render_sarif
from checker.render.text import render_text


FORMATS = ("text", "md", "html", "json", "sarif", "junit", "github")


# ------------------------------------------------------------------ entry

def render(result: CheckResult, fmt: str, lang: str = "vi", color: bool | None = None) -> str:
    """The report of ``result`` in ``fmt`` (text|md|html|json|sarif|junit|github)."""
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
        return render_junit(result, lang)
    if fmt == "github":
        return render_github(result, lang)
    raise PlanError("format", f"Định dạng báo cáo không hỗ trợ: {fmt} (hỗ trợ: {', '.join(FORMATS)})",
                    f"Unsupported report format: {fmt} (supported: {', '.join(FORMATS)})")


def combine(parts: list[str], fmt: str) -> str:
    """One report for several plans, valid in its format: JSON as a list,
    SARIF as one run, JUnit as <testsuites>, HTML as one page."""
    if len(parts) == 1:
        return parts[0]
    if fmt == "json":
        return json.dumps([json.loads(p) for p in parts], ensure_ascii=False, indent=2)
    if fmt == "sarif":
        docs = [json.loads(p) for p in parts]
        first = docs[0]
        run = first["runs"][0]
        for d in docs[1:]:
            other = d["runs"][0]
            run["results"].extend(other["results"])
            uris = {a["location"]["uri"] for a in run.get("artifacts", [])}
            run.setdefault("artifacts", []).extend(a for a in other.get("artifacts", [])
                                                    if a["location"]["uri"] not in uris)
        return json.dumps(first, ensure_ascii=False, indent=2)
    if fmt == "junit":
        suites = [ET.fromstring(p.split("?>", 1)[1] if p.startswith("<?xml") else p) for p in parts]
        root = ET.Element("testsuites", {
            "tests": str(sum(int(s.get("tests", 0)) for s in suites)),
            "failures": str(sum(int(s.get("failures", 0)) for s in suites))})
        root.extend(suites)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    if fmt == "html":
        head, _, _ = parts[0].partition("<main>")
        mains = ["<main>" + p.split("<main>", 1)[1].split("</main>", 1)[0] + "</main>" for p in parts]
        return head + "\n".join(mains) + "\n</body>\n</html>\n"
    return "\n".join(p.rstrip("\n") for p in parts) + "\n"
