"""The jinja2 environment and context of the text, Markdown and HTML reports
(templates in ``reports/``)."""
from __future__ import annotations

from typing import Any

from checker import resources
from checker.model import CheckResult, Finding, location_label
from checker.render.data import (
    CATEGORY_LABELS, CATEGORY_ORDER, SEVERITY_LABELS, _T, _iso, _tool_version, as_of_note,
    report_data,
    severity_sorted,
)


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
                             undefined=jinja2.StrictUndefined, bytecode_cache=_bytecode_cache(autoescape))
    return env


def _bytecode_cache(autoescape: bool):
    """The templates compiled once and kept in the user's cache folder
    (``<cache dir>/jinja/…``, see :func:`checker.resources.cache_dir`): jinja2
    checks each file against the template's source and the Python version; the
    folder's name holds the environment's settings (autoescape), jinja2's version
    and :func:`checker.resources.build_version`.  None when the cache is off;
    a missing, unwritable or damaged cache only means compiling again."""
    import jinja2

    folder = resources.cache_dir()
    if folder is None:
        return None
    kind = "html" if autoescape else "text"
    where = folder / "jinja" / f"{jinja2.__version__}-{kind}-{resources.build_version()[:16]}"

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - damaged: compiled again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                where.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except Exception:  # noqa: BLE001 - read-only or full disk: never required
                pass

    return Cache(str(where))


def _pct(n: int | float, total: int | float) -> int:
    return int(round(100.0 * n / total)) if total else 0


def group_title(g: dict[str, Any], lang: str) -> str:
    """A coverage group's title in ``lang``; in English, a group of an imported
    set (no English title) is marked "(Vietnamese title) …", not passed off as English."""
    if lang != "en":
        return g.get("title") or ""
    if g.get("title_en"):
        return g["title_en"]
    return f"(Vietnamese title) {g['title']}" if g.get("title") else ""


def _group_rows(result: CheckResult, lang: str = "vi") -> list[dict[str, Any]]:
    rows = []
    if result.coverage is None:
        return rows
    for g in result.coverage.groups:
        total = int(g.get("total") or 0)
        cov, par, mis = (int(g.get(k) or 0) for k in ("covered", "partial", "missing"))
        title = group_title(g, lang)
        ratio = g.get("ratio")
        if not isinstance(ratio, (int, float)):
            ratio = coverage_ratio(cov, par, total)
        # pct: the one coverage figure of every surface (see COVERAGE_NOTE);
        # pct_covered / pct_partial are the widths of the bar's two parts
        rows.append(dict(g, title=title, covered=cov, partial=par, missing=mis, total=total,
                         pct=int(round(100 * ratio)) if total else 0,
                         pct_covered=_pct(cov, total), pct_partial=_pct(par, total),
                         pct_missing=max(0, 100 - _pct(cov, total) - _pct(par, total)) if total else 0))
    return rows


def coverage_ratio(covered: int, partial: int, total: int) -> float:
    """The one definition of coverage, used by every report, the JSON
    ``ratio``, the Word comments and the audit: (covered + ½ partial) / applicable."""
    return round((covered + 0.5 * partial) / total, 3) if total else 0.0


COVERAGE_NOTE = (
    "Mức bao phủ = (số nhiệm vụ đã có + ½ số nhiệm vụ mới có một phần) / số nhiệm vụ áp dụng cho kế hoạch này (theo cấp và phạm vi của kế hoạch).",
    "Coverage = (tasks covered + ½ tasks partly covered) / tasks that apply to this plan (by its level and scope).",
)

_PLURAL_EN = {"error": "errors", "warning": "warnings", "info": "info"}


def _gap_groups(result: CheckResult, findings: list[Finding], lang: str) -> list[dict[str, Any]]:
    """The missing-task findings grouped by NQ 57 group (one line per duty)."""
    titles: dict[str, str] = {}
    for g in (result.coverage.groups if result.coverage is not None else []):
        t = group_title(g, lang)
        titles.setdefault(g.get("group"), t or "")
    out: dict[str, dict[str, Any]] = {}
    for f in severity_sorted(findings):
        gid = str(f.data.get("group") or "")
        ent = out.setdefault(gid, {"group": gid, "title": titles.get(gid, ""), "findings": [],
                                   "warning": 0, "info": 0, "error": 0})
        ent["findings"].append(f)
        ent[f.severity] = ent.get(f.severity, 0) + 1
    return sorted(out.values(), key=lambda e: _group_key(e["group"]))


def _group_key(gid: str) -> tuple:
    parts = gid.split(".")
    return (parts[0] != "III", [int(p) if p.isdigit() else 0 for p in parts[1:]], gid)


def _fix_first(result: CheckResult, active: list[Finding], gaps: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The short summary at the top: errors, then gaps by group, then the rest."""
    i = 1 if lang == "en" else 0
    errors = [f for f in severity_sorted(active) if f.severity == "error"]
    rest: dict[str, int] = {}
    for f in active:
        if f.severity != "error" and f.category != "missing-task":
            label = CATEGORY_LABELS.get(f.category, (f.category, f.category))[i]
            rest[label] = rest.get(label, 0) + 1
    return {"errors": errors, "gaps": gaps, "rest": sorted(rest.items(), key=lambda kv: -kv[1])}


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

    def sev_label(sev: str, n: int | None = None) -> str:
        if n is not None and n != 1 and lang == "en":
            return _PLURAL_EN.get(sev, sev)
        return SEVERITY_LABELS.get(sev, (sev, sev))[i]

    data = report_data(result, lang)
    groups = _group_rows(result, lang)
    # a plan on one subject (its scope names the groups it answers for): the
    # other groups are shown as outside its scope, not as gaps
    for g, jg in zip(groups, data["coverage"]["groups"]):
        g["out_of_scope"] = not jg.get("in_scope", True)
    active = [f for f in result.findings if not f.waived]
    gap_fs = [f for f in active if f.category == "missing-task"]
    gaps = _gap_groups(result, gap_fs, lang)
    return {
        "ordered": severity_sorted([f for f in active if f.category != "missing-task"]),
        "gaps": gaps, "fix_first": _fix_first(result, active, gaps, lang),
        "coverage_note": COVERAGE_NOTE[i], "scope": data.get("scope") or {},
        "scope_note": (data.get("scope") or {}).get("note_en" if lang == "en" else "note_vi", ""),
        "r": result, "data": data, "plan": result.plan, "h": result.plan.header, "lang": lang,
        "t": _T["en" if lang == "en" else "vi"], "groups": groups,
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
