"""What a check kind may read (:class:`Ctx`) and the helpers the check kinds
share: text scans, scopes, patterns, exclusions, folding, dates.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable, Iterator

from checker.judge.needs import can_match, probe as _probe
from checker.judge.registry import Hit
from checker.model import CheckResult, Plan, Section, Unit
from checker.normalize import norm as _norm


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

    def probe(self, u: Unit) -> str | None:
        """``ctx.lower(u)`` lowered once more where that keeps its length: where
        :func:`checker.judge.needs.can_match` looks for the strings a pattern
        searched in ``ctx.lower(u)`` needs (None: it cannot say)."""
        cache = self.__dict__.setdefault("_probe_cache", {})
        if u.index not in cache:
            cache[u.index] = _probe(self.lower(u))
        return cache[u.index]

    def text_probe(self, u: Unit) -> str | None:
        """The same for a pattern searched in ``ctx.text(u)``."""
        cache = self.__dict__.setdefault("_text_probe_cache", {})
        if u.index not in cache:
            cache[u.index] = _probe(self.text(u))
        return cache[u.index]

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
    if text.isascii():
        return text.lower()
    fast = _nfd_fold(text)
    return fast if fast is not None else text.translate(_FOLD_TABLE).lower()


# _fast_fold without str.translate (~4x faster on Vietnamese): the table maps
# each character of U+00C0–U+024F and U+1E00–U+1EFF to the first character of
# its canonical decomposition, whose other characters are all marks of
# U+0300–U+036F (tests/test_speed.py checks both); so NFD and dropping those
# marks give the same text, provided the text has no such mark of its own and
# no character outside those ranges that decomposes.
_TABLE_RANGES = re.compile("[^\x00-\u024f\u1e00-\u1eff]")
_MARKS_0300 = re.compile("[\u0300-\u036f]")
_NOT_ASCII_OR_MARK = re.compile("[^\x00-\x7f\u0300-\u036f]")
_DECOMPOSES: dict[str, bool] = {}


def _nfd_fold(text: str) -> str | None:
    import unicodedata

    if _MARKS_0300.search(text):
        return None
    for c in set(_TABLE_RANGES.findall(text)):
        d = _DECOMPOSES.get(c)
        if d is None:
            d = _DECOMPOSES[c] = unicodedata.normalize("NFD", c) != c  # (Hangul too)
        if d:
            return None
    t = text.replace("đ", "d").replace("Đ", "d")
    d = unicodedata.normalize("NFD", t)
    if not _NOT_ASCII_OR_MARK.search(d):  # only ASCII and marks: the codec drops the marks
        return d.encode("ascii", "ignore").decode("ascii").lower()
    return _MARKS_0300.sub("", d).lower()


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
            if not can_match(pat["_rx"], ctx.probe(u)):
                continue  # a string every match needs is not there
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
        head = [u for u in units if u.index < lim]
        # units beyond the header that also belong to it, named by the rule
        # (e.g. the caption of the plan's own annex: "Kèm theo Kế hoạch số …")
        also = [re.compile(rx, re.I) for rx in params.get("also_units") or []]
        if also:
            head += [u for u in units if u.index >= lim and any(rx.search(ctx.lower(u)) for rx in also)]
        return head
    if scope == "body":
        first = _first_section_unit(ctx) or 0
        return [u for u in units if u.index >= first]
    return units


def _first_section_unit(ctx: Ctx) -> int | None:
    heads = ctx.heading_units()
    return heads[0].index if heads else None


def _vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    p = iso.split("-")
    return "/".join(reversed(p))


def _short(s: str, n: int = 80) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"
