"""Findings as Word comments: a reviewed copy of the plan (``plancheck annotate``).

The original file is never written.  For a .docx the copy keeps every byte of
the plan's text and formatting and gains one comment per finding, anchored on
the runs that carry the finding's span; runs are split where a span starts or
ends inside them (the split halves keep the run's formatting, ``w:rPr``).  For
.txt/.md/.pdf plans a new .docx is built from the extracted units (headings,
paragraphs, real tables) and annotated the same way.

How a span finds its words
--------------------------
A finding's ``start``/``end`` are offsets in ``Unit.text`` (the reader's
original text, before normalisation).  :func:`map_docx` walks the copy in the
order :mod:`checker.read.word` walks it (same helpers: body items, rows,
cells, paragraph text) and gives every unit a list of :class:`Segment`
(unit offsets ↔ offsets in one ``w:p``'s visible text).  It checks that the
text it rebuilds equals the unit's text, so a drifted walk is detected and
that unit falls back to a whole-paragraph anchor, never to wrong words.
Inside a paragraph, :func:`para_chars` mirrors ``word.para_text`` character
by character down to the ``w:t``/``w:tab``/``w:br`` leaf and its ``w:r``.

* Word's generated list label is in ``Unit.text`` ("1. …") but not in the
  runs: segments start after ``len(label) + 1``.
* A table row is its cells joined by tabs; each cell's text is the stripped
  texts of its paragraphs joined by one space: each paragraph is a segment.
* Decomposed characters and any tone-mark style stay as they are in the runs
  (offsets are original-text offsets), so nothing needs re-normalising.

Findings without a span (a missing mandate, a missing part) are put on the
heading of the section where the plan already writes the tasks of the
mandate's NQ 57 group (the evidence of the group's covered mandates), else the
heading ``mandates.nq57_group_of`` puts in that group, else the closest section
title (rapidfuzz on folded text), else the unit the engine chose, else the
title.  A finding in a footnote goes on the footnote's reference mark.  A
summary comment on the title gives the coverage per NQ 57 group.  Comments an
earlier run left under the same author are replaced; other people's stay.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from checker.errors import PlanError
from checker.model import CheckResult, Finding, Plan, Unit
from checker.normalize import fold

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

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


# --------------------------------------------------------------------- maps

@dataclass
class Segment:
    """``Unit.text[ustart:ustart+length]`` is ``para_text(p)[pstart:pstart+length]``."""

    ustart: int
    length: int
    p: Any  # lxml w:p element
    pstart: int = 0

    @property
    def uend(self) -> int:
        return self.ustart + self.length


@dataclass
class UnitMap:
    unit: int
    segments: list[Segment] = field(default_factory=list)
    paragraphs: list[Any] = field(default_factory=list)  # every w:p of the unit, in order
    exact: bool = True  # rebuilt text == Unit.text
    note_ref: Any = None  # footnote units: the body run holding its reference mark


def _leaf_text(el) -> str | None:
    """Text a leaf contributes, exactly as ``word.para_text`` counts it."""
    tag = el.tag
    if tag == W + "t":
        return el.text or ""
    if tag == W + "tab":
        return "\t"
    if tag in (W + "br", W + "cr"):
        return " "
    if tag == W + "noBreakHyphen":
        return "-"
    if tag in (W + "softHyphen", W + "sym"):
        return ""
    return None


def _skip_tags() -> set:
    from checker.read.word import SKIPPED_TAGS

    return SKIPPED_TAGS


def para_leaves(p) -> list[tuple[Any, str]]:
    """(leaf element, its text) in the order ``word.para_text`` reads them."""
    skip = _skip_tags()
    out: list[tuple[Any, str]] = []

    def walk(el) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            t = _leaf_text(ch)
            if t is not None:
                if t:
                    out.append((ch, t))
            else:
                walk(ch)

    walk(p)
    return out


def para_chars(p) -> list[tuple[Any, int]]:
    """For each character of the paragraph's visible text: (leaf, index in leaf)."""
    out: list[tuple[Any, int]] = []
    for leaf, t in para_leaves(p):
        out.extend((leaf, i) for i in range(len(t)))
    return out


def _run_of(el):
    while el is not None and el.tag != W + "r":
        el = el.getparent()
    return el


