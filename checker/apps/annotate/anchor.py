"""Comment ranges: runs split where a span starts or ends inside them (the halves
keep ``w:rPr``), comments anchored on a span or on whole paragraphs, and
earlier comments of one author removed."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from checker.apps.annotate.docx_map import (
    UnitMap, W, XML_SPACE, _leaf_text, _run_of, _skip_tags, para_chars, para_leaves,
)
from checker.model import Unit


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


# ------------------------------------------------------- locating a span

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


def _anchor_text(a: Anchor) -> str:
    if a.first is None or a.last is None:
        return ""
    return anchored_text(a.first, a.last)
