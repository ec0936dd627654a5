"""The normaliser as it was before the one-pass rewrite (issue 17), kept as the
oracle of tests/test_normalize_fast.py: the fast one must give exactly the same
text and offset map."""
from __future__ import annotations

import re
import unicodedata

_SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u2002", "\u2003", "\u3000", "\t"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}

# debris patterns, applied to the NFC text; each match is dropped or replaced
_DEBRIS = [
    (re.compile(r"\[bookmark:[^\]]*\]"), ""),
    (re.compile(r"<sup>\s*\(?\d{1,3}\)?\s*</sup>"), ""),
    (re.compile(r"</?(?:sup|sub|b|i|u|em|strong|br)\s*/?>", re.I), ""),
    (re.compile(r"\\geq?|\\ge\b|≥"), "≥"),
    (re.compile(r"\\leq?|\\le\b"), "≤"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\$"), ""),
    (re.compile(r"\\(?=[\-.*_#()\[\]+!>|])"), ""),  # markdown escapes: "1\\." "\\- "
    (re.compile(r"\*\*|__"), ""),
    (re.compile(r"^\s*#{1,6}\s+"), ""),
]

# tone marks as combining characters
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _move_tone(word: str) -> str:
    """Put the tone of a final ``oa``/``oe``/``uy`` on its first vowel."""
    d = unicodedata.normalize("NFD", word)
    # find tone mark
    tones = [i for i, c in enumerate(d) if c in _TONES]
    if len(tones) != 1:
        return word
    ti = tones[0]
    tone = d[ti]
    base = d[:ti] + d[ti + 1:]
    lb = base.lower()
    m = re.search(r"(o)(a|e)$|(u)(y)$", lb)
    if not m:
        return word
    if m.group(3) and (m.start(3) > 0 and lb[m.start(3) - 1] == "q"):
        return word
    first = m.start(1) if m.group(1) else m.start(3)
    # the tone must currently sit on the second vowel for a change
    if ti <= first + 1:
        return word
    new = base[: first + 1] + tone + base[first + 1:]
    return unicodedata.normalize("NFC", new)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _tone_style(text: str) -> str:
    # same length in NFC: only moves marks inside a word
    def repl(m: re.Match) -> str:
        w = m.group(0)
        if len(w) > 7:
            return w
        out = _move_tone(w)
        return out if len(out) == len(w) else w

    return _WORD.sub(repl, text)


def normalize(text: str, restyle: bool = True) -> tuple[str, list[int]]:
    """Return ``(norm, omap)``; ``omap[i]`` is the offset in ``text`` of
    ``norm[i]`` and ``omap[len(norm)]`` is ``len(text)``.

    With ``restyle=False`` the tone marks stay where the author put them:
    that is the *display* form (clean, but the writer's spelling).  Both forms
    have the same length and the same offset map, because moving a tone mark
    inside a syllable never changes the length of NFC text."""
    chars: list[str] = []
    omap: list[int] = []
    # 1. NFC per cluster (base + combining marks), spaces, drops
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if cluster[0] in _DROP:
            i = j
            continue
        if cluster[0] in _SPACES:
            chars.append(" ")
            omap.append(i)
            i = j
            continue
        comp = unicodedata.normalize("NFC", cluster) if j - i > 1 else cluster
        for k, ch in enumerate(comp):
            chars.append(ch)
            omap.append(i if k == 0 else min(i + k, j - 1))
        i = j
    s = "".join(chars)
    # 2. debris
    for pat, rep in _DEBRIS:
        if not pat.search(s):
            continue
        out: list[str] = []
        om: list[int] = []
        last = 0
        for m in pat.finditer(s):
            out.append(s[last:m.start()])
            om.extend(omap[last:m.start()])
            if rep:
                out.append(rep)
                om.extend([omap[m.start()] if m.start() < len(omap) else n] * len(rep))
            last = m.end()
        out.append(s[last:])
        om.extend(omap[last:])
        s = "".join(out)
        omap = om
    # 3. tone placement (length preserving)
    if restyle:
        s = _tone_style(s)
    omap.append(n)
    return s, omap


def norm(text: str) -> str:
    """Normalised text only."""
    return normalize(text)[0]


def display(text: str) -> str:
    """Clean display form: NFC, plain spaces, no debris; spelling kept."""
    return normalize(text, restyle=False)[0]


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, accent-free form of normalised text; same length."""
    t = text.translate(_FOLD_TABLE)
    d = unicodedata.normalize("NFD", t)
    out = "".join(c for c in d if not unicodedata.combining(c))
    if len(out) != len(t):  # characters that do not decompose cleanly
        out = "".join(
            (unicodedata.normalize("NFD", c)[0] if c.isalpha() else c) for c in t
        )
    return out.lower()


def squash(text: str) -> str:
    """Folded text with runs of non-word characters reduced to one space."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()
