"""The document catalogue and the list of abolished bodies, as data.

``reference/documents.yaml`` holds the documents plans cite (id, type, number,
date, issuer, level, title, aliases, relations, confidence); ``bodies.yaml``
holds bodies that no longer exist.  Both are loaded once per process through
:mod:`checker.resources`.  Old→new province names come from underthesea's
address converter (post-2025 data), loaded lazily.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from checker import resources
from checker.normalize import fold, norm, squash

LEVELS = ["party-central", "national-assembly", "government", "prime-minister",
          "ministry", "province-party", "province", "district", "commune-party", "commune"]


def parse_date(value: Any) -> tuple[int | None, int | None, int | None]:
    """``"2025-03-07"`` / ``"2025-03"`` / ``"2025"`` → (year, month, day)."""
    if value is None:
        return None, None, None
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    parts = [int(p) for p in str(value).split("-") if p]
    parts += [None] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def to_date(value: Any) -> dt.date | None:
    """A complete ISO date (or date) → ``date``; partial dates → earliest day."""
    y, m, d = parse_date(value)
    if y is None:
        return None
    return dt.date(y, m or 1, d or 1)


# document types in English, for reports in English (the number stays as issued)
TYPE_EN = {
    "Hiến pháp": "Constitution", "Luật": "Law", "Nghị quyết": "Resolution", "Nghị định": "Decree",
    "Quyết định": "Decision", "Quy định": "Regulation", "Chỉ thị": "Directive", "Kết luận": "Conclusion",
    "Kế hoạch": "Plan", "Kế hoạch hành động": "Action plan", "Chương trình": "Programme",
    "Chương trình hành động": "Action programme", "Thông báo": "Notice", "Thông tư": "Circular",
    "Hướng dẫn": "Guidance", "Báo cáo": "Report", "Tờ trình": "Submission", "Công văn": "Official letter",
    "Đề án": "Scheme", "Quy chế": "Rules", "Văn bản": "Document", "Bộ luật": "Code", "Chiến lược": "Strategy", "Công điện": "Official dispatch", "Pháp lệnh": "Ordinance",
}

@dataclass
class Relation:
    type: str  # amends | supersedes | replaced_by | implements | amended_by
    target: str
    effective: str | None = None
    confidence: str | None = None

    def effective_date(self) -> dt.date | None:
        return to_date(self.effective)


@dataclass
class Document:
    id: str
    type: str
    number: str
    date: str | None
    issuer: str | None
    level: str
    title: str | None = None
    subject: str | None = None
    subject_vi: str | None = None
    aliases: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    status: str | None = None
    source: str | None = None
    confidence: str = "verified"
    facts: dict[str, str] = field(default_factory=dict)
    place: str | None = None
    effective_from: str | None = None
    horizon: str | None = None
    pre_merger: bool = False

    def description(self, lang: str = "vi") -> str | None:
        """Official title, else our own description in ``lang``."""
        if self.title:
            return self.title
        return (self.subject_vi or self.subject) if lang == "vi" else (self.subject or self.subject_vi)

    @property
    def year(self) -> int | None:
        return parse_date(self.date)[0]

    def fact_confidence(self, fact: str) -> str:
        """Confidence of one fact (``date``, ``issuer``, ``existence`` ...)."""
        return self.facts.get(fact, self.confidence)

    def label(self, lang: str = "vi") -> str:
        """"Nghị quyết 71/NQ-CP ngày 01/04/2025" (en: "Resolution 71/NQ-CP of 01/04/2025")."""
        y, m, d = parse_date(self.date)
        if d:
            ds = f"{d:02d}/{m:02d}/{y}"
        elif m:
            ds = f"{m:02d}/{y}"
        else:
            ds = str(y) if y else ""
        if lang == "en":
            kind = TYPE_EN.get(self.type, self.type)
            return f"{kind} {self.number}" + (f" of {ds}" if d else (f" ({ds})" if ds else ""))
        return f"{self.type} {self.number}" + (f" ngày {ds}" if d else (f" ({ds})" if ds else ""))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "number": self.number, "date": self.date,
            "issuer": self.issuer, "level": self.level, "title": self.title,
            "subject": self.subject, "subject_vi": self.subject_vi, "aliases": self.aliases,
            "relations": [r.__dict__ for r in self.relations], "status": self.status,
            "source": self.source, "confidence": self.confidence, "facts": self.facts,
            "place": self.place,
        }


@lru_cache(maxsize=4096)
def number_key(number: str) -> str:
    """Comparison key of a canonical number: accent-free, upper case, no spaces,
    no leading zeros ("03/NQ-CP" == "3/NQ-CP")."""
    return re.sub(r"^0+(?=\d)", "", fold(number).replace(" ", "").upper())


def loose_key(number: str) -> str:
    """number_key without separators: '57/NQ-TW' and '57-NQ/TW' agree."""
    return re.sub(r"[-/\s]", "", number_key(number))


@lru_cache(maxsize=4096)
def issuer_key(issuer: str | None) -> str:
    """Comparable issuer form: 'Ủy ban nhân dân tỉnh Đồng Nai' == 'UBND tỉnh Đồng Nai'."""
    if not issuer:
        return ""
    s = squash(norm(issuer))
    s = re.sub(r"\buy ban nhan dan\b", "ubnd", s)
    s = re.sub(r"\bhoi dong nhan dan\b", "hdnd", s)
    s = re.sub(r"\bban thuong vu\b", "btv", s)
    return s


@lru_cache(maxsize=4096)
def place_key(text: str | None) -> str:
    return squash(norm(text or "")).replace(" ", "-")


class Catalog:
    """All catalogue documents with lookups by id, number, alias and relation."""

    def __init__(self, data: dict[str, Any], version: str):
        self.version = version
        self.symbol_codes: dict[str, list[str]] = {
            k: list(v) for k, v in (data.get("symbol_codes") or {}).items()}
        self.documents: dict[str, Document] = {}
        for raw in data.get("documents") or []:
            raw = dict(raw)
            rels = [Relation(**r) for r in raw.pop("relations", []) or []]
            doc = Document(relations=rels, **raw)
            if doc.id in self.documents:
                raise ValueError(f"duplicate catalogue id {doc.id}")
            self.documents[doc.id] = doc
        self._by_number: dict[str, list[Document]] = {}
        self._by_loose: dict[str, list[Document]] = {}
        self._aliases: dict[str, list[Document]] = {}
        for doc in self.documents.values():
            self._by_number.setdefault(number_key(doc.number), []).append(doc)
            self._by_loose.setdefault(loose_key(doc.number), []).append(doc)
            for a in doc.aliases:
                self._aliases.setdefault(squash(norm(a)), []).append(doc)
        # incoming relations (so a document knows what amends it)
        self._incoming: dict[str, list[tuple[str, Relation]]] = {}
        for doc in self.documents.values():
            for r in doc.relations:
                self._incoming.setdefault(r.target, []).append((doc.id, r))

    # -- lookups -------------------------------------------------------
    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self):
        return iter(self.documents.values())

    def get(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def find(self, doc_type: str | None, number: str, year: int | None = None,
             issuer: str | None = None) -> list[Document]:
        """Catalogue documents with this number (and year / issuer when given).

        A number alone can match several documents (11/NQ-CP of 2022 and of
        2026); the caller decides what an ambiguous answer means.
        """
        hits = list(self._by_number.get(number_key(number), []))
        if year is not None:
            hits = [d for d in hits if d.year == year]
        if doc_type:
            typed = [d for d in hits if _type_fits(doc_type, d.type)]
            hits = typed
        if issuer:
            ik = issuer_key(issuer)
            kept = [d for d in hits if _issuer_fits(ik, d)]
            hits = kept
        return hits

    def find_loose(self, number: str) -> list[Document]:
        """Documents whose number matches once separators are ignored
        ("57/NQ-TW" written for 57-NQ/TW)."""
        return list(self._by_loose.get(loose_key(number), []))

    def find_incomplete(self, doc_type: str | None, number_year: str) -> list[Document]:
        """Documents whose number starts with "45/2025" (a number written without its symbol)."""
        key = number_key(number_year) + "/"
        return [d for d in self.documents.values() if number_key(d.number).startswith(key)
                and (not doc_type or _type_fits(doc_type, d.type))]

    def by_alias(self, text: str) -> list[Document]:
        """Documents whose alias is exactly ``text`` (normalised, accent-free)."""
        return list(self._aliases.get(_alias_key(text), []))

    def aliases(self) -> dict[str, list[Document]]:
        return self._aliases

    def relations(self, doc_id: str) -> list[Relation]:
        doc = self.documents.get(doc_id)
        return list(doc.relations) if doc else []

    def incoming(self, doc_id: str) -> list[tuple[str, Relation]]:
        """(source id, relation) pairs whose target is ``doc_id``."""
        return list(self._incoming.get(doc_id, []))

    def successors(self, doc_id: str, as_of: dt.date) -> list[tuple[str, Relation]]:
        """Documents that replaced or amended ``doc_id`` on or before ``as_of``."""
        out = []
        doc = self.documents.get(doc_id)
        if not doc:
            return out
        for r in doc.relations:
            if r.type in ("replaced_by", "amended_by"):
                eff = r.effective_date()
                if eff is not None and eff <= as_of:
                    out.append((r.target, r))
        return out

    def current_version(self, doc_id: str, as_of: dt.date) -> str:
        """Follow replaced_by / amended_by relations in force at ``as_of``.

        Relations tagged ``seed`` or ``belief`` are followed too; callers that
        need certainty check :meth:`replacement_chain` confidences.
        """
        chain = self.replacement_chain(doc_id, as_of)
        return chain[-1][0] if chain else doc_id

    def replacement_chain(self, doc_id: str, as_of: dt.date) -> list[tuple[str, Relation]]:
        """[(next id, relation), ...] from ``doc_id`` to its current version."""
        chain: list[tuple[str, Relation]] = []
        seen = {doc_id}
        cur = doc_id
        while True:
            nxt = self.successors(cur, as_of)
            if not nxt:
                return chain
            # prefer replaced_by over amended_by, then the latest effective date
            nxt.sort(key=lambda t: (t[1].type != "replaced_by", -(t[1].effective_date() or dt.date.min).toordinal()))
            target, rel = nxt[0]
            if target in seen:
                return chain
            seen.add(target)
            chain.append((target, rel))
            cur = target

    def types_for_code(self, code: str) -> list[str] | None:
        """Document types a symbol code (NQ, QĐ, KH ...) fits, None if unknown."""
        return self.symbol_codes.get(code) or self.symbol_codes.get(code.upper())


@lru_cache(maxsize=4096)
def _alias_key(text: str) -> str:
    return squash(norm(text))


@lru_cache(maxsize=1024)
def _type_fits(cited: str, catalogue: str) -> bool:
    a, b = squash(cited), squash(catalogue)
    return a == b or a.startswith(b) or b.startswith(a)


def _issuer_fits(ik: str, doc: Document) -> bool:
    """Does a cited issuer (issuer_key) agree with a catalogue document?"""
    if not ik:
        return True
    dk = issuer_key(doc.issuer)
    if ik == dk or ik in dk or dk in ik:
        return True
    if doc.place and squash(norm(doc.place)) in ik:
        return True
    # generic national bodies written differently ("Thủ tướng" vs "Thủ tướng Chính phủ")
    return any(w in ik and w in dk for w in ("thu tuong", "bo chinh tri", "quoc hoi"))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    text = resources.read_text("reference", "documents.yaml")
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    # parsed once per content (on-disk cache, checker.resources.cached)
    data = resources.cached("catalog", [yaml.__version__, text], lambda: _yaml_load(text) or {})
    return Catalog(data, version)


def _yaml_load(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


# ---------------------------------------------------------------- bodies
@dataclass
class BodyRule:
    id: str
    kind: str  # district | ministry | department | province | party-body
    patterns: list[str]
    abolished_from: str
    replacement: dict[str, str]
    basis: str | None = None
    confidence: str = "verified"
    source: str | None = None
    old_name: str | None = None  # provinces: the old unit name
    new_name: str | None = None
    _compiled: list[re.Pattern] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._compiled = [re.compile(_norm_words(p), re.IGNORECASE) for p in self.patterns]

    @property
    def abolished_date(self) -> dt.date:
        return to_date(self.abolished_from)

    def applies(self, as_of: dt.date) -> bool:
        return as_of >= self.abolished_date

    def search(self, norm_text: str) -> list[tuple[int, int, str]]:
        """Matches ``(start, end, text)`` in a unit's ``norm`` text."""
        out = []
        for pat in self._compiled:
            for m in pat.finditer(norm_text):
                s, e = m.span()
                while s < e and norm_text[s].isspace():
                    s += 1
                out.append((s, e, norm_text[s:e]))
        out.sort()
        return out


