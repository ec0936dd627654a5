"""PDFs whose text layer is really broken, made here rather than faked (issue 12).

What LibreOffice (or any exporter) writes with a font that has no usable
Unicode map is a PDF whose glyph codes cannot be turned back into text: an
embedded Type0/Identity-H font without its ``/ToUnicode`` CMap (pdfplumber then
gives ``(cid:N)`` codes and stray symbols), or a CMap that sends the
Vietnamese letters to the wrong characters (private-use code points, as a
symbol font's map does).  Each case is built the way it happens: fpdf2 writes
a correct PDF with an embedded DejaVu subset, then pypdf removes or rewrites
the font's map — the glyphs on the page are unchanged, only the text layer
breaks.  ``plancheck check`` must refuse such a file with exit 2 and one clear
message, and when only some pages are broken (an annex exported apart), check
the rest and say which pages it skipped."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import build_pdf, find_font

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("fpdf")

from checker.apps.cli import main  # noqa: E402
from checker.pipeline import extract  # noqa: E402

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"


def _need_font():
    if not find_font():
        pytest.skip("no Unicode TTF font for fpdf2 (install fonts-dejavu-core)")


def _plan_lines() -> list[str]:
    src = LAYOUTS / "xa-chuong-theo-chu-de.txt"
    return [ln.replace("\t", "    ") for ln in src.read_text(encoding="utf-8").split("\n")]


def _annex_lines() -> list[str]:
    return (["PHỤ LỤC", "DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2026",
             "STT\tNhiệm vụ\tCơ quan chủ trì\tThời gian hoàn thành",
             "1\tTriển khai ký số trên toàn bộ văn bản đi của xã\tVăn phòng HĐND và UBND xã\tQuý II/2026",
             "2\tSố hóa hồ sơ thủ tục hành chính còn hiệu lực\tVăn phòng HĐND và UBND xã\tQuý III/2026"]
            + ["Đơn vị chủ trì báo cáo kết quả thực hiện nhiệm vụ định kỳ hằng quý về Ủy ban nhân dân xã."] * 8)


def _fonts(page):
    res = page.get("/Resources")
    fonts = res.get_object().get("/Font") if res is not None else None
    return [ref.get_object() for ref in (fonts.get_object().values() if fonts is not None else [])]


def _drop_tounicode(page) -> int:
    """Remove the Unicode map of every font on the page: the text layer is lost."""
    from pypdf.generic import NameObject

    n = 0
    for f in _fonts(page):
        if "/ToUnicode" in f:
            del f[NameObject("/ToUnicode")]
            n += 1
    return n


_BF = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>")
_BFCHAR = re.compile(rb"beginbfchar.*?endbfchar", re.S)


def _remap(data: bytes, bad) -> bytes:
    """The CMap with each glyph → text pair of its bfchar blocks passed through ``bad``."""
    return _BFCHAR.sub(lambda block: _BF.sub(bad, block.group(0)), data)


def _rewrite_maps(page, bad) -> int:
    """Pass each glyph → text pair of every font's CMap on the page through ``bad``
    (a ``re.sub`` replacement over the bfchar pairs); the number of fonts rewritten."""
    from pypdf.generic import NameObject, StreamObject

    n = 0
    for f in _fonts(page):
        if "/ToUnicode" not in f:
            continue
        new = StreamObject()
        new.set_data(_remap(f["/ToUnicode"].get_object().get_data(), bad))
        f[NameObject("/ToUnicode")] = new
        n += 1
    return n


def _scramble_tounicode(page) -> int:
    """Rewrite each font's CMap so that every letter outside ASCII (the Vietnamese
    ones) maps to a private-use code point, as a symbol font's map does."""
    def bad(m):
        cp = int(m.group(2)[:4], 16)
        return m.group(0) if cp < 0x80 else b"<%s> <%04X>" % (m.group(1), 0xE000 + cp % 0x1000)

    return _rewrite_maps(page, bad)


def _symbol_tones(page) -> int:
    """Rewrite each font's CMap so that a Vietnamese letter reads as its bare letter and
    a symbol ("ầ" → "a=", "ư" → "u="): the "Yều câ=u" text of an export with a font whose
    accents are drawn from a symbol set."""
    import unicodedata

    def bad(m):
        ch = chr(int(m.group(2)[:4], 16))
        base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))[0]
        if ord(ch) < 0x80 or not base.isascii():
            return m.group(0)
        return b"<%s> <%04X003D>" % (m.group(1), ord(base))

    return _rewrite_maps(page, bad)


def _shifted_letters(page) -> int:
    """Rewrite each font's CMap so that every glyph reads as another plain letter (a map
    made for another font's glyph order): no code, no symbol, only syllables that cannot
    be Vietnamese ("Kx pvhnq")."""
    abc = "abcdefghijklmnopqrstuvwxyz"

    def bad(m):
        ch = chr(int(m.group(2)[:4], 16))
        if not ch.isalpha():
            return m.group(0)
        new_ch = abc[(int(m.group(1), 16) * 7 + 3) % 26]
        return b"<%s> <%04X>" % (m.group(1), ord(new_ch.upper() if ch.isupper() else new_ch))

    return _rewrite_maps(page, bad)


