"""What a regular expression needs: strings one of which every match holds.

A rule's pattern is searched in every unit (or in the whole plan); most units
hold none of the words it is about.  :func:`needs` reads a pattern's syntax
tree and gives a few lowercase strings such that every match of the pattern
contains one of them (after lower-casing), or None when it cannot say; then
``not any(s in low for s in needs)`` over the lowered text tells, with a
substring search, that the pattern cannot match there and need not run.

Only characters that case-insensitive matching treats exactly as
``str.lower`` does are used (:data:`SAFE`: ASCII letters but i, k and s,
digits, plain punctuation and the Vietnamese letters; tests/test_speed.py
checks every code point against ``re.IGNORECASE``), so the answer holds with
and without ``re.I``.  The lowered text must have the text's length (then
every character lowers to one character, as ``probe`` checks).
"""
from __future__ import annotations

import re
from functools import lru_cache

try:  # Python 3.11+
    from re import _constants as _C, _parser as _P
except ImportError:  # pragma: no cover - an older Python
    _C = _P = None

_VIET = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghìíỉĩịlmnoòóỏõọôồốổỗộơờớởỡợpqrtuùúủũụưừứửữựvxyỳýỷỹỵ")
# lowercase forms whose case-insensitive matches are exactly the characters that
# lower to them (no i: "ı", "İ"; no k: the Kelvin sign; no s: "ſ")
SAFE = frozenset(_VIET + "fjwz0123456789 /-–.,:;()%")


def probe(text: str) -> str | None:
    """The lowered text the strings of :func:`needs` are looked for in, or None
    when lower-casing changes its length (a character that lowers to two)."""
    low = text.lower()
    return low if len(low) == len(text) else None


@lru_cache(maxsize=256)
def needs(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings (lowercase) one of which every match of ``pattern`` holds, once
    lowered; None when the pattern gives no such strings."""
    if _P is None:
        return None
    try:
        tree = _P.parse(pattern, flags)
    except Exception:  # pragma: no cover - re.compile reports it
        return None
    got = _seq(list(tree))
    if not got or any(not s for s in got):
        return None
    return tuple(sorted(got))


def _seq(items) -> frozenset[str] | None:
    """Necessary strings of a sequence: the best of its parts' (each part of a
    sequence is in every match of it)."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def offer(cand: frozenset[str] | None) -> None:
        nonlocal best
        if cand and all(cand) and (best is None or _rank(cand) > _rank(best)):
            best = cand

    def close() -> None:
        if run:
            offer(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is _C.LITERAL:
            c = chr(av).lower()
            if len(c) == 1 and c in SAFE:
                run.append(c)
                continue
            close()
            continue
        close()
        if op is _C.SUBPATTERN:
            offer(_seq(list(av[3])))
        elif op is getattr(_C, "ATOMIC_GROUP", None):
            offer(_seq(list(av)))
        elif op is _C.BRANCH:
            alts = [_seq(list(b)) for b in av[1]]
            if alts and all(alts):
                offer(frozenset().union(*alts))
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT) or op is getattr(_C, "POSSESSIVE_REPEAT", None):
            if av[0] >= 1:
                offer(_seq(list(av[2])))
        # anything else (classes, any character, assertions, anchors,
        # back-references, conditionals) gives no string and ends the run
    close()
    return best


def _rank(cand: frozenset[str]) -> tuple[int, int]:
    """Prefer sets whose shortest string is longest (fewer false hopes), then smaller sets."""
    return min(len(s) for s in cand), -len(cand)


_BY_PATTERN: dict = {}  # compiled pattern -> its needs (the rule packs' patterns: a few hundred)
_UNKNOWN = object()


def can_match(rx: re.Pattern, low: str | None) -> bool:
    """False only when ``rx`` cannot match in the text whose :func:`probe` is ``low``."""
    if low is None:
        return True
    got = _BY_PATTERN.get(rx, _UNKNOWN)
    if got is _UNKNOWN:
        if len(_BY_PATTERN) > 4096:
            _BY_PATTERN.clear()
        got = _BY_PATTERN[rx] = needs(rx.pattern, rx.flags) if isinstance(rx.pattern, str) else None
    if got is None:
        return True
    for s in got:
        if s in low:
            return True
    return False
