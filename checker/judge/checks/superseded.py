"""Check kinds ``superseded-citation``, ``catalog-superseded`` and
``implements-superseded``: replaced or amended documents cited as current.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from checker.cite.catalog import TYPE_EN
from checker.judge.context import Ctx, _patterns, _vn_date
from checker.judge.needs import can_match, probe
from checker.judge.registry import Hit, check
from checker.model import Unit


# ------------------------------------------------------------- citations

_DATE_NEAR = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)"
                        r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+((?:19|20)\d\d)", re.I)
_ROLE = [("basis", re.compile(r"^\W*căn cứ\b", re.I)),
         ("implements", re.compile(r"^\W*(?:thực hiện|triển khai|về việc thực hiện)\b", re.I))]


@dataclass
class Occurrence:
    unit: int
    ostart: int | None
    oend: int | None
    nstart: int | None
    nend: int | None
    role: str
    year: int | None
    surface: str


def _unit_role(ctx: Ctx, u: Unit) -> str:
    low = ctx.lower(u)
    for role, rx in _ROLE:
        if rx.search(low):
            return role
    return "mention"


def find_document(ctx: Ctx, spec: dict) -> list[Occurrence]:
    """Occurrences of one document in the plan.

    ``spec`` gives ``numbers`` (canonical symbols as the citation extractor
    writes them), optional ``doc_ids`` (catalogue ids), ``year`` (the
    document's year: "03/NQ-CP" of 2024 is another document) and
    ``patterns`` (regular expressions over lower-cased analysis text, for
    named documents and for plans read before citations are extracted).
    """
    numbers = {n.upper().replace(" ", "") for n in spec.get("numbers") or []}
    doc_ids = set(spec.get("doc_ids") or [])
    year = spec.get("year")
    occ: list[Occurrence] = []
    for c in ctx.plan.citations:
        num = (c.number or "").upper().replace(" ", "")
        if not ((num and num in numbers) or (c.doc_id and c.doc_id in doc_ids)):
            continue
        cy = c.date.year if c.date and c.date.year else None
        if year and cy and cy != year and not (c.doc_id and c.doc_id in doc_ids):
            continue
        role = c.role if c.role in ("basis", "implements") else "mention"
        u = ctx.unit(c.unit)
        if role == "mention" and u is not None and c.parent is None:
            role = _unit_role(ctx, u) if _unit_role(ctx, u) != "mention" else role
        occ.append(Occurrence(c.unit, c.start, c.end, None, None, role, cy, c.surface))
    taken = {(o.unit) for o in occ}
    pats = _patterns(spec)
    joined, starts, junits = ctx.joined()
    jprobe = ctx.__dict__.get("_joined_probe", False)
    if jprobe is False:
        jprobe = ctx.__dict__["_joined_probe"] = probe(joined)
    for pat in pats:
        if not can_match(pat["_rx"], jprobe):
            continue  # a string every match needs is nowhere in the plan
        for mm in pat["_rx"].finditer(joined):
            if ctx._SEP in mm.group(0):
                continue
            loc = ctx.locate(starts, junits, *mm.span())
            if loc is None:
                continue
            u, s, e = loc
            low = ctx.lower(u)
            if u.index in taken and any(
                    o.unit == u.index and o.ostart is not None
                    and _overlap(u.orig_span(s, e), (o.ostart, o.oend)) for o in occ):
                continue
            near = _DATE_NEAR.search(low[e:e + 45])
            y = None
            if near:
                y = int(near.group(3) or near.group(4))
            if year and y and y != year:
                continue
            occ.append(Occurrence(u.index, None, None, s, e, _unit_role(ctx, u), y,
                                  ctx.text(u)[s:e]))
    if year:
        # a number without a date is taken for this document only if the
        # plan writes it with the right year somewhere, and never another year
        dated = [o for o in occ if o.year]
        if not dated:
            occ = [o for o in occ if o.year == year] if spec.get("require_year") else occ
    occ.sort(key=lambda o: (o.unit, o.ostart if o.ostart is not None else (o.nstart or 0)))
    return occ


def _overlap(a: tuple[int, int], b: tuple[int | None, int | None]) -> bool:
    if b[0] is None or b[1] is None:
        return False
    return a[0] < b[1] and a[1] > b[0]


def _occ_hit(o: Occurrence, values: dict) -> Hit:
    return Hit(unit=o.unit, nstart=o.nstart, nend=o.nend, ostart=o.ostart, oend=o.oend,
               values={"match": o.surface, **values})


@check("superseded-citation")
def check_superseded(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A document that was replaced or amended, cited as the current one.

    Reports every citation of it as a basis ("Căn cứ …") or as the document
    implemented ("Thực hiện …"); if it is only mentioned, the first mention.
    ``unless`` names the current version: when the plan rests on it too
    (as a basis, or in the same sentence), the old one is cited knowingly.
    ``documents`` lists several documents handled alike; ``context`` is a
    regular expression the sentence must contain (e.g. the issuing province).
    """
    hits: list[Hit] = []
    for spec in params.get("documents") or [params]:
        spec = dict(spec)
        for k in ("unless", "replacement", "context"):
            if k not in spec and k in params:
                spec[k] = params[k]
        hits.extend(_superseded_one(ctx, spec))
    return hits


def _superseded_one(ctx: Ctx, params: dict) -> list[Hit]:
    occ = find_document(ctx, params)
    if params.get("context"):
        rx = re.compile(params["context"], re.I)
        occ = [o for o in occ if rx.search(ctx.lower(ctx.unit(o.unit)))]
    if not occ:
        return []
    unless = params.get("unless")
    if unless:
        cur = find_document(ctx, unless)
        if any(o.role in ("basis", "implements") for o in cur):
            return []
        cur_units = {o.unit for o in cur}
        occ = [o for o in occ if o.unit not in cur_units]
    values = {"replacement": params.get("replacement", "")}
    strong = [o for o in occ if o.role in ("basis", "implements")]
    chosen = strong or occ[:1]
    seen: set[int] = set()
    hits = []
    for o in chosen:
        if o.unit in seen:
            continue
        seen.add(o.unit)
        hits.append(_occ_hit(o, dict(values, count=len(occ))))
    return hits


_CONF_RANK = {"verified": 0, None: 0, "seed": 1, "belief": 2}


@check("catalog-superseded")
def check_catalog_superseded(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Any cited document that the catalogue (``reference/documents.yaml``)
    says was replaced by the as-of date, so a replacement recorded there is
    reported without a new rule.  ``skip`` lists catalogue ids that have a
    rule of their own; the weakest confidence along the replacement chain
    becomes the finding's confidence (seed/belief: "review" wording)."""
    cat = ctx.catalog
    if cat is None or ctx.as_of is None or not hasattr(cat, "replacement_chain"):
        return []
    skip = set(params.get("skip") or [])
    types = set(params.get("relations") or ["replaced_by"])
    by_doc: dict[str, list] = {}
    for c in ctx.plan.citations:
        if c.doc_id and c.doc_id not in skip:
            by_doc.setdefault(c.doc_id, []).append(c)
    hits: list[Hit] = []
    for doc_id, cs in by_doc.items():
        try:
            chain = cat.replacement_chain(doc_id, ctx.as_of)
        except Exception:  # pragma: no cover
            continue
        if not chain or chain[0][1].type not in types:
            continue
        conf = max((r.confidence for _, r in chain), key=lambda x: _CONF_RANK.get(x, 2))
        conf = conf or "verified"
        cur_id = chain[-1][0]
        cur = cat.get(cur_id)
        label = cur.label() if cur is not None and hasattr(cur, "label") else cur_id
        label_en = cur.label("en") if cur is not None and hasattr(cur, "label") else cur_id
        strong = [c for c in cs if c.role in ("basis", "implements")] or cs[:1]
        seen: set[int] = set()
        for c in strong:
            if c.unit in seen:
                continue
            seen.add(c.unit)
            hits.append(Hit(unit=c.unit, ostart=c.start, oend=c.end, confidence=conf,
                            values={"match": c.surface.strip(), "replacement": label, "replacement_en": label_en,
                                    "since": _vn_date(chain[0][1].effective), "doc_id": doc_id}))
    return hits


_REL_VI = {"replaced_by": "thay thế", "amended_by": "sửa đổi, bổ sung"}
_REL_EN = {"replaced_by": "replaced", "amended_by": "amended"}


@check("implements-superseded")
def check_implements_superseded(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A cited plan whose own title says it carries out a document that was
    replaced or amended by the as-of date ("Kế hoạch số 51/KH-UBND … về việc
    thực hiện Nghị quyết số 03/NQ-CP"): the higher plan may predate the
    current version.  Only relations of at least ``min_confidence`` count."""
    cat = ctx.catalog
    if cat is None or ctx.as_of is None or not hasattr(cat, "replacement_chain"):
        return []
    floor = _CONF_RANK.get(params.get("min_confidence", "verified"), 0)
    types = set(params.get("relations") or ["replaced_by", "amended_by"])
    cits = ctx.plan.citations
    hits: list[Hit] = []
    seen: set[tuple[int, str]] = set()
    for c in cits:
        if c.parent is None or not c.doc_id or not (0 <= c.parent < len(cits)):
            continue
        p = cits[c.parent]
        if p.doc_id == c.doc_id or p.role not in ("basis", "implements"):
            continue
        try:
            chain = cat.replacement_chain(c.doc_id, ctx.as_of)
        except Exception:  # pragma: no cover
            continue
        if not chain or chain[0][1].type not in types:
            continue
        if _CONF_RANK.get(chain[0][1].confidence, 2) > floor:
            continue
        key = (p.index, c.doc_id)
        if key in seen:
            continue
        seen.add(key)
        target = cat.get(chain[0][0])
        label = target.label() if target is not None and hasattr(target, "label") else chain[0][0]
        label_en = target.label("en") if target is not None and hasattr(target, "label") else chain[0][0]
        rtype = chain[0][1].type
        hits.append(Hit(unit=p.unit, ostart=p.start, oend=p.end, values={
            "match": (p.number and f"{p.doc_type or ''} {p.number}".strip()) or p.surface.strip(),
            "match_en": (p.number and f"{TYPE_EN.get(p.doc_type or '', p.doc_type or '')} {p.number}".strip())
            or p.surface.strip(),
            "child": c.number or c.surface.strip(), "replacement": label, "replacement_en": label_en,
            "relation": _REL_VI.get(rtype, rtype), "relation_en": _REL_EN.get(rtype, rtype),
            "since": _vn_date(chain[0][1].effective)}))
    return hits
