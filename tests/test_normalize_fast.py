"""The one-pass normaliser (issue 17) against the one it replaced, and the
offset map's promises, on real plans and on random text full of the
characters that change (decomposed marks, odd spaces, conversion debris)."""
from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

import normalize_reference as ref
from checker import normalize as fast

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TEXTS = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))

VIET = "Văn hoá hóa thuỷ thủy khoẻ khỏe quý Quý HOÁ Hoà hòa Thuý tuỳ loè Đổi mới sáng tạo chuyển đổi số Nghị quyết"
PIECES = (
    list(VIET) + list(unicodedata.normalize("NFD", VIET))
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b", "\u0308"]
    + sorted(ref._SPACES) + sorted(ref._DROP)
    + ["[bookmark: b1]", "[bookmark:", "<sup>(1)</sup>", "<sup>", "</b>", "<br/>", "\\geq", "\\ge ", "\\le",
       "\\%", "$", "\\-", "\\.", "**", "__", "## ", "#", "\n", " ", "1", "2.", "q", "u", "y", "o", "a", "e",
       "Ω", "\u212b", "ﬁ", "가", "\u1100\u1161", "\u0915\u093c", "≥", "đ", "Đ", "😀", "\U0001d165\U0001d16d", "\U000e0100", "𝐀"]
)


def _random_texts(n: int, seed: int):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))


def _same(text: str) -> None:
    for restyle in (True, False):
        assert fast.normalize(text, restyle) == ref.normalize(text, restyle), (text, restyle)
    n, d, omap = fast.normalize_both(text)
    assert (n, omap) == ref.normalize(text)
    assert d == ref.display(text)
    assert fast.fold(n) == ref.fold(n)
    assert fast.fold(text) == ref.fold(text)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name[:12])
def test_same_as_before_on_real_plans(path):
    text = path.read_text(encoding="utf-8")
    for line in text.split("\n"):
        _same(line)
    _same(text)
    _same(unicodedata.normalize("NFD", text[:5000]))


def test_same_as_before_on_random_text():
    for text in _random_texts(3000, 17):
        _same(text)


def test_combining_class_is_exactly_unicodedata_combining():
    import re

    rx = re.compile(f"[{fast._combining_class()}]")
    bmp = re.compile(f"[{fast._combining_class(False)}]")
    for c in range(0x110000):
        ch = chr(c)
        assert bool(rx.match(ch)) == bool(unicodedata.combining(ch)), hex(c)
        if c < 0x10000:
            assert bool(bmp.match(ch)) == bool(unicodedata.combining(ch)), hex(c)


def _maps_back(text: str) -> None:
    n, omap = fast.normalize(text)
    assert len(omap) == len(n) + 1 and omap[-1] == len(text)
    assert all(0 <= omap[i] < len(text) for i in range(len(n)))
    assert all(a <= b for a, b in zip(omap, omap[1:])), "offsets go forward"
    for i, ch in enumerate(n):
        src = text[omap[i]]
        if ch.isalnum():
            # the letter itself (its base, marks may move inside a syllable)
            assert unicodedata.normalize("NFD", ch)[0] == unicodedata.normalize("NFD", src)[0], (text, i)
        elif ch == " ":
            assert src.isspace() or src in fast._SPACES, (text, i)
        elif ch in "≥≤%":
            assert src == ch or src == "\\", (text, i)
        else:
            assert ch == src or unicodedata.combining(ch), (text, i)


def test_offset_map_maps_every_char_back_on_random_text():
    for text in _random_texts(2000, 57):
        _maps_back(text)


@pytest.mark.parametrize("path", TEXTS[:5], ids=lambda p: p.name[:12])
def test_offset_map_maps_every_char_back_on_seeds(path):
    for line in path.read_text(encoding="utf-8").split("\n"):
        _maps_back(line)
        _maps_back(unicodedata.normalize("NFD", line))