def _norm_words(pattern: str) -> str:
    """Put the words of a regex in the analysis form (NFC, one tone style)
    without touching its syntax (normalize() would drop '$' and '**')."""
    return re.sub(r"[^\W\d_]+", lambda m: norm(m.group(0)), pattern)


@lru_cache(maxsize=1)
def _body_data() -> dict[str, Any]:
    text = resources.read_text("reference", "bodies.yaml")
    return resources.cached("bodies", [yaml.__version__, text], lambda: _yaml_load(text) or {})


@lru_cache(maxsize=1)
def bodies() -> tuple[BodyRule, ...]:
    """Hand rules of bodies.yaml plus one rule per merged-away province."""
    rules = [BodyRule(**b) for b in _body_data().get("bodies") or []]
    rules.extend(province_rules())
    return tuple(rules)


@lru_cache(maxsize=1)
def province_map() -> dict[str, str]:
    """Old province name → new province name (01/07/2025), from underthesea.

    Only provinces that were merged into another one are returned (a province
    that kept its name maps to itself and is left out).  Empty when the
    converter is not installed.
    """
    data_path = _converter_data_path()
    if data_path is None:  # pragma: no cover - underthesea missing
        return {}

    def stamp() -> list[str]:  # the 4.8 MB file by name, size and time, not read to be hashed
        st = data_path.stat()
        return [str(data_path), str(st.st_size), str(st.st_mtime_ns)]

    # built once per installed converter file (on-disk cache, checker.resources.cached)
    return resources.cached("province-map", stamp, lambda: _province_map_from(data_path))


