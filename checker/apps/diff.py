"""What changed between two versions of a plan — the text a reviewer wants
on a pull request.

``diff_results(old, new)`` compares two :class:`~checker.model.CheckResult`:

* mandates gained / lost: a mandate counts as *met* when its status is
  covered or partial; gained = missing before and met now, lost = the
  reverse; ``mandates_changed`` lists covered ↔ partial moves;
* findings fixed / introduced, matched by fingerprint (content, not line,
  so inserted or deleted lines above a finding do not move it);
* citations added / removed, one entry per cited document (catalogue id,
  else canonical number + year), with the location in the version that
  holds it;
* sections added / removed (by section id + title) and tasks added /
  removed (by normalised text).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.normalize import norm, squash

MET = ("covered", "partial")


@dataclass
class PlanDiff:
    old: str
    new: str
    old_as_of: str | None = None
    new_as_of: str | None = None
    mandates_gained: list[dict[str, Any]] = field(default_factory=list)
    mandates_lost: list[dict[str, Any]] = field(default_factory=list)
    mandates_changed: list[dict[str, Any]] = field(default_factory=list)
    findings_fixed: list[dict[str, Any]] = field(default_factory=list)
    findings_introduced: list[dict[str, Any]] = field(default_factory=list)
    citations_added: list[dict[str, Any]] = field(default_factory=list)
    citations_removed: list[dict[str, Any]] = field(default_factory=list)
    sections_added: list[dict[str, Any]] = field(default_factory=list)
    sections_removed: list[dict[str, Any]] = field(default_factory=list)
    tasks_added: list[dict[str, Any]] = field(default_factory=list)
    tasks_removed: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # ratio before/after

    LISTS = ("mandates_gained", "mandates_lost", "mandates_changed", "findings_fixed",
             "findings_introduced", "citations_added", "citations_removed", "sections_added",
             "sections_removed", "tasks_added", "tasks_removed")

    @property
    def empty(self) -> bool:
        return not any(getattr(self, k) for k in self.LISTS)

    def to_dict(self) -> dict[str, Any]:
        d = {"old": self.old, "new": self.new, "old_as_of": self.old_as_of,
             "new_as_of": self.new_as_of,
             "summary": {k: len(getattr(self, k)) for k in self.LISTS}}
        for k in self.LISTS:
            d[k] = getattr(self, k)
        d["groups"] = self.groups
        return d


# ---------------------------------------------------------------- keys

def citation_key(c: Any) -> str:
    """One key per cited document: catalogue id, else number + year."""
    if getattr(c, "doc_id", None):
        return c.doc_id
    from checker.cite.catalog import number_key

    year = c.date.year if getattr(c, "date", None) and c.date.year else ""
    num = number_key(c.number) if c.number else squash(norm(c.surface))[:60]
    return f"{num}@{year}"


def _citation_entry(c: Any) -> dict[str, Any]:
    return {"key": citation_key(c), "doc_id": c.doc_id, "doc_type": c.doc_type, "number": c.number,
            "date": c.date.iso() if c.date else None, "issuer": c.issuer, "role": c.role,
            "line": c.loc.line, "location": c.loc.human, "surface": c.surface.strip()}


def _section_key(s: Any) -> str:
    return f"{s.id}|{squash(norm(s.title))}"


def _task_key(t: Any) -> str:
    return squash(norm(t.text))


def _finding_entry(f: Any) -> dict[str, Any]:
    return {"rule": f.rule, "category": f.category, "severity": f.severity, "message": f.message,
            "line": f.line, "location": f.location, "fingerprint": f.fingerprint,
            "mandates": f.data.get("mandates", "")}


def _ms_entry(ms: Any, before: str | None, after: str | None, old_score=None, new_score=None) -> dict[str, Any]:
    m = ms.mandate
    return {"id": m.id, "reference": m.reference, "group": m.group, "title": m.title,
            "before": before, "after": after,
            "score_before": None if old_score is None else round(float(old_score), 1),
            "score_after": None if new_score is None else round(float(new_score), 1),
            "evidence": [e.to_dict() for e in (ms.evidence or [])[:1]]}


# ---------------------------------------------------------------- diff

def diff_results(old: Any, new: Any) -> PlanDiff:
    d = PlanDiff(old=old.plan.source, new=new.plan.source,
                 old_as_of=_iso(old.as_of), new_as_of=_iso(new.as_of))

    # mandates
    o_ms = {ms.mandate.id: ms for ms in (old.coverage.mandates if old.coverage else [])}
    n_ms = {ms.mandate.id: ms for ms in (new.coverage.mandates if new.coverage else [])}
    for mid, nms in n_ms.items():
        oms = o_ms.get(mid)
        before = oms.status if oms else None
        after = nms.status
        if before == after:
            continue
        was, now = before in MET, after in MET
        entry = _ms_entry(nms, before, after, oms.score if oms else None, nms.score)
        if now and not was and before in ("missing", None):
            d.mandates_gained.append(entry)
        elif was and not now and after == "missing":
            entry["evidence"] = [e.to_dict() for e in (oms.evidence or [])[:1]]
            d.mandates_lost.append(entry)
        else:
            d.mandates_changed.append(entry)
    for mid, oms in o_ms.items():
        if mid not in n_ms:  # the reference set no longer has it
            d.mandates_changed.append(_ms_entry(oms, oms.status, None, oms.score, None))

    # findings by fingerprint
    o_f = {f.fingerprint: f for f in old.findings if f.fingerprint and not f.waived}
    n_f = {f.fingerprint: f for f in new.findings if f.fingerprint and not f.waived}
    d.findings_fixed = [_finding_entry(f) for k, f in o_f.items() if k not in n_f]
    d.findings_introduced = [_finding_entry(f) for k, f in n_f.items() if k not in o_f]

    # citations, one per document
    o_c = _first_by_key(old.plan.citations, citation_key)
    n_c = _first_by_key(new.plan.citations, citation_key)
    d.citations_added = [_citation_entry(c) for k, c in n_c.items() if k not in o_c]
    d.citations_removed = [_citation_entry(c) for k, c in o_c.items() if k not in n_c]

    # sections and tasks
    o_s = _first_by_key(old.plan.sections, _section_key)
    n_s = _first_by_key(new.plan.sections, _section_key)
    d.sections_added = [s.to_dict() for k, s in n_s.items() if k not in o_s]
    d.sections_removed = [s.to_dict() for k, s in o_s.items() if k not in n_s]
    o_t = _first_by_key(old.plan.tasks, _task_key)
    n_t = _first_by_key(new.plan.tasks, _task_key)
    d.tasks_added = [_task_entry(t) for k, t in n_t.items() if k not in o_t]
    d.tasks_removed = [_task_entry(t) for k, t in o_t.items() if k not in n_t]

    # group ratios side by side
    og = {(g["reference"], g["group"]): g for g in (old.coverage.groups if old.coverage else [])}
    ng = {(g["reference"], g["group"]): g for g in (new.coverage.groups if new.coverage else [])}
    for k in sorted(set(og) | set(ng)):
        a, b = og.get(k), ng.get(k)
        d.groups.append({"reference": k[0], "group": k[1], "title": (b or a).get("title"),
                         "before": a.get("ratio") if a else None, "after": b.get("ratio") if b else None})
    return d


def _task_entry(t: Any) -> dict[str, Any]:
    return {"id": t.id, "text": t.text, "section": t.section, "line": t.loc.line, "location": t.loc.human}


def _first_by_key(items, keyfn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        out.setdefault(keyfn(it), it)
    return out


def _iso(v: Any) -> str | None:
    return v.isoformat() if hasattr(v, "isoformat") else (str(v) if v else None)


def diff_files(old_path: str | Path, new_path: str | Path, references: list[str] | None = None,
               as_of: dt.date | None = None) -> PlanDiff:
    """Check both versions with the same options and compare them."""
    from checker.pipeline import check

    old = check(old_path, references=references, as_of=as_of)
    new = check(new_path, references=references, as_of=as_of)
    return diff_results(old, new)


# ---------------------------------------------------------------- rendering

_T = {
    "vi": {"title": "So sánh hai phiên bản kế hoạch", "old": "Bản cũ", "new": "Bản mới",
           "as_of": "đánh giá tại ngày",
           "mandates_gained": "Nhiệm vụ được giao nay đã có", "mandates_lost": "Nhiệm vụ được giao bị mất",
           "mandates_changed": "Nhiệm vụ đổi mức độ", "findings_fixed": "Phát hiện đã khắc phục",
           "findings_introduced": "Phát hiện mới", "citations_added": "Văn bản trích dẫn thêm",
           "citations_removed": "Văn bản trích dẫn bị bỏ", "sections_added": "Mục thêm",
           "sections_removed": "Mục bị bỏ", "tasks_added": "Nhiệm vụ thêm", "tasks_removed": "Nhiệm vụ bị bỏ",
           "groups": "Bao phủ theo nhóm", "none": "Không có thay đổi.",
           "status": {"covered": "đã có", "partial": "một phần", "missing": "thiếu", None: "—",
                      "not-applicable": "không áp dụng", "waived": "miễn trừ"}},
    "en": {"title": "Plan diff", "old": "Old", "new": "New", "as_of": "as of",
           "mandates_gained": "Mandates gained", "mandates_lost": "Mandates lost",
           "mandates_changed": "Mandates changed", "findings_fixed": "Findings fixed",
           "findings_introduced": "Findings introduced", "citations_added": "Citations added",
           "citations_removed": "Citations removed", "sections_added": "Sections added",
           "sections_removed": "Sections removed", "tasks_added": "Tasks added",
           "tasks_removed": "Tasks removed", "groups": "Coverage by group", "none": "No changes.",
           "status": {"covered": "covered", "partial": "partial", "missing": "missing", None: "—",
                      "not-applicable": "n/a", "waived": "waived"}},
}


def _line(kind: str, e: dict[str, Any], T: dict[str, Any]) -> str:
    if kind.startswith("mandates"):
        st = T["status"]
        return (f"{e['id']} — {e['title']} ({st.get(e['before'], e['before'])} → "
                f"{st.get(e['after'], e['after'])})")
    if kind.startswith("findings"):
        loc = f"[{e['location']}] " if e.get("location") else ""
        return f"{loc}{e['rule']} {e['severity']}: {e['message']}"
    if kind.startswith("citations"):
        what = " ".join(x for x in (e.get("doc_type"), e.get("number"), e.get("date")) if x) or e["surface"][:80]
        return f"[{e['location']}] {what}" + (f" ({e['doc_id']})" if e.get("doc_id") else "")
    if kind.startswith("sections"):
        return f"[{e['location']}] {e['id']} {e['title'][:90]}"
    return f"[{e['location']}] {e['text'][:100]}"


def render(d: PlanDiff, fmt: str = "text", lang: str = "vi") -> str:
    if fmt == "json":
        return json.dumps(d.to_dict(), ensure_ascii=False, indent=2)
    T = _T.get(lang, _T["vi"])
    md = fmt == "md"
    out = [f"## {T['title']}" if md else T["title"], ""]
    for side, path, day in (("old", d.old, d.old_as_of), ("new", d.new, d.new_as_of)):
        p = f"`{path}`" if md else path
        out.append(f"{'- ' if md else ''}{T[side]}: {p} ({T['as_of']} {day})")
    out.append("")
    if d.empty:
        out.append(T["none"])
    for kind in PlanDiff.LISTS:
        items = getattr(d, kind)
        if not items:
            continue
        sign = "+" if kind.endswith(("gained", "introduced", "added")) else (
            "-" if kind.endswith(("lost", "fixed", "removed")) else "~")
        out.append(f"### {T[kind]} ({len(items)})" if md else f"{T[kind]} ({len(items)}):")
        for e in items:
            text = _line(kind, e, T)
            out.append(f"- {_md_escape(text)}" if md else f"  {sign} {text}")
        out.append("")
    changed = [g for g in d.groups if g["before"] != g["after"]]
    if changed:
        out.append(f"### {T['groups']}" if md else f"{T['groups']}:")
        for g in changed:
            b = "—" if g["before"] is None else f"{100 * g['before']:.0f} %"
            a = "—" if g["after"] is None else f"{100 * g['after']:.0f} %"
            out.append(f"{'- ' if md else '  '}{g['reference']} {g['group']}: {b} → {a}")
    return "\n".join(out).rstrip() + "\n"


def _md_escape(s: str) -> str:
    return s.replace("<", "&lt;").replace(">", "&gt;")
