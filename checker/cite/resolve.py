"""Pass 2, resolve: type + number + year (+ issuer) against the catalogue
(:mod:`checker.cite.catalog`); short forms and aliases against the other
citations; local ids (number@year~place) for documents the catalogue does not
know.  Also what a plan's citations say as a whole: its document list and the
lower bound of its date."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Iterable

from checker.cite.catalog import Catalog, catalog, issuer_key, number_key, place_key
from checker.cite.tokenize import _Raw
from checker.model import Citation, Header
from checker.normalize import norm, squash


def _commune_of(header: Header | None) -> str | None:
    if header is None:
        return None
    if header.issuer:
        m = re.search(r"(?i:xã|phường|đặc khu)\s+(.+)$", norm(header.issuer))
        if m:
            return m.group(1).strip()
    return header.place


@lru_cache(maxsize=2048)
def _issuer_place(issuer: str | None, commune: str | None, province: str | None = None) -> str:
    """Place key for local ids: 'UBND tỉnh Đồng Nai' → 'dong-nai'; 'UBND xã' → the
    plan's commune; 'UBND tỉnh' / 'Tỉnh ủy' → the one province the plan names."""
    if not issuer:
        return ""
    n = _norm(issuer)
    m = re.search(r"(?i:tỉnh ủy|thành ủy|huyện ủy|đảng ủy xã|đảng ủy phường|tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\s+(.+)$", n)
    if m and m.group(1)[:1].isupper():
        return place_key(m.group(1))
    if re.search(r"(?i:\bxã\b|\bphường\b|đảng ủy$)", n) and commune:
        return place_key(commune)
    if re.search(r"(?i:\btỉnh\b|tỉnh ủy|\bthành phố\b|thành ủy)", n) and province:
        return province
    return ""


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return norm(text)


def _provinces_named(cits: list[Citation]) -> set[str]:
    """Place keys of the provinces named in issuers ('UBND tỉnh Đồng Nai', 'Tỉnh ủy Quảng Ngãi')."""
    out = set()
    for c in cits:
        if c.issuer and re.search(r"(?i:\btỉnh\b|tỉnh ủy|\bthành phố\b|thành ủy)\s+[A-ZĐ]", _norm(c.issuer)):
            p = _issuer_place(c.issuer, None)
            if p:
                out.add(p)
    return out


_TITLE_RELATIONS = ("amends", "supersedes", "implements")


def _resolve_by_relation(cits: list[Citation], cat: Catalog) -> None:
    """An undated number the catalogue knows twice ("11/NQ-CP" of 2022 and of
    2026) whose title names another document ("… sửa đổi, bổ sung Nghị quyết
    số 71/NQ-CP"): the one candidate that amends, replaces or carries out
    that document is meant."""
    for c in cits:
        if c.doc_id or not c.number or "ambiguous" not in c.warnings:
            continue
        named = {k.doc_id for k in cits if k.parent == c.index and k.doc_id}
        if not named:
            continue
        cands = [d for d in cat.find(c.doc_type, c.number, None, c.issuer)
                 if any(r.type in _TITLE_RELATIONS and r.target in named for r in d.relations)]
        if len(cands) == 1:
            c.doc_id = cands[0].id
            c.warnings.remove("ambiguous")


def _alias_target(raws: list[_Raw], alias: _Raw, before: list[int]) -> int:
    """The citation an alias names: same number (or number prefix) nearest before it."""
    if alias.number:
        key = number_key(alias.number)
        same = [i for i in before if raws[i].number and number_key(raws[i].number) == key]
        if same:
            return same[-1]
    if alias.short:
        pre = [i for i in before if raws[i].number and re.match(rf"0*{int(alias.short)}[-/]", raws[i].number)
               and _same_family(raws[i].doc_type, alias.doc_type)]
        if pre:
            return pre[-1]
    # otherwise the first (outermost) citation of its sentence
    return before[0]


