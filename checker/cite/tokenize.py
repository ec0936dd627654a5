"""Pass 1, tokenize: one scan of each unit's ``norm`` text finds the raw
citations - a type word or abbreviation then a number/symbol, a short form, a
bare symbol, a catalogue name - with the date and issuer that follow them."""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass

from checker.cite.catalog import Catalog, catalog
from checker.cite.patterns import (
    ABBR_TRIGGER_RE, BARE_RE, DATE_AFTER_RE, DATE_BARE_RE, ISSUER_CODES, ISSUER_RE, LAW_RE, NUM_RE,
    NUMYEAR_RE, SHORT_NUM_RE, SHORT_TYPES, TRIGGER_RE, TYPE_ABBR, YEAR_AFTER_RE, _DIGIT, _LONG_STOP,
    _OPEN_END, _SELF_NUMBER, _STOP_WORDS, _TYPE_BY_LOWER,
)
from checker.model import Citation, PartialDate, Unit
from checker.normalize import norm


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
    if sp1 or sp2 or re.search(r"\s", sym):  # "71/NQ -CP": a space inside the symbol
        warnings.append("malformed-symbol")
    sym = re.sub(r"\s+", "", sym)
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


def _bare_start(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_/.-")


def _starts_word(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")


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


def _continues(a: Unit, b: Unit) -> bool:
    """Does the sentence of ``a`` run on into ``b`` (a hard line break, as in PDFs)?"""
    if a.kind == "row" or b.kind == "row" or a.index + 1 != b.index:
        return False
    ta, tb = (a.norm or "").rstrip(), (b.norm or "").lstrip()
    if not ta or not tb or _OPEN_END.search(ta):
        return False
    return tb[0].islower() or tb[0].isdigit() or tb[0] in "/-"


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


def _to_citation(r: _Raw, i: int) -> Citation:
    u = r.unit
    s, e = u.orig_span(r.start, min(r.end, len(u.norm)))  # a run-on reference: its part on this line
    c = Citation(surface=u.text[s:e], unit=u.index, loc=u.loc, start=s, end=e,
                 doc_type=r.doc_type, number=r.number, number_raw=r.number_raw, date=r.date,
                 issuer=r.issuer, warnings=list(r.warnings or []), index=i, alias=r.alias_text)
    return c