def map_docx(doc, units: list[Unit]) -> dict[int, UnitMap]:
    """Map each unit of a .docx plan to the paragraphs of ``doc`` it came from.

    The walk is the reader's (``checker.read.word``): same body items, rows,
    cells and paragraph text.  A unit whose rebuilt text differs from its
    ``text`` is marked ``exact=False``.
    """
    from checker.read.word import body_items, table_rows, para_text

    body_units = [u for u in units if u.kind in ("para", "row")]
    maps: dict[int, UnitMap] = {}
    k = 0

    def take(kind: str) -> Unit | None:
        nonlocal k
        if k < len(body_units) and body_units[k].kind == kind:
            u = body_units[k]
            k += 1
            return u
        return None

    for el in body_items(doc.element.body):
        if el.tag == W + "p":
            u = take("para")
            if u is None:
                continue
            m = UnitMap(u.index, paragraphs=[el])
            text = para_text(el)
            off = len(u.numbering) + 1 if u.numbering else 0
            if text:
                m.segments.append(Segment(off, len(text), el, 0))
            rebuilt = (f"{u.numbering} " if u.numbering else "") + text
            m.exact = rebuilt == u.text
            maps[u.index] = m
        elif _is_layout_table(el):
            # the reader gives a header/signature layout table as paragraphs:
            # one unit per line (split at line breaks) of each cell paragraph
            for tr in table_rows(el):
                for tc in _row_tcs(tr):
                    for cp in tc.iter(W + "p"):
                        pos = 0
                        for line in para_text(cp, br="\n").split("\n"):
                            if line.strip():
                                u = take("para")
                                if u is not None:
                                    m = UnitMap(u.index, paragraphs=[cp])
                                    m.segments.append(Segment(0, len(line), cp, pos))
                                    m.exact = line == u.text
                                    maps[u.index] = m
                            pos += len(line) + 1
        else:
            for tr in table_rows(el):
                cells = _row_cell_paragraphs(tr)
                if not any(_cell_join(ps)[0] for ps in cells):
                    continue
                u = take("row")
                if u is None:
                    continue
                m = UnitMap(u.index)
                texts = []
                pos = 0
                for ps in cells:
                    ctext, segs = _cell_join(ps)
                    for s in segs:
                        s.ustart += pos
                    m.segments.extend(segs)
                    m.paragraphs.extend(ps)
                    texts.append(ctext)
                    pos += len(ctext) + 1
                m.exact = "\t".join(texts) == u.text
                maps[u.index] = m
    _map_footnotes(doc, units, maps)
    return maps


def _map_footnotes(doc, units: list[Unit], maps: dict[int, UnitMap]) -> None:
    """Footnote units (the reader's real, non-empty footnotes in file order)
    → the body run with their ``w:footnoteReference``.  Word keeps comments in
    the body only, so a finding in a footnote is put on its reference mark."""
    notes = [u for u in units if u.kind == "footnote"]
    if not notes:
        return
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    from checker.read.word import para_text

    part = next((r.target_part for r in doc.part.rels.values()
                 if r.reltype == RT.FOOTNOTES and not r.is_external), None)
    if part is None:
        return
    try:
        root = etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return
    ids = []
    for fn in root.findall(W + "footnote"):
        if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(t for t in (para_text(p).strip() for p in fn.iter(W + "p")) if t)
        if text:
            ids.append((fn.get(W + "id"), text))
    refs = {ref.get(W + "id"): _run_of(ref)
            for ref in doc.element.body.iter(W + "footnoteReference")}
    for u, (fid, text) in zip(notes, ids):
        maps[u.index] = UnitMap(u.index, exact=text == u.text, note_ref=refs.get(fid))


def _is_layout_table(tbl) -> bool:
    try:
        from checker.read.word import is_layout_table
    except ImportError:  # a reader without layout tables
        return False
    return is_layout_table(tbl)


def _row_tcs(tr) -> list[Any]:
    tcs = []
    for ch in tr:
        if ch.tag == W + "tc":
            tcs.append(ch)
        elif ch.tag == W + "sdt":
            content = ch.find(W + "sdtContent")
            if content is not None:
                tcs.extend(content.findall(W + "tc"))
    return tcs


