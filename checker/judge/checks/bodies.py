"""Check kind ``catalog-bodies``: bodies of the catalogue that no longer exist.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _excluded, _fast_fold, _patterns, _scope, _vn_date
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
    for w in re.finditer(r"(?<!\s)\s+(\S+)", text[end:e]):
        word = w.group(1)
        if not word[0].isupper():
            break
        end = m.end() + w.end()
    return end
