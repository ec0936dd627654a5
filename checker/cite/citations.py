"""Find, canonicalise and resolve every document a plan cites.

Three passes, in the manner of eyecite:

1. **tokenize** - one scan of each unit's ``norm`` text with precompiled
   patterns: a document type followed by a number/symbol ("Nghị quyết số
   57-NQ/TW"), a short form ("Nghị quyết số 57", "Đề án 06"), a bare symbol
   ("469-KH/TU"), or a catalogue name ("Luật Giao dịch điện tử"); then the date
   and issuer that follow it, and alias declarations "(gọi tắt là …)";
2. **resolve** - type + number + year (+ issuer) against the catalogue
   (:mod:`checker.cite.catalog`); a number alone is not an identity, so a number
   with several catalogue documents and no year stays unresolved
   ("ambiguous"); short forms resolve only when exactly one candidate remains;
   documents the catalogue does not know get a local id (number@year~place);
3. **annotate** - role (basis / implements / attachment / mention), parent
   (a citation inside another citation's title), warnings.

Nested citations (inside another citation's title) always get role
"mention" and ``parent`` = index of the enclosing citation: they are what the
cited document rests on, not what the plan rests on.  The graph turns the
parent link into an edge between the two documents.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from checker.cite.catalog import Catalog, _norm_words, catalog, issuer_key, number_key, place_key
from checker.model import Citation, Header, PartialDate, Unit
from checker.normalize import norm, squash

# ------------------------------------------------------------------ patterns
DOC_TYPES = [
    "Kế hoạch hành động", "Chương trình hành động", "Thông tư liên tịch", "Nghị quyết",
    "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch", "Chương trình",
    "Thông tư", "Công văn", "Hướng dẫn", "Thông báo", "Bộ luật", "Luật", "Đề án", "Quy chế",
    "Quy định", "Báo cáo", "Tờ trình", "Văn bản",
]
# abbreviations written before a number ("NQ 57", "QĐ số 1169/QĐ-TTg")
TYPE_ABBR = {"NQ": "Nghị quyết", "NĐ": "Nghị định", "QĐ": "Quyết định", "KH": "Kế hoạch"}

# number/symbol: 57-NQ/TW · 03/NQ-CP · 04/2025/NQ-CP · 20/2023/QH15 · 92/KHUBND · 57- NQ/TW
_SEG = r"[A-ZĐ][A-Za-zĐđ&]*\d*"
_NUM = (rf"(?P<num>\d{{1,5}})(?:\s*/\s*(?P<nyear>(?:19|20)\d{{2}}))?(?P<sp1>[ \t]*)(?P<sep>[-/])"
        rf"(?P<sp2>[ \t]*)(?P<sym>{_SEG}(?:[-/]{_SEG})*)")
_NO = r"(?:(?i:số)\s*:?\s*)?"

# no leading look-behind, so the engine can skip ahead fast
BARE_RE = re.compile(rf"{_NUM}(?![\w])")  # the character before is checked by _bare_start
LAW_RE = re.compile(rf"(?<![\w])(?P<type>(?:Bộ )?Luật)(?P<lname>(?:\s+[^\s\d,;:()“”\"]+){{1,10}}?)\s+{_NO}{_NUM}(?![\w])")

_DATE_NUM = r"(?P<d>\d{1,2})?\s*[/.-]\s*(?P<m>\d{1,2})?\s*[/.-]\s*(?P<y>(?:19|20)\d{2})(?!\d)"
_DATE_WORDS = r"(?P<d>\d{1,2})?\s*(?i:tháng)\s*(?P<m>\d{1,2})?\s*(?i:năm)\s*(?P<y>(?:19|20)\d{2})(?!\d)"
DATE_AFTER_RE = re.compile(
    r"\s*,?\s*(?:(?i:được\s+)?(?i:ban hành\s+))?(?i:ngày)\s*(?:" + _DATE_NUM + "|"
    + _DATE_WORDS.replace("?P<d>", "?P<d2>").replace("?P<m>", "?P<m2>").replace("?P<y>", "?P<y2>") + ")")
DATE_BARE_RE = re.compile(r"\s*,?\s*\(?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})(?!\d)")
YEAR_AFTER_RE = re.compile(r"\s*(?i:năm)\s+(?P<y>(?:19|20)\d{2})(?!\d)")

_ISSUER_HEADS = [
    r"Hội nghị lần thứ [\wÀ-ỹ]+,? Ban Chấp hành Trung ương(?: Đảng)?",
    r"Ban Chấp hành Trung ương(?: Đảng)?", r"Ban Chấp hành Đảng bộ(?: tỉnh| thành phố| huyện| xã| phường)?",
    r"Ban Thường vụ (?:Tỉnh ủy|Thành ủy|Huyện ủy|Đảng ủy(?: xã| phường)?)",
    r"Bộ Chính trị(?:,? Ban Bí thư)?", r"Ban Bí thư", r"Ban [Cc]hỉ đạo", r"Thủ tướng Chính phủ",
    r"Phó Thủ tướng Chính phủ", r"Thủ tướng", r"Chính phủ", r"Ủy ban Thường vụ Quốc hội", r"Quốc hội",
    r"Văn phòng Chính phủ", r"Văn phòng Trung ương Đảng", r"Tỉnh ủy", r"Thành ủy", r"Huyện ủy",
    r"Đảng ủy(?: xã| phường)?",
    r"(?:UBND|Ủy ban nhân dân|HĐND|Hội đồng nhân dân)(?: (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn))?",
    r"Bộ(?= [A-ZĐ])", r"Sở(?= [A-ZĐ])", r"Ban(?= [A-ZĐ])",
]
ISSUER_RE = re.compile(r"\s*,?\s*(?i:của)\s+(?P<head>" + "|".join(_norm_words(h) for h in _ISSUER_HEADS) + r")")
_LONG_STOP = re.compile(r"(?i:triển khai|thực hiện|về\b|v/v|ban hành|phê duyệt|trên địa bàn|tại\b|nhằm|giai đoạn|năm \d)")
_STOP_WORDS = {"về", "triển", "thực", "ban", "phê", "sửa", "hướng", "quy", "trên", "tại", "theo",
               "năm", "đến", "giai", "nhằm", "để", "và", "v/v", "việc", "(khóa", "khóa"}
ALIAS_RE = re.compile(r"\(\s*(?i:sau đây\s+)?(?i:(?:được\s+)?(?:gọi|viết))\s+(?i:tắt\s+)?(?i:là)\s+(?P<alias>[^()]{2,120}?)\s*\)")
_CONNECT_RE = re.compile(r"^\s*,?\s*(?i:về|thực hiện|triển khai|ban hành|sửa đổi|bổ sung|phê duyệt|cập nhật|hướng dẫn|quy định|v/v|để|nhằm|tổ chức thực hiện|cụ thể hóa)\b")
_SIBLING_RE = re.compile(r"^\s*(?:,|và|;)?\s*(?:(?i:và)\s+)?(?:(?i:các)\s+)?$")
_SEGMENT_SPLIT = re.compile(r";|\.\s+(?=[A-ZĐ])")
_BASIS_START = re.compile(r"^[\s\-–•*+>#]*(?i:căn cứ)\b")
_IMPL_START = re.compile(r"^[\s\-–•*+>#]*(?i:(?:về việc\s+|v/v\s+)?(?:tiếp tục\s+)?(?:triển khai\s+)?(?:thực hiện|triển khai))\b")
_ATTACH = re.compile(r"(?i:kèm theo)\s*$")
_HEADING_I = re.compile(r"^[\s#*]*(?:I|1)\s*[.)/-]\s*\S")
_DIGIT = re.compile(r"\d")
_SELF_NUMBER = re.compile(r"(?i:số)\s*:\s*$")

# issuer codes that may follow a type code without the hyphen: "KHUBND" → "KH-UBND"
ISSUER_CODES = ["UBND", "HĐND", "CP", "TTg", "TW", "TU", "HU", "ĐU", "BCĐTW", "BCĐ", "VPCP",
                "VPTW", "BCT", "BKHCN", "BTTTT", "BNV", "BTC", "UBTVQH", "QH"]


@dataclass
class _Raw:
    unit: Unit
    start: int  # norm offsets
    end: int
    doc_type: str | None
    number: str | None  # canonical (None for short forms)
    number_raw: str | None
    short: str | None = None  # "57" in "Nghị quyết số 57"
    year_hint: int | None = None
    date: PartialDate | None = None
    date_raw: str | None = None
    issuer: str | None = None
    named: list[str] | None = None  # catalogue ids whose name (alias) this is
    warnings: list[str] | None = None
    alias_of: int | None = None  # index (in raws) of the citation an alias names
    alias_text: str | None = None


# ------------------------------------------------------------------ canonical forms
def canonical_symbol(num: str, nyear: str | None, sep: str, sym: str, sp1: str = "",
                     sp2: str = "", cat: Catalog | None = None) -> tuple[str, list[str]]:
    """Canonical number/symbol and the warnings its written form earns."""
    warnings: list[str] = []
    if sp1 or sp2:
        warnings.append("malformed-symbol")
    parts = re.split(r"([-/])", sym)
    fixed: list[str] = []
    for p in parts:
        if p in "-/" or not p:
            fixed.append(p)
            continue
        fixed.append(_split_glued(p, cat, warnings) if len(parts) == 1 else p)
    body = "".join(fixed)
    mid = f"/{nyear}" if nyear else ""
    return f"{num}{mid}{sep}{body}", warnings


def _split_glued(seg: str, cat: Catalog | None, warnings: list[str]) -> str:
    """'KHUBND' → 'KH-UBND' (a type code glued to an issuer code)."""
    codes = sorted((cat or catalog()).symbol_codes, key=len, reverse=True)
    for code in codes:
        if seg.startswith(code) and len(seg) > len(code):
            rest = seg[len(code):]
            if rest in ISSUER_CODES:
                warnings.append("malformed-symbol")
                return f"{code}-{rest}"
    return seg


def symbol_code(number: str | None) -> str | None:
    """Type code of a canonical number: NQ in 03/NQ-CP, KH in 469-KH/TU, QH in 20/2023/QH15."""
    if not number:
        return None
    m = re.match(r"\d+(?:/\d{4})?[-/]([A-Za-zĐđ&]+)", number)
    return m.group(1) if m else None


def _mkdate(d: str | None, m: str | None, y: str | None) -> tuple[PartialDate | None, str | None]:
    """PartialDate (None day/month allowed) and 'impossible-date' if it cannot exist."""
    if not y:
        return None, None
    yi, mi, di = int(y), int(m) if m else None, int(d) if d else None
    if mi is not None and not 1 <= mi <= 12:
        return None, "impossible-date"
    if di is not None:
        last = calendar.monthrange(yi, mi)[1] if mi else 31
        if not 1 <= di <= last:
            return None, "impossible-date"
    return PartialDate(yi, mi, di), None


# ------------------------------------------------------------------ tokenize
def _after(text: str, pos: int, raw: _Raw) -> int:
    """Read the date and issuer that follow a reference; returns the new end."""
    m = DATE_AFTER_RE.match(text, pos) or DATE_BARE_RE.match(text, pos)
    if m:
        gd = m.groupdict()
        d, mo, y = gd.get("d") or gd.get("d2"), gd.get("m") or gd.get("m2"), gd.get("y") or gd.get("y2")
        raw.date, bad = _mkdate(d, mo, y)
        raw.date_raw = m.group(0).strip(" ,(")
        if bad:
            raw.warnings.append(bad)
            raw.year_hint = raw.year_hint or int(y)
        pos = m.end()
    else:
        ym = YEAR_AFTER_RE.match(text, pos)
        if ym and raw.doc_type in ("Luật", "Bộ luật"):
            raw.year_hint = int(ym.group("y"))
            pos = ym.end()
    im = ISSUER_RE.match(text, pos)
    if im:
        raw.issuer, pos = _issuer_at(text, im.start("head"), im.end("head"), im.group("head"))
    return pos


def _issuer_at(text: str, start: int, end: int, head: str) -> tuple[str, int]:
    """Extend an issuer head over the proper name that follows it."""
    low = head.lower()
    long_name = low.startswith("ban chỉ đạo") or low in ("bộ", "sở", "ban")
    limit = 16 if long_name else 5
    pos = end
    words = 0
    while words < limit:
        m = re.match(r"(,?\s+)([^\s,;:()“”\"]+)" if long_name else r"(\s+)([^\s,;:()“”\"]+)", text[pos:])
        if not m:
            break
        w = m.group(2)
        if w.endswith(".") and len(w) > 1:  # sentence end, not part of the name
            if w[:1].isupper() and w.lower().rstrip(".") not in _STOP_WORDS and not long_name:
                pos += m.end() - 1
            break
        wl = w.lower()
        if long_name:
            if words > 0 and _LONG_STOP.match(text, pos + len(m.group(1))):
                break
            if m.group(1).startswith(",") and not w[:1].isupper():
                break
        else:
            if not (w[:1].isupper() or w.startswith("(")):
                break
            if wl in _STOP_WORDS:
                break
        pos += m.end()
        words += 1
    # "(khóa XIII)" after a party body
    km = re.match(r"\s*\(?(?i:khóa)\s+[XVILC]+\)?", text[pos:])
    if km:
        pos += km.end()
    return text[start:pos].strip(" ,"), pos


_TYPE_LOW_ALT = "|".join(re.escape(norm(t).lower()) for t in sorted(DOC_TYPES, key=len, reverse=True))
# triggers: a type word (on the lower-cased text) or an abbreviation, then "số", then a digit
# no leading look-behind: the engine then jumps between the first letters of
# the alternatives; the word boundary before a match is checked by _starts_word
TRIGGER_RE = re.compile(rf"(?P<type>{_TYPE_LOW_ALT})\s+(?:số\s*:?\s*)?(?=\d)")
ABBR_TRIGGER_RE = re.compile(rf"(?P<type>{'|'.join(TYPE_ABBR)})\s+(?:(?i:số)\s*:?\s*)?(?=\d)")


def _bare_start(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_/.-")


def _starts_word(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")
NUM_RE = re.compile(_NUM + r"(?![\w])")
NUMYEAR_RE = re.compile(r"(?P<num>\d{1,5})\s*/\s*(?P<y>(?:19|20)\d{2})(?![\d\w]|\s*[-/]\s*[\dA-ZĐ])")
SHORT_NUM_RE = re.compile(r"(?P<short>\d{1,3})(?![\d\w]|\s*[-/]\s*[\dA-ZĐ]|[.,]\d|\s*(?i:tháng|năm|quý|ngày|tuần|giờ|lần|%))")
# document types that are cited by a bare number in running text ("Nghị quyết 57", "Đề án 06")
SHORT_TYPES = {"Nghị quyết", "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch",
               "Kế hoạch hành động", "Đề án"}


def _scan_unit(u: Unit, cat: Catalog, named_re: re.Pattern | None, tail: str = "",
               skip: int = 0) -> list[_Raw]:
    """References that start in ``u`` (after its first ``skip`` characters,
    which belong to a reference begun on the line before); ``tail`` is the
    start of the next unit when the sentence runs on (hard-wrapped lines)."""
    own = len(u.norm or "")
    text = (u.norm or "") + (" " + tail if tail else "")
    if not own:
        return []
    has_digit = _DIGIT.search(text) is not None
    low = text.lower()
    if not has_digit and (named_re is None or not any(w in low for w in _named(cat)[1])):
        return []
    if len(low) != len(text):  # pragma: no cover - a character whose lower case is longer
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    taken: list[tuple[int, int]] = []
    raws: list[_Raw] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(raw: _Raw):
        taken.append((raw.start, raw.end))
        raws.append(raw)

    def typed(start: int, m: re.Match, dtype: str) -> _Raw:
        number, warns = canonical_symbol(m["num"], m["nyear"], m["sep"], m["sym"], m["sp1"], m["sp2"], cat)
        raw = _Raw(u, start, m.end(), dtype, number, m.group(0),
                   year_hint=int(m["nyear"]) if m["nyear"] else None, warnings=warns)
        raw.end = _after(text, m.end(), raw)
        return raw

    if has_digit:
        if "luật" in low:
            for m in LAW_RE.finditer(text):
                dtype = "Bộ luật" if m["type"].lower().startswith("bộ") else "Luật"
                nm = NUM_RE.match(text, m.start("num"))
                if TRIGGER_RE.search(low, m.start("lname"), m.start("num") + 1) or " và " in m["lname"]:
                    continue  # "Luật X và Kế hoạch số 5/KH-UBND": the number is not the law's
                if nm and free(m.start(), m.end()):
                    add(typed(m.start(), nm, dtype))
        triggers = [(m.start(), m.end(), _doc_type(m["type"])) for m in TRIGGER_RE.finditer(low)
                    if _starts_word(low, m.start())]
        triggers += [(m.start(), m.end(), TYPE_ABBR[m["type"]]) for m in ABBR_TRIGGER_RE.finditer(text)
                     if _starts_word(text, m.start())]
        for start, end, dtype in sorted(triggers):
            if not free(start, end):
                continue
            nm = NUM_RE.match(text, end)
            if nm:
                add(typed(start, nm, dtype))
                continue
            ym = NUMYEAR_RE.match(text, end)
            if ym:  # "Nghị định 45/2025": number and year without the symbol
                raw = _Raw(u, start, ym.end(), dtype, f"{ym['num']}/{ym['y']}", ym.group(0),
                           year_hint=int(ym["y"]), warnings=["incomplete-symbol"])
                raw.end = _after(text, ym.end(), raw)
                add(raw)
                continue
            sm = SHORT_NUM_RE.match(text, end) if dtype in SHORT_TYPES else None
            if sm:
                raw = _Raw(u, start, sm.end(), dtype, None, sm["short"], short=sm["short"], warnings=[])
                raw.end = _after(text, sm.end(), raw)
                add(raw)
        for m in BARE_RE.finditer(text):
            if not _bare_start(text, m.start()) or not free(m.start(), m.end()):
                continue
            code = re.match(r"[A-Za-zĐđ&]+", m["sym"]).group(0)
            types = cat.types_for_code(code)
            if not types:
                continue
            if _SELF_NUMBER.search(text[max(0, m.start() - 6):m.start()]):
                continue  # "Số: 12/KH-UBND" - the plan's own number
            add(typed(m.start(), m, types[0]))
    if named_re is not None:
        for m in named_re.finditer(low):
            if not _starts_word(low, m.start()) or not free(m.start(), m.end()):
                continue
            docs = cat.by_alias(m.group(0))
            if not docs:
                continue
            raw = _Raw(u, m.start(), m.end(), docs[0].type, None, None, named=[d.id for d in docs],
                       warnings=[])
            raw.end = _after(text, m.end(), raw)
            add(raw)
    raws = [r for r in raws if skip <= r.start < own]
    raws.sort(key=lambda r: r.start)
    return raws


_TYPE_BY_LOWER = {norm(t).lower(): t for t in DOC_TYPES}


def _doc_type(word: str) -> str:
    if word in TYPE_ABBR:
        return TYPE_ABBR[word]
    return _TYPE_BY_LOWER.get(re.sub(r"\s+", " ", word.lower()), word)


_NAMED_CACHE: dict[str, tuple[re.Pattern | None, tuple[str, ...]]] = {}


def _named(cat: Catalog) -> tuple[re.Pattern | None, tuple[str, ...]]:
    """One pattern for every catalogue alias that is a name, not 'type + number'
    (matched on the lower-cased text), and the names' first words as a cheap
    pre-filter."""
    if cat.version not in _NAMED_CACHE:
        names = set()
        for doc in cat:
            for a in doc.aliases:
                if not re.search(r"\d\s*$", a):
                    names.add(norm(a).lower())
        pat = None
        if names:
            alt = "|".join(r"\s+".join(re.escape(w) for w in n.split())
                           for n in sorted(names, key=len, reverse=True))
            pat = re.compile(rf"(?:{alt})(?![\w])")  # word start checked by _starts_word
        heads = tuple(sorted({n.split()[0] for n in names}))
        _NAMED_CACHE[cat.version] = (pat, heads)
    return _NAMED_CACHE[cat.version]


def _named_re(cat: Catalog) -> re.Pattern | None:
    return _named(cat)[0]


# ------------------------------------------------------------------ annotate helpers
_FIRST_SECTION = re.compile(r"^[\s#*]*(?:I\s*[.)/-]\s*)?(?i:mục đích|mục tiêu|sự cần thiết|đặc điểm|tình hình)")


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


# ------------------------------------------------------------------ public API
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
    return cits


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


TAIL = 200  # characters of the next line read when a sentence runs on
_OPEN_END = re.compile(r"[.;:!?)”\"]\s*$")


def _continues(a: Unit, b: Unit) -> bool:
    """Does the sentence of ``a`` run on into ``b`` (a hard line break, as in PDFs)?"""
    if a.kind == "row" or b.kind == "row" or a.index + 1 != b.index:
        return False
    ta, tb = (a.norm or "").rstrip(), (b.norm or "").lstrip()
    if not ta or not tb or _OPEN_END.search(ta):
        return False
    return tb[0].islower() or tb[0].isdigit() or tb[0] in "/-"


_SUBJECT_START = re.compile(r"^\s*,?\s*(?i:về việc|v/v|về|triển khai|thực hiện|ban hành|phê duyệt|sửa đổi)\b")


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


def _candidate_units(units: list[Unit], named: re.Pattern | None) -> list[Unit]:
    """Units that can hold a reference, found with a few scans of the whole text
    (much cheaper than scanning every unit on its own)."""
    norms = [u.norm or "" for u in units]
    big = "\x00".join(norms)
    low = big.lower()
    if len(low) != len(big):  # pragma: no cover - odd case mapping: scan everything
        return list(units)
    starts, pos = [], 0
    for n in norms:
        starts.append(pos)
        pos += len(n) + 1
    hit: set[int] = set()
    scans = [(TRIGGER_RE.finditer(low), _starts_word), (ABBR_TRIGGER_RE.finditer(big), _starts_word),
             (BARE_RE.finditer(big), _bare_start)]
    if named is not None:
        scans.append((named.finditer(low), _starts_word))
    for it, ok in scans:
        for m in it:
            if ok(big, m.start()):
                hit.add(bisect.bisect_right(starts, m.start()) - 1)
    # a reference may start at the end of the line before a hit (hard-wrapped text)
    for i in list(hit):
        if i > 0 and _continues(units[i - 1], units[i]):
            hit.add(i - 1)
    return [units[i] for i in sorted(hit)]


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


def _to_citation(r: _Raw, i: int) -> Citation:
    u = r.unit
    s, e = u.orig_span(r.start, min(r.end, len(u.norm)))  # a run-on reference: its part on this line
    c = Citation(surface=u.text[s:e], unit=u.index, loc=u.loc, start=s, end=e,
                 doc_type=r.doc_type, number=r.number, number_raw=r.number_raw, date=r.date,
                 issuer=r.issuer, warnings=list(r.warnings or []), index=i, alias=r.alias_text)
    return c


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


def citation_issues(citations: list[Citation], plan_date: Any = None,
                    cat: Catalog | None = None) -> list[dict[str, Any]]:
    """Inconsistencies that come straight out of extraction.

    ``plan_date`` is a ``PartialDate``, ``date`` or ISO string (or None).
    Kinds: date-conflict, issuer-conflict, malformed-symbol, incomplete-symbol,
    date-after-plan, impossible-date, type-symbol-mismatch, catalog-date-differs.
    """
    cat = cat or catalog()
    issues: list[dict[str, Any]] = []
    groups: dict[str, list[Citation]] = {}
    for c in citations:
        if c.doc_id:
            groups.setdefault(c.doc_id, []).append(c)
    for doc_id, cs in groups.items():
        dates: dict[str, list[Citation]] = {}
        for c in cs:
            if c.date and c.date.complete:
                dates.setdefault(c.date.iso(), []).append(c)
        if len(dates) > 1:
            entry = cat.get(doc_id)
            issues.append(_issue("date-conflict", [x for v in dates.values() for x in v], {
                "doc_id": doc_id, "number": cs[0].number, "dates": sorted(dates),
                "catalog_date": entry.date if entry else None,
                "catalog_confidence": entry.fact_confidence("date") if entry else None}))
        issuers: dict[str, list[Citation]] = {}
        for c in cs:
            if c.issuer:
                issuers.setdefault(issuer_key(c.issuer), []).append(c)
        keys = list(issuers)
        conflicting = [k for k in keys if not any(k != o and (k in o or o in k) for o in keys)]
        if len(keys) > 1 and len(conflicting) > 1 and not _compatible_issuers(keys):
            issues.append(_issue("issuer-conflict", [x for v in issuers.values() for x in v], {
                "doc_id": doc_id, "number": cs[0].number,
                "issuers": [v[0].issuer for v in issuers.values()]}))
    limit = _plan_latest(plan_date)
    for c in citations:
        for w in ("malformed-symbol", "incomplete-symbol", "impossible-date", "catalog-date-differs",
                  "catalog-issuer-differs"):
            if w in c.warnings:
                data = {"surface": c.surface, "number": c.number, "number_raw": c.number_raw}
                entry = cat.get(c.doc_id) if c.doc_id else None
                if w == "catalog-date-differs":
                    data.update({"date": c.date.iso() if c.date else None,
                                 "catalog_date": entry.date if entry else None})
                if w == "catalog-issuer-differs":
                    data.update({"issuer": c.issuer, "catalog_issuer": entry.issuer if entry else None,
                                 "doc_id": c.doc_id})
                    issues.append(_issue("issuer-conflict", [c], data))
                    continue
                issues.append(_issue(w, [c], data))
        if limit and c.date and c.date.complete and c.date.earliest() > limit:
            issues.append(_issue("date-after-plan", [c], {"date": c.date.iso(), "plan_date": limit.isoformat(),
                                                         "number": c.number}))
        code = symbol_code(c.number)
        if code and c.doc_type and c.number_raw and not c.number_raw.isdigit():
            types = cat.types_for_code(code.rstrip("0123456789")) or cat.types_for_code(code)
            if types and not any(_same_family(c.doc_type, t) for t in types):
                issues.append(_issue("type-symbol-mismatch", [c], {
                    "doc_type": c.doc_type, "number": c.number, "code": code, "expected": types}))
    issues.sort(key=lambda x: (x["line"] or 0, x["kind"]))
    return issues


def _compatible_issuers(keys: list[str]) -> bool:
    """'btv tinh uy dong nai' and 'tinh uy' name the same body; so do 'ubnd tinh' and 'ubnd tinh dong nai'."""
    core = {re.sub(r"^btv ", "", k) for k in keys}
    core = {k for k in core if not any(k != o and o.startswith(k) for o in core)}
    return len(core) <= 1


def _dmy(iso: str | None) -> str:
    return "/".join(reversed(iso.split("-"))) if iso else "?"


def _message(kind: str, d: dict[str, Any], surface: str) -> dict[str, str]:
    """Short bilingual description of an issue (rules may word their own)."""
    num = d.get("number") or surface
    if kind == "date-conflict":
        ds = ", ".join(_dmy(x) for x in d["dates"])
        cat = f" (ngày đúng theo danh mục: {_dmy(d['catalog_date'])})" if d.get("catalog_date") else ""
        cat_en = f" (catalogue date: {_dmy(d['catalog_date'])})" if d.get("catalog_date") else ""
        return {"vi": f"Văn bản {num} được ghi với các ngày khác nhau: {ds}{cat}",
                "en": f"{num} is cited with different dates: {ds}{cat_en}"}
    if kind == "issuer-conflict":
        iss = d.get("issuers") or [d.get("issuer"), d.get("catalog_issuer")]
        who = "; ".join(str(x) for x in iss if x)
        return {"vi": f"Văn bản {num} được ghi với các cơ quan ban hành khác nhau: {who}",
                "en": f"{num} is cited with different issuers: {who}"}
    if kind == "malformed-symbol":
        return {"vi": f"Số, ký hiệu viết sai “{d.get('number_raw')}”, đúng là {num}",
                "en": f"Malformed number/symbol “{d.get('number_raw')}”; should be {num}"}
    if kind == "incomplete-symbol":
        return {"vi": f"Số hiệu “{d.get('number_raw')}” thiếu ký hiệu văn bản" + (f" ({num})" if num != d.get("number_raw") else ""),
                "en": f"Number “{d.get('number_raw')}” lacks the document symbol" + (f" ({num})" if num != d.get("number_raw") else "")}
    if kind == "date-after-plan":
        return {"vi": f"Văn bản {num} ngày {_dmy(d['date'])} ban hành sau ngày của kế hoạch ({_dmy(d['plan_date'])})",
                "en": f"{num} dated {_dmy(d['date'])} is later than the plan itself ({_dmy(d['plan_date'])})"}
    if kind == "impossible-date":
        return {"vi": f"Ngày không có thật trong trích dẫn “{surface}”",
                "en": f"A date that does not exist in “{surface}”"}
    if kind == "type-symbol-mismatch":
        exp = ", ".join(d["expected"])
        return {"vi": f"{d['doc_type']} nhưng ký hiệu {d['code']} trong {num} là của: {exp}",
                "en": f"A {d['doc_type']} numbered {num}, but the code {d['code']} belongs to: {exp}"}
    if kind == "catalog-date-differs":
        return {"vi": f"{num} được ghi ngày {_dmy(d.get('date'))}, nhưng văn bản này ban hành ngày {_dmy(d.get('catalog_date'))}",
                "en": f"{num} is dated {_dmy(d.get('date'))}, but it was issued on {_dmy(d.get('catalog_date'))}"}
    return {"vi": kind, "en": kind}


def _issue(kind: str, cs: list[Citation], data: dict[str, Any]) -> dict[str, Any]:
    cs = sorted(cs, key=lambda c: c.index)
    return {"kind": kind, "citations": [c.index for c in cs], "line": cs[0].loc.line,
            "lines": sorted({c.loc.line for c in cs}), "location": cs[0].loc.human,
            "unit": cs[0].unit, "start": cs[0].start, "end": cs[0].end,
            "surface": cs[0].surface, "data": data, "message": _message(kind, data, cs[0].surface)}


def _plan_latest(plan_date: Any) -> dt.date | None:
    if plan_date is None:
        return None
    if isinstance(plan_date, PartialDate):
        return plan_date.latest() if plan_date.year else None
    if isinstance(plan_date, dt.date):
        return plan_date
    try:
        return dt.date.fromisoformat(str(plan_date))
    except ValueError:
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
