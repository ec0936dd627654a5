"""Analysis form of Vietnamese text, with an offset map back to the original.

The original text is never changed; every analysis stage works on ``norm``
and maps its spans back with the offset map, so findings point at the words
the reader actually wrote.

What the analysis form does:
* Unicode NFC (seed plans hold decomposed characters);
* one tone-mark placement: the "old" style used in most official texts
  (``hoá`` → ``hóa``, ``thuỷ`` → ``thủy``, ``khoẻ`` → ``khỏe``);
* no-break, zero-width and other odd spaces become one plain space or go;
* conversion debris goes: ``[bookmark: …]``, markdown emphasis and heading
  marks, ``<sup>(1)</sup>`` footnote marks, LaTeX such as ``$\\geq 10\\%$``.

``fold`` gives the accent-free lowercase key used for fuzzy matching; it has
the same length as its input, so spans found in the folded text are spans of
the normalised text too.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
# The only words _move_tone changes: the tone is the last mark of the NFD
# word, right after a final a/e/y whose letter before is a plain o/u, so the
# NFC word ends in a plain o/u and a precomposed toned a/e/y.  Only these
# candidates are looked at (a superset; _move_tone decides).
_TONED_FINAL = "".join(unicodedata.normalize("NFC", v + t) for v in "aeyAEY"
                       for t in sorted(_TONES))
_CANDIDATE = re.compile(r"(?<![^\W\d_])[^\W\d_]*[oOuU][" + _TONED_FINAL + r"](?![^\W\d_])")
_TONE_MEMO: dict[str, str] = {}


def _restyle_word(m: re.Match) -> str:
    w = m.group(0)
    if len(w) > 7:
        return w
    out = _TONE_MEMO.get(w)
    if out is None:
        out = _move_tone(w)
        if len(out) != len(w):
            out = w
        if len(_TONE_MEMO) > 50_000:
            _TONE_MEMO.clear()
        _TONE_MEMO[w] = out
    return out


# what every candidate holds (its last two letters, at the end of a word): one
# cheap search tells the texts that hold none (most lines), where the
# substitution would find nothing
_CANDIDATE_END = re.compile(r"[oOuU][" + _TONED_FINAL + r"](?![^\W\d_])")


def _tone_style(text: str) -> str:
    # same length in NFC: only moves marks inside a word
    if not _CANDIDATE_END.search(text):
        return text
    return _CANDIDATE.sub(_restyle_word, text)


# characters with a non-zero canonical combining class (unicodedata.combining),
# as regex classes built on first use (planes 0, 1 and 14 hold them all): one
# of the Basic Multilingual Plane only, which re matches with a bitmap, and
# one of every plane, used only for text that holds characters beyond it
_COMB: dict[str, str] = {}


def _combining_class(astral: bool = True) -> str:
    if not _COMB:
        from checker import resources

        # ~130,000 code points looked up: kept in the on-disk data cache per
        # Unicode version (checker.resources.cached)
        _COMB.update(resources.cached("combining-class", [unicodedata.unidata_version], _combining_ranges))
    return _COMB["all" if astral else "bmp"]


def _combining_ranges() -> dict[str, str]:
    out = {}
    cps = [c for r in (range(0x300, 0x20000), range(0xE0000, 0xE1000)) for c in r
           if unicodedata.combining(chr(c))]
    for key, chosen in (("bmp", [c for c in cps if c < 0x10000]), ("all", cps)):
        ranges: list[tuple[int, int]] = []
        for c in chosen:
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1] = (ranges[-1][0], c)
            else:
                ranges.append((c, c))
        out[key] = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return out


_RX: dict[tuple[str, bool], re.Pattern] = {}


def _rx(name: str, text: str) -> re.Pattern:
    """The regexes that need the combining class, compiled once; the
    BMP-only form when ``text`` has nothing beyond the BMP."""
    astral = bool(text) and max(text) > "\uffff"
    key = (name, astral)
    if key not in _RX:
        comb = _combining_class(astral)
        sp = "".join(sorted(_SPACES))
        dr = "".join(sorted(_DROP))
        # a cluster (base + combining marks) the first pass changes: a space or
        # a dropped character (with its marks), or any base with marks
        _RX["cluster", astral] = re.compile(f"(?s)([{sp}])[{comb}]*|([{dr}])[{comb}]*|.[{comb}]+")
        # every cluster holds one of these characters: a text without any
        # (most lines) has no cluster, found by one search of one class
        _RX["trigger", astral] = re.compile(f"[{sp}{dr}{comb}]")
    return _RX[key]


# every debris pattern needs one of these characters
_DEBRIS_CHARS = re.compile(r"[\[<\\≥$*_#]")


def _first_pass(text: str) -> tuple[str, list[int]]:
    """NFC per cluster (base + combining marks), odd spaces → " ", drops go."""
    n = len(text)
    pieces: list[str] = []
    omap: list[int] = []
    last = 0
    if not _rx("trigger", text).search(text):
        return text, list(range(n))
    for m in _rx("cluster", text).finditer(text):
        i, j = m.span()
        if i > last:
            pieces.append(text[last:i])
            omap.extend(range(last, i))
        last = j
        if m.group(2) is not None:  # dropped
            continue
        if m.group(1) is not None:  # a space
            pieces.append(" ")
            omap.append(i)
            continue
        comp = unicodedata.normalize("NFC", m.group(0))
        pieces.append(comp)
        omap.append(i)
        omap.extend(min(i + k, j - 1) for k in range(1, len(comp)))
    if last == 0:
        return text, list(range(n))
    if last < n:
        pieces.append(text[last:])
        omap.extend(range(last, n))
    return "".join(pieces), omap


def _analysis(text: str) -> tuple[str, list[int]]:
    """The display form and its offset map (without the final ``len(text)``)."""
    n = len(text)
    s, omap = _first_pass(text)
    # 2. debris
    if _DEBRIS_CHARS.search(s):
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
    return s, omap


def normalize(text: str, restyle: bool = True) -> tuple[str, list[int]]:
    """Return ``(norm, omap)``; ``omap[i]`` is the offset in ``text`` of
    ``norm[i]`` and ``omap[len(norm)]`` is ``len(text)``.

    With ``restyle=False`` the tone marks stay where the author put them:
    that is the *display* form (clean, but the writer's spelling).  Both forms
    have the same length and the same offset map, because moving a tone mark
    inside a syllable never changes the length of NFC text.

    One pass over the text: the clusters that change are found by one regex
    and everything between them is copied in slices (the offset map of a
    slice is a ``range``)."""
    s, omap = _analysis(text)
    # 3. tone placement (length preserving)
    if restyle:
        s = _tone_style(s)
    omap.append(len(text))
    return s, omap


def normalize_both(text: str) -> tuple[str, str, list[int]]:
    """``(norm, display, omap)`` in one pass: ``normalize(text)`` and
    ``display(text)`` share everything but the tone placement."""
    disp, omap = _analysis(text)
    omap.append(len(text))
    return _tone_style(disp), disp, omap


def norm(text: str) -> str:
    """Normalised text only."""
    return normalize(text)[0]


def display(text: str) -> str:
    """Clean display form: NFC, plain spaces, no debris; spelling kept."""
    return normalize(text, restyle=False)[0]




_BEYOND = re.compile("[\u3000-\U0010ffff]")
# ASCII and the combining marks of U+0300–U+036F (U+034F, the grapheme joiner,
# is not one: unicodedata.combining gives it 0): a text of only these is
# folded by dropping every non-ASCII character
_ASCII_AND_MARKS = "\x00-\x7f" + "".join(
    chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c)))
_NOT_ASCII_OR_MARK = re.compile(f"[^{_ASCII_AND_MARKS}]")


@lru_cache(maxsize=1)
def _marks() -> re.Pattern:
    """The characters below U+3000 that ``unicodedata.combining`` marks, as one
    character class (built once per process, ~2 ms)."""
    ranges: list[list[int]] = []
    for code in range(0x3000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges) + "]")


def fold(text: str) -> str:
    """Lowercase, accent-free form of normalised text; same length."""
    t = text.replace("đ", "d").replace("Đ", "d")
    d = unicodedata.normalize("NFD", t)
    if d.isascii():
        out = d
    elif not _NOT_ASCII_OR_MARK.search(d):  # only ASCII and marks: the codec drops them all
        out = d.encode("ascii", "ignore").decode("ascii")
    elif _BEYOND.search(d):
        out = "".join(c for c in d if not unicodedata.combining(c))
    else:  # the same, with one regular expression
        out = _marks().sub("", d)
    if len(out) != len(t):  # characters that do not decompose cleanly
        out = "".join(
            (unicodedata.normalize("NFD", c)[0] if c.isalpha() else c) for c in t
        )
    return out.lower()


def squash(text: str) -> str:
    """Folded text with runs of non-word characters reduced to one space."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()
