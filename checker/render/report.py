"""Reports of a :class:`~checker.model.CheckResult`.

``render(result, fmt, lang, color)`` for fmt in text | md | html | json |
sarif | junit | github.  Text, Markdown and HTML come from the jinja2
templates in ``reports/`` (HTML autoescaped: text from a plan never becomes
markup); JSON, SARIF 2.1.0, JUnit XML and GitHub Actions annotations are
built as data.  ``report_data`` is the one JSON contract every format reads.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker import resources
from checker.errors import PlanError
from checker.judge.engine import SEVERITY_RANK, exit_code  # noqa: F401  (exit_code is re-exported)
from checker.model import CheckResult, Finding, location_label

FORMATS = ("text", "md", "html", "json", "sarif", "junit", "github")

CATEGORY_LABELS = {
    "outdated-reference": ("Văn bản đã hết hiệu lực hoặc được thay thế", "Outdated references"),
    "abolished-body": ("Cơ quan, đơn vị không còn tồn tại", "Bodies that no longer exist"),
    "inconsistency": ("Không nhất quán", "Inconsistencies"),
    "incomplete-task": ("Nhiệm vụ chưa đủ thông tin", "Incomplete tasks"),
    "structure": ("Cấu trúc kế hoạch", "Plan structure"),
    "target": ("Chỉ tiêu", "Targets"),
    "missing-task": ("Thiếu nhiệm vụ được giao", "Missing mandated tasks"),
}
CATEGORY_ORDER = list(CATEGORY_LABELS)
SEVERITY_LABELS = {"error": ("lỗi", "error"), "warning": ("cảnh báo", "warning"),
                   "info": ("thông tin", "info")}
BASIS_LABELS = {
    "option": ("theo tùy chọn --as-of", "from the --as-of option"),
    "config": ("theo tệp cấu hình", "from the config file"),
    "header": ("ngày ban hành ghi trên kế hoạch", "the plan's own date"),
    "header-partial": ("ngày ban hành ghi chưa đủ: lấy ngày sớm nhất có thể",
                       "the plan's incomplete date: its earliest possible day"),
    "lower-bound": ("kế hoạch không ghi đủ ngày: lấy ngày của văn bản mới nhất được trích dẫn",
                    "the plan is not fully dated: the date of the latest document it cites"),
    "today": ("kế hoạch không ghi ngày: lấy ngày hôm nay", "the plan has no date: today"),
}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}

_T = {
    "vi": {"title": "Báo cáo kiểm tra kế hoạch", "as_of": "Ngày đối chiếu", "coverage": "Mức độ bao phủ theo nhóm nhiệm vụ",
           "group": "Nhóm", "total": "Tổng", "covered": "Đạt", "partial": "Một phần", "missing": "Thiếu",
           "findings": "Phát hiện", "suggestion": "Gợi ý", "no_findings": "Không có phát hiện nào.",
           "summary": "Tổng hợp", "waived": "miễn trừ", "line": "dòng", "citations": "Chuỗi văn bản được trích dẫn",
           "no_coverage": "Chưa có dữ liệu bao phủ.", "excerpt": "Trích kế hoạch", "plan": "Kế hoạch",
           "source": "Tệp", "references": "Bộ tham chiếu", "issuer": "Cơ quan ban hành", "number": "Số",
           "date": "Ngày", "doc_title": "Trích yếu", "role": "Vai trò", "document": "Văn bản",
           "unmatched": "Nhiệm vụ riêng của xã (không ứng với nhiệm vụ tham chiếu nào)",
           "rule": "Luật", "severity": "Mức", "tool": "Công cụ"},
    "en": {"title": "Plan check report", "as_of": "Judged as of", "coverage": "Coverage by task group",
           "group": "Group", "total": "Total", "covered": "Covered", "partial": "Partial", "missing": "Missing",
           "findings": "Findings", "suggestion": "Suggestion", "no_findings": "No findings.",
           "summary": "Summary", "waived": "waived", "line": "line", "citations": "Citation chain",
           "no_coverage": "No coverage data.", "excerpt": "Plan excerpt", "plan": "Plan",
           "source": "File", "references": "Reference sets", "issuer": "Issuer", "number": "Number",
           "date": "Date", "doc_title": "Title", "role": "Role", "document": "Document",
           "unmatched": "The commune's own tasks (matching no reference task)",
           "rule": "Rule", "severity": "Severity", "tool": "Tool"},
}


def _tool_version(result: CheckResult) -> str:
    if result.tool_version:
        return result.tool_version
    try:
        from checker import __version__

        return __version__
    except ImportError:  # pragma: no cover
        return ""


def _iso(d: Any) -> str | None:
    if d is None:
        return None
    return d.isoformat() if hasattr(d, "isoformat") else str(d)


def summary_counts(findings: list[Finding]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0, "waived": 0}
    for f in findings:
        if f.waived:
            out["waived"] += 1
        else:
            out[f.severity] = out.get(f.severity, 0) + 1
    out["total"] = out["error"] + out["warning"] + out["info"]
    return out


def as_of_note(result: CheckResult, lang: str = "vi") -> str:
    i = 1 if lang == "en" else 0
    label = BASIS_LABELS.get(result.as_of_basis, (result.as_of_basis, result.as_of_basis))[i]
    h = result.plan.header
    if result.as_of_basis == "lower-bound" and h.date_lower_bound_basis and lang != "en":
        label = h.date_lower_bound_basis
    return label


def finding_dict(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    if f.waived:
        d["waived"] = f.waived
    return d


def report_data(result: CheckResult, lang: str = "vi") -> dict[str, Any]:
    """The JSON contract of ``plancheck check --format json``."""
    plan = result.plan
    head = plan.header.to_dict()
    head.update({"source": plan.source, "format": plan.format, "as_of": _iso(result.as_of),
                 "as_of_basis": result.as_of_basis, "as_of_note": as_of_note(result, lang)})
    cov = result.coverage.to_dict() if result.coverage is not None else {
        "groups": [], "mandates": [], "unmatched_tasks": []}
    return {
        "plan": head,
        "references": list(result.references),
        "coverage": cov,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": summary_counts(result.findings),
        "tool": {"name": "plancheck", "version": _tool_version(result)},
    }


# ------------------------------------------------------------- templates

def _env(autoescape: bool):
    import jinja2

    def load(name: str) -> str | None:
        try:
            return resources.read_text("reports", name)
        except FileNotFoundError:
            return None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env


def _pct(n: int | float, total: int | float) -> int:
    return int(round(100.0 * n / total)) if total else 0


def _group_rows(result: CheckResult, lang: str = "vi") -> list[dict[str, Any]]:
    rows = []
    if result.coverage is None:
        return rows
    for g in result.coverage.groups:
        total = int(g.get("total") or 0)
        cov, par, mis = (int(g.get(k) or 0) for k in ("covered", "partial", "missing"))
        title = (g.get("title_en") or g.get("title")) if lang == "en" else g.get("title")
        rows.append(dict(g, title=title, covered=cov, partial=par, missing=mis, total=total,
                         pct_covered=_pct(cov, total), pct_partial=_pct(par, total),
                         pct_missing=max(0, 100 - _pct(cov, total) - _pct(par, total)) if total else 0))
    return rows


def _grouped(findings: list[Finding], lang: str) -> list[dict[str, Any]]:
    i = 1 if lang == "en" else 0
    groups = []
    for cat in CATEGORY_ORDER + sorted({f.category for f in findings} - set(CATEGORY_ORDER)):
        fs = [f for f in findings if f.category == cat]
        if fs:
            groups.append({"category": cat, "label": CATEGORY_LABELS.get(cat, (cat, cat))[i], "findings": fs})
    return groups


def _excerpt_parts(result: CheckResult, f: Finding) -> tuple[str, str, str]:
    """(before, match, after) of the finding's unit text, for highlighting."""
    units = result.plan.units
    if f.unit is None or not (0 <= f.unit < len(units)):
        return (f.excerpt or "", "", "")
    t = units[f.unit].text
    if f.start is None or f.end is None:
        return (f.excerpt or t.strip(), "", "")
    a = max(0, f.start - 110)
    b = min(len(t), f.end + 110)
    pre = ("…" if a > 0 else "") + t[a:f.start].lstrip()
    post = t[f.end:b].rstrip() + ("…" if b < len(t) else "")
    return (pre, t[f.start:f.end], post)


