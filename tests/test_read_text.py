"""The text reader and its decoding: UTF-8/BOM/UTF-16, Windows-1258, TCVN3,
VNI (bytes and as mojibake inside UTF-8), line locations and table rows."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from checker.errors import PlanError
from checker.read import read, sniff
from checker.read.encoding import (decode, tcvn3_to_unicode, unicode_to_cp1258,
                                   unicode_to_tcvn3, unicode_to_vni, vietnamese_score,
                                   vni_to_unicode)

FIX = Path(__file__).resolve().parent / "fixtures" / "read"
SAMPLE = (FIX / "sample_plan.txt").read_text(encoding="utf-8")


def _write(tmp_path, data: bytes, name="plan.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _lines(res):
    return [u.text for u in res.units]


# --------------------------------------------------------------- Unicode forms

@pytest.mark.parametrize("encode", [
    lambda s: s.encode("utf-8"),
    lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    lambda s: s.encode("utf-16"),  # with BOM, little-endian here
    lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
    lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    lambda s: s.encode("utf-16-le"),
    lambda s: s.encode("utf-16-be"),
], ids=["utf8", "utf8-bom", "utf16", "utf16-be", "crlf", "utf16le-no-bom", "utf16be-no-bom"])
def test_unicode_forms_read_the_same(tmp_path, encode):
    res = read(_write(tmp_path, encode(SAMPLE)))
    assert _lines(res)[: len(SAMPLE.split("\n"))] == SAMPLE.split("\n")
    assert res.format == "txt"


def test_line_locations_and_rows(tmp_path):
    res = read(_write(tmp_path, SAMPLE.encode("utf-8"), "plan.md"))
    assert res.format == "md"
    u = res.units[8]
    assert u.text == "I. MỤC ĐÍCH, YÊU CẦU"
    assert u.loc.line == 9 and u.loc.human == "dòng 9"
    rows = [u for u in res.units if u.kind == "row"]
    assert [r.cells[0] for r in rows] == ["STT", "1"]
    r = rows[1]
    assert r.cells[2] == "Văn phòng HĐND và UBND"
    for cell, (a, b) in zip(r.cells, r.cell_spans):
        assert r.text[a:b] == cell
    assert res.sha256 and len(res.sha256) == 64


def test_sniff_by_content():
    assert sniff(b"PK\x03\x04rest", ".txt") == "docx"
    assert sniff(b"%PDF-1.7", ".docx") == "pdf"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".docx") == "doc"
    assert sniff(b"{\\rtf1", ".doc") == "rtf"
    assert sniff(b"# K\xe1\xba\xbe", ".md") == "md"


# --------------------------------------------------------------- legacy encodings

def test_known_tcvn3_and_vni_strings():
    """Strings as they are known from real legacy documents (not our encoder)."""
    assert tcvn3_to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == \
        "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert tcvn3_to_unicode("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"
    assert tcvn3_to_unicode("KÕ HO¹CH") == "KẾ HOẠCH"
    assert vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == \
        "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert vni_to_unicode("Ñoäc laäp - Töï do - Haïnh phuùc") == "Độc lập - Tự do - Hạnh phúc"
    assert vni_to_unicode("KEÁ HOAÏCH") == "KẾ HOẠCH"


def _tcvn3_expected(text: str) -> str:
    """TCVN3 has no codes for capitals with tones outside all-capital words:
    such a capital comes back in lowercase (as the H font stored it)."""
    out = []
    for line in text.split("\n"):
        words = []
        for w in line.split(" "):
            letters = [c for c in w if c.isalpha()]
            if letters and not all(c.isupper() for c in letters) and w[:1] in "ỦỨỪỬỮỰẤẦẨẪẬ":
                w = w[0].lower() + w[1:]
            words.append(w)
        out.append(" ".join(words))
    return "\n".join(out)


@pytest.mark.parametrize("name,encode,expected", [
    ("TCVN3", unicode_to_tcvn3, _tcvn3_expected),
    ("VNI", unicode_to_vni, lambda s: s),
    ("Windows-1258", unicode_to_cp1258, lambda s: s),
])
def test_legacy_encodings_are_converted(tmp_path, name, encode, expected):
    data = encode(SAMPLE)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    res = read(_write(tmp_path, data))
    assert "\n".join(_lines(res)) == expected(SAMPLE)
    assert any(name in n and "Unicode" in n for n in res.notes)
    assert all(unicodedata.is_normalized("NFC", u.text) for u in res.units)


def test_cp1258_uses_combining_tones():
    data = unicode_to_cp1258("Việt Nam")
    assert data == b"Vi\xeat Nam".replace(b"\xea", b"\xea\xf2")  # ê + combining dot below
    text, notes = decode(data)
    assert text == "Việt Nam" and notes


@pytest.mark.parametrize("encode", [unicode_to_tcvn3, unicode_to_vni])
def test_legacy_codes_inside_utf8_are_converted(tmp_path, encode):
    """Text copied out of a legacy-font document and saved as UTF-8."""
    mojibake = encode(SAMPLE).decode("cp1252")
    assert vietnamese_score(mojibake)[0] < 0.85
    res = read(_write(tmp_path, mojibake.encode("utf-8")))
    assert res.units[2].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert res.notes


def test_real_seed_is_left_alone(seed):
    src = seed("004")  # decomposed characters and mixed tone placement
    text, notes = decode(src.read_bytes())
    assert notes == [] and text == src.read_text(encoding="utf-8")


def test_unknown_encoding_is_refused(tmp_path):
    russian = ("План мероприятий по цифровой трансформации сельского поселения на 2026 год. "
               "Ответственные исполнители и сроки выполнения указаны в таблице.\n") * 5
    with pytest.raises(PlanError) as e:
        read(_write(tmp_path, russian.encode("cp1251")))
    assert e.value.code == "bad-encoding"
    assert "UTF-8" in e.value.vi and "UTF-8" in e.value.en


def test_scores():
    share, hits = vietnamese_score(SAMPLE)
    assert share > 0.95 and hits > 20
    bad, _ = vietnamese_score(unicode_to_tcvn3(SAMPLE).decode("latin-1"))
    assert bad < 0.6
