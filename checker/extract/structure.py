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

from checker.extract.duties import addressee
from checker.extract.header import parse_header  # noqa: F401  (part of this module's API)
from checker.model import Location, Section, Unit
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
    ("tasks", ("nhiem vu", "giai phap", "noi dung thuc hien", "noi dung chu yeu", "lo trinh")),
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
    s = _ITALIC_END.sub("", _ITALIC_START.sub("", norm.strip()))
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


_ITALIC_START = re.compile(r"^[*_]+(?=[^\s*_])")  # "*a) Về hạ tầng*": italic markers are not a bullet
_ITALIC_END = re.compile(r"(?<=[^\s*_])[*_]+$")


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


# the header and closing blocks live in checker.extract.header


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
            nx.rank > it.rank and not _CLOSING.match(nx.ntext) for nx in items[k + 1:k + 2]
        )
        entry = (stack and stack[-1][1].role == "organisation" and it.kind in ("arabic", "letter")
                 and _names_body(it.ntext))
        if it.kind == "letter" and not has_children and not entry and (len(it.ntext) > 80 or _is_sentence(it.ntext, 40)):
            continue  # a lettered task, not a heading
        if it.kind == "arabic" and not has_children and not entry and (len(it.ntext) > 160 or (_is_sentence(it.ntext)
                                                                     and ":" not in it.ntext[:90])):
            continue  # a numbered task ("1. Triển khai hệ thống … ký số."), not a heading
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


_CLOSING = re.compile(r"^\W*(Nơi nhận|TM\.|KT\.)", re.I)


def _names_body(text: str) -> bool:
    """An entry of TỔ CHỨC THỰC HIỆN that names its body ("5. Sở Giáo dục và Đào
    tạo: Chủ trì …", "14. Các sở, ban ngành … chủ trì …"): a section of its own,
    even when its duty is on the same line and nothing follows it."""
    a = addressee(text)
    return a is not None and bool(a.body)


def _is_sentence(text: str, least: int = 60) -> bool:
    """A numbered line that reads as a sentence (long, ends with a full stop) is content."""
    t = text.strip()
    return len(t) >= least and t.endswith((".", ";")) and not t.endswith("..")


def _cut_short(text: str) -> bool:
    """A paragraph that stops without closing punctuation, as one broken by a
    page or a conversion ("… thực hiện dự" + blank + "án đầu tư …")."""
    return not re.search(r"[.;:!?…)\]”\"]\s*$", text)


_YEAR_END = re.compile(r"\b(?:19|20)\d\d$")
_YEAR_ON = re.compile(r"^[-–]\s*(?:19|20)\d\d\b(?!\s*[-–/])")


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
        if items and _YEAR_END.search(items[-1].ntext) and _YEAR_ON.match(s):
            # "… giai đoạn 2026" / "- 2030, tập trung …": a year range broken at its dash
            items[-1].ntext += " " + s
            items[-1].text += " " + d
            items[-1].units.append(u.index)
            continue
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