def _context(result: CheckResult, lang: str, color: bool) -> dict[str, Any]:
    import click

    i = 1 if lang == "en" else 0

    def style(text: Any, **kw: Any) -> str:
        return click.style(str(text), **kw) if color else str(text)

    def sev_label(sev: str) -> str:
        return SEVERITY_LABELS.get(sev, (sev, sev))[i]

    data = report_data(result, lang)
    return {
        "r": result, "data": data, "plan": result.plan, "h": result.plan.header, "lang": lang,
        "t": _T["en" if lang == "en" else "vi"], "groups": _group_rows(result, lang),
        "loc": lambda human: location_label(human, lang),
        "categories": _grouped([f for f in result.findings if not f.waived], lang),
        "waived": [f for f in result.findings if f.waived],
        "summary": data["summary"], "style": style, "sev_label": sev_label, "color": color,
        "as_of": _iso(result.as_of), "as_of_note": as_of_note(result, lang),
        "excerpt_parts": lambda f: _excerpt_parts(result, f),
        "tool_version": _tool_version(result),
        "citations": _cited_documents(result),
        "unmatched": (result.coverage.unmatched_tasks if result.coverage is not None else []),
    }


_ROLE_ORDER = {"basis": 0, "implements": 1, "attachment": 2, "mention": 3}


