"""Find, canonicalise and resolve every document a plan cites.

Three passes, in the manner of eyecite:

1. **tokenize** (:mod:`checker.cite.tokenize`, patterns in
   :mod:`checker.cite.patterns`) - one scan of each unit's ``norm`` text with
   precompiled patterns: a document type followed by a number/symbol ("Nghị
   quyết số 57-NQ/TW"), a short form ("Nghị quyết số 57", "Đề án 06"), a bare
   symbol ("469-KH/TU"), or a catalogue name ("Luật Giao dịch điện tử"); then
   the date and issuer that follow it, and alias declarations "(gọi tắt là …)";
2. **resolve** (:mod:`checker.cite.resolve`) - type + number + year (+ issuer)
   against the catalogue (:mod:`checker.cite.catalog`); a number alone is not
   an identity, so a number with several catalogue documents and no year stays
   unresolved ("ambiguous"); short forms resolve only when exactly one
   candidate remains; documents the catalogue does not know get a local id
   (number@year~place);
3. **annotate** (:mod:`checker.cite.annotate`) - role (basis / implements /
   attachment / mention), parent (a citation inside another citation's title),
   warnings.

Nested citations (inside another citation's title) always get role
"mention" and ``parent`` = index of the enclosing citation: they are what the
cited document rests on, not what the plan rests on.  The graph turns the
parent link into an edge between the two documents.  What the citations
contradict (each other, the catalogue) is :mod:`checker.cite.consistency`.
"""
from __future__ import annotations

import re

from checker.cite.annotate import _annotate, _subjects
from checker.cite.catalog import Catalog, catalog
from checker.cite.patterns import ALIAS_RE, TAIL
from checker.cite.resolve import _alias_target, _commune_of, _resolve, _resolve_by_relation
from checker.cite.tokenize import _Raw, _candidate_units, _continues, _named_re, _scan_unit, _to_citation
from checker.model import Citation, Header, Unit


def extract_citations(units: list[Unit], plan_header: Header | None = None,
                      cat: Catalog | None = None) -> list[Citation]:
    """Every document reference in ``units`` (tokenize → resolve → annotate)."""
    cat = cat or catalog()
    named = _named_re(cat)
    raws: list[_Raw] = []
    by_unit: dict[int, list[int]] = {}
    skip: dict[int, int] = {}
    by_index = {u.index: u for u in units}
    for u in _candidate_units(units, named):
        nxt = by_index.get(u.index + 1)
        tail = nxt.norm[:TAIL] if nxt is not None and _continues(u, nxt) else ""
        found = _scan_unit(u, cat, named, tail, skip.get(u.index, 0))
        own = len(u.norm)
        for r in found:
            if r.end > own + 1 and nxt is not None:  # runs on into the next line
                skip[nxt.index] = max(skip.get(nxt.index, 0), r.end - own - 1)
            by_unit.setdefault(u.index, []).append(len(raws))
            raws.append(r)

    # alias declarations "(gọi tắt là X)" - X is itself a citation inside the parentheses
    for ui, idxs in by_unit.items():
        u = raws[idxs[0]].unit
        for am in ALIAS_RE.finditer(u.norm):
            inside = [i for i in idxs if am.start("alias") <= raws[i].start < am.end()]
            before = [i for i in idxs if raws[i].end <= am.start()]
            if not inside or not before:
                continue
            ai = inside[0]
            target = _alias_target(raws, raws[ai], before)
            raws[ai].alias_of = target
            raws[ai].alias_text = am.group("alias").strip()
            raws[target].alias_text = raws[ai].alias_text

    commune = _commune_of(plan_header)
    cits = [_to_citation(r, i) for i, r in enumerate(raws)]
    _resolve(cits, raws, cat, commune)
    _annotate(cits, raws, units, plan_header)
    _resolve_by_relation(cits, cat)
    _subjects(cits, raws, by_unit)
    _one_id_per_spelling(cits)
    return _drop_not_cited(cits, units, plan_header)


def _one_id_per_spelling(cits: list[Citation]) -> None:
    """"10-CTr/TU" and "10-CTR/TU" are one document: ids that differ only in
    letter case become the first one written."""
    first: dict[str, str] = {}
    for c in cits:
        if c.doc_id:
            c.doc_id = first.setdefault(c.doc_id.casefold(), c.doc_id)


# a body named after the document it carries out: "Ban Chỉ đạo thực hiện Đề án 06"
_IN_NAME = re.compile(r"(?i:ban chỉ đạo|tổ công tác|tổ giúp việc|hội đồng|ban quản lý)"
                      r"(?:\s+(?i:thực hiện|triển khai|về))?(?:\s+(?i:các|của))?\s*$")
_KEM_THEO = re.compile(r"(?i:kèm theo)\s*$")


def _self_numbers(h: Header | None) -> set[str]:
    """The plan's own numbers (its header's, and the decision's that issues it)."""
    if h is None or h.kind in (None, "PHỤ LỤC"):
        return set()
    out = set()
    if h.number and re.match(r"\d", h.number):
        out.add(re.sub(r"\s+", "", h.number).casefold())
    issued = (h.plan or {}).get("issued_by") or {}
    if issued.get("number"):
        out.add(issued["number"].casefold())
    return out


def _drop_not_cited(cits: list[Citation], units: list[Unit], h: Header | None) -> list[Citation]:
    """Leave out what only looks like a citation: the plan's own annex caption
    ("(Kèm theo Kế hoạch số 552/KH-UBND …)", a self-reference — neither a cited
    document nor a date for the as-of bound) and a document number inside a
    body's name ("Ban Chỉ đạo thực hiện Đề án 06 của xã")."""
    own = _self_numbers(h)
    by_index = {u.index: u for u in units}
    drop: set[int] = set()
    for c in cits:
        u = by_index.get(c.unit)
        before = u.norm[max(0, c.start - 60):c.start] if u is not None else ""
        if own and c.number and c.number.casefold() in own and _KEM_THEO.search(before.rstrip(" (")):
            drop.add(c.index)
        elif c.number is None or (c.doc_type == "Đề án" and c.date is None):
            if _IN_NAME.search(before):
                drop.add(c.index)
    if not drop:
        return cits
    changed = True
    while changed:  # what sits inside a dropped citation's title goes with it
        changed = False
        for c in cits:
            if c.parent in drop and c.index not in drop:
                drop.add(c.index)
                changed = True
    keep = [c for c in cits if c.index not in drop]
    new = {c.index: i for i, c in enumerate(keep)}
    for c in keep:
        c.index = new[c.index]
        c.parent = new.get(c.parent) if c.parent is not None else None
    return keep