def _province_map_from(data_path) -> dict[str, str]:
    try:
        import json
        with open(data_path, encoding="utf-8") as f:
            data = json.load(f)
        mapping, old_names, new_names = (data["province_mapping"], data["old_province_names"],
                                         data["province_names"])
    except Exception:  # pragma: no cover - layout changed: use the public API
        from underthesea.address import convert_address
        from underthesea.address import converter as conv
        conv._load_data()
        old_names = conv._index["old_province_names"]
        mapping, new_names = {}, {}
        for key, info in old_names.items():
            res = convert_address(info["name"])
            if res.new.province:
                mapping[key] = key + "#new"
                new_names[key + "#new"] = {"name": res.new.province}
    out: dict[str, str] = {}
    for old_key, info in old_names.items():
        new = (new_names.get(mapping.get(old_key, ""), {}) or {}).get("name", "")
        if new and _strip_kind(new) != _strip_kind(info["name"]):
            out[_strip_kind(info["name"])] = _strip_kind(new)
    return out


def _converter_data_path():
    """The mapping file of underthesea's address converter, found without
    importing underthesea (its package import costs ~0.8 s)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "address" / "data" / "mapping.json"
        if p.exists():
            return p
    return None


def _strip_kind(name: str) -> str:
    return re.sub(r"^(Tỉnh|Thành phố|TP\.?)\s+", "", name.strip(), flags=re.I)


def province_rules() -> list[BodyRule]:
    """One BodyRule per pre-merger province name (abolished 01/07/2025)."""
    rules = []
    for old, new in sorted(province_map().items()):
        pat = r"\b(?:tỉnh|thành phố|TP\.?)\s+" + _loose(old) + r"\b"
        rules.append(BodyRule(
            id=f"province-{place_key(old)}", kind="province", patterns=[pat],
            abolished_from="2025-07-01",
            replacement={"vi": f"tỉnh/thành phố {new} (sau sắp xếp)",
                         "en": f"{new} (after the 2025 merger)"},
            basis="202/2025/QH15@2025", confidence="verified",
            source="underthesea address converter; facts §4.2",
            old_name=old, new_name=new))
    return rules


def _loose(name: str) -> str:
    """Regex for a place name that accepts Đắk/Đăk and both tone styles."""
    n = norm(name)
    parts = [re.escape(p) for p in n.split()]
    parts = [re.sub(r"Đ[ắă]k", "Đ[ắă]k", p) for p in parts]
    return r"\s+".join(parts)


def level_rank(level: str | None) -> int:
    try:
        return LEVELS.index(level or "")
    except ValueError:
        return len(LEVELS)
