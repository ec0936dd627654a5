import unicodedata

from checker.model import Location, Unit
from checker.normalize import display, fold, normalize


def test_tone_styles_meet():
    assert normalize("Văn hoá")[0] == normalize("Văn hóa")[0] == "Văn hóa"
    assert normalize("thuỷ lợi")[0] == "thủy lợi"
    assert normalize("khoẻ")[0] == "khỏe"
    # tone on the second vowel is right when a final consonant follows
    assert normalize("hoàn thành")[0] == "hoàn thành"
    # "qu" is a consonant: quý keeps its tone
    assert normalize("quý")[0] == "quý"


def test_display_keeps_spelling_but_cleans_debris():
    assert display("[bookmark: b1]Văn hoá **xã**") == "Văn hoá xã"
    assert len(display("Văn hoá")) == len(normalize("Văn hoá")[0])


def test_decomposed_characters_are_composed():
    nfd = unicodedata.normalize("NFD", "chuyển đổi số")
    n, omap = normalize(nfd)
    assert n == "chuyển đổi số"
    assert len(omap) == len(n) + 1


def test_debris_removed():
    assert normalize("[bookmark: x][bookmark: y]1. Mục đích")[0] == "1. Mục đích"
    assert normalize("### **1. Mục tiêu**")[0] == "1. Mục tiêu"
    assert normalize("văn bản<sup>(1)</sup>. Tiếp")[0] == "văn bản. Tiếp"
    assert normalize("đạt $\\geq 10\\%$")[0] == "đạt ≥ 10%"
    assert normalize("a\u00a0b\u200bc")[0] == "a bc"


def test_offset_map_points_at_original_words():
    raw = "[bookmark: bm3]Căn cứ " + unicodedata.normalize("NFD", "Nghị quyết") + " số 57"
    u = Unit(index=0, text=raw, loc=Location(1, "dòng 1"))
    u.norm, u.omap = normalize(raw)
    i = u.norm.index("Nghị quyết")
    s, e = u.orig_span(i, i + len("Nghị quyết"))
    assert unicodedata.normalize("NFC", raw[s:e]) == "Nghị quyết"
    j = u.norm.index("57")
    assert raw[slice(*u.orig_span(j, j + 2))] == "57"


def test_fold_is_accent_free_and_same_length():
    n = normalize("Đổi mới sáng tạo")[0]
    f = fold(n)
    assert f == "doi moi sang tao"
    assert len(f) == len(n)
