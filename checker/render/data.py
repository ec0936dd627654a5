"""The report's labels and ``report_data``, the one JSON contract every format reads."""
from __future__ import annotations

from typing import Any

from checker.model import CheckResult, Finding, location_label

# Where the project lives; every documentation link in a report is built from
# this one constant (SARIF ``informationUri`` and each rule's ``helpUri``).
PROJECT_URL = "https://github.com/plancheck-vn/plancheck"
RULES_DOC_URL = PROJECT_URL + "/blob/main/rules/README.md"


def rule_doc_url(code: str) -> str:
    """The rule's section in rules/README.md (its heading is the code)."""
    return f"{RULES_DOC_URL}#{code.lower()}"


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

_T = {
    "vi": {"title": "Báo cáo kiểm tra kế hoạch", "as_of": "Ngày đối chiếu", "coverage": "Mức độ bao phủ theo nhóm nhiệm vụ",
           "group": "Nhóm", "total": "Tổng", "covered": "Đạt", "partial": "Một phần", "missing": "Thiếu", "out_of_scope": "ngoài phạm vi",
           "findings": "Phát hiện", "suggestion": "Gợi ý", "no_findings": "Không có phát hiện nào.",
           "summary": "Tổng hợp", "waived": "miễn trừ", "line": "dòng", "citations": "Chuỗi văn bản được trích dẫn",
           "no_coverage": "Chưa có dữ liệu bao phủ.", "excerpt": "Trích kế hoạch", "plan": "Kế hoạch",
           "source": "Tệp", "references": "Bộ tham chiếu", "issuer": "Cơ quan ban hành", "number": "Số",
           "date": "Ngày", "doc_title": "Trích yếu", "role": "Vai trò", "document": "Văn bản",
           "unmatched": "Nhiệm vụ riêng của xã (không ứng với nhiệm vụ tham chiếu nào)",
           "rule": "Luật", "severity": "Mức", "tool": "Công cụ",
           "fix_first": "Cần sửa trước", "errors_head": "Lỗi", "gaps_head": "Nhiệm vụ còn thiếu theo nhóm",
           "rest_head": "Các điểm khác", "gaps": "Nhiệm vụ còn thiếu hoặc mới có một phần",
           "other_findings": "Các phát hiện khác (lỗi trước, rồi cảnh báo, rồi thông tin)",
           "code": "Mã", "scope": "Phạm vi", "nothing_first": "Không có lỗi nào cần sửa ngay.",
           "gap_count": "nhiệm vụ", "gap_count_one": "nhiệm vụ", "basis": "Căn cứ",
           "skipped": "Trang bị bỏ qua (lớp văn bản bị hỏng, không được kiểm tra)"},
    "en": {"title": "Plan check report", "as_of": "Judged as of", "coverage": "Coverage by task group",
           "group": "Group", "total": "Total", "covered": "Covered", "partial": "Partial", "missing": "Missing", "out_of_scope": "outside the scope",
           "findings": "Findings", "suggestion": "Suggestion", "no_findings": "No findings.",
           "summary": "Summary", "waived": "waived", "line": "line", "citations": "Citation chain",
           "no_coverage": "No coverage data.", "excerpt": "Plan excerpt", "plan": "Plan",
           "source": "File", "references": "Reference sets", "issuer": "Issuer", "number": "Number",
           "date": "Date", "doc_title": "Title", "role": "Role", "document": "Document",
           "unmatched": "The commune's own tasks (matching no reference task)",
           "rule": "Rule", "severity": "Severity", "tool": "Tool",
           "fix_first": "What to fix first", "errors_head": "Errors", "gaps_head": "Missing tasks by group",
           "rest_head": "Other points", "gaps": "Tasks missing or only partly covered",
           "other_findings": "Other findings (errors first, then warnings, then information)",
           "code": "Code", "scope": "Scope", "nothing_first": "No errors to fix first.",
           "gap_count": "tasks", "gap_count_one": "task", "basis": "Basis",
           "skipped": "Pages skipped (garbled text layer, not checked)"},
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


_REASON_EN = (("áp dụng cho cấp", "applies to the level"), ("kế hoạch cấp", "the plan's level"),
              ("hết hạn", "expires"))


def reason_en(reason: str | None) -> str | None:
    """The English of a coverage reason made by the matcher ("áp dụng cho cấp:
    province; kế hoạch cấp: commune"); a waiver's own reason stays as written."""
    if not reason:
        return reason
    for vi, en in _REASON_EN:
        reason = reason.replace(vi, en)
    return reason


_SEV_ORDER = {"error": 0, "warning": 1, "info": 2}


def severity_sorted(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then information; by line inside each
    (findings with no line after the located ones of the same severity).
    The order of every report: text, Markdown, HTML, JSON, Word comments."""
    return sorted(findings, key=lambda f: (_SEV_ORDER.get(f.severity, 3), f.line is None, f.line or 0,
                                           f.start or 0, f.rule))


def finding_dict(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    if f.location:
        d["location_en"] = location_label(f.location, "en")  # "dòng 12" → "line 12"
    if f.waived:
        d["waived"] = f.waived
    return d


def report_data(result: CheckResult, lang: str = "vi") -> dict[str, Any]:
    """The JSON contract of ``plancheck check --format json``."""
    plan = result.plan
    head = plan.header.to_dict()
    head.update({"source": plan.source, "format": plan.format, "as_of": _iso(result.as_of),
                 "as_of_basis": result.as_of_basis, "as_of_note": as_of_note(result, lang),
                 "skipped_pages": list(plan.skipped_pages)})
    cov = result.coverage.to_dict() if result.coverage is not None else {
        "groups": [], "mandates": [], "unmatched_tasks": []}
    for d, ms in zip(cov["mandates"], result.coverage.mandates if result.coverage is not None else []):
        d["title_en"] = ms.mandate.title_in("en") if hasattr(ms.mandate, "title_in") else ms.mandate.title
        d["reason_en"] = reason_en(d.get("reason"))
    cov["unmatched_tasks"] = [dict(t, location_en=location_label(t.get("location"), "en"))
                              for t in cov["unmatched_tasks"]]
    cov["definition"] = ("(covered + 0.5 * partial) / applicable" if lang == "en"
                         else "(đã có + 0,5 × một phần) / số nhiệm vụ áp dụng")
    try:
        from checker.judge.rulepack import get_rule
        from checker.judge.scope import plan_scope

        scope = plan_scope(result, get_rule("MIS001").params)
    except Exception:  # pragma: no cover - the rule pack cannot be read
        scope = None
    # a plan on one subject answers for its groups only (``in_scope`` false: not a gap)
    in_scope = set((scope or {}).get("groups") or [])
    for g in cov["groups"]:
        g["in_scope"] = not in_scope or str(g.get("group")) in in_scope
    return {
        "plan": head,
        "scope": scope,
        "references": list(result.references),
        "coverage": cov,
        # task-centric traceability: which task carries out which mandate (statuses derive from these)
        "links": [lk.to_dict() for lk in result.coverage.links] if result.coverage is not None else [],
        # what to fix first: errors, warnings, information (by line inside each); waived last
        "findings": [finding_dict(f) for f in severity_sorted([f for f in result.findings if not f.waived])
                     + severity_sorted([f for f in result.findings if f.waived])],
        "summary": summary_counts(result.findings),
        "tool": {"name": "plancheck", "version": _tool_version(result)},
    }
