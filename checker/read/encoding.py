"""Decoding text files: UTF-8 (with or without BOM), UTF-16, and the legacy
Vietnamese encodings Windows-1258, TCVN3 (ABC) and VNI.

Legacy files are recognised by scoring: each candidate decoding is scored by
the share of its accented words that are well-formed Vietnamese syllables and
by how many very common Vietnamese words it holds ("và", "của", "các" …).
The best candidate above a threshold wins and a note says what was converted;
otherwise the file is refused with a clear message.  A UTF-8 file whose text
still shows TCVN3/VNI mojibake (copied out of a legacy-font document) is
converted the same way.

The conversion tables are data, in :mod:`checker.read.legacy_tables`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from checker.errors import PlanError
from checker.read.legacy_tables import TCVN3, VNI_FAMILIES, VNI_SINGLE, VNI_TONE_MARKS

MIN_VALID = 0.85  # share of accented words that must be Vietnamese syllables
NAMES = {"cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl > len(sample) * 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is mostly zero (text in
    the Latin and Vietnamese ranges written as UTF-16 without a BOM)."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    z_even = even.count(0) / len(even)
    z_odd = odd.count(0) / len(odd)
    if z_odd > 0.3 and z_even < 0.02:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.02:
        return "utf-16-be"
    return None


def _binary() -> PlanError:
    return PlanError("binary", "Tệp không phải văn bản (dữ liệu nhị phân).",
                     "The file is not text (binary data).")


def _bad_encoding() -> PlanError:
    return PlanError(
        "bad-encoding",
        "Không nhận ra bảng mã của tệp: không phải UTF-8, Windows-1258, TCVN3 (ABC) hay VNI. "
        "Hãy mở tệp và lưu lại với bảng mã Unicode UTF-8 (hoặc chuyển mã bằng Unikey).",
        "Unknown text encoding: not UTF-8, Windows-1258, TCVN3 (ABC) or VNI. Open the file "
        "and save it as Unicode UTF-8 (or convert it with Unikey).",
    )


# ---------------------------------------------------------------- scoring

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NUCLEI = ("iêu yêu oai oay oao oeo uây uôi ươi ươu uyê uya uyu "
           "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ "
           "yê a ă â e ê i o ô ơ u ư y").split()
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"(?:" + "|".join(_NUCLEI) + r")(?:ch|ng|nh|c|m|n|p|t)?$")
COMMON = frozenset(
    "và của các có được người không những trong với cho theo năm việc thực hiện nhân dân "
    "xã hội là để này đến phát triển công nghệ trên về số đã một ban hành kế hoạch nghị "
    "quyết chuyển đổi quản lý nhiệm vụ đơn vị tổ chức cơ quan địa bàn tỉnh huyện ủy".split())


def _is_syllable(word: str) -> bool:
    d = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in d if c in _TONES) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
    return bool(_SYLLABLE.match(bare))


def vietnamese_score(text: str) -> tuple[float, int]:
    """(share of accented words that are Vietnamese syllables, common-word hits)."""
    text = unicodedata.normalize("NFC", text)
    words = re.findall(r"[^\W\d_]+", text)
    accented = [w for w in words if not w.isascii()]
    # mojibake also shows as symbols glued to letters ("Céng hoµ x·")
    glued = len(re.findall(r"[^\W\d_][^\w\s.,;:!?()\"'/%\-–—…“”‘’]|"
                           r"[^\w\s.,;:!?()\"'/%\-–—…“”‘’\[\]*#|+=<>&@$]+[^\W\d_]", text))
    valid = sum(1 for w in accented if _is_syllable(w))
    share = valid / (len(accented) + glued) if (accented or glued) else 1.0
    hits = sum(1 for w in words if w.lower() in COMMON)
    return share, hits


# ---------------------------------------------------------------- converters

def _latin1_with_cp1252(data: bytes) -> str:
    """Bytes as Latin-1 characters, but 0x80–0x9F as Windows quotes and dashes."""
    s = data.decode("latin-1")
    return s.translate(_C1_TABLE)


def _c1_table() -> dict[int, str]:
    out = {}
    for b in range(0x80, 0xA0):
        try:
            out[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return out


_C1_TABLE = _c1_table()
_WORD = re.compile(r"\S+")


def tcvn3_to_unicode(s: str) -> str:
    """Convert TCVN3 text (bytes read as Latin-1) to Unicode.

    Case is restored: a word whose plain letters are all capitals (or a word
    of converted letters only, on a line in capitals) is put in capitals.
    """
    out_lines = []
    for line in s.split("\n"):
        # a line in capitals: its converted words of 2+ plain letters are all capitals
        mixed = [[c for c in w if c.isascii() and c.isalpha()] for w in line.split()
                 if any(c in TCVN3 for c in w)]
        mixed = [p for p in mixed if len(p) >= 2]
        line_caps = bool(mixed) and all(c.isupper() for p in mixed for c in p)

        def word(m: re.Match) -> str:
            w = m.group(0)
            conv = "".join(TCVN3.get(c, c) for c in w)
            if conv == w:
                return w
            plain = [c for c in w if c.isascii() and c.isalpha()]
            caps = plain and all(c.isupper() for c in plain)
            if (caps and (len(plain) > 1 or line_caps)) or (not plain and line_caps):
                return conv.upper()
            return conv

        out_lines.append(_WORD.sub(word, line))
    return "\n".join(out_lines)


@lru_cache(maxsize=1)
def _vni_maps() -> tuple[dict[str, str], re.Pattern]:
    pairs: dict[str, str] = {}
    for base, kinds in VNI_FAMILIES.items():
        for kind, letters in kinds.items():
            lo, up = VNI_TONE_MARKS[kind]
            if kind == "plain":  # marks are the five tones: letters[1:]
                targets = letters[1:]
            else:  # marks are bare hat/breve, then the five tones
                targets = letters
            for mark_lo, mark_up, letter in zip(lo, up, targets):
                for b, mark in ((base, mark_lo), (base, mark_up),
                                (base.upper(), mark_lo), (base.upper(), mark_up)):
                    pairs[b + mark] = letter.upper() if b.isupper() else letter
    table = dict(pairs)
    table.update(VNI_SINGLE)
    keys = sorted(table, key=len, reverse=True)
    return table, re.compile("|".join(re.escape(k) for k in keys))


def vni_to_unicode(s: str) -> str:
    """Convert VNI text (bytes read as Latin-1) to Unicode."""
    table, rx = _vni_maps()
    return rx.sub(lambda m: table[m.group(0)], s)


def unicode_to_tcvn3(text: str) -> bytes:
    """Encode Unicode text in TCVN3 (capitals with tones become lowercase codes,
    as the H fonts stored them).  For tests and fixtures."""
    rev = {v: k for k, v in TCVN3.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in rev:
            out.append(rev[ch])
        elif ch.lower() in rev and ch not in "ĂÂÊÔƠƯĐ":
            out.append(rev[ch.lower()])
        else:
            out.append(ch)
    return "".join(out).encode("cp1252")


def unicode_to_vni(text: str) -> bytes:
    """Encode Unicode text in VNI (lowercase marks after lowercase letters,
    capital marks after capitals).  For tests and fixtures."""
    table, _ = _vni_maps()
    rev: dict[str, str] = {}
    for k, v in table.items():
        if len(k) == 2 and k[0].isupper() != k[1].isupper():
            continue  # mixed-case pairs are accepted when reading only
        rev.setdefault(v, k)
    return "".join(rev.get(ch, ch) for ch in unicodedata.normalize("NFC", text)).encode(
        "cp1252")


def unicode_to_cp1258(text: str) -> bytes:
    """Encode Unicode text in Windows-1258 as Word does: letters with a hat,
    breve or horn are precomposed and the tone is a combining mark.  For
    tests and fixtures."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        tone = "".join(c for c in d if c in _TONES)
        out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def _candidates(legacy: str) -> dict[str, str]:
    return {"tcvn3": tcvn3_to_unicode(legacy), "vni": vni_to_unicode(legacy)}