def _pdf(tmp_path, name: str, parts) -> Path:
    """Pages of several PDFs in one file; ``parts`` are (lines, how to break them or None)."""
    w = pypdf.PdfWriter()
    for k, (lines, breaker) in enumerate(parts):
        src = build_pdf(lines, tmp_path / f"{name}-{k}.pdf")
        broken = 0
        for page in pypdf.PdfReader(src).pages:  # the pages share their font: broken once
            if breaker is not None:
                broken += breaker(page)
            w.add_page(page)
        assert breaker is None or broken, "the font had no Unicode map to break"
    out = tmp_path / f"{name}.pdf"
    with out.open("wb") as fh:
        w.write(fh)
    return out


def _text_layer(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


@pytest.mark.parametrize("breaker,looks_like", [(_drop_tounicode, r"\(cid:\d+\)"),
                                                (_scramble_tounicode, "[\ue000-\uf8ff]"),
                                                (_symbol_tones, r"\w=\w"),
                                                (_shifted_letters, r"\A(?!.*\(cid:)(?!.*[\ue000-\uf8ff])(?!.*\w=\w)")],
                         ids=["no-tounicode", "private-use-map", "symbol-tones", "shifted-letters"])
def test_broken_text_layer_is_refused_with_exit_2(tmp_path, breaker, looks_like):
    _need_font()
    path = _pdf(tmp_path, "plan", [(_plan_lines(), breaker)])
    layer = _text_layer(path)
    assert re.search(looks_like, layer, re.S) and "Thạch Lễ Đông" not in layer  # really broken, not faked
    for lang, words in (("vi", "Lớp văn bản của tệp bị hỏng"), ("en", "text layer is garbled")):
        r = CliRunner().invoke(main, ["check", str(path), "--lang", lang])
        assert r.exit_code == 2, r.output
        assert words in r.output and "Traceback" not in r.output
        assert r.output.count("\n") <= 3  # one message, not a report built on garbage


def test_a_good_pdf_of_the_same_plan_is_checked(tmp_path):
    _need_font()
    path = _pdf(tmp_path, "plan", [(_plan_lines(), None)])
    r = CliRunner().invoke(main, ["check", str(path)])
    assert r.exit_code in (0, 1), r.output
    assert "bỏ qua" not in r.output


def test_damaged_annex_pages_are_skipped_and_named(tmp_path):
    _need_font()
    path = _pdf(tmp_path, "plan", [(_plan_lines(), None), (_annex_lines(), _drop_tounicode)])
    good_pages = len(pypdf.PdfReader(build_pdf(_plan_lines(), tmp_path / "alone.pdf")).pages)
    skipped = list(range(good_pages + 1, len(pypdf.PdfReader(path).pages) + 1))
    plan = extract(path)
    assert plan.skipped_pages == skipped
    assert plan.tasks and not any(t.loc.page in skipped for t in plan.tasks)
    assert plan.header.number == "33/KH-UBND"
    listed = ", ".join(map(str, skipped))
    r = CliRunner().invoke(main, ["check", str(path)])
    assert r.exit_code in (0, 1), r.output
    assert f"Trang bị bỏ qua (lớp văn bản bị hỏng, không được kiểm tra): {listed}" in r.output
    r = CliRunner().invoke(main, ["check", str(path), "--lang", "en", "--format", "md"])
    assert f"Pages skipped (garbled text layer, not checked):** {listed}" in r.output
    import json

    r = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    assert json.loads(r.output)["plan"]["skipped_pages"] == skipped
    r = CliRunner().invoke(main, ["extract", str(path), "--format", "json"])
    data = json.loads(r.output)
    assert data["skipped_pages"] == skipped and any(f"Trang {listed}" in n for n in data["notes"])


def test_impossible_syllables_in_a_text_file(tmp_path):
    """The same test on text: letters that spell no Vietnamese syllable are refused, a
    plan with loanwords and abbreviations ("Internet", "VNeID", "TTg", "KH-UBND") is not."""
    from checker.read.quality import impossible

    good = (LAYOUTS / "quyet-dinh-ban-hanh.txt").read_text(encoding="utf-8")
    x, m = impossible(good)
    assert m > 400 and x / m < 0.02
    abc = "abcdefghijklmnopqrstuvwxyz"
    shifted = "".join(abc[(abc.index(c) + 7) % 26] if c in abc else c for c in good)
    p = tmp_path / "shifted.txt"
    p.write_text(shifted, encoding="utf-8")
    r = CliRunner().invoke(main, ["check", str(p)])
    assert r.exit_code == 2 and "Lớp văn bản của tệp bị hỏng" in r.output, r.output
    q = tmp_path / "good.txt"
    q.write_text(good, encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(q)]).exit_code in (0, 1)
