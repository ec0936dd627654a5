"""Text helpers the matchers share: abbreviations expanded before matching."""
from __future__ import annotations

import re
from functools import lru_cache

from checker.normalize import norm


@lru_cache(maxsize=1)
def _abbrev_pattern() -> tuple[re.Pattern, dict[str, str]]:
    from checker.mandates.load import abbreviations

    table = {norm(a): norm(e) for a, e in abbreviations().items()}
    alts = "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True))
    return re.compile(r"(?<![\w&])(?:" + alts + r")(?![\w&])"), table


def expand_abbreviations(text: str, normalised: bool = False) -> str:
    """Normalised text with each abbreviation followed by its expansion
    ("CĐS" → "chuyển đổi số (CĐS)"); case-sensitive so "AI" is not "ai"."""
    t = text if normalised else norm(text)
    pat, table = _abbrev_pattern()
    return pat.sub(lambda m: f"{table[m.group(0)]} ({m.group(0)})", t)


_MARKS = re.compile(r"[\u0300-\u036f]")
# a character that is neither ASCII nor such a mark: without one, dropping the
# marks is dropping every non-ASCII character, which the codec does at once
_NOT_ASCII_OR_MARK = re.compile(r"[^\x00-\x7f\u0300-\u036f]")
_SYL = re.compile(r"[^\W_]+", re.UNICODE)


def folded_syllables(text: str) -> list[str]:
    """Folded syllables, as checker.extract.nlp.syllables gives them, faster: the
    marks are dropped with one regex (no offsets are needed here)."""
    import unicodedata

    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    if not _NOT_ASCII_OR_MARK.search(d):
        return _SYL.findall(d.encode("ascii", "ignore").decode("ascii").lower())
    f = _MARKS.sub("", d)
    if not f.isascii():  # (NFC leaves ASCII as it is)
        f = unicodedata.normalize("NFC", f)
    return _SYL.findall(f.lower())


def token_set_ratios(query: str, choices: list[str]) -> list[float]:
    """rapidfuzz ``token_set_ratio(query, c)`` for each choice, in one ``cdist``
    call (the query is prepared once; float64: the values of the pairwise calls)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    return process.cdist([query], choices, scorer=fuzz.token_set_ratio, dtype=np.float64, workers=1)[0].tolist()