def _row_cell_paragraphs(tr) -> list[list[Any]]:
    """Per cell of the reader's row (grid-span fillers and merged-below parts
    are empty lists): the ``w:p`` elements whose text the reader joined."""
    from checker.read.word import MC_FALLBACK, int_attr

    out: list[list[Any]] = []
    for tc in _row_tcs(tr):
        span = 1
        cont = False
        tcpr = tc.find(W + "tcPr")
        if tcpr is not None:
            gs = tcpr.find(W + "gridSpan")
            if gs is not None:
                span = max(1, int_attr(gs.get(W + "val"), 1))
            vm = tcpr.find(W + "vMerge")
            if vm is not None and vm.get(W + "val") in (None, "continue"):
                cont = True
        ps = []
        if not cont:
            for p in tc.iter(W + "p"):
                anc = p.getparent()
                inside_box = False
                while anc is not None and anc is not tc:
                    if anc.tag in (W + "txbxContent", MC_FALLBACK):
                        inside_box = True
                        break
                    anc = anc.getparent()
                if not inside_box:
                    ps.append(p)
        out.append(ps)
        out.extend([] for _ in range(span - 1))
    return out


def _cell_join(ps: list[Any]) -> tuple[str, list[Segment]]:
    """The reader's cell text (stripped paragraph texts joined by a space)
    and a segment per paragraph, offsets relative to the cell."""
    from checker.read.word import para_text

    parts: list[str] = []
    segs: list[Segment] = []
    pos = 0
    for p in ps:
        raw = para_text(p).replace("\t", " ")
        t = raw.strip()
        if not t:
            continue
        if parts:
            pos += 1
        lead = len(raw) - len(raw.lstrip())
        segs.append(Segment(pos, len(t), p, lead))
        parts.append(t)
        pos += len(t)
    return " ".join(parts), segs


# ------------------------------------------------------------ run surgery

def _split_t(t, i: int):
    """Split a ``w:t`` at character ``i``; return the second ``w:t``."""
    text = t.text or ""
    t2 = copy.deepcopy(t)
    t.text, t2.text = text[:i], text[i:]
    for x in (t, t2):
        x.set(XML_SPACE, "preserve")
    t.addnext(t2)
    return t2


def _split_run_before(r, child) -> Any:
    """Move ``child`` and every later content child of run ``r`` into a new run
    with a copy of ``r``'s properties, placed right after ``r``; return it."""
    from docx.oxml import OxmlElement

    r2 = OxmlElement("w:r")
    for name, value in r.attrib.items():
        r2.set(name, value)
    rpr = r.find(W + "rPr")
    if rpr is not None:
        r2.append(copy.deepcopy(rpr))
    moving = []
    el = child
    while el is not None:
        moving.append(el)
        el = el.getnext()
    for el in moving:
        r2.append(el)
    r.addnext(r2)
    return r2


def boundary_before(p, k: int) -> None:
    """Make sure a run boundary sits right before character ``k`` of ``p``."""
    chars = para_chars(p)
    if k <= 0 or k >= len(chars):
        return
    leaf, i = chars[k]
    prev_leaf, _ = chars[k - 1]
    r, rprev = _run_of(leaf), _run_of(prev_leaf)
    if r is None or r is not rprev:
        return  # already a boundary (or a leaf outside any run)
    if i > 0:
        leaf = _split_t(leaf, i)
    # the direct child of r that holds the leaf
    child = leaf
    while child.getparent() is not r:
        child = child.getparent()
    _split_run_before(r, child)


@dataclass
class Anchor:
    """Where a comment goes: first and last run, or a paragraph (empty range)."""

    first: Any = None
    last: Any = None
    para: Any = None  # used when there are no runs to hold the range
    text: str = ""  # the anchored text (for reports and tests)
    exact: bool = True


def anchor_span(p_start, k_start: int, p_end, k_end: int) -> Anchor:
    """Split runs so that [k_start of p_start, k_end of p_end) is whole runs."""
    boundary_before(p_start, k_start)
    boundary_before(p_end, k_end)
    cs = para_chars(p_start)
    ce = cs if p_end is p_start else para_chars(p_end)
    if k_start >= len(cs) or k_end <= 0:
        return Anchor(para=p_start, exact=False)
    first = _run_of(cs[k_start][0])
    last = _run_of(ce[k_end - 1][0])
    if first is None or last is None:
        return Anchor(para=p_start, exact=False)
    return Anchor(first=first, last=last)


