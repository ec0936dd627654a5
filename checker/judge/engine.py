"""The rule engine: generic check kinds, configured by the rule packs.

``evaluate(result)`` runs every rule of ``rules/*.yaml`` that is in force at
the plan's as-of date over the extracted plan (units, sections, tasks,
indicators, citations), its coverage and the reference data, and returns
located findings.  Each rule names one *check kind* below and gives it its
parameters (patterns, document numbers, thresholds) as data; a check kind
yields :class:`Hit` objects, and the engine turns them into findings
(message, span in the original text, excerpt, fingerprint), then applies the
configuration (disabled rules, severity overrides, waivers, baseline).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from checker.model import CheckResult, Finding, Plan, Section, Unit, location_label
from checker.normalize import fold, norm as _norm, squash

CheckFn = Callable[["Ctx", Any, dict], Iterable["Hit"]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check kind under the name the rule packs use."""

    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


@dataclass
class Hit:
    """One place where a rule fires.

    The span is either in the unit's analysis text (``nstart``/``nend``) or
    in its original text (``ostart``/``oend``, e.g. from a citation).
    ``values`` fill the placeholders of the rule's message and suggestion.
    """

    unit: int | None = None
    nstart: int | None = None
    nend: int | None = None
    ostart: int | None = None
    oend: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # per-hit override (e.g. a pattern marked info)
    confidence: str | None = None  # per-hit confidence (e.g. of one body in the catalogue)
    key: str = ""  # extra text for the fingerprint (plan-level hits)


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
    return re.sub(r"\s+([.,;)])", r"\1", out).strip()


# ---------------------------------------------------------------- context

class Ctx:
    """What a check kind may read: the result, the plan and helpers."""

    def __init__(self, result: CheckResult, lang: str = "vi"):
        self.result = result
        self.plan: Plan = result.plan
        self.as_of: dt.date | None = _as_date(result.as_of)
        self.lang = lang
        self._low: dict[int, str] = {}
        self._sections = sorted(self.plan.sections, key=lambda s: s.unit)
        self._catalog: Any = False

    # text -------------------------------------------------------------
    @property
    def units(self) -> list[Unit]:
        return self.plan.units

    def unit(self, i: int | None) -> Unit | None:
        if i is None or i < 0 or i >= len(self.plan.units):
            return None
        u = self.plan.units[i]
        if u.index == i:
            return u
        for u in self.plan.units:
            if u.index == i:
                return u
        return None

    def text(self, u: Unit) -> str:
        """Analysis text of a unit (normalised; filled if the reader did not)."""
        if not u.norm and u.text:
            u.norm = _norm(u.text)
        return u.norm

    def lower(self, u: Unit) -> str:
        t = self._low.get(u.index)
        if t is None:
            t = self.text(u)
            low = t.lower()
            t = low if len(low) == len(t) else t
            self._low[u.index] = t
        return t

    _SEP = "\x00"

    def folded(self, u: Unit) -> str:
        cache = self.__dict__.setdefault("_fold_cache", {})
        t = cache.get(u.index)
        if t is None:
            t = cache[u.index] = _fast_fold(self.text(u))
        return t

    def joined(self, lower: bool = True) -> tuple[str, list[int], list[Unit]]:
        """All units' analysis texts joined by NUL (which no pattern crosses),
        the start offset of each, and the units: one regex pass per pattern
        over the whole plan instead of one per unit."""
        key = "_joined_low" if lower else "_joined"
        got = getattr(self, key, None)
        if got is None:
            units = [u for u in self.units if u.text.strip()]
            texts = [self.lower(u) if lower else self.text(u) for u in units]
            starts, pos = [], 0
            for t in texts:
                starts.append(pos)
                pos += len(t) + 1
            got = (self._SEP.join(texts), starts, units)
            setattr(self, key, got)
        return got

    def locate(self, starts: list[int], units: list[Unit], s: int, e: int) -> tuple[Unit, int, int] | None:
        """The unit of a span of the joined text, and the span inside it."""
        import bisect

        i = bisect.bisect_right(starts, s) - 1
        if i < 0:
            return None
        return units[i], s - starts[i], e - starts[i]

    def section_of(self, unit: int | None) -> Section | None:
        if unit is None:
            return None
        best = None
        for s in self._sections:
            if s.unit <= unit:
                best = s
            else:
                break
        return best

    @property
    def plan_year(self) -> int | None:
        h = self.plan.header
        if h.date and h.date.year:
            return h.date.year
        return self.as_of.year if self.as_of else None

    @property
    def catalog(self) -> Any:
        """The document catalogue (checker.cite.catalog), or None if absent."""
        if self._catalog is False:
            try:
                from checker.cite import catalog as _cat  # type: ignore

                self._catalog = _cat.catalog() if hasattr(_cat, "catalog") else None
            except Exception:  # pragma: no cover - catalogue not installed yet
                self._catalog = None
        return self._catalog

    def heading_units(self) -> list[Unit]:
        """Units that open a section (from the section tree, else by shape)."""
        if self.plan.sections:
            idx = {s.unit for s in self.plan.sections}
            return [u for u in self.units if u.index in idx]
        return [u for u in self.units if _looks_heading(self.text(u))]