@lru_cache(maxsize=512)
def _same_family(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    sa, sb = squash(a), squash(b)
    return sa.startswith(sb) or sb.startswith(sa)


def _resolve(cits: list[Citation], raws: list[_Raw], cat: Catalog, commune: str | None) -> None:
    # in-plan years: an undated citation of a number takes the year the plan gives it elsewhere
    years: dict[str, set[int]] = {}
    for c, r in zip(cits, raws):
        if c.number:
            y = c.date.year if c.date and c.date.year else r.year_hint
            if y:
                years.setdefault(number_key(c.number), set()).add(y)
    # provinces / communes the plan names explicitly: a local document of the
    # catalogue cited with a generic issuer ("UBND tỉnh") resolves only inside them
    places = {p for p in (_issuer_place(c.issuer, None) for c in cits) if p}
    provinces = _provinces_named(cits)
    province = next(iter(provinces)) if len(provinces) == 1 else None
    if commune:
        places.add(place_key(commune))
    for c, r in zip(cits, raws):
        if r.named:
            docs = [cat.get(x) for x in r.named]
            year = (c.date.year if c.date else None) or r.year_hint
            if year is not None and len(docs) > 1:
                exact = [d for d in docs if d.year == year]
                # "Luật X ngày 22/11/2019" names the law as amended then: the latest version before it
                before = sorted((d for d in docs if d.year and d.year < year), key=lambda d: d.year)
                docs = exact or before[-1:] or docs
            if len(docs) == 1:
                c.doc_id, c.number = docs[0].id, docs[0].number
            else:
                c.warnings.append("ambiguous")
            continue
        if c.number is None:
            continue
        year = (c.date.year if c.date else None) or r.year_hint
        ys = years.get(number_key(c.number), set())
        if year is None and len(ys) == 1:
            year = next(iter(ys))
        c.doc_id = _catalog_id(cat, c, year, places)
        if c.doc_id is None and "ambiguous" not in c.warnings:
            c.doc_id = local_id(c.number, year, _issuer_place(c.issuer, commune, province))
    # local ids: one document cited with and without its issuer is one document
    _merge_local(cits)
    # aliases, then short forms
    declared: dict[str, str] = {}
    for c, r in zip(cits, raws):
        if r.alias_of is not None:
            target = cits[r.alias_of]
            if c.doc_id is None or r.short is not None:
                c.doc_id = target.doc_id
                if r.short is not None:
                    c.number = target.number
            if target.doc_id:
                declared[squash(c.alias or "")] = target.doc_id
    for c, r in zip(cits, raws):
        if r.short is None or c.doc_id:
            continue
        cands: set[str] = set()
        key = squash(f"{c.doc_type} {r.short}")
        key2 = squash(f"{c.doc_type} số {r.short}")
        for k in (key, key2):
            if k in declared:
                cands.add(declared[k])
        for other in cits:
            if other.doc_id and other.number and _same_family(other.doc_type, c.doc_type) \
                    and re.match(rf"0*{int(r.short)}[-/]", other.number):
                cands.add(other.doc_id)
        for d in cat.by_alias(f"{c.doc_type} {r.short}"):
            cands.add(d.id)
        if len(cands) == 1:
            c.doc_id = next(iter(cands))
            doc = cat.get(c.doc_id)
            c.number = doc.number if doc else _number_of(cits, c.doc_id)
        else:
            c.warnings.append("ambiguous" if cands else "unresolved-short-form")


def _number_of(cits: list[Citation], doc_id: str) -> str | None:
    for c in cits:
        if c.doc_id == doc_id and c.number:
            return c.number
    return None


def _catalog_id(cat: Catalog, c: Citation, year: int | None, places: set[str] | frozenset = frozenset()) -> str | None:
    if "incomplete-symbol" in c.warnings:
        hits = [d for d in cat.find_incomplete(c.doc_type, c.number) if _place_ok(d, c, places)]
        if len(hits) == 1:
            c.number = hits[0].number
            return hits[0].id
        return None
    hits = [d for d in cat.find(c.doc_type, c.number, year, c.issuer) if _place_ok(d, c, places)]
    if not hits and not cat.find(None, c.number):
        # separators written wrongly ("57/NQ-TW" for 57-NQ/TW): same document, flagged
        loose = [d for d in cat.find_loose(c.number) if _place_ok(d, c, places)
                 and (year is None or d.year == year) and (not c.doc_type or _same_family(c.doc_type, d.type))]
        if len(loose) == 1:
            if "malformed-symbol" not in c.warnings:
                c.warnings.append("malformed-symbol")
            c.number = loose[0].number
            return loose[0].id
    if not hits and c.issuer and year is not None:
        # the right number and year with another issuer: the plan names the issuer wrongly
        any_issuer = [d for d in cat.find(c.doc_type, c.number, year, None) if _place_ok(d, c, places)]
        if len(any_issuer) == 1:
            c.warnings.append("catalog-issuer-differs")
            return any_issuer[0].id
    if year is not None:
        if len(hits) == 1:
            _date_differs(c, hits[0])
            return hits[0].id
        if not hits:
            # the plan may give a wrong date for a known national document
            loose = [d for d in cat.find(c.doc_type, c.number, None, c.issuer) if _place_ok(d, c, places)
                     and d.level in ("party-central", "national-assembly", "government", "prime-minister")
                     and d.year is not None and abs(d.year - year) <= 1]
            if len(loose) == 1:
                c.warnings.append("catalog-date-differs")
                return loose[0].id
        return None
    if len(hits) == 1:
        return hits[0].id
    if len(hits) > 1:
        c.warnings.append("ambiguous")
    return None


def _date_differs(c: Citation, doc) -> None:
    """A known national document cited with a full date that is not its own
    ("Nghị quyết số 71/NQ-CP ngày 01/5/2025": it is of 01/4/2025)."""
    if not (c.date and c.date.complete and doc.date) or "catalog-date-differs" in c.warnings:
        return
    if doc.level in ("party-central", "national-assembly", "government", "prime-minister") \
            and c.date.iso() != str(doc.date)[:10] and doc.fact_confidence("date") == "verified":
        c.warnings.append("catalog-date-differs")


def _place_ok(doc, c: Citation, places) -> bool:
    """A catalogue document of one province or commune needs that place in the citation or the plan."""
    if not doc.place:
        return True
    pk = place_key(doc.place)
    return pk in places or (bool(c.issuer) and pk.replace("-", " ") in issuer_key(c.issuer))


def local_id(number: str, year: int | None, place: str = "") -> str:
    """Id of a document the catalogue does not know: number@year[~place]."""
    return f"{number}@{year if year else '?'}" + (f"~{place}" if place else "")


def _merge_local(cits: list[Citation]) -> None:
    """Give the placeless local id of a document its place when the plan names it elsewhere."""
    with_place: dict[str, set[str]] = {}
    for c in cits:
        if c.doc_id and "~" in c.doc_id:
            base = c.doc_id.split("~", 1)[0]
            with_place.setdefault(_key_id(base), set()).add(c.doc_id)
    for c in cits:
        if c.doc_id and "~" not in c.doc_id and "@" in c.doc_id:
            opts = with_place.get(_key_id(c.doc_id))
            if opts and len(opts) == 1:
                c.doc_id = next(iter(opts))


def _key_id(doc_id: str) -> str:
    num, _, rest = doc_id.partition("@")
    return number_key(num) + "@" + rest


# ------------------------------------------------------------------ documents, checks, dates
def document_list(citations: list[Citation], cat: Catalog | None = None) -> list[dict[str, Any]]:
    """One entry per distinct cited document (for ``Plan.documents``)."""
    cat = cat or catalog()
    docs: dict[str, dict[str, Any]] = {}
    for c in citations:
        key = c.doc_id or (f"{c.number}@?" if c.number else None)
        if key is None:
            continue
        d = docs.get(key)
        if d is None:
            entry = cat.get(c.doc_id) if c.doc_id else None
            d = docs[key] = {
                "id": key, "type": entry.type if entry else c.doc_type,
                "number": entry.number if entry else c.number,
                "date": entry.date if entry else None,
                "dates": [], "issuers": [], "in_catalog": entry is not None,
                "level": entry.level if entry else _guess_level(c),
                "title": entry.description("vi") if entry else getattr(c, "subject", None),
                "confidence": entry.confidence if entry else None,
                "roles": [], "count": 0, "lines": [], "citations": [],
                "ambiguous": "ambiguous" in c.warnings,
            }
        d["count"] += 1
        d["citations"].append(c.index)
        if c.date and c.date.iso() not in d["dates"]:
            d["dates"].append(c.date.iso())
        if c.issuer and c.issuer not in d["issuers"]:
            d["issuers"].append(c.issuer)
        if c.role not in d["roles"]:
            d["roles"].append(c.role)
        if c.loc.line not in d["lines"]:
            d["lines"].append(c.loc.line)
        if d["level"] is None:
            d["level"] = _guess_level(c)
        if d["title"] is None and getattr(c, "subject", None):
            d["title"] = c.subject
        if not d["in_catalog"] and d["date"] is None and c.date and c.date.complete:
            d["date"] = c.date.iso()
    return list(docs.values())


def _guess_level(c: Citation) -> str | None:
    """Level of a document the catalogue does not know, from its symbol and issuer."""
    n = c.number or ""
    iss = squash(norm(c.issuer or ""))
    if re.search(r"/TW$|BCĐTW|/VPTW", n):
        return "party-central"
    if re.search(r"QH\d*$", n):
        return "national-assembly"
    if n.endswith("-CP") or n.endswith("/NĐ-CP"):
        return "government"
    if n.endswith("-TTg"):
        return "prime-minister"
    if re.search(r"/(TU|BCĐ)$|-KH/TU|/TU\b", n):
        return "province-party"
    if re.search(r"/(HU)$", n) or "huyen" in iss:
        return "district"
    if re.search(r"/ĐU$", n):
        return "commune-party"
    if "tinh" in iss or "thanh pho" in iss:
        return "province"
    if re.search(r"\bxa\b|\bphuong\b", iss):
        return "commune"
    if n.endswith("UBND"):
        return "province" if "tinh" in iss else None
    return None


def as_of_lower_bound(citations: Iterable[Citation]) -> tuple[dt.date, Citation] | None:
    """The latest complete date among the citations, and the citation giving it.

    A plan is issued after every document it cites, so this is a lower bound
    for an undated plan ("kế hoạch ban hành sau 05/9/2025").
    """
    best: tuple[dt.date, Citation] | None = None
    for c in citations:
        if c.date and c.date.complete:
            d = c.date.earliest()
            if best is None or d > best[0]:
                best = (d, c)
    return best


def covering_citation(citations: Iterable[Citation], unit: int, start: int, end: int) -> Citation | None:
    """The citation whose span (offsets in the unit's original text) contains
    ``start:end`` - e.g. to tell "UBND tỉnh Đồng Nai" as the issuer of a 2025
    document (historically right) from the same words used as a current body."""
    best = None
    for c in citations:
        if c.unit == unit and c.start <= start and end <= c.end:
            if best is None or (c.end - c.start) < (best.end - best.start):
                best = c
    return best
