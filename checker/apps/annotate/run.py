"""``annotate``: check a plan and write a reviewed copy with one Word comment per
finding (see :mod:`checker.apps.annotate`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from checker.apps.annotate.anchor import (
    Anchor, _anchor_text, _insert_comment, anchor_paragraphs, anchor_span, locate, remove_comments,
)
from checker.apps.annotate.build import _converted_legacy, build_docx
from checker.apps.annotate.comments import (
    DEFAULT_AUTHOR, _initials, _short, comment_text, missing_text, summary_text,
)
from checker.apps.annotate.docx_map import W, map_docx
from checker.apps.annotate.placement import (
    _title_units, group_names, section_by_evidence, section_by_group_of, section_for_group,
)
from checker.errors import PlanError
from checker.model import CheckResult, Finding


# ------------------------------------------------------------------ driver

@dataclass
class Placed:
    """One comment written: the finding (None for the summary), its anchor text."""

    finding: Finding | None
    comment_id: int
    text: str  # anchored text
    how: str  # span | section | footnote | unit | title


@dataclass
class AnnotateReport:
    output: Path
    built: bool  # a new .docx built from extracted text (input was not .docx)
    placed: list[Placed] = field(default_factory=list)
    inexact_units: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, how: str) -> int:
        return sum(1 for p in self.placed if p.how == how)


def _same_file(a: Path, b: Path) -> bool:
    """The same file under another name: a hard link (same device and inode)."""
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def default_output(path: Path) -> Path:
    return path.with_name(path.stem + ".reviewed.docx")


def annotate(path: str | Path, output: str | Path | None = None, *,
             result: CheckResult | None = None, references: list[str] | None = None,
             as_of: dt.date | None = None, config: Any = None, author: str = DEFAULT_AUTHOR,
             lang: str = "vi") -> AnnotateReport:
    """Check ``path`` (unless ``result`` is given) and write the reviewed .docx."""
    import docx

    src = Path(path)
    out = Path(output) if output else default_output(src)
    if out.resolve() == src.resolve() or _same_file(out, src):
        raise PlanError("same-output",
                        "Tệp kết quả trùng với tệp kế hoạch gốc; hãy chọn tên khác (-o).",
                        "The output file is the original plan; choose another name (-o).")
    if result is None:
        from checker.pipeline import check

        result = check(src, references=references, as_of=as_of, config=config)
        if lang == "en":
            _reevaluate(result, src, config, lang)
    plan = result.plan
    author = author or DEFAULT_AUTHOR
    initials = _initials(author)

    report = AnnotateReport(output=out, built=plan.format not in ("docx",))
    doc = maps = None
    if plan.format in ("doc", "rtf"):
        # the reader saw LibreOffice's .docx conversion: annotate that, if it
        # converts to the same units again
        doc, maps = _converted_legacy(src, plan)
        if doc is not None:
            report.built = False
            report.notes.append(
                f"Tệp {plan.format} đã được LibreOffice chuyển sang .docx; bản rà soát là tệp .docx."
                if lang != "en" else
                f"LibreOffice converted the .{plan.format} file to .docx; the reviewed copy is a .docx.")
    if doc is None:
        if report.built:
            doc, maps = build_docx(plan)
        else:
            doc = docx.Document(str(src))
            maps = map_docx(doc, plan.units)
    report.inexact_units = sorted(i for i, m in maps.items() if not m.exact)
    if not report.built:
        gone = remove_comments(doc, author)
        if gone:
            report.notes.append(
                f"Đã thay {gone} nhận xét cũ của “{author}” trong tệp bằng kết quả kiểm tra mới."
                if lang != "en" else
                f"Replaced {gone} earlier comments by “{author}” with the new results.")

    names = group_names(result)
    title_units = _title_units(plan)

    def paragraphs_of(indexes: Iterable[int]) -> list[Any]:
        ps: list[Any] = []
        for i in indexes:
            if i in maps:
                ps.extend(maps[i].paragraphs)
        return ps

    # the summary first, so it is the first comment a reader meets
    title_ps = paragraphs_of(title_units) or (doc.element.body.findall(W + "p")[:1])
    a = anchor_paragraphs(title_ps) if title_ps else Anchor()
    c = _insert_comment(doc, a, summary_text(result, lang, report.built), author, initials)
    report.placed.append(Placed(None, c.comment_id, _anchor_text(a), "title"))

    # missing mandates that land on the same section heading share one comment
    # (a plan can miss a dozen tasks of one group: one list, not a dozen notes)
    by_section: dict[int, tuple[Anchor, list[Finding]]] = {}
    for f in result.findings:
        u = plan.units[f.unit] if f.unit is not None and 0 <= f.unit < len(plan.units) else None
        anchor, how = None, ""
        if u is not None and u.index in maps and f.start is not None and f.end is not None:
            loc = locate(maps[u.index], f.start, f.end, u)
            if loc is not None:
                anchor, how = anchor_span(*loc), "span"
                if anchor.first is None:
                    anchor = None
        if anchor is None and f.start is None and f.data.get("group"):
            g = str(f.data["group"])
            titles, kws = names.get(g, ([], []))
            sec_unit = section_by_evidence(plan, result, g)
            if sec_unit is None:
                sec_unit = section_by_group_of(plan, g)
            if sec_unit is None:
                sec_unit = section_for_group(plan, g, titles, kws)
            if sec_unit is not None and sec_unit in maps:
                anchor, how = anchor_paragraphs(maps[sec_unit].paragraphs), "section"
                if f.rule == "MIS001":
                    by_section.setdefault(sec_unit, (anchor, []))[1].append(f)
                    continue
        text = comment_text(f, lang)
        if anchor is None and u is not None and u.index in maps and maps[u.index].note_ref is not None:
            ref = maps[u.index].note_ref
            anchor, how = Anchor(first=ref, last=ref), "footnote"
            quote = u.text[f.start:f.end] if f.start is not None else u.text
            text = (f"({'footnote' if lang == 'en' else 'chú thích'} {u.numbering or ''}: "
                    f"“{_short(quote)}”)\n") + text
        if anchor is None and u is not None and u.index in maps and maps[u.index].paragraphs:
            anchor, how = anchor_paragraphs(maps[u.index].paragraphs), "unit"
        if anchor is None:
            anchor, how = anchor_paragraphs(title_ps) if title_ps else Anchor(), "title"
        c = _insert_comment(doc, anchor, text, author, initials)
        report.placed.append(Placed(f, c.comment_id, _anchor_text(anchor), how))
    for anchor, fs in by_section.values():
        c = _insert_comment(doc, anchor, missing_text(fs, lang), author, initials)
        for f in fs:
            report.placed.append(Placed(f, c.comment_id, _anchor_text(anchor), "section"))

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
    except OSError as e:
        raise PlanError("write-failed", f"Không ghi được tệp {out}: {e.strerror or e}",
                        f"Could not write {out}: {e.strerror or e}") from e
    if report.built:
        report.notes.append(
            "Tệp gốc không phải .docx: đã dựng một tệp .docx mới từ nội dung trích xuất "
            "(tiêu đề mục, đoạn, bảng) rồi gắn nhận xét."
            if lang != "en" else
            "The original is not a .docx: a new .docx was built from the extracted content "
            "(section headings, paragraphs, tables) and the comments added to it.")
    if report.inexact_units:
        report.notes.append(
            f"{len(report.inexact_units)} đoạn không khớp chính xác với văn bản đã đọc; nhận xét "
            "được gắn vào cả đoạn." if lang != "en" else
            f"{len(report.inexact_units)} paragraphs did not match the text read exactly; their "
            "comments are anchored on the whole paragraph.")
    return report


def _reevaluate(result: CheckResult, src: Path, config: Any, lang: str) -> None:
    """Messages in English: run the rules again with ``lang``."""
    try:
        from checker.judge.config import load_config
        from checker.judge.engine import evaluate

        cfg = config if config is not None else load_config(src)
        result.findings = evaluate(result, config=cfg, lang=lang)
    except Exception:  # noqa: BLE001 - keep the Vietnamese findings
        pass