def _cited_documents(result: CheckResult) -> list[dict[str, Any]]:
    """Each cited document once: its fullest citation, its roles and lines."""
    docs: dict[str, dict[str, Any]] = {}
    for c in result.plan.citations:
        key = c.doc_id or c.number or c.surface
        d = docs.setdefault(key, {"doc_id": c.doc_id, "surface": c.surface, "roles": set(), "lines": [],
                                  "rank": 9})
        d["roles"].add(c.role)
        if c.loc.line not in d["lines"]:
            d["lines"].append(c.loc.line)
        rank = _ROLE_ORDER.get(c.role, 9)
        if rank < d["rank"] or (rank == d["rank"] and len(c.surface) > len(d["surface"])):
            d["surface"], d["rank"] = c.surface, rank
    out = []
    for d in docs.values():
        d["roles"] = sorted(d["roles"], key=lambda r: _ROLE_ORDER.get(r, 9))
        out.append(d)
    out.sort(key=lambda d: (d["rank"], d["lines"][0] if d["lines"] else 0))
    return out


def _graph_svg(result: CheckResult) -> str | None:
    """The citation graph as SVG from checker.cite.graph_export, if that module can draw it."""
    if result.graph is None:
        return None
    try:
        from checker.cite import graph_export as g  # type: ignore
    except Exception:
        return None
    for name in ("to_svg", "render_svg", "svg"):
        fn = getattr(g, name, None)
        if callable(fn):
            try:
                out = fn(result.graph)
                if isinstance(out, bytes):
                    out = out.decode("utf-8")
                return out if out and "<svg" in out else None
            except Exception:
                return None
    return None


def render_text(result: CheckResult, lang: str = "vi", color: bool | None = None) -> str:
    if color is None:
        color = sys.stdout.isatty()
    return _env(False).get_template("text.j2").render(**_context(result, lang, bool(color)))


def render_md(result: CheckResult, lang: str = "vi") -> str:
    ctx = _context(result, lang, False)
    ctx["md"] = _md_escape
    return _env(False).get_template("md.j2").render(**ctx)


def _md_escape(s: Any) -> str:
    s = str(s or "")
    for ch in ("\\", "`", "*", "_", "|", "<", ">", "[", "]"):
        s = s.replace(ch, "\\" + ch)
    return " ".join(s.split())


def render_html(result: CheckResult, lang: str = "vi") -> str:
    ctx = _context(result, lang, False)
    svg = _graph_svg(result)
    # an SVG shown through <img> cannot run scripts, whatever its labels hold
    ctx["graph_img"] = ("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
                        if svg else None)
    try:
        ctx["css"] = resources.read_text("reports", "report.css")
    except FileNotFoundError:  # pragma: no cover
        ctx["css"] = ""
    return _env(True).get_template("report.html.j2").render(**ctx)


def render_json(result: CheckResult, lang: str = "vi") -> str:
    return json.dumps(report_data(result, lang), ensure_ascii=False, indent=2)


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


# ------------------------------------------------------------------ GitHub

def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, lang: str = "vi") -> str:
    lines = []
    src = result.plan.source
    t = _T["en" if lang == "en" else "vi"]
    for f in result.findings:
        if f.waived:
            continue
        props = [f"file={_gh_prop(src)}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.start is not None and f.end is not None and f.end > f.start:
                props.append(f"col={f.start + 1}")
                props.append(f"endColumn={f.end + 1}")
        props.append(f"title={_gh_prop(f.rule + ' ' + (f.slug or ''))}")
        msg = f.message + (f" — {t['suggestion']}: {f.suggestion}" if f.suggestion else "")
        lines.append(f"::{GITHUB_LEVEL.get(f.severity, 'notice')} {','.join(props)}::{_gh_data(msg)}")
    s = summary_counts(result.findings)
    lines.append(f"plancheck {src}: {s['error']} error, {s['warning']} warning, {s['info']} info, "
                 f"{s['waived']} waived")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ entry

def render(result: CheckResult, fmt: str, lang: str = "vi", color: bool | None = None) -> str:
    """The report of ``result`` in ``fmt`` (text|md|html|json|sarif|junit|github)."""
    lang = "en" if lang == "en" else "vi"
    from checker.judge.engine import localize

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
