"""Findings from hits: message and suggestion filled in both languages, span in
the original text, excerpt; duplicates dropped; the ``--fail-on`` threshold.
"""
from __future__ import annotations

import re
from typing import Any

from checker.judge.context import Ctx
from checker.judge.registry import Hit
from checker.model import Finding, Unit


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: dict[str, Any]) -> str:
    """Fill ``{placeholders}``; a value the check did not give becomes empty."""
    try:
        out = template.format_map(_Safe({k: ("" if v is None else v) for k, v in values.items()}))
    except (ValueError, IndexError):
        return template
    out = re.sub(r"[ \t]{2,}", " ", out)
    return re.sub(r"(?<!\s)\s+([.,;)])", r"\1", out).strip()


# ---------------------------------------------------------------- findings

def _excerpt(u: Unit, s: int | None, e: int | None, width: int = 90) -> str:
    t = u.text
    if s is None or e is None:
        out = t.strip()
        return out if len(out) <= 2 * width else out[: 2 * width - 1] + "…"
    a = max(0, s - width)
    b = min(len(t), e + width)
    if a > 0:
        sp = t.find(" ", a, s)
        a = sp + 1 if sp != -1 else a
    if b < len(t):
        sp = t.rfind(" ", e, b)
        b = sp if sp != -1 else b
    out = t[a:b].strip()
    return ("…" if a > 0 else "") + out + ("…" if b < len(t) else "")


def _finding(ctx: Ctx, rule: Any, hit: Hit, lang: str) -> Finding:
    u = ctx.unit(hit.unit)
    start = end = None
    if u is not None:
        if hit.ostart is not None and hit.oend is not None:
            start, end = hit.ostart, hit.oend
        elif hit.nstart is not None and hit.nend is not None:
            start, end = u.orig_span(hit.nstart, hit.nend)
    values = dict(hit.values)
    if u is not None and start is not None:
        values.setdefault("match", u.text[start:end])
    conf = hit.confidence or rule.confidence
    vals_vi = {k: v for k, v in values.items() if not k.endswith("_en")}
    vals_en = dict(vals_vi, **{k[:-3]: v for k, v in values.items() if k.endswith("_en")})
    texts = {}
    for lg, vals in (("vi", vals_vi), ("en", vals_en)):
        m = fill(rule.message(lg), vals)
        if conf == "belief":
            pre = "Needs review: " if lg == "en" else "Cần kiểm tra: "
            if not m.startswith(pre):
                m = pre + m
        texts[lg] = (m, fill(rule.suggestion(lg), vals))
    msg, sug = texts["en" if lang == "en" else "vi"]
    data = {k: v for k, v in vals_vi.items() if isinstance(v, (str, int, float)) and v != ""}
    # the English twin of a value (title_en, lead_en …) beside it, for readers of the JSON in English
    data.update({k: v for k, v in values.items() if k.endswith("_en") and k[:-3] in data
                 and isinstance(v, str) and v and v != data[k[:-3]]})
    sev = hit.severity or rule.severity
    if conf == "belief" and sev == "error":
        sev = "warning"
    f = Finding(rule=rule.code, category=rule.category, severity=sev, message=msg, suggestion=sug,
                line=u.loc.line if u is not None else None,
                location=u.loc.human if u is not None else None,
                unit=u.index if u is not None else None, start=start, end=end,
                excerpt=_excerpt(u, start, end) if u is not None else None, slug=rule.slug,
                data=data)
    f.data["confidence"] = conf
    f.texts = texts  # type: ignore[attr-defined]  # both languages, for the reports
    sec = ctx.section_of(f.unit)
    if sec is not None:
        f.data["section"] = sec.id
    if hit.key:
        f.data["key"] = hit.key
    return f


def localize(findings: list[Finding], lang: str) -> None:
    """Switch the message and suggestion of findings to ``lang`` (vi|en)."""
    lg = "en" if lang == "en" else "vi"
    for f in findings:
        texts = getattr(f, "texts", None)
        if texts and lg in texts:
            f.message, f.suggestion = texts[lg]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        k = (f.rule, f.unit, f.start, f.end, f.data.get("key"))
        if k in seen:
            continue
        seen.add(k)
        out.append(f)
    return out


SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


def _overlap(a: Finding, b: Finding) -> bool:
    if a.unit is None or a.unit != b.unit:
        return False
    if a.start is None or b.start is None:
        return True
    return a.start < (b.end if b.end is not None else b.start + 1) and \
        b.start < (a.end if a.end is not None else a.start + 1)


def merge_absorbed(findings: list[Finding], rules: list, lang: str = "vi") -> list[Finding]:
    """Fold the findings a rule ``absorbs`` (rule packs: ``absorbs: [{rule,
    note_vi, note_en, unless}]``) into the keeper's finding on the same
    citation (same unit, overlapping span): one place, one finding.  The
    keeper takes the higher severity, names the absorbed rule in
    ``data.merged`` and, unless its own data already carries the key
    ``unless``, adds the absorbed finding's basis as a sentence."""
    spec = {r.code: list(getattr(r, "absorbs", None) or []) for r in rules}
    if not any(spec.values()):
        return findings
    gone: set[int] = set()
    for keep in findings:
        for a in spec.get(keep.rule) or []:
            for other in findings:
                if other is keep or id(other) in gone or other.rule != a.get("rule") or not _overlap(keep, other):
                    continue
                gone.add(id(other))
                if SEVERITY_RANK.get(other.severity, 0) > SEVERITY_RANK.get(keep.severity, 0):
                    keep.severity = other.severity
                merged = [x for x in str(keep.data.get("merged", "")).split(", ") if x] + [other.rule]
                keep.data["merged"] = ", ".join(dict.fromkeys(merged))
                if a.get("unless") and keep.data.get(a["unless"]):
                    continue
                vals = {k: v for k, v in other.data.items() if not k.endswith("_en")}
                vals_en = dict(vals, **{k[:-3]: v for k, v in other.data.items() if k.endswith("_en")})
                notes = {"vi": fill(a.get("note_vi", ""), vals), "en": fill(a.get("note_en", ""), vals_en)}
                texts = getattr(keep, "texts", None) or {}
                for lg, note in notes.items():
                    if not note or lg not in texts:
                        continue
                    m, sug = texts[lg]
                    texts[lg] = ((m.rstrip() + " " + note).strip(), sug)
                lg = "en" if lang == "en" else "vi"
                if lg in texts:
                    keep.message = texts[lg][0]
    return [f for f in findings if id(f) not in gone]


def reaches(severity: str | None, fail_on: str = "error") -> bool:
    """Whether a finding of ``severity`` fails a run with ``--fail-on``."""
    if fail_on == "never":
        return False
    return SEVERITY_RANK.get(severity or "", 0) >= SEVERITY_RANK.get(fail_on, 3)


def exit_code(findings: list[Finding], fail_on: str = "error") -> int:
    """0 when no active finding reaches ``fail_on`` (error|warning|info|never),
    else 1.  Waived and baselined findings never fail a run."""
    return int(any(not f.waived and reaches(f.severity, fail_on) for f in findings))
