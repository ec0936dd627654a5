"""Pass 3, annotate: each citation's role (basis / implements / attachment /
mention), its parent (a citation inside another citation's title) and the
subject words that follow it."""
from __future__ import annotations

import re

from checker.cite.patterns import (
    _ATTACH, _BASIS_START, _CONNECT_RE, _FIRST_SECTION, _HEADING_I, _IMPL_START, _SEGMENT_SPLIT,
    _SIBLING_RE, _SUBJECT_START,
)
from checker.cite.resolve import _norm
from checker.cite.tokenize import _Raw, _continues
from checker.model import Citation, Header, Unit


def _preamble_end(units: list[Unit]) -> int:
    """Index of the first unit after the preamble (header, title, 'Căn cứ' lines):
    the first 'I.' heading (in the text or in Word's numbering), a 'MỤC ĐÍCH' /
    'MỤC TIÊU' heading, or the first table row."""
    for u in units:
        if u.index == 0:
            continue
        t = u.norm or ""
        if u.kind == "row" or _HEADING_I.match(t) or _FIRST_SECTION.match(t) or \
                (u.numbering and re.match(r"^\s*I\s*[.)]", u.numbering)):
            return u.index
    return len(units)


def _annotate(cits: list[Citation], raws: list[_Raw], units: list[Unit], header: Header | None) -> None:
    """Roles and parents, paragraph by paragraph (hard-wrapped lines are joined)."""
    pre_end = _preamble_end(units)
    title_n = _norm(header.title).lower() if header and header.title else None
    unit_of = {u.index: u for u in units}
    by_unit: dict[int, list[int]] = {}
    for i, c in enumerate(cits):
        by_unit.setdefault(c.unit, []).append(i)
    # paragraph head of each unit with citations
    groups: dict[int, list[int]] = {}
    for ui in sorted(by_unit):
        head = ui
        while head - 1 in unit_of and _continues(unit_of[head - 1], unit_of[head]):
            head -= 1
        groups.setdefault(head, []).append(ui)
    for head, uis in groups.items():
        off: dict[int, int] = {}
        parts, pos = [], 0
        for k in range(head, uis[-1] + 1):
            off[k] = pos
            parts.append(unit_of[k].norm)
            pos += len(unit_of[k].norm) + 1
        text = " ".join(parts)
        first = unit_of[head].norm
        basis = head < pre_end and bool(_BASIS_START.match(first))
        stripped = first.strip(" #*").lower()
        in_title = bool(title_n and stripped and stripped in title_n)
        implements = (head < pre_end or in_title) and bool(_IMPL_START.match(first))
        idxs = [i for ui in uis for i in by_unit[ui]]
        start = {i: off[cits[i].unit] + raws[i].start for i in idxs}
        end = {i: off[cits[i].unit] + raws[i].end for i in idxs}
        # segments split at ";" and sentence ends; within a segment, parent links
        bounds = [0] + [m.end() for m in _SEGMENT_SPLIT.finditer(text)] + [len(text) + 1]
        seg_of = {i: _segment(start[i], bounds) for i in idxs}
        prev: int | None = None
        parent_of_prev: int | None = None
        for i in idxs:
            c, r = cits[i], raws[i]
            if r.alias_of is not None:
                c.parent = r.alias_of
                c.role = "mention"
                continue
            if prev is None or seg_of[prev] != seg_of[i]:
                c.parent = None
            else:
                between = text[end[prev]:start[i]]
                if _SIBLING_RE.match(between):
                    c.parent = parent_of_prev
                elif _CONNECT_RE.match(between):
                    c.parent = prev
                else:
                    c.parent = None
            if c.parent is not None and cits[c.parent].doc_id and cits[c.parent].doc_id == c.doc_id:
                c.parent = None  # "Đề án 06 ... gắn với Đề án 06": a repeat, not a nested document
            if c.parent is None:
                if _ATTACH.search(text[max(0, start[i] - 20):start[i]]):
                    c.role = "attachment"
                elif basis:
                    c.role = "basis"
                elif implements:
                    c.role = "implements"
                else:
                    c.role = "mention"
            else:
                c.role = "mention"
            prev, parent_of_prev = i, c.parent


def _segment(pos: int, bounds: list[int]) -> int:
    for k in range(len(bounds) - 1):
        if bounds[k] <= pos < bounds[k + 1]:
            return k
    return len(bounds)


def _subjects(cits: list[Citation], raws: list[_Raw], by_unit: dict[int, list[int]]) -> None:
    """The subject words after a reference ("về việc triển khai …"), up to the
    next reference or ';'.  Kept as ``citation.subject`` (for the document list
    and graph tooltips)."""
    def inside(j: int, i: int) -> bool:  # is citation j nested (at any depth) in citation i?
        seen = 0
        while cits[j].parent is not None and seen < 50:
            j = cits[j].parent
            if j == i:
                return True
            seen += 1
        return False

    for idxs in by_unit.values():
        for k, i in enumerate(idxs):
            r = raws[i]
            text = r.unit.norm
            later = [j for j in idxs[k + 1:] if not inside(j, i)]
            stop = raws[later[0]].start if later else len(text)
            seg = text[min(r.end, len(text)):stop]
            subject = None
            if _SUBJECT_START.match(seg):
                subject = re.split(r"[;(]", seg, maxsplit=1)[0].strip(" ,.:")
                if len(subject) > 160:
                    subject = subject[:159].rsplit(" ", 1)[0] + "…"
            setattr(cits[i], "subject", subject or None)
