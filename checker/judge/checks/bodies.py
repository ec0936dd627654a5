"""Check kind ``catalog-bodies``: bodies of the catalogue that no longer exist.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _excluded, _fast_fold, _patterns, _scope, _vn_date
from checker.judge.needs import can_match, probe
from checker.judge.registry import Hit, check
from checker.normalize import norm as _norm


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
    entries, prefilter = _triggers(params, ctx.as_of)
    extra = _patterns(params)
    hits: list[Hit] = []
    for u in _scope(ctx, params):
        text = ctx.text(u)
        low = ctx.lower(u)
        folded = ctx.folded(u)
        taken: list[tuple[int, int]] = []
        found_all = []
        for b in prefilter.candidates(folded, text):
            found_all.extend((s, e, b) for s, e, _ in b.search(text))
        for s, e, b in found_all:
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
            if not can_match(pat["_rx"], ctx.probe(u)):
                continue
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


class _Prefilter:
    """Which catalogue entries to search in a unit, found with one scan.

    An entry is searched only in units whose accent-free text holds one of
    its triggers (the old province name, or the words of its kind); an
    entry without triggers is searched everywhere.  One regex of every
    trigger tells the units that hold none (most of them) at once; in the
    others each distinct trigger is tested once, not once per entry."""

    def __init__(self, entries: list, triggers: list[list[str] | None]):
        self.entries = entries
        self.always = [i for i, t in enumerate(triggers) if not t]
        self.by_trigger: dict[str, list[int]] = {}
        for i, trig in enumerate(triggers):
            for t in trig or ():
                self.by_trigger.setdefault(t, []).append(i)
        words = sorted(self.by_trigger, key=len, reverse=True)
        self.any = re.compile("|".join(map(re.escape, words))) if words else None
        self.union = _union(entries)

    def candidates(self, folded: str, text: str | None = None) -> list:
        """The entries to search in a unit, in catalogue order.  With the
        unit's ``text``: none when no pattern of any entry matches in it (one
        search of all the patterns as alternatives finds a match exactly
        when one of them does)."""
        if self.any is None or not self.any.search(folded):
            order = self.always
        else:
            chosen = set(self.always)
            for t, idx in self.by_trigger.items():
                if t in folded:
                    chosen.update(idx)
            order = sorted(chosen)
        if text is not None and len(order) > 2 and self.union is not None and (
                not can_match(self.union, probe(text)) or not self.union.search(text)):
            return []
        return [self.entries[i] for i in order]


_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\\g<")


def _union(entries: list) -> re.Pattern | None:
    """One regex of every pattern of ``entries`` as alternatives (each compiled
    as :class:`checker.cite.catalog.BodyRule` compiles it), or None where that
    would not mean the same (back-references, flags, or it does not compile)."""
    pats = []
    for b in entries:
        for rx in getattr(b, "_compiled", None) or []:
            if rx.flags & ~(re.IGNORECASE | re.UNICODE) or _BACKREF.search(rx.pattern):
                return None
            pats.append(rx.pattern)
    if not pats or any(getattr(b, "_compiled", None) is None for b in entries):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
    except re.error:
        return None


_PREFILTERS: dict[tuple, tuple[list, _Prefilter, tuple]] = {}  # the catalogue kept: its id is in the key


def _triggers(params: dict, as_of) -> tuple[list, _Prefilter]:
    """The catalogue entries a rule selects at ``as_of`` and their triggers,
    built once per process for each (rule parameters, as-of date)."""
    try:
        from checker.cite.catalog import bodies as _bodies

        catalogue = _bodies()
    except Exception:  # pragma: no cover - catalogue absent
        catalogue = ()
    kinds = tuple(sorted(params.get("kinds") or []))
    trig_params = params.get("triggers") or {}
    key = (id(catalogue), kinds, repr(sorted((k, tuple(v)) for k, v in trig_params.items())), as_of)
    got = _PREFILTERS.get(key)
    if got is None:
        entries = [b for b in catalogue if (not kinds or b.kind in kinds)
                   and (as_of is None or b.applies(as_of))]
        kind_triggers = {k: [_fast_fold(_norm(w)) for w in v] for k, v in trig_params.items()}
        triggers = [[_fast_fold(_norm(b.old_name))] if getattr(b, "old_name", None) else kind_triggers.get(b.kind)
                    for b in entries]
        if len(_PREFILTERS) > 64:
            _PREFILTERS.clear()
        got = _PREFILTERS[key] = (entries, _Prefilter(entries, triggers), catalogue)
    return got[0], got[1]


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
    for w in re.finditer(r"(?<!\s)\s+(\S+)", text[end:e]):
        word = w.group(1)
        if not word[0].isupper():
            break
        end = m.end() + w.end()
    return end