_HEAD = re.compile(r"^\s*(?:[IVX]{1,5}|\d{1,2})\s*[.\-–)]\s*\S")


def _looks_heading(t: str) -> bool:
    if not _HEAD.match(t):
        return False
    body = re.sub(r"^\s*(?:[IVX]{1,5}|\d{1,2})\s*[.\-–)]\s*", "", t)
    letters = [c for c in body if c.isalpha()]
    return bool(letters) and len(body) < 160 and (
        sum(c.isupper() for c in letters) / len(letters) > 0.7 or len(body) < 90)


_FOLD_TABLE: dict[int, str] | None = None


def _fast_fold(text: str) -> str:
    """Accent-free lower case by table lookup (for cheap substring triggers;
    ``normalize.fold`` is the exact, slower form)."""
    global _FOLD_TABLE
    if _FOLD_TABLE is None:
        import unicodedata

        table: dict[int, str] = {}
        for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
            ch = chr(cp)
            base = unicodedata.normalize("NFD", ch)[0]
            if base != ch:
                table[cp] = base
        table[ord("đ")] = "d"
        table[ord("Đ")] = "d"
        _FOLD_TABLE = table
    return text.translate(_FOLD_TABLE).lower()


def _as_date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _compile(p: str, flags: int = re.I) -> re.Pattern:
    return re.compile(p, flags)


def _patterns(params: dict, key: str = "patterns") -> list[dict[str, Any]]:
    """Normalise a ``patterns`` parameter: strings or {re, ...} mappings."""
    out = []
    for p in params.get(key) or []:
        if isinstance(p, str):
            p = {"re": p}
        q = dict(p)
        q["_rx"] = _compile(q["re"], 0 if q.get("case") else re.I)
        out.append(q)
    return out


def _excluded(text: str, s: int, e: int, params: dict, pat: dict | None = None) -> bool:
    for src in (pat or {}, params):
        before = src.get("skip_if_before")
        after = src.get("skip_if_after")
        if before and re.search(before + r"\s*$", text[max(0, s - 40):s], re.I):
            return True
        if after and re.match(r"\s*" + after, text[e:e + 40], re.I):
            return True
    return False


# ------------------------------------------------------------ text scans

def _scan(ctx: Ctx, params: dict, units: Iterable[Unit]) -> Iterator[Hit]:
    pats = _patterns(params)
    once = params.get("once_per_unit", False)
    for u in units:
        low = ctx.lower(u)
        taken: list[tuple[int, int]] = []
        for pat in pats:
            for m in pat["_rx"].finditer(low):
                s, e = m.span(pat.get("group", 0))
                if s < 0 or any(s < b and e > a for a, b in taken):
                    continue
                if _excluded(low, s, e, params, pat):
                    continue
                taken.append((s, e))
                vals = {"match": ctx.text(u)[s:e], "replacement": pat.get("replacement", ""),
                        "replacement_en": pat.get("replacement_en") or pat.get("replacement", ""),
                        "note": pat.get("note", "")}
                vals.update({k: v for k, v in m.groupdict().items() if v})
                yield Hit(unit=u.index, nstart=s, nend=e, values=vals, severity=pat.get("severity"))
                if once:
                    break
            if once and taken:
                break


def _scope(ctx: Ctx, params: dict) -> list[Unit]:
    scope = params.get("scope", "all")
    units = [u for u in ctx.units if u.text.strip()]
    if scope == "header":
        # the header: before the first section, and at least through the
        # unit holding the plan's number/date line
        n = int(params.get("max_unit", 40))
        first = _first_section_unit(ctx)
        lim = min(n, first) if first is not None else n
        hline = ctx.plan.header.line
        if hline:
            hu = [u.index for u in ctx.units if u.loc.line == hline]
            if hu:
                lim = min(n, max(lim, hu[0] + 1))
        return [u for u in units if u.index < lim]
    if scope == "body":
        first = _first_section_unit(ctx) or 0
        return [u for u in units if u.index >= first]
    return units


def _first_section_unit(ctx: Ctx) -> int | None:
    heads = ctx.heading_units()
    return heads[0].index if heads else None


