"""Header and section tree of a plan, from its located units.

Works on the analysis text (``Unit.norm``) and keeps each node's unit index,
so every later finding can be located.  Handles Roman numerals ("II.",
"II-"), arabic and decimal numbering ("1.", "1 ", "5.2."), lettered items
("a)", "đ)"), bullets ("-", "+", "•"), and table rows (merged across page
breaks: a row whose number cell is empty continues the row above; a table
whose header row is empty continues the table above).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.model import Header, Location, PartialDate, Section, Unit
from checker.normalize import fold

ROMAN = re.compile(r"^(?P<label>[IVX]{1,5})\s*[\.\-–:]\s*(?P<title>\S.*)$")
ARABIC = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})(?:\.|\)|\s|[-–](?=\s))\s*(?P<title>\S.*)$")
LETTER = re.compile(r"^(?P<label>[a-zđ])\)\s*(?P<title>\S.*)$")
ANNEX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)\s*(?P<label>[IVX\d]{0,4})\s*[:.\-–]?\s*(?P<title>.*)$")
BULLET = re.compile(r"^(?P<label>[-+•*–])\s+(?P<title>\S.*)$")

# roles of top-level parts, by words in their (folded) title; first hit wins
ROLE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("organisation", ("to chuc thuc hien",)),
    ("funding", ("kinh phi", "nguon luc tai chinh")),
    ("purpose", ("muc dich", "yeu cau")),
    ("tasks", ("nhiem vu", "giai phap")),
    ("objectives", ("muc tieu", "chi tieu")),
    ("annex", ("phu luc",)),
]


def role_of(title: str) -> str | None:
    f = fold(title)
    for role, words in ROLE_WORDS:
        if any(w in f for w in words):
            return role
    return None


@dataclass
class Item:
    """A numbered, lettered or bulleted line (or a joined paragraph)."""

    kind: str  # roman | arabic | letter | bullet | para
    label: str
    ntext: str  # analysis text without the label
    unit: int
    rank: int  # nesting rank: lower is higher up
    units: list[int] = field(default_factory=list)
    text: str = ""  # display text, aligned with ``ntext`` (same length)


def classify(norm: str) -> tuple[str, str, str] | None:
    """(kind, label, rest) for a line that starts an item, else None."""
    s = norm.strip()
    if not s:
        return None
    m = ANNEX.match(s)
    if m and len(s) < 200:
        return "annex", (m.group("label") or "PL").strip(), m.group("title").strip() or s
    m = ROMAN.match(s)
    if m and _is_roman(m.group("label")):
        return "roman", m.group("label"), m.group("title").strip()
    m = LETTER.match(s)
    if m:
        return "letter", m.group("label"), m.group("title").strip()
    m = ARABIC.match(s)
    if m and not re.match(r"^\d{1,2}/\d", s) and not re.match(r"^\d+\s*%", s):
        return "arabic", m.group("label"), m.group("title").strip()
    m = BULLET.match(s)
    if m:
        return "bullet", m.group("label"), m.group("title").strip()
    return None


def _is_roman(label: str) -> bool:
    return bool(re.fullmatch(r"X{0,3}(IX|IV|V?I{0,3})", label)) and label != ""


def rank_of(kind: str, label: str) -> int:
    if kind == "annex":
        return 5
    if kind == "roman":
        return 10
    if kind == "arabic":
        return 20 + label.count(".")
    if kind == "letter":
        return 30
    if kind == "bullet":
        return 40 if label in "-–•*" else 41
    return 50


# ----------------------------------------------------------------- header

_NUMBER = re.compile(r"\bSố\s*:?\s*(?P<num>[0-9 ]*)\s*/\s*(?P<sym>[A-ZĐ][A-ZĐa-z0-9&\-]*(?:/[A-ZĐ][A-ZĐ0-9\-]*)?)")
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,40}?),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})",
    re.I,
)
_INLINE_DATE = re.compile(r"ngày\s*(?P<d>\d{1,2})?\s*/\s*(?P<m>\d{1,2})?\s*/\s*(?P<y>\d{4})")
_KINDS = ("KẾ HOẠCH", "PHỤ LỤC", "QUYẾT ĐỊNH", "CHƯƠNG TRÌNH", "BÁO CÁO", "NGHỊ QUYẾT", "ĐỀ ÁN", "CÔNG VĂN", "THÔNG BÁO")
_SIGN_ROLES = re.compile(r"^(TM\.|KT\.|Q\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|TRƯỞNG BAN|BÍ THƯ)", re.I)
_ISSUER_AT_TOP = re.compile(r"^(ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|ĐẢNG ỦY|ĐẢNG BỘ|BAN CHỈ ĐẠO|HỘI ĐỒNG NHÂN DÂN)\b(.*)$", re.I)
_COMMUNE = re.compile(r"\b(?:Ủy ban nhân dân|UBND)\s+(xã|phường|đặc khu)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})")
_LOCALITY = re.compile(r"\b(xã|phường|đặc khu)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})")


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" *#\t")


def parse_header(units: list[Unit]) -> Header:
    h = Header()
    top = [u for u in units[:60] if u.kind != "row"]
    # issuer: "ỦY BAN NHÂN DÂN" + the next line "XÃ ..."
    for i, u in enumerate(top[:12]):
        s = _clean(u.norm)
        m = _ISSUER_AT_TOP.match(s)
        if m:
            rest = _clean(m.group(2))
            if not rest and i + 1 < len(top):
                nxt = _clean(top[i + 1].norm)
                if re.match(r"^(XÃ|PHƯỜNG|ĐẶC KHU|TỈNH|THÀNH PHỐ|HUYỆN)\b", nxt, re.I):
                    rest = nxt
            h.issuer = _clean(f"{_clean(m.group(1))} {rest}")
            break
    for u in top:
        s = _clean(u.norm)
        if h.number is None:
            m = _NUMBER.search(s)
            if m and len(s) < 60:
                num = m.group("num").strip()
                h.number = f"{num}/{m.group('sym')}" if num else f"/{m.group('sym')}"
        if h.date is None and h.date_invalid is None:
            m = _PLACE_DATE.match(s)
            if m:
                h.place = _clean(m.group("place"))
                h.date = _header_date(m, h)
                h.line = u.loc.line
        if h.kind is None:
            up = s.upper()
            for k in _KINDS:
                if up == k or (up.startswith(k) and len(s) <= len(k) + 3):
                    h.kind = k
                    break
            if h.kind:
                h.title = _title_after(top, u.index)
    if h.date is None and h.date_invalid is None:
        # an annex: "(Kèm theo Kế hoạch số /KH-UBND ngày /6/2026 của UBND xã)"
        for u in top[:15]:
            m = _INLINE_DATE.search(u.norm)
            if m and "kèm theo" in u.norm.lower():
                h.date = _header_date(m, h)
                h.line = u.loc.line
                if h.number is None:
                    mn = re.search(r"số\s*([0-9]*)\s*/\s*([A-ZĐ][A-ZĐ\-]+)", u.norm)
                    if mn:
                        h.number = f"{mn.group(1)}/{mn.group(2)}"
                break
    if h.issuer is None:
        h.issuer = _infer_issuer(units, h.title)
    h.signer, h.recipients = _tail(units)
    return h


def _header_date(m: re.Match, h: Header) -> PartialDate | None:
    """The header's date, or None when it cannot exist ("ngày 31 tháng 6 năm
    2026"): the date as written is kept in ``h.date_invalid`` and rule CON010
    reports it; the as-of date then comes from the citations or today."""
    d = PartialDate(int(m.group("y")), _int(m.group("m")), _int(m.group("d")))
    if d.valid:
        return d
    text = m.group(0)
    h.date_invalid = text[max(text.lower().find("ngày"), 0):].strip()
    return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def _title_after(top: list[Unit], idx: int) -> str | None:
    for u in top:
        if u.index <= idx:
            continue
        s = _clean(u.norm)
        if not s:
            continue
        if re.match(r"^(Căn cứ|Thực hiện Kế hoạch|I\.)", s):
            return None
        return s
    return None


def _infer_issuer(units: list[Unit], title: str | None) -> str | None:
    for u in units[:80]:
        if u.kind == "row":
            continue
        m = _COMMUNE.search(u.norm)
        if m:
            return f"UBND {m.group(1)} {m.group(2)}"
    if title:
        m = _LOCALITY.search(title)
        if m:
            return f"UBND {m.group(1)} {m.group(2)}"
    return None


def _tail(units: list[Unit]) -> tuple[str | None, list[str]]:
    recipients: list[str] = []
    signer = None
    start = None
    for u in units:
        if re.match(r"^\W*Nơi nhận", u.norm.strip(), re.I):
            start = u.index
    if start is not None:
        for u in units[start + 1:]:
            s = _clean(u.norm)
            if not s:
                continue
            if s.startswith(("-", "+", "•")):
                recipients.append(s.lstrip("-+• ").rstrip(";.,"))
            elif recipients:
                break
    # signer: the last short line made of capitalised words, after a signing role line
    tail = [u for u in units[-40:] if u.norm.strip()]
    for i, u in enumerate(tail):
        if _SIGN_ROLES.match(_clean(u.norm)):
            for v in tail[i + 1:]:
                s = _clean(v.norm)
                if _SIGN_ROLES.match(s) or s.startswith("-"):
                    continue
                if re.fullmatch(r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+){1,4}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*", s) and not s.isupper():
                    signer = s
    return signer, recipients


# ----------------------------------------------------------- sections


def build_sections(units: list[Unit], items: list[Item]) -> list[Section]:
    """Sections are the numbered/lettered items that head other items or
    are short titles; bullets and long leaf items are content (tasks)."""
    sections: list[Section] = []
    stack: list[tuple[int, Section]] = []
    seen: dict[str, int] = {}
    for k, it in enumerate(items):
        if it.kind in ("bullet", "para"):
            continue
        has_children = any(
            nx.rank > it.rank for nx in items[k + 1:k + 2]
        )
        if it.kind == "letter" and not has_children and len(it.ntext) > 80:
            continue  # a lettered task, not a heading
        if it.kind == "arabic" and not has_children and len(it.ntext) > 160:
            continue
        while stack and stack[-1][0] >= it.rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        base = parent
        if it.kind == "arabic" and "." in it.label:
            # "5.1" under "5": the label already holds its parent's number
            while base is not None and base.label and it.label.startswith(base.label + "."):
                base = next((p for _, p in stack if p.id == base.parent), None)
        sid = f"{base.id}.{it.label}" if base else it.label
        if sid in seen:  # duplicate labels ("II. MỤC TIÊU" then "II- NHIỆM VỤ")
            seen[sid] += 1
            sid = f"{sid}~{seen[sid]}"
        else:
            seen[sid] = 1
        u = units[it.unit]
        title = it.text.strip().rstrip(":")
        role = role_of(it.ntext) if (parent is None or parent.role is None) else parent.role
        if it.kind == "annex":
            role = "annex"
            sid = "PL" + (it.label if it.label != "PL" else "") if sid == it.label else sid
            title = title or "Phụ lục"
        if parent is not None and parent.role in ("objectives",) and role_of(title) == "objectives":
            role = "objectives"
        sec = Section(id=sid, label=it.label, title=title, level=len(stack) + 1,
                      unit=it.unit, loc=u.loc, parent=parent.id if parent else None, role=role)
        sections.append(sec)
        stack.append((it.rank, sec))
    return sections


def _cut_short(text: str) -> bool:
    """A paragraph that stops without closing punctuation, as one broken by a
    page or a conversion ("… thực hiện dự" + blank + "án đầu tư …")."""
    return not re.search(r"[.;:!?…)\]”\"]\s*$", text)


def items_of(units: list[Unit]) -> list[Item]:
    """Numbered/lettered/bulleted items of the body, with continuation
    paragraphs (a line that starts in lower case) joined to the item above
    (to an unmarked paragraph only when that one was cut short)."""
    items: list[Item] = []
    for u in units:
        if u.kind not in ("para", "footnote"):
            continue
        s = u.norm.strip()
        if not s:
            continue
        lead = len(u.norm) - len(u.norm.lstrip())
        d = u.disp[lead:lead + len(s)]
        c = classify(s)
        if c:
            kind, label, rest = c
            at = s.find(rest)
            items.append(Item(kind, label, rest, u.index, rank_of(kind, label), [u.index],
                              text=d[at:at + len(rest)]))
            continue
        if items and s[0].islower() and (items[-1].kind != "para" or _cut_short(items[-1].ntext)):
            items[-1].ntext += " " + s
            items[-1].text += " " + d
            items[-1].units.append(u.index)
            continue
        items.append(Item("para", "", s, u.index, 50, [u.index], text=d))
    return items


def section_at(sections: list[Section], unit_index: int) -> Section | None:
    """The deepest section whose heading comes at or before ``unit_index``."""
    best = None
    for s in sections:
        if s.unit <= unit_index:
            best = s
        else:
            break
    return best


def location_of(u: Unit) -> Location:
    return u.loc