def _best(cands: dict[str, str]) -> tuple[str, str, float, int] | None:
    best = None
    for name, text in cands.items():
        share, hits = vietnamese_score(text)
        key = (share, hits)
        if best is None or key > (best[2], best[3]):
            best = (name, text, share, hits)
    if best is None:
        return None
    _name, text, share, hits = best
    words = len(re.findall(r"[^\W\d_]+", text))
    if share >= MIN_VALID and (hits >= 2 or words < 20):
        return best
    return None


def _note(name: str) -> str:
    return f"Đã chuyển từ bảng mã {NAMES[name]} sang Unicode."


# ---------------------------------------------------------------- entry point

def decode(data: bytes) -> tuple[str, list[str]]:
    """Return ``(text, notes)``; raise PlanError when the bytes are not text."""
    if data[:3] == b"\xef\xbb\xbf":
        return _fix_mojibake(data[3:].decode("utf-8", errors="replace"))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), ["Đã đọc tệp theo bảng mã UTF-16."]
        except UnicodeDecodeError as e:
            raise PlanError("bad-encoding", "Tệp UTF-16 bị hỏng, không đọc được.",
                            "Corrupt UTF-16 file.") from e
    bom_less = _utf16_without_bom(data)
    if bom_less:
        try:
            return data.decode(bom_less), ["Đã đọc tệp theo bảng mã UTF-16 (không có BOM)."]
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if _looks_binary(data):
        raise _binary()
    if text is not None:
        return _fix_mojibake(text)
    # not UTF-8: one of the legacy encodings, or nothing we know
    cands: dict[str, str] = {}
    try:  # first: on a tie the earlier candidate wins
        cands["cp1258"] = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        pass
    cands.update(_candidates(_latin1_with_cp1252(data)))
    best = _best(cands)
    if best is None:
        raise _bad_encoding()
    return best[1], [_note(best[0])]


def _fix_mojibake(text: str) -> tuple[str, list[str]]:
    """UTF-8 text that still carries TCVN3/VNI codes as Latin-1 letters."""
    if not re.search("[\u00a1-\u00ff]", text):
        return text, []
    if re.search("[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9"
                 "\u0300\u0301\u0303\u0309\u0323]", text):
        return text, []  # real Unicode Vietnamese letters: nothing to convert
    share, hits = vietnamese_score(text)
    if share >= MIN_VALID:
        return text, []
    best = _best(_candidates(text))  # the tables are keyed by Latin-1 characters
    if best is None or best[2] <= share:
        return text, []
    return best[1], [_note(best[0])]