@check("text-pattern")
def check_text_pattern(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Regular expressions over the analysis text (lower-cased) of units."""
    return _scan(ctx, params, _scope(ctx, params))


# body names and blank placeholders are text patterns with their own data
check("body-pattern")(check_text_pattern)
check("placeholder")(check_text_pattern)


@check("catalog-bodies")
def check_catalog_bodies(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Bodies listed in the catalogue (``reference/bodies.yaml`` and the
    old → new province names of underthesea's address converter, through
    ``checker.cite.catalog.bodies()``) that no longer exist at the as-of date.

    ``kinds`` selects catalogue entries (district, ministry, department,
    province, party-body); each entry has its own date and confidence.
    Extra ``patterns`` of the rule run after the catalogue's, on spans the
    catalogue did not take.
    """
    try:
        from checker.cite.catalog import bodies as _bodies

        entries = list(_bodies())
    except Exception:  # pragma: no cover - catalogue absent
        entries = []
    kinds = set(params.get("kinds") or [])
    entries = [b for b in entries if (not kinds or b.kind in kinds)
               and (ctx.as_of is None or b.applies(ctx.as_of))]
    extra = _patterns(params)
    hits: list[Hit] = []
    # cheap accent-free triggers: an entry is searched only in units that
    # hold its trigger (the old province name, or the words of its kind)
    kind_triggers = {k: [_fast_fold(_norm(w)) for w in v] for k, v in (params.get("triggers") or {}).items()}
    triggers = [[_fast_fold(_norm(b.old_name))] if getattr(b, "old_name", None) else kind_triggers.get(b.kind)
                for b in entries]
    for u in _scope(ctx, params):
        text = ctx.text(u)
        low = ctx.lower(u)
        folded = ctx.folded(u)
        taken: list[tuple[int, int]] = []
        found_all = []
        for order, (b, trig) in enumerate(zip(entries, triggers)):
            if trig and not any(t in folded for t in trig):
                continue
            found_all.extend((order, s, e, b) for s, e, _ in b.search(text))
        for _, s, e, b in found_all:
            e = _trim_name(text, s, e)
            found = text[s:e]
            if any(s < y and e > x for x, y in taken) or _excluded(low, s, e, params):
                continue
            taken.append((s, e))
            rep = b.replacement.get("vi", "")
            hits.append(Hit(unit=u.index, nstart=s, nend=e, confidence=b.confidence,
                            values={"match": found.strip(), "replacement": rep,
                                    "replacement_en": b.replacement.get("en") or rep, "body": b.id,
                                    "since": _vn_date(b.abolished_from)}))
        for pat in extra:
            for m in pat["_rx"].finditer(low):
                s, e = m.span()
                if any(s < y and e > x for x, y in taken) or _excluded(low, s, e, params, pat):
                    continue
                taken.append((s, e))
                hits.append(Hit(unit=u.index, nstart=s, nend=e, confidence=pat.get("confidence"),
                                values={"match": text[s:e], "replacement": pat.get("replacement", ""),
                                        "replacement_en": pat.get("replacement_en") or pat.get("replacement", ""),
                                        "since": ""}))
    return hits


_UNIT_WORD = re.compile(r"\b(?:huyện ủy|quận ủy|thị ủy|tỉnh ủy|huyện|quận|thị xã|thành phố|tỉnh)\b", re.I)


def _trim_name(text: str, s: int, e: int) -> int:
    """End of a body name: after the unit word ("huyện"), keep only the
    capitalised words of a proper name ("UBND huyện Tư Nghĩa về …" stops
    before "về")."""
    m = None
    for m in _UNIT_WORD.finditer(text, s, e):
        pass
    if m is None:
        return e
    end = m.end()
    for w in re.finditer(r"\s+(\S+)", text[end:e]):
        word = w.group(1)
        if not word[0].isupper():
            break
        end = m.end() + w.end()
    return end


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
    for pat in pats:
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
        for k in ("unless", "replacement"):
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
        strong = [c for c in cs if c.role in ("basis", "implements")] or cs[:1]
        seen: set[int] = set()
        for c in strong:
            if c.unit in seen:
                continue
            seen.add(c.unit)
            hits.append(Hit(unit=c.unit, ostart=c.start, oend=c.end, confidence=conf,
                            values={"match": c.surface.strip(), "replacement": label,
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
        rtype = chain[0][1].type
        hits.append(Hit(unit=p.unit, ostart=p.start, oend=p.end, values={
            "match": (p.number and f"{p.doc_type or ''} {p.number}".strip()) or p.surface.strip(),
            "child": c.number or c.surface.strip(), "replacement": label,
            "relation": _REL_VI.get(rtype, rtype), "relation_en": _REL_EN.get(rtype, rtype),
            "since": _vn_date(chain[0][1].effective)}))
    return hits


# citation consistency: read from the citation extractor when it offers
# ``citation_issues(plan)``; the simple ones are also derived here from the
# plan's citations so the rules work on any extracted plan.

def _issue_get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def citation_issues(ctx: Ctx) -> list[dict[str, Any]]:
    """Issues of the plan's citations as ``{kind, unit, start, end, values}``.

    From ``checker.cite.consistency.citation_issues(citations, plan_date)`` when the
    plan's citations were extracted; otherwise derived here from the text.
    """
    cache = getattr(ctx, "_issues", None)
    if cache is not None:
        return cache
    issues: list[dict[str, Any]] = []
    fn = None
    if ctx.plan.citations:
        try:
            from checker.cite.consistency import citation_issues as fn  # type: ignore
        except Exception:  # pragma: no cover
            fn = None
    if fn is not None:
        for it in fn(ctx.plan.citations, ctx.plan.header.date) or []:
            issues.extend(_adapt_issue(ctx, it))
    else:
        issues = _derive_issues(ctx)
    ctx._issues = issues  # type: ignore[attr-defined]
    return issues


def _adapt_issue(ctx: Ctx, it: dict[str, Any]) -> list[dict[str, Any]]:
    kind = it.get("kind")
    data = dict(it.get("data") or {})
    cits = [ctx.plan.citations[i] for i in it.get("citations") or []
            if isinstance(i, int) and 0 <= i < len(ctx.plan.citations)]
    base = {"kind": kind, "unit": it.get("unit"), "start": it.get("start"), "end": it.get("end")}
    vals: dict[str, Any] = {"number": data.get("number") or it.get("surface", ""),
                            "surface": it.get("surface", "")}
    if kind == "date-conflict" and cits:
        # the right date: the catalogue's if it is one of them, else the first one written
        dates = [c.date.iso() for c in cits if c.date]
        right = data.get("catalog_date") if data.get("catalog_date") in dates else dates[0]
        ref = next(c for c in cits if c.date and c.date.iso() == right)
        out, seen = [], set()
        for c in cits:
            if not c.date or c.date.iso() == right or c.unit in seen:
                continue
            seen.add(c.unit)
            v = dict(vals, date=_vn_date(c.date.iso()), other_date=_vn_date(right),
                     other_line=ref.loc.line)
            # what the rule's notes (check params) may add to the message
            if data.get("catalog_date") == right:
                v["catalog_date"] = _vn_date(right)
            owner = _undated_parent(ctx, c)
            if owner is not None:
                v["outer_number"] = owner.number
            issue = {"kind": kind, "unit": c.unit, "start": c.start, "end": c.end, "values": v}
            if owner is not None:
                # more likely a date placed after the nested number than a wrong
                # date: a warning to re-read, not an error
                issue["severity"] = "warning"
            out.append(issue)
        return out
    if kind == "issuer-conflict" and cits:
        issuers = data.get("issuers") or []
        first = cits[0]
        out, seen = [], set()
        for c in cits[1:]:
            if c.issuer == first.issuer or c.unit in seen:
                continue
            seen.add(c.unit)
            out.append({"kind": kind, "unit": c.unit, "start": c.start, "end": c.end,
                        "values": dict(vals, issuer=c.issuer, other_issuer=first.issuer,
                                       other_line=first.loc.line, issuers="; ".join(issuers))})
        return out
    if kind == "malformed-symbol":
        vals["match"] = data.get("number_raw") or it.get("surface", "")
    if kind == "date-after-plan":
        vals["date"] = _vn_date(data.get("date"))
        vals["plan_date"] = _vn_date(data.get("plan_date"))
    if kind == "type-symbol-mismatch":
        vals["doc_type"] = data.get("doc_type", "")
        vals["expected"] = ", ".join(data.get("expected") or [])
    if kind == "catalog-date-differs":
        vals["date"] = _vn_date(data.get("date"))
        vals["catalog_date"] = _vn_date(data.get("catalog_date"))
    return [dict(base, values=vals)]


def _undated_parent(ctx: Ctx, c: Any) -> Any:
    """The undated citation whose title holds ``c`` ("NQ 11/NQ-CP sửa đổi NQ
    71/NQ-CP ngày 14/01/2026": the date may be NQ 11's)."""
    if c.parent is None or not (0 <= c.parent < len(ctx.plan.citations)):
        return None
    p = ctx.plan.citations[c.parent]
    if p.date is None and p.number and p.unit == c.unit:
        return p
    return None


def _derive_issues(ctx: Ctx) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cits = ctx.plan.citations
    by_num: dict[tuple[str, str], list] = {}
    for c in cits:
        if c.number and c.date and c.date.complete:
            key = (c.number.upper(), str(c.date.year))
            by_num.setdefault(key, []).append(c)
        for w in c.warnings:
            kind = "malformed-symbol" if "symbol" in w or "ký hiệu" in w else w.split(":")[0]
            out.append({"kind": kind, "unit": c.unit, "start": c.start, "end": c.end,
                        "values": {"number": c.number, "surface": c.surface, "detail": w}})
    h = ctx.plan.header
    if h.date is not None and h.date.year:
        latest = h.date.latest()
        for c in cits:
            if c.date and c.date.complete and latest and c.date.earliest() > latest:
                out.append({"kind": "date-after-plan", "unit": c.unit, "start": c.start, "end": c.end,
                            "values": {"number": c.number or c.surface, "date": _vn_date(c.date.iso()),
                                       "plan_date": _vn_date(h.date.iso())}})
    if not cits:
        out.extend(_text_two_dates(ctx))
    for (num, _y), cs in by_num.items():
        dates = sorted({c.date.iso() for c in cs})
        if len(dates) > 1:
            first = cs[0]
            for c in cs:
                if c.date.iso() != first.date.iso():
                    out.append({"kind": "two-dates", "unit": c.unit, "start": c.start, "end": c.end,
                                "values": {"number": num, "date": _vn_date(c.date.iso()),
                                           "other_date": _vn_date(first.date.iso()),
                                           "other_line": first.loc.line}})
    return out


_SYM_DATE = re.compile(
    r"\bsố\s+(?P<num>\d{1,5}(?:/\d{4})?\s*[-/]\s*[A-ZĐ]{1,6}(?:\s*[-/]\s*[A-ZĐ]{1,8}){0,2})"
    r"\s*,?\s*ngày\s+(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d\d)")


def _text_two_dates(ctx: Ctx) -> list[dict[str, Any]]:
    """Two dates for one number, read from the text when no citations were
    extracted ("số 469-KH/TU ngày 16/5/2025" … "số 469-KH/TU ngày 15/5/2025")."""
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    out = []
    for u in ctx.units:
        t = ctx.text(u)
        for m in _SYM_DATE.finditer(t):
            num = re.sub(r"\s+", "", m.group("num")).upper()
            try:
                d = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
            key = (num, m.group("y"))
            if key not in seen:
                seen[key] = (d.isoformat(), u.loc.line)
                continue
            first, line = seen[key]
            if first != d.isoformat():
                out.append({"kind": "two-dates", "unit": u.index, "nstart": m.start(), "nend": m.end(),
                            "values": {"number": num, "date": _vn_date(d.isoformat()),
                                       "other_date": _vn_date(first), "other_line": line}})
    return out


def _vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    p = iso.split("-")
    return "/".join(reversed(p))


def _add_notes(values: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """{detail}: the rule's notes (``{when: key, vi: …, en: …}``) whose key
    the issue carries, filled and joined."""
    active = [n for n in notes if values.get(n.get("when"))]
    if active:
        values["detail"] = " ".join(fill(n.get("vi", ""), values) for n in active)
        values["detail_en"] = " ".join(fill(n.get("en", ""), values) for n in active)


@check("citation-issue")
def check_citation_issue(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Consistency problems of the citations, selected by ``issues`` kinds."""
    kinds = set(params.get("issues") or [params.get("issue")])
    hits = []
    seen: set[tuple] = set()
    for it in citation_issues(ctx):
        if it.get("kind") not in kinds:
            continue
        key = (it.get("unit"), (it.get("values") or {}).get("match") or (it.get("values") or {}).get("number"))
        if key in seen:
            continue
        seen.add(key)
        values = dict(it.get("values") or {})
        _add_notes(values, params.get("notes") or [])
        hits.append(Hit(unit=it.get("unit"), ostart=it.get("start"), oend=it.get("end"),
                        nstart=it.get("nstart"), nend=it.get("nend"), values=values,
                        severity=it.get("severity")))
    # extra text patterns (e.g. symbols with a missing hyphen) for plans whose
    # citations were not extracted
    if params.get("patterns") and not ctx.plan.citations:
        hits.extend(_scan(ctx, params, _scope(ctx, params)))
    return hits


# ---------------------------------------------------------------- counts

_ROMAN = re.compile(r"^[IVXLC]{1,6}$")
_ARABIC = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


@check("count-mismatch")
def check_count_mismatch(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A heading that announces "N chỉ tiêu" over a list of another length.

    The items counted are the numbered rows of the table that the heading
    opens (a table split by page breaks counts as one: the same table id, or
    tables separated only by blank units), or, for a group row of such a
    table ("II | … (04)"), the numbered rows up to the next group row.
    """
    pats = _patterns(params)
    units = ctx.units
    hits = []
    for u in units:
        low = ctx.lower(u)
        group_row = bool(u.kind == "row" and u.cells and _ROMAN.match((u.cells[0] or "").strip()))
        for pat in pats:
            if pat.get("group_only") and not group_row:
                continue
            m = pat["_rx"].search(low)
            if not m:
                continue
            said = int(m.group("n"))
            counted = _count_rows(ctx, u.index, stop_at_group=group_row)
            if counted is None or counted == said:
                break
            hits.append(Hit(unit=u.index, nstart=m.start(), nend=m.end(),
                            values={"said": said, "counted": counted,
                                    "match": ctx.text(u)[m.start():m.end()],
                                    "noun": m.groupdict().get("noun") or ""}))
            break
    return hits


def _count_rows(ctx: Ctx, start: int, stop_at_group: bool) -> int | None:
    units = ctx.units
    n = 0
    seen_row = False
    i = start + 1
    while i < len(units):
        u = units[i]
        if u.kind != "row":
            if not u.text.strip():
                i += 1
                continue
            break
        seen_row = True
        first = (u.cells[0] if u.cells else "").strip()
        if _ROMAN.match(first):
            if stop_at_group:
                break
        elif _ARABIC.match(first):
            n += 1
        i += 1
    return n if seen_row else None


# ------------------------------------------------------------ past years

_YEAR = re.compile(r"\bnăm\s+(20\d\d)\b", re.I)


@check("past-year-task")
def check_past_year(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """A task written for a year before the plan's year ("năm 2025" tasks
    in a 2026 plan).  Ranges, horizons and reviews of past results are not
    tasks for that year: the words around the year are checked."""
    year = ctx.plan_year
    if not year:
        return []
    before = params.get("skip_if_before", "")
    after = params.get("skip_if_after", "")
    hits = []
    for u, text_unit in _task_units(ctx):
        low = ctx.lower(u)
        for m in _YEAR.finditer(low):
            y = int(m.group(1))
            if y >= year:
                continue
            s, e = m.span()
            if before and re.search(r"(?:" + before + r")\s*$", low[max(0, s - 40):s], re.I):
                continue
            if after and re.match(r"\s*(?:" + after + ")", low[e:e + 30], re.I):
                continue
            hits.append(Hit(unit=u.index, nstart=s, nend=e,
                            values={"year": y, "plan_year": year, "match": ctx.text(u)[s:e]}))
            break
    return hits


def _task_units(ctx: Ctx) -> list[tuple[Unit, Any]]:
    """Units holding tasks: from plan.tasks, else the items under headings
    whose title says NHIỆM VỤ / GIẢI PHÁP (list items and table rows)."""
    if ctx.plan.tasks:
        seen, out = set(), []
        for t in ctx.plan.tasks:
            u = ctx.unit(t.unit)
            if u is not None and u.index not in seen:
                seen.add(u.index)
                out.append((u, t))
        return out
    out = []
    inside = False
    for u in ctx.units:
        t = ctx.text(u)
        if _looks_heading(t) and u.kind != "row":
            inside = bool(re.search(r"nhiệm vụ|giải pháp", t, re.I)) and not re.search(
                r"mục tiêu|mục đích|tổ chức thực hiện", t, re.I)
            continue
        if inside and t.strip() and (u.kind == "row" or re.match(r"^\s*(?:[-+•]|[a-zđ]\)|\d+(?:\.\d+)*[.)])", t)):
            out.append((u, None))
    return out


# ------------------------------------------------------------ task fields

_FIELD_NAMES = {
    "lead": ("đơn vị chủ trì", "lead unit"),
    "product": ("sản phẩm", "product"),
    "deadline": ("thời hạn", "deadline"),
}


@check("task-field-missing")
def check_task_fields(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Tasks of task tables without lead unit, product or deadline.

    When no task of a table has the field (the table has no such column),
    one finding is given for the table instead of one per task.
    """
    fields = params.get("fields") or ["lead", "product", "deadline"]
    only_tables = params.get("tables_only", True)
    tasks = [t for t in ctx.plan.tasks if (t.in_table or t.source == "table") or not only_tables]
    if not tasks:
        return []
    groups: dict[Any, list] = {}
    for t in tasks:
        u = ctx.unit(t.unit)
        groups.setdefault(u.table if u is not None and u.table is not None else ("s", t.section), []).append(t)
    hits = []
    for _, ts in groups.items():
        whole = [f for f in fields if all(not getattr(t, f) for t in ts)]
        if whole and len(ts) > 1:
            hits.append(Hit(unit=ts[0].unit, values={
                "fields": ", ".join(_FIELD_NAMES[f][0] for f in whole),
                "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in whole),
                "task": _short(ts[0].text), "count": len(ts), "scope": "table"},
                key="table:" + ",".join(whole)))
        for t in ts:
            miss = [f for f in fields if f not in whole and not getattr(t, f)]
            if miss:
                hits.append(Hit(unit=t.unit, values={
                    "fields": ", ".join(_FIELD_NAMES[f][0] for f in miss),
                    "fields_en": ", ".join(_FIELD_NAMES[f][1] for f in miss),
                    "task": _short(t.text), "count": 1, "scope": "task"}))
    return hits


def _short(s: str, n: int = 80) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


@check("vague-deadline")
def check_vague_deadline(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Deadlines such as "Thường xuyên" or "Hằng năm" that set no date.

    Reads task deadlines when tasks were extracted, else the cells of table
    rows.  More than ``aggregate_over`` hits become one finding that lists
    the lines, so the report stays readable.
    """
    words = [fold(_norm(w)).strip() for w in params.get("values") or []]
    hits: list[Hit] = []
    if ctx.plan.tasks:
        for t in ctx.plan.tasks:
            if params.get("tables_only", True) and not (t.in_table or t.source == "table"):
                continue
            if t.deadline and fold(_norm(t.deadline)).strip(" .;") in words:
                hits.append(Hit(unit=t.unit, values={"deadline": t.deadline.strip(), "task": _short(t.text)}))
    else:
        for u in ctx.units:
            if u.kind != "row" or not u.cells or len(u.cells) < 3:
                continue
            for k, cell in enumerate(u.cells[1:], start=1):
                if fold(_norm(cell)).strip(" .;") in words:
                    s, e = (u.cell_spans[k] if u.cell_spans and k < len(u.cell_spans) else (None, None))
                    hits.append(Hit(unit=u.index, ostart=s, oend=e,
                                    values={"deadline": cell.strip(), "task": _short(u.cells[1])}))
                    break
    limit = int(params.get("aggregate_over", 0) or 0)
    if limit and len(hits) > limit:
        lines = [ctx.unit(h.unit).loc.line for h in hits if ctx.unit(h.unit) is not None]
        first = hits[0]
        shown = ", ".join(str(x) for x in lines[:30]) + ("…" if len(lines) > 30 else "")
        first.values = dict(first.values, count=len(hits), lines=shown,
                            more=f"{len(hits)} nhiệm vụ có thời hạn như vậy (dòng {shown}).",
                            more_en=f"{len(hits)} tasks have such deadlines (lines {shown}).")
        first.key = "aggregate"
        return [first]
    return hits


# --------------------------------------------------------------- structure

@check("required-section")
def check_required_section(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Required parts of a plan, by section role or by heading wording.

    ``parts``: [{role, name_vi, name_en, titles: [regex], text: [regex]}];
    a part is present if a section has the role, a heading matches one of
    ``titles``, or (for parts often written as a paragraph, like funding)
    any unit matches one of ``text``.
    """
    skip = params.get("skip_kinds")
    if skip:
        kind = ctx.plan.header.kind or " ".join(
            ctx.text(u) for u in [u for u in ctx.units if u.text.strip()][:6])
        if re.search(skip, kind, re.I):
            return []
    roles = {s.role for s in ctx.plan.sections if s.role}
    heads = ctx.heading_units()
    hits = []
    for part in params.get("parts") or []:
        alts = [part["role"]] + list(part.get("also_roles") or [])
        if any(r in roles for r in alts):
            continue
        titles = [re.compile(p, re.I) for p in part.get("titles") or []]
        if any(rx.search(ctx.lower(u)) for u in heads for rx in titles):
            continue
        texts = [re.compile(p, re.I) for p in part.get("text") or []]
        if texts and any(rx.search(ctx.lower(u)) for u in ctx.units for rx in texts):
            continue
        hits.append(Hit(unit=None, values={"part": part.get("name_vi", part["role"]),
                                           "part_en": part.get("name_en", part["role"])},
                        key="part:" + part["role"]))
    return hits


# ----------------------------------------------------------------- targets

def _reference_targets(ctx: Ctx, params: dict) -> list[dict[str, Any]]:
    """Numeric targets of the reference sets: those of the mandates in the
    coverage and the set-level targets of ``result.references``."""
    out: list[dict[str, Any]] = []
    cov = ctx.result.coverage
    if cov is not None:
        for ms in cov.mandates:
            m = ms.mandate
            for t in m.targets or []:
                out.append(dict(t, mandate=t.get("mandate") or m.id, reference=m.reference))
    try:
        from checker.mandates.load import load_set

        for ref in ctx.result.references or []:
            ms = load_set(ref)
            for t in ms.targets:
                out.append(dict(t, mandate=t.get("mandate") or t.get("id", ""), reference=ms.id))
    except Exception:  # pragma: no cover - reference sets unavailable
        pass
    for t in params.get("targets") or []:  # local targets given by a rule
        out.append(dict(t))
    clean, seen = [], set()
    for t in out:
        text = t.get("indicator") or t.get("text")
        try:
            value = float(t.get("value"))
        except (TypeError, ValueError):
            continue
        if not text or not t.get("year"):
            continue
        key = (text, value, t.get("year"))
        if key in seen:
            continue
        seen.add(key)
        clean.append(dict(t, indicator=text, value=value))
    return clean


_CMP = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">=", "<": "<="}


@check("weak-target")
def check_weak_target(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """An indicator whose target is weaker than the reference target for the
    same indicator and the same year (only same-year pairs are compared)."""
    targets = [t for t in _reference_targets(ctx, params)
               if t.get("value") is not None and t.get("year") and t.get("indicator")]
    inds = [i for i in ctx.plan.indicators if i.value is not None]
    if not targets or not inds:
        return []
    from rapidfuzz import fuzz

    thr = float(params.get("threshold", 85))
    hits = []
    for ind in inds:
        year = ind.year or (params.get("default_year_from_plan") and ctx.plan_year)
        if not year:
            continue
        key = squash(_norm(ind.text))
        best, best_t = 0.0, None
        for t in targets:
            if int(t["year"]) != int(year) or _CMP.get(str(t.get("comparator") or ">=")) is None:
                continue
            if t.get("unit") and ind.measure and squash(str(t["unit"])) != squash(ind.measure):
                continue
            sc = fuzz.token_set_ratio(key, squash(_norm(str(t["indicator"]))))
            if sc > best:
                best, best_t = sc, t
        if best_t is None or best < thr:
            continue
        cmp = _CMP.get(str(best_t.get("comparator") or ">="))
        if cmp is None:  # "~", "qualitative": nothing to compare
            continue
        ref = float(best_t["value"])
        weaker = ind.value < ref if cmp == ">=" else ind.value > ref
        if weaker:
            hits.append(Hit(unit=ind.unit, values={
                "indicator": _short(ind.text, 70), "value": _num(ind.value), "ref_value": _num(ref),
                "comparator": best_t.get("comparator") or "≥", "year": year,
                "measure": ind.measure or best_t.get("unit") or "",
                "reference": best_t.get("reference", ""), "mandate": best_t.get("mandate", ""),
                "score": round(best, 1)}))
    return hits


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


# ---------------------------------------------------------------- mandates

@check("missing-mandate")
def check_missing_mandate(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Mandates the coverage found missing (required ones only)."""
    cov = ctx.result.coverage
    if cov is None:
        return []
    statuses = set(params.get("statuses") or ["missing"])
    anchor = None
    for s in ctx.plan.sections:
        if s.role in ("tasks", "solutions"):
            anchor = s.unit
            break
    hits = []
    for ms in cov.mandates:
        m = ms.mandate
        if ms.status not in statuses or not m.required:
            continue
        vals = {"mandate": m.id, "title": m.title, "reference": m.reference, "group": m.group,
                "description": m.description}
        if ms.mentions:
            e = ms.mentions[0]
            vals["detail"] = fill(params.get("mentioned_vi", ""), {"location": e.location})
            vals["detail_en"] = fill(params.get("mentioned_en", ""),
                                     {"location": location_label(e.location, "en")})
            vals["mentioned_line"] = e.line
        hits.append(Hit(unit=anchor, values=vals, key="mandate:" + m.id))
    return hits


# ------------------------------------------------------------------ engine

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
    values = vals_vi
    sev = hit.severity or rule.severity
    if conf == "belief" and sev == "error":
        sev = "warning"
    f = Finding(rule=rule.code, category=rule.category, severity=sev, message=msg, suggestion=sug,
                line=u.loc.line if u is not None else None,
                location=u.loc.human if u is not None else None,
                unit=u.index if u is not None else None, start=start, end=end,
                excerpt=_excerpt(u, start, end) if u is not None else None, slug=rule.slug,
                data={k: v for k, v in values.items() if isinstance(v, (str, int, float)) and v != ""})
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


def run_rule(ctx: Ctx, rule: Any, lang: str = "vi") -> list[Finding]:
    fn = CHECKS[rule.kind]
    return [_finding(ctx, rule, h, lang) for h in fn(ctx, rule, rule.params)]


def evaluate(result: CheckResult, rules: list | None = None, config: Any = None,
             lang: str = "vi") -> list[Finding]:
    """All findings of the rules in force at ``result.as_of``, located,
    fingerprinted, configured and sorted by line."""
    from checker.judge import baseline as _baseline
    from checker.judge.rulepack import load_rules

    if rules is None:
        rules = load_rules()
    ctx = Ctx(result, lang)
    disabled = set(getattr(config, "disabled", None) or [])
    findings: list[Finding] = []
    for rule in rules:
        if rule.code in disabled or rule.category in disabled:
            continue
        if not rule.applies(ctx.as_of):
            continue
        findings.extend(run_rule(ctx, rule, lang))
    findings = _dedupe(findings)
    _baseline.assign_fingerprints(findings, result.plan)
    if config is not None:
        config.apply(findings, ctx.as_of)
    findings.sort(key=lambda f: (f.line is None, f.line or 0, f.start or 0, f.rule))
    return findings


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


def reaches(severity: str | None, fail_on: str = "error") -> bool:
    """Whether a finding of ``severity`` fails a run with ``--fail-on``."""
    if fail_on == "never":
        return False
    return SEVERITY_RANK.get(severity or "", 0) >= SEVERITY_RANK.get(fail_on, 3)


def exit_code(findings: list[Finding], fail_on: str = "error") -> int:
    """0 when no active finding reaches ``fail_on`` (error|warning|info|never),
    else 1.  Waived and baselined findings never fail a run."""
    return int(any(not f.waived and reaches(f.severity, fail_on) for f in findings))
