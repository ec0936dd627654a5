"""The comments' texts (a finding, the missing mandates of a group, the summary
on the title) and reading comments back from a .docx."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.apps.annotate.anchor import _visible
from checker.apps.annotate.docx_map import W, _leaf_text, _skip_tags
from checker.model import CheckResult, Finding


DEFAULT_AUTHOR = "plancheck"
SEVERITY_LABEL = {
    "vi": {"error": "LỖI", "warning": "CẢNH BÁO", "info": "LƯU Ý"},
    "en": {"error": "ERROR", "warning": "WARNING", "info": "NOTE"},
}

BASIS = {
    "option": {"vi": "theo tùy chọn --as-of", "en": "from --as-of"},
    "header": {"vi": "ngày ban hành của kế hoạch", "en": "the plan's date"},
    "header-partial": {"vi": "ngày chưa ghi đủ của kế hoạch", "en": "the plan's incomplete date"},
    "lower-bound": {"vi": "kế hoạch ban hành sau văn bản mới nhất được trích dẫn",
                    "en": "the plan is later than the latest document it cites"},
    "today": {"vi": "hôm nay, vì kế hoạch không ghi ngày", "en": "today: the plan has no date"},
}


# ------------------------------------------------------------- comment text

def comment_text(f: Finding, lang: str = "vi") -> str:
    sev = SEVERITY_LABEL.get(lang, SEVERITY_LABEL["vi"]).get(f.severity, f.severity.upper())
    head = f"[{sev} · {f.rule}]"
    lines = [f"{head} {f.message}".strip()]
    if f.suggestion:
        lines.append(("Suggestion: " if lang == "en" else "Đề xuất: ") + f.suggestion)
    if f.waived:
        lines.append(("Waived: " if lang == "en" else "Đã miễn: ") + str(f.waived))
    return "\n".join(lines)


def missing_text(fs: list[Finding], lang: str = "vi") -> str:
    """One comment for the missing mandates placed on one section heading."""
    if len(fs) == 1:
        return comment_text(fs[0], lang)
    from checker.judge.findings import SEVERITY_RANK

    worst = max(fs, key=lambda f: SEVERITY_RANK.get(f.severity, 0)).severity
    sev = SEVERITY_LABEL.get(lang, SEVERITY_LABEL["vi"]).get(worst, worst.upper())
    en = lang == "en"
    lines = [f"[{sev} · {fs[0].rule}] " + (f"{len(fs)} mandated tasks not found in this part:" if en
                                           else f"Thiếu {len(fs)} nhiệm vụ được giao ở phần này:")]
    # required duties first (warnings), then the others; each names its basis
    from checker.render.templates import severity_sorted

    lines += [f"• {f.message}" + (f" ({'waived' if en else 'đã miễn'}: {f.waived})" if f.waived else "")
              for f in severity_sorted(fs)]
    lines.append(("Suggestion: add these tasks with their lead unit, product and deadline; for a task "
                  "the commune does not take on, say why in the plan." if en else
                  "Đề xuất: bổ sung các nhiệm vụ trên, ghi rõ đơn vị chủ trì, sản phẩm và thời hạn; "
                  "nhiệm vụ nào xã không thực hiện thì ghi rõ lý do trong kế hoạch."))
    return "\n".join(lines)


def summary_text(result: CheckResult, lang: str = "vi", built: bool = False) -> str:
    en = lang == "en"
    lines = ["plancheck — " + ("review summary" if en else "tóm tắt rà soát")]
    day = result.as_of.isoformat() if hasattr(result.as_of, "isoformat") else str(result.as_of)
    basis = BASIS.get(result.as_of_basis, {}).get("en" if en else "vi", result.as_of_basis)
    lines.append(("Checked as of " if en else "Đối chiếu tại ngày ") + f"{day} ({basis})")
    if result.references:
        lines.append(("Reference sets: " if en else "Bộ tham chiếu: ") + ", ".join(result.references))
    sev: dict[str, int] = {}
    for f in result.findings:
        sev[f.severity] = sev.get(f.severity, 0) + 1
    lab = SEVERITY_LABEL["en" if en else "vi"]
    lines.append(("Findings: " if en else "Phát hiện: ") + (", ".join(
        f"{sev[k]} {lab[k].lower()}" for k in ("error", "warning", "info") if k in sev)
        or ("none" if en else "không có")))
    cov = result.coverage
    if cov and cov.groups:
        lines.append("Coverage per NQ 57 group:" if en else "Mức bao phủ theo nhóm nhiệm vụ NQ 57:")
        from checker.render.templates import COVERAGE_NOTE, group_title

        lines.append(COVERAGE_NOTE[1 if en else 0])
        for g in cov.groups:
            ratio = g.get("ratio")
            pct = f"{round(100 * ratio)}%" if isinstance(ratio, (int, float)) else "–"
            ref = g.get("reference")
            lines.append(
                f"• {(ref + ' ') if ref and ref != 'nq57' else ''}{g.get('group')} "
                f"{group_title(g, lang)}: {pct} — "
                + (f"{g.get('covered', 0)} covered, {g.get('partial', 0)} partial, "
                   f"{g.get('missing', 0)} missing of {g.get('total', 0)}" if en else
                   f"đủ {g.get('covered', 0)}, một phần {g.get('partial', 0)}, "
                   f"thiếu {g.get('missing', 0)} / {g.get('total', 0)}"))
    if built:
        lines.append("This document was rebuilt from the extracted text of the plan."
                     if en else "Văn bản này được dựng lại từ nội dung trích xuất của kế hoạch.")
    return "\n".join(lines)


def _initials(author: str) -> str:
    parts = [w for w in author.replace("-", " ").split() if w]
    return ("".join(w[0] for w in parts[:3]) or "PC").upper()


def _short(s: str, n: int = 120) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


# ------------------------------------------------------- reading comments back

@dataclass
class ReadComment:
    id: int
    author: str
    text: str
    anchored: str


def read_comments(path: str | Path) -> list[ReadComment]:
    """Comments of a .docx with the text each one is anchored on (between its
    ``commentRangeStart`` and ``commentRangeEnd`` in document order; a
    paragraph mark inside the range reads as a newline)."""
    import docx

    doc = docx.Document(str(path))
    texts: dict[int, tuple[str, str]] = {}
    for c in doc.comments:
        texts[c.comment_id] = (c.author, "\n".join(p.text for p in c.paragraphs))
    from lxml import etree

    open_: dict[int, list[str]] = {}
    done: dict[int, str] = {}
    skip = _skip_tags()
    for event, el in etree.iterwalk(doc.element.body, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "end":
            if tag == W + "p" and open_:  # a range going on past a paragraph mark
                for buf in open_.values():
                    buf.append("\n")
            continue
        if tag == W + "commentRangeStart":
            open_[int(el.get(W + "id"))] = []
        elif tag == W + "commentRangeEnd":
            cid = int(el.get(W + "id"))
            done[cid] = "".join(open_.pop(cid, []))
        elif open_:
            t = _leaf_text(el)
            if t and _visible(el) and el.getparent() is not None \
                    and el.getparent().tag not in skip:
                for buf in open_.values():
                    buf.append(t)
    return [ReadComment(cid, a, t, done.get(cid, "")) for cid, (a, t) in sorted(texts.items())]
