"""Quality of a text layer: refuse garbage rather than analyse it.

A PDF made with a font that lacks Vietnamese glyphs (or without a ToUnicode
map) gives a text layer of ``(cid:3)`` codes, private-use characters or
syllables with symbols in place of letters ("Yều câ=u"); a coverage report
built on it would say "0 tasks, everything missing".  :func:`check_layer`
measures the share of damaged words per page (per document for text):
when most of the text is damaged the file is refused (PlanError
``garbled-text``, exit 2); when only some pages are, those pages are
dropped and a note names them.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from checker.errors import PlanError
from checker.model import Unit

_CID = re.compile(r"\(cid:\d+\)")
_PUA = re.compile("[\ue000-\uf8ff\ufffd]")
# a symbol inside a word, where a Vietnamese letter should be ("câ=u", "nh@n")
_GLUED = re.compile(r"[^\W\d_][=@#^~`|\\<>{}]+[^\W\d_]")
_WORD = re.compile(r"\S+")
DAMAGED = 0.08  # share of damaged words above which a page is garbage

# a written Vietnamese syllable (tone marks taken off): onset, one to three vowels, coda;
# "k" closes ethnic place names ("Đăk"). A wrong glyph map that gives only letters
# ("Kx pvhnq") makes words no syllable can be: in real plans under 1.5 % of the words
# (loanwords and names: "Internet", "VNeID", "TTg"), in such a layer most of them.
_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
                       r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnptk])?$")
_LETTERS = re.compile(r"[^\W\d_]+")
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
IMPOSSIBLE = 0.35  # share of impossible syllables above which a page is garbage
_LEAST = 30  # words a page needs before its syllables are judged
_SAMPLE = 1500  # words judged per page (a text file is one page): a broken map breaks them all


def impossible(text: str) -> tuple[int, int]:
    """(words that cannot be Vietnamese syllables, words judged) of a text; words in
    capitals (abbreviations: UBND, KH-UBND) and one-letter words are not judged."""
    words = [w for w in _LETTERS.findall(text) if len(w) >= 2 and not w.isupper()]
    return sum(1 for w in words if not _syllable(w)), len(words)


@lru_cache(maxsize=1 << 16)
def _syllable(word: str) -> bool:
    bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))
    return bool(_SYLLABLE.match(bare))


# a character every damage mark holds ("(cid:", a private-use character or a
# glued symbol): one search of one class clears most texts at once
_MARK_CHAR = re.compile("[(\ue000-\uf8ff\ufffd=@#^~`|\\\\<>{}]")


def damage(text: str) -> tuple[int, int]:
    """(damaged words, words) of a text."""
    # none of the three marks anywhere in the text: no word is damaged (each
    # mark lies inside one word, since none of them holds a space)
    if not _MARK_CHAR.search(text) or not (_CID.search(text) or _PUA.search(text) or _GLUED.search(text)):
        return 0, len(text.split())  # the words of _WORD (\S+): str.split splits on what \s matches
    words = _WORD.findall(text)
    bad = sum(1 for w in words if _CID.search(w) or _PUA.search(w) or _GLUED.search(w))
    return bad, len(words)


_VI_LETTER = re.compile("[ăâêôơưđĂÂÊÔƠƯĐ\u0300\u0301\u0303\u0309\u0323]")


def _foreign(units: list[Unit], bad_pages: list) -> bool:
    """Under 3 % of the words hold a Vietnamese letter or tone mark (real plans:
    most words; Vietnamese typed without marks is not refused at all)."""
    with_vi = n = 0
    for u in units:
        if u.loc.page not in bad_pages:
            continue
        for w in _LETTERS.findall(unicodedata.normalize("NFD", u.text)):
            n += 1
            with_vi += bool(_VI_LETTER.search(w))
        if n >= 3000:
            break
    return n > 0 and with_vi / n < 0.03


def check_layer(units: list[Unit], notes: list[str], skipped: list[int] | None = None) -> list[Unit]:
    """The units worth reading; raise when the whole text layer is garbage.  The
    numbers of the pages dropped are added to ``skipped``."""
    pages: dict[int | None, list[int]] = {}
    for u in units:
        b, n = damage(u.text)
        acc = pages.setdefault(u.loc.page, [0, 0, 0, 0])
        x, m = impossible(u.text) if acc[3] < _SAMPLE else (0, 0)
        acc[0] += b
        acc[1] += n
        acc[2] += x
        acc[3] += m
    marked = [p for p, (b, n, x, m) in pages.items() if n and b / n > DAMAGED]
    bad_pages = marked + [p for p, (b, n, x, m) in pages.items()
                          if p not in marked and m >= _LEAST and x / m > IMPOSSIBLE]
    if not bad_pages:
        return units
    words = sum(v[1] for v in pages.values()) or 1
    bad_words = sum(pages[p][1] for p in bad_pages)
    if None in bad_pages and not marked and _foreign(units, bad_pages):
        # a text (not a PDF page: no font map of its own) whose words are mostly not
        # Vietnamese syllables, with no damage mark and (almost) no Vietnamese letter:
        # another language (a PDF's broken map can give plain letters only, so a PDF
        # page keeps the font advice)
        x = sum(v[2] for v in pages.values())
        m = sum(v[3] for v in pages.values()) or 1
        raise PlanError(
            "not-vietnamese",
            f"Tệp không phải văn bản tiếng Việt: {round(100 * x / m)} % số từ không thể là âm tiết tiếng Việt. "
            "plancheck chỉ kiểm tra kế hoạch viết bằng tiếng Việt (có dấu hoặc không dấu); hãy gửi tệp kế hoạch "
            "(nếu chữ được sao chép từ một tệp PDF, lớp chữ của PDF đó có thể bị hỏng: hãy gửi tệp .docx).",
            f"The file is not Vietnamese text: {round(100 * x / m)} % of its words cannot be Vietnamese "
            "syllables. plancheck checks plans written in Vietnamese (with or without tone marks); "
            "send the plan's file (if the text was copied from a PDF, that PDF's text layer may be "
            "broken: send the .docx).",
        )
    if None in bad_pages or bad_words / words > 0.5:
        raise PlanError(
            "garbled-text",
            "Lớp văn bản của tệp bị hỏng (mã (cid:…), ký tự riêng hoặc âm tiết tiếng Việt không thể có, "
            "ví dụ “câ=u”): thường do phông chữ không có dấu tiếng Việt khi xuất PDF. Không thể kiểm tra "
            "trên văn bản này; hãy xuất lại PDF với phông Unicode (Times New Roman, Arial) hoặc gửi tệp .docx.",
            "The file's text layer is garbled ((cid:…) codes, private-use characters or impossible "
            "Vietnamese syllables such as “câ=u”), usually from a font without Vietnamese glyphs at PDF "
            "export. It cannot be checked; export the PDF again with a Unicode font (Times New Roman, "
            "Arial) or send the .docx.",
        )
    if skipped is not None:
        skipped.extend(sorted(bad_pages))
    listed = ", ".join(str(p) for p in sorted(bad_pages))
    notes.append(f"Trang {listed} có lớp văn bản bị hỏng (mã (cid:…) hoặc âm tiết không thể có) "
                 "và đã được bỏ qua; kết quả không tính các trang này.")
    return [u for u in units if u.loc.page not in bad_pages]