def anchor_paragraphs(ps: list[Any]) -> Anchor:
    """The whole text of paragraphs ``ps`` (first run of the first non-empty
    to last run of the last non-empty); an empty range if none has runs."""
    firsts = [(p, para_chars(p)) for p in ps]
    firsts = [(p, c) for p, c in firsts if c]
    if not firsts:
        return Anchor(para=ps[0] if ps else None, exact=False)
    p0, c0 = firsts[0]
    p1, c1 = firsts[-1]
    return Anchor(first=_run_of(c0[0][0]), last=_run_of(c1[-1][0]), para=p0)


def _insert_comment(doc, anchor: Anchor, text: str, author: str, initials: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    comment = doc.comments.add_comment(text=text, author=author, initials=initials)
    cid = comment.comment_id
    if anchor.first is not None and anchor.last is not None:
        anchor.first.insert_comment_range_start_above(cid)
        anchor.last.insert_comment_range_end_and_reference_below(cid)
        return comment
    p = anchor.para
    if p is None:
        p = doc.element.body.find(W + "p")
        if p is None:
            p = doc.add_paragraph()._p
    p.append(OxmlElement("w:commentRangeStart", attrs={qn("w:id"): str(cid)}))
    r = OxmlElement("w:r")
    p.append(r)
    r.insert_comment_range_end_and_reference_below(cid)
    p.remove(r)
    # the end marker and reference run were placed after r: keep them
    return comment


def anchored_text(first, last) -> str:
    """The visible text of the runs from ``first`` to ``last`` in document order."""
    p1, p2 = _para_of(first), _para_of(last)
    body = p1 if p1 is not None and p1 is p2 else first.getroottree().getroot()
    out: list[str] = []
    on = False
    for leaf in body.iter(W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen"):
        r = _run_of(leaf)
        if r is first:
            on = True
        if on and _visible(leaf):
            out.append(_leaf_text(leaf) or "")
        if on and r is last and leaf is _last_leaf(last):
            break
    return "".join(out)


def _para_of(el):
    while el is not None and el.tag != W + "p":
        el = el.getparent()
    return el


def _visible(leaf) -> bool:
    skip = _skip_tags()
    el = leaf.getparent()
    while el is not None:
        if el.tag in skip:
            return False
        el = el.getparent()
    return True


def _last_leaf(r):
    leaves = para_leaves(r)
    return leaves[-1][0] if leaves else None


# ------------------------------------------------------------- placement

def locate(m: UnitMap, start: int, end: int, u: Unit) -> tuple[Any, int, Any, int] | None:
    """(p_start, k_start, p_end, k_end) for the unit span, or None when the
    span covers none of the unit's run text (e.g. only the list label)."""
    if not m.exact or start is None or end is None or end <= start:
        return None
    inside = [s for s in m.segments if s.ustart < end and s.uend > start]
    if not inside:
        return None
    a, b = inside[0], inside[-1]
    ks = a.pstart + max(0, start - a.ustart)
    ke = b.pstart + min(b.length, end - b.ustart)
    return a.p, ks, b.p, ke


def _title_units(plan: Plan) -> list[int]:
    """The units of the plan's title block: the KẾ HOẠCH line and the title
    that follows it; else the first non-empty paragraph."""
    kind = (plan.header.kind or "").strip()
    paras = [u for u in plan.units[:80] if u.kind == "para" and u.text.strip()]
    for i, u in enumerate(paras):
        t = " ".join(u.norm.split()).strip(" *#")
        if kind and (t.upper() == kind or (t.upper().startswith(kind) and len(t) <= len(kind) + 3)):
            out = [u.index]
            title = fold(plan.header.title or "")
            if title and i + 1 < len(paras):
                nxt = paras[i + 1]
                if fold(" ".join(nxt.norm.split())).strip(" *#")[:40] == title.strip(" *#")[:40]:
                    out.append(nxt.index)
            return out
    return [paras[0].index] if paras else []


def section_for_group(plan: Plan, group: str | None, titles: Iterable[str],
                      keywords: Iterable[str] = (), min_score: float = 62.0) -> int | None:
    """Unit of the heading of the plan section closest to an NQ 57 group.

    ``titles`` are the group's names (short and full title, keywords); the
    score of a section is the best rapidfuzz score of its folded title against
    any of them.  Sections inside the tasks/solutions part (organisation for
    group IV) get a small bonus, so a tie goes to where tasks are written.
    """
    keys = [(fold(t), 1.0) for t in titles if t and len(t.strip()) >= 4]
    keys += [(fold(k), 0.9) for k in keywords if k and len(k.strip()) >= 4]
    if not keys or not plan.sections:
        return None
    from rapidfuzz import fuzz

    want_roles = ("organisation",) if (group or "").startswith("IV") else ("tasks", "solutions")
    best, best_score = None, 0.0
    for s in plan.sections:
        title = fold(s.title or "")
        if len(title) < 4:
            continue
        score = 0.0
        for key, weight in keys:  # keywords count a little less than titles
            sc = max(fuzz.token_sort_ratio(key, title),
                     fuzz.partial_ratio(key, title) if len(key) >= 8 else 0.0)
            score = max(score, sc * weight)
        if _role_of(plan, s) in want_roles:
            score += 3
        if score > best_score:
            best, best_score = s, score
    if best is None or best_score < min_score:
        return None
    return best.unit


def section_by_evidence(plan: Plan, result: CheckResult, group: str) -> int | None:
    """Unit of the heading of the section where the plan already writes the
    tasks of ``group``: the deepest section holding at least half of the
    evidence units of the group's covered/partial mandates (tasks/solutions
    part first, organisation part for group IV)."""
    cov = result.coverage
    if cov is None or not plan.sections:
        return None
    units = sorted({e.unit for ms in cov.mandates if ms.mandate.group == group
                    and ms.status in ("covered", "partial") for e in ms.evidence
                    if e.unit is not None})
    if not units:
        return None
    ordered = sorted(plan.sections, key=lambda s: s.unit)
    want_roles = ("organisation",) if group.startswith("IV") else ("tasks", "solutions")
    counts: dict[str, int] = {}
    by_id = {s.id: s for s in ordered}
    for u in units:
        sec = None
        for s in ordered:
            if s.unit <= u:
                sec = s
            else:
                break
        seen = 0
        while sec is not None and seen < 12:
            if _role_of(plan, sec) in want_roles:
                counts[sec.id] = counts.get(sec.id, 0) + 1
            sec = by_id.get(sec.parent) if sec.parent else None
            seen += 1
    if not counts:
        return None
    total = max(counts.values())  # what the part holding them all counts
    good = [by_id[i] for i, n in counts.items() if 2 * n >= total]
    best = max(good, key=lambda s: (s.level, counts[s.id], -s.unit))
    return best.unit


def section_by_group_of(plan: Plan, group: str) -> int | None:
    """Unit of the first section of the tasks part whose title the mandate
    sets' own classifier (``mandates.nq57_group_of``) puts in ``group``."""
    try:
        from checker.mandates.load import nq57_group_of
    except ImportError:  # pragma: no cover
        return None
    want_roles = ("organisation",) if group.startswith("IV") else ("tasks", "solutions")
    for s in sorted(plan.sections, key=lambda s: s.unit):
        if _role_of(plan, s) in want_roles and nq57_group_of(s.title) == group:
            return s.unit
    return None


def _role_of(plan: Plan, s) -> str | None:
    seen = 0
    while s is not None and s.role is None and s.parent and seen < 10:
        s = plan.section(s.parent)
        seen += 1
    return s.role if s is not None else None


def group_names(result: CheckResult) -> dict[str, tuple[list[str], list[str]]]:
    """Names of each NQ 57 group: (titles, keywords)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for gid, title in _group_titles(result).items():
        out.setdefault(gid, ([], []))[0].append(title)
    try:
        from checker.mandates.load import load_set  # cached: check() has loaded it already

        for g in load_set("nq57").groups:
            titles, kws = out.setdefault(str(g["id"]), ([], []))
            titles.extend(str(t) for t in (g.get("short"), g.get("title")) if t and t not in titles)
            kws.extend(str(k) for k in g.get("keywords") or [])
    except Exception:  # noqa: BLE001 - reference data absent: titles from coverage only
        pass
    return out


def _group_titles(result: CheckResult) -> dict[str, str]:
    out: dict[str, str] = {}
    cov = result.coverage
    for g in (cov.groups if cov else []) or []:
        gid, title = g.get("group"), g.get("title")
        if gid and title and str(gid) not in out:
            out[str(gid)] = str(title)
    return out


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
    from checker.judge.engine import SEVERITY_RANK

    worst = max(fs, key=lambda f: SEVERITY_RANK.get(f.severity, 0)).severity
    sev = SEVERITY_LABEL.get(lang, SEVERITY_LABEL["vi"]).get(worst, worst.upper())
    en = lang == "en"
    lines = [f"[{sev} · {fs[0].rule}] " + (f"{len(fs)} mandated tasks not found in this part:" if en
                                           else f"Thiếu {len(fs)} nhiệm vụ được giao ở phần này:")]
    lines += [f"• {f.message}" + (f" ({'waived' if en else 'đã miễn'}: {f.waived})" if f.waived else "")
              for f in fs]
    lines.append(("Suggestion: add these tasks with their lead unit, product and deadline, or record "
                  "a waiver with its reason in plancheck.toml." if en else
                  "Đề xuất: bổ sung các nhiệm vụ trên, ghi rõ đơn vị chủ trì, sản phẩm và thời hạn; "
                  "hoặc ghi miễn trừ có lý do trong plancheck.toml."))
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
        for g in cov.groups:
            ratio = g.get("ratio")
            pct = f"{round(100 * ratio)}%" if isinstance(ratio, (int, float)) else "–"
            ref = g.get("reference")
            lines.append(
                f"• {(ref + ' ') if ref and ref != 'nq57' else ''}{g.get('group')} "
                f"{(g.get('title_en') if en else None) or g.get('title') or ''}: {pct} — "
                + (f"{g.get('covered', 0)} covered, {g.get('partial', 0)} partial, "
                   f"{g.get('missing', 0)} missing of {g.get('total', 0)}" if en else
                   f"đủ {g.get('covered', 0)}, một phần {g.get('partial', 0)}, "
                   f"thiếu {g.get('missing', 0)} / {g.get('total', 0)}"))
    if built:
        lines.append("This document was rebuilt from the extracted text of the plan."
                     if en else "Văn bản này được dựng lại từ nội dung trích xuất của kế hoạch.")
    return "\n".join(lines)


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


def _initials(author: str) -> str:
    parts = [w for w in author.replace("-", " ").split() if w]
    return ("".join(w[0] for w in parts[:3]) or "PC").upper()


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
    if out.resolve() == src.resolve():
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


def remove_comments(doc, author: str) -> int:
    """Remove the comments written by ``author`` (an earlier run of annotate on
    this copy): the comment, its range markers and its reference mark.  Other
    people's comments stay.  Returns how many were removed."""
    comments = doc.comments
    elm = comments._comments_elm  # python-docx 1.2 keeps the w:comments element here
    ids = set()
    for c in list(elm.findall(W + "comment")):
        if c.get(W + "author") == author:
            ids.add(c.get(W + "id"))
            elm.remove(c)
    if not ids:
        return 0
    body = doc.element.body
    for tag in ("commentRangeStart", "commentRangeEnd"):
        for el in list(body.iter(W + tag)):
            if el.get(W + "id") in ids:
                el.getparent().remove(el)
    for ref in list(body.iter(W + "commentReference")):
        if ref.get(W + "id") not in ids:
            continue
        r = ref.getparent()
        r.remove(ref)
        if r.tag == W + "r" and all(ch.tag == W + "rPr" for ch in r):
            r.getparent().remove(r)
    return len(ids)


def _converted_legacy(src: Path, plan: Plan):
    """(document, maps) of a LibreOffice .docx conversion of a .doc/.rtf whose
    every unit matches the plan's units; (None, None) otherwise."""
    import io
    import os
    import subprocess
    import tempfile

    import docx

    from checker.read.word import find_soffice

    exe = find_soffice()
    if exe is None:
        return None, None
    with tempfile.TemporaryDirectory(prefix="plancheck-") as tmp:
        data = src.read_bytes()
        suffix = ".rtf" if data[:5] == b"{\\rtf" else ".doc"
        inp = os.path.join(tmp, "input" + suffix)
        with open(inp, "wb") as f:
            f.write(data)
        try:
            subprocess.run([exe, "--headless", "--norestore",
                            f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, inp],
                           check=True, capture_output=True, timeout=120)
            with open(os.path.join(tmp, "input.docx"), "rb") as f:
                converted = f.read()
        except (subprocess.SubprocessError, OSError):
            return None, None
    doc = docx.Document(io.BytesIO(converted))
    maps = map_docx(doc, plan.units)
    body = [u.index for u in plan.units if u.kind in ("para", "row")]
    if sorted(i for i in maps if plan.units[i].kind != "footnote") != body or \
            not all(m.exact for m in maps.values()):
        return None, None
    return doc, maps


def _short(s: str, n: int = 120) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _anchor_text(a: Anchor) -> str:
    if a.first is None or a.last is None:
        return ""
    return anchored_text(a.first, a.last)


def _reevaluate(result: CheckResult, src: Path, config: Any, lang: str) -> None:
    """Messages in English: run the rules again with ``lang``."""
    try:
        from checker.judge.config import load_config
        from checker.judge.engine import evaluate

        cfg = config if config is not None else load_config(src)
        result.findings = evaluate(result, config=cfg, lang=lang)
    except Exception:  # noqa: BLE001 - keep the Vietnamese findings
        pass


# ------------------------------------------------- .txt/.md/.pdf → new .docx

def _visible_pieces(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` worth showing in Word: conversion debris
    (``[bookmark: …]``, markdown ``**``/``#`` marks) is left out."""
    import re

    end = len(text) if end is None else end
    drop = []
    for rx in (re.compile(r"\[bookmark:[^\]]*\]"), re.compile(r"\*\*|__"),
               re.compile(r"^\s*#{1,6}\s+")):
        for m in rx.finditer(text, start, end):
            if m.end() > m.start():
                drop.append((m.start(), m.end()))
    drop.sort()
    out, pos = [], start
    for a, b in drop:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < end:
        out.append((pos, end))
    return out


def _fill_paragraph(p, text: str, pieces: list[tuple[int, int]], m: UnitMap) -> None:
    """Write ``pieces`` of ``text`` as one run each; record the segments."""
    pos = 0
    for a, b in pieces:
        chunk = text[a:b]
        if not chunk:
            continue
        p.add_run(chunk)
        # python-docx turns \t and \n into w:tab / w:br: one character each
        m.segments.append(Segment(a, b - a, p._p, pos))
        pos += b - a


def build_docx(plan: Plan):
    """A new document from the plan's units, and the unit maps into it."""
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    st = doc.styles["Normal"]
    st.font.name = "Times New Roman"
    st.font.size = Pt(13)
    heads = {s.unit: s for s in plan.sections}
    title_units = set(_title_units(plan))
    maps: dict[int, UnitMap] = {}
    units = plan.units
    i = 0
    while i < len(units):
        u = units[i]
        if u.kind == "row":
            rows = [u]
            j = i + 1
            while j < len(units) and units[j].kind == "row" and units[j].table == u.table:
                rows.append(units[j])
                j += 1
            width = max(len(r.cells or [r.text]) for r in rows)
            table = doc.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for r in rows:
                cells = table.add_row().cells
                m = UnitMap(r.index)
                spans = r.cell_spans or [(0, len(r.text))]
                for c, (a, b) in enumerate(spans[:width]):
                    raw = r.text[a:b]
                    lead = len(raw) - len(raw.lstrip())
                    tail = len(raw.rstrip())
                    cp = cells[c].paragraphs[0]
                    _fill_paragraph(cp, r.text, _visible_pieces(r.text, a + lead, a + tail), m)
                    m.paragraphs.append(cp._p)
                maps[r.index] = m
            i = j
            continue
        i += 1
        if not u.text.strip():
            continue
        m = UnitMap(u.index)
        sec = heads.get(u.index)
        if sec is not None:
            p = doc.add_paragraph(style=f"Heading {min(max(sec.level, 1), 4)}")
        else:
            p = doc.add_paragraph()
        if u.index in title_units:
            p.alignment = 1  # centred
        raw = u.text
        lead = len(raw) - len(raw.lstrip())
        _fill_paragraph(p, raw, _visible_pieces(raw, lead, len(raw.rstrip())), m)
        if u.index in title_units:
            for r in p.runs:
                r.bold = True
        m.paragraphs.append(p._p)
        maps[u.index] = m
    return doc, maps


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
