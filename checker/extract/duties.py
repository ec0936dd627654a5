"""Who a duty of TỔ CHỨC THỰC HIỆN is addressed to.

An entry of that part names its body in one of a few ways, all seen in real
plans (Nghị định 30/2020 layout, copied from Word or a web page):

* a heading of its own, the duties under it: "1. Sở Khoa học và Công nghệ"
  then "a) …", "- …" or paragraphs;
* the body, a colon and the duty on one line: "5. Sở Giáo dục và Đào tạo: Chủ
  trì …" (the bold markers around the colon, "**…:**** **", are gone in the
  analysis text), "- UBND các xã: …";
* the body as the subject of the sentence: "14. Các sở, ban ngành, cơ quan
  thuộc tỉnh chủ trì xây dựng …";
* a request: "Đề nghị Hội Nông dân xã vận động …", "Khuyến khích Liên đoàn
  Lao động tỉnh, … xây dựng …" (a body the issuer cannot order).

:func:`addressee` reads one item; :func:`checker.extract.tasks.extract_tasks`
walks the part and gives each duty the body of the entry it sits under.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from checker.extract.lexicon import is_action
from checker.normalize import fold

_REQUEST = re.compile(r"^\W*(?:Đề nghị|Khuyến khích|Kính đề nghị)\b\s*:?\s*", re.I)
# where the requested body's name ends in "Đề nghị Hội Nông dân xã vận động …"
# when no word of ``subject_ends`` does
_REQUEST_VERB = re.compile(r"\s(?:chủ trì|phối hợp|vận động|tham gia|tuyên truyền|chỉ đạo|hướng dẫn|quan tâm|"
                           r"tiếp tục|tích cực|giám sát|thực hiện|triển khai|xem xét|hỗ trợ)\b|[,;:]", re.I)
# closing words of TỔ CHỨC THỰC HIỆN addressed to everyone, not a body's duty
CLOSING = re.compile(r"^\W*(?:Yêu cầu|Trên đây|Trong quá trình (?:tổ chức )?thực hiện|"
                     r"(?:Ủy ban nhân dân|UBND)\s+\S+(?:\s+\S+)?\s+yêu cầu)\b", re.I)
# a note in brackets ("(Kèm theo Phụ lục …)"), not a duty
NOTE = re.compile(r"^[\s*_]*\(.*\)[\s*_.;]*$", re.S)
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _words() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    from checker.resources import data_dir, load_yaml

    data = load_yaml(data_dir("rules").joinpath("patterns", "roles.yaml").read_text(encoding="utf-8"))
    heads = tuple(sorted(set(data["unit_heads"]), key=len, reverse=True))
    extra = tuple(sorted(set(data.get("body_heads") or ()), key=len, reverse=True))
    return heads, extra, frozenset(data.get("subject_ends") or ())


def body_headed(text: str) -> bool:
    """``text`` opens with a body's name ("Sở …", "UBND …", "Các doanh nghiệp …",
    "Báo và Phát thanh …")."""
    t = text.strip().lstrip("*_ ")
    if not t[:1].isupper():
        return False
    heads, extra, _ = _words()
    f, low = fold(t), t.lower()
    return any(f == h or f.startswith(h + " ") or f.startswith(h + ",") for h in heads) \
        or any(low == h or low.startswith(h + " ") for h in extra)


def subject_end(text: str, most: int = 24) -> int | None:
    """Where the body that is the subject of ``text`` ends: the offset of the first
    word of ``subject_ends`` written in lower case, within ``most`` syllables; None when
    there is none."""
    _, _, ends = _words()
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words[:most]):
        if i == 0 or not m.group(0)[:1].islower():
            continue
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            phrase = fold(" ".join(w.group(0) for w in words[i:i + n])).lower()
            if phrase not in ends:
                continue
            if phrase == "to chuc" and words[i - 1].group(0).lower() in ("các", "những", "mọi"):
                continue  # "các tổ chức chính trị - xã hội": a noun
            return m.start()
    return None


@dataclass
class Addressee:
    body: str | None
    request: bool = False
    duty_at: int = 0  # where the duty starts in the item's text (after "Body:")
    inline: bool = True  # the item carries a duty, not only the body's name
    span: tuple[int, int] = (0, 0)  # the body's place in the item's text

    def shown(self, text: str) -> str | None:
        """The body as ``text`` (the display form, aligned with the analysis text) writes it."""
        a, b = self.span
        return _clean(text[a:b]) or self.body if b > a and self.body else self.body


def _clean(body: str) -> str:
    return body.strip(" ,;:.-–*_")


def _make(t: str, a: int, b: int, request: bool, duty_at: int, inline: bool) -> Addressee | None:
    body = _clean(t[a:b])
    if not body or len(body.split()) > 24:
        return None
    lead = len(t[a:b]) - len(t[a:b].lstrip(" ,;:.-–*_"))
    return Addressee(body, request, duty_at, inline, (a + lead, a + lead + len(body)))


def addressee(text: str, heading: bool = False) -> Addressee | None:
    """The body an item of TỔ CHỨC THỰC HIỆN names, how, and where its duty starts;
    None for an item that only gives a duty ("Chủ trì, phối hợp …").  ``heading``:
    the item heads other items, so a title without a full stop is the body's name
    whatever words it holds ("Các doanh nghiệp viễn thông, tổ chức, cá nhân có liên quan")."""
    t = text.rstrip()
    title = heading and len(t) <= 150 and not t.endswith((".", ";"))
    m = _REQUEST.match(t)
    if m:
        rest = t[m.end():]
        head, colon, after = rest.partition(":")
        if colon and len(head) < 100 and subject_end(head) is None:  # "Đề nghị Hội Nông dân xã: vận động …"
            if not head.strip():  # "Đề nghị: Hiệp hội …, Hội …"
                return _make(t, m.end() + 1, len(t), True, len(t), False)
            return _make(t, m.end(), m.end() + len(head), True, m.end() + len(head) + 1, bool(after.strip()))
        if title:
            return _make(t, m.end(), len(t), True, len(t), False)
        end = subject_end(rest)
        if end is None:
            v = _REQUEST_VERB.search(rest)
            end = v.start() if v else min(len(rest), 80)
        return _make(t, m.end(), m.end() + end, True, 0, True)
    head, colon, after = t.partition(":")
    if colon and len(head) < 100 and body_headed(head) and subject_end(head) is None:
        return _make(t, 0, len(head), False, len(head) + 1, bool(after.strip()))
    if not body_headed(t):
        return None
    if is_action(t) and not t.startswith(("Các", "Sở", "Ủy ban", "UBND", "Phòng", "Ban ")):
        return None  # "Ban hành …", "Tổ chức …": a duty opening with a verb
    if (title or len(t) <= 120 and not t.endswith((".", ";")) and subject_end(t) is None) and ":" not in t:
        return _make(t, 0, len(t), False, len(t), False)  # "1. Sở Khoa học và Công nghệ"
    end = subject_end(t)
    return _make(t, 0, end, False, 0, True) if end else None


def org_lead(title: str) -> tuple[str, bool]:
    """The body a TỔ CHỨC THỰC HIỆN heading addresses, and whether it is asked
    ("Đề nghị …: a request to a body the issuer cannot order) rather than told."""
    a = addressee(title)
    if a is not None and a.body:
        return a.body, a.request
    head, _, rest = title.partition(":")
    m = _REQUEST.match(head)
    if not m:
        return head.strip(), False
    body = head[m.end():].strip() or rest.strip()
    return body.rstrip(" .;"), True
