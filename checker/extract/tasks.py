"""Tasks and indicators of a plan.

Tasks come from three places:
* prose items of the tasks/solutions parts (lettered items, bullets, leaf
  numbered items), with lead/partners/deadline found in the sentence;
* duties listed in TỔ CHỨC THỰC HIỆN under a unit's heading ("2. Phòng Văn
  hóa – Xã hội") — the heading is the lead;
* rows of task tables (columns chủ trì / phối hợp / sản phẩm / thời gian),
  with rows continued across page breaks merged.

Indicators come from chỉ tiêu tables (text, unit of measure, target, owner)
and from inline targets in the objectives part ("tối thiểu 80%").
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from checker.model import Indicator, Section, Task, Unit
from checker.normalize import fold
from checker.extract import phrases
from checker.extract.structure import Item, section_at
from checker.extract.lexicon import is_action, lexicon
from checker.extract.duties import CLOSING as _CLOSING, NOTE, Addressee, addressee

from checker.extract.tables import (  # noqa: F401  (re-exported: part of this module's API)
    Table, _cell, _is_group_row, column_roles, table_sections, tables_of)


# ------------------------------------------------------------ prose

_LEAD = re.compile(
    r"(?P<lead>(?:Phòng|Văn phòng|Trung tâm|Công an|Ban|Đoàn|Hội|UBND|Ủy ban|Quân sự|Trạm|Đài|Tổ)[^,;.:]{2,70}?)\s+(?:chủ trì|là cơ quan chủ trì|làm đầu mối)"
)
_PARTNERS = re.compile(r"phối hợp (?:với )?(?P<p>[^.;:]{3,160})")
_GIAO = re.compile(r"^[Gg]iao (?P<lead>[^,;.:]{3,70}?)(?: chủ trì| thực hiện| tham mưu|,)")


def roles_in(text: str, shown: str | None = None) -> tuple[str | None, list[str]]:
    """Lead unit and partners named in a sentence.  ``text`` is the analysis
    form; ``shown`` (same length) is what the values are cut from.

    Sentences that name a role ("chủ trì", "phối hợp", "giao …") go through
    :func:`checker.extract.nlp.find_roles` (spaCy matcher over underthesea tokens and
    POS tags); the regular expressions below are the fallback."""
    shown = shown if shown is not None and len(shown) == len(text) else text
    f = fold(text)
    if "chu tri" in f or "phoi hop" in f or "giao " in f:
        from checker.extract.nlp import find_roles

        r = find_roles(text)
        lead = _shown_part(text, shown, r.get("lead"))
        partners = [p for p in (_shown_part(text, shown, x) for x in r.get("partners") or []) if p]
        if lead or partners:
            return lead, partners
    lead = None
    m = _LEAD.search(text) or _GIAO.search(text)
    if m:
        lead = shown[m.start("lead"):m.end("lead")].strip()
    partners: list[str] = []
    m = _PARTNERS.search(text)
    if m and lead:
        seg = shown[m.start("p"):m.end("p")]
        partners = [p.strip(" ,") for p in re.split(r",|;| và ", seg) if len(p.strip()) > 2][:6]
    return lead, partners


def _shown_part(text: str, shown: str, part: str | None) -> str | None:
    """``part`` (found in the analysis text) as the writer spelled it."""
    if not part:
        return None
    at = text.find(part)
    return shown[at:at + len(part)] if at >= 0 else part


def deadline_in(text: str, shown: str | None = None) -> str | None:
    """The deadline a task names ("trước ngày 30/6/2026", "trong quý II năm 2026",
    "hằng năm"): the DEADLINE patterns of ``rules/patterns/task-phrases.yaml``."""
    shown = shown if shown is not None and len(shown) == len(text) else text
    span = phrases.find(text, "DEADLINE")
    return shown[span[0]:span[1]].strip() if span else None


_PRODUCT_END = re.compile(r"[;.]")


def product_in(text: str, shown: str | None = None) -> str | None:
    """The product a task announces after "Sản phẩm:" / "Kết quả:" (the
    PRODUCT_CUE patterns), up to the end of the clause (3–120 characters)."""
    shown = shown if shown is not None and len(shown) == len(text) else text
    for label, _, end in phrases.find_all(text):
        if label != "PRODUCT_CUE":
            continue
        start = end + (len(text[end:]) - len(text[end:].lstrip()))
        stop = _PRODUCT_END.search(text, start)
        stop = min(stop.start() if stop else len(text), start + 120)
        if stop - start >= 3:
            return shown[start:stop].strip()
    return None


_INTRO = re.compile(r"^(Trong (thời gian|năm) tới|Trên cơ sở|Trên đây|Để |Căn cứ|Nhằm |Với |Trong quá trình)", re.I)


# a paragraph that opens like an introduction but gives a duty ("Trên cơ sở
# khả năng cân đối ngân sách, chủ trì … tham mưu kinh phí …") is a task
_DUTY = re.compile(r"\b(chủ trì|tham mưu)\b", re.I)


def _para_is_task(it: Item, sec: Section, first: bool = False) -> bool:
    """An unmarked paragraph counts as a task only under a sub-heading of the
    tasks or organisation part, and only if it is not an introduction."""
    t = it.ntext.strip()
    if sec.role == "organisation" and sec.level >= 2 and len(t) >= 15 and not t.endswith(":") \
            and not _CLOSING.match(t):
        # under a body's heading a paragraph is its duty, even one that opens like a
        # preamble ("Căn cứ chức năng, nhiệm vụ được giao, xây dựng kế hoạch …"); an
        # introduction after the body's duties is a closing remark
        return first or not _INTRO.match(t) or bool(_DUTY.search(t)) or _clause_acts(t)
    return (sec.level >= 2 and len(t) >= 40 and not t.endswith(":")
            and (not _INTRO.match(t) or bool(_DUTY.search(t)) or _clause_acts(t)))


def _clause_acts(t: str) -> bool:
    """An opening clause followed by an action ("Căn cứ …, xây dựng kế hoạch …")."""
    return any(is_action(c) for c in t.split(",")[1:4])


_END = re.compile(r"^\W*(Nơi nhận|TM\.|KT\.)", re.I)
# the authority line that closes a document signed without "TM." ("ỦY BAN NHÂN DÂN XÃ …"
# under a plan issued by a decision), written in capitals
_AUTHORITY = re.compile(r"^\W*(?:ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|BAN CHỈ ĐẠO|BAN THƯỜNG VỤ|ĐẢNG ỦY|"
                        r"BAN CHẤP HÀNH|CHỦ TỊCH|PHÓ CHỦ TỊCH)\b")


def body_end(units: list[Unit]) -> int:
    """Index of the first unit of the closing block (Nơi nhận, signature, or the
    issuer's name in capitals standing alone as the authority line)."""
    for u in units:
        if u.kind == "row" or u.index <= len(units) // 2:
            continue
        s = u.norm.strip().strip("*_ ")
        if _END.match(s) or (_AUTHORITY.match(s) and s == s.upper() and len(s) <= 120):
            return u.index
    return len(units)


# ------------------------------------------------------------ splitting

_MAYBE_SENTENCES = re.compile(r"[.;!?]\s+[A-ZĐÀ-Ỹ]")


def split_instructions(ntext: str, text: str) -> list[tuple[str, str]]:
    """Split a paragraph that packs several instructions into one task per
    instruction.  Sentences come from underthesea's sentence splitter (one
    line at a time); a sentence starting with an action verb starts a new
    task, any other sentence stays with the one before.  Returns aligned
    (analysis, display) pairs; one pair when there is nothing to split."""
    if len(ntext) < 120 or not _MAYBE_SENTENCES.search(ntext):
        return [(ntext, text)]
    from checker.extract.sentences import sentences

    lex = lexicon()
    parts: list[tuple[int, int]] = []
    pos = 0
    for sent in sentences(ntext):
        at = ntext.find(sent, pos)
        if at < 0:
            return [(ntext, text)]
        f = fold(sent)
        starts = f.startswith(lex["verbs"]) and not f.startswith(lex["connectives"])
        if parts and starts:
            parts.append((at, at + len(sent)))
        elif parts:
            parts[-1] = (parts[-1][0], at + len(sent))
        else:
            parts.append((0, at + len(sent)))
        pos = at + len(sent)
    if len(parts) < 2:
        return [(ntext, text)]
    parts[-1] = (parts[-1][0], len(ntext))
    return [(ntext[a:b].strip(), text[a:b].strip()) for a, b in parts]


# ------------------------------------------------------------ main


def _items_in(units: list[Unit], items: list[Item], sections: list[Section],
              roles: tuple[str, ...]) -> Iterator[tuple[Item, Section]]:
    """(item, its section) for the body items, not headings, in parts of these roles."""
    section_units = {s.unit for s in sections}
    end = body_end(units)
    for it in items:
        if it.unit in section_units or it.unit >= end:
            continue
        sec = section_at(sections, it.unit)
        if sec is not None and sec.role in roles:
            yield it, sec


_LABEL = re.compile(r"[#*\s]*(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4}|[a-zđ])\s*[.)/-]\s*")


def _duties(units: list[Unit], items: list[Item], sections: list[Section], add) -> None:
    """The duties of TỔ CHỨC THỰC HIỆN, each with the body of the entry it sits
    under: an item at an entry's level (or higher) closes it, so a duty never
    falls to the body above ("5. Sở X:**** **duty" after "4. Sở Y" and its "-"
    items); a paragraph that names its own body after an entry written on one
    line opens an entry of its own (:mod:`checker.extract.duties`)."""
    heading = {s.unit: s for s in sections}
    end = body_end(units)
    after = {id(a): b for a, b in zip(items, items[1:])}
    stack: list[tuple[int, str | None, bool, bool]] = []  # (rank, body, request, inline)
    filled: set[str] = set()
    for it in items:
        sec = section_at(sections, it.unit)
        if it.unit >= end or sec is None or sec.role != "organisation" or \
                (it.unit in heading and heading[it.unit].level == 1):
            stack = []
            continue
        ntext, text = it.ntext, it.text
        if _CLOSING.match(ntext) or NOTE.match(ntext):
            continue
        head = heading.get(it.unit)
        a = addressee(ntext, heading=head is not None)
        if a is None and head is not None and len(ntext) <= 100 and not is_action(ntext):
            a = Addressee(ntext.strip().rstrip(" :."), False, len(ntext), False)  # "8. Trách nhiệm của cộng đồng"
        named = a is not None and bool(a.body)
        shown = a.shown(text) if named and len(text) == len(ntext) else (a.body if named else None)
        if it.kind == "para":
            if named and a.inline and (not stack or stack[-1][3]) and not is_action(ntext):
                rank = stack[-1][0] if stack else it.rank  # a sibling of the entry above
                stack = [e for e in stack if e[0] < rank] + [(rank, shown, a.request, True)]
        else:
            while stack and stack[-1][0] >= it.rank:
                stack.pop()
            # under a body's heading, an item's own subject does not replace it; an explicit
            # "Body:" or a request does
            own = named and (not any(e[1] for e in stack) or a.duty_at > 0 or a.request)
            stack.append((it.rank, shown if own else None, a.request if own else False,
                          a.inline if own else True))
        if head is not None:
            if not (named and a.inline):
                continue  # a body's heading ("1. Sở Khoa học và Công nghệ"), duties below
            duty = (text[a.duty_at:] if a.duty_at else text).rstrip().rstrip(":")
            if a.duty_at and len(duty.strip()) <= 40:
                continue
        else:
            if it.kind == "para" and not _para_is_task(it, sec, first=sec.id not in filled):
                continue
            filled.add(sec.id)
            nxt = after.get(id(it))
            if ntext.rstrip().endswith(":") and nxt is not None and nxt.rank > it.rank:
                continue  # a lead whose sub-items are the duties
            duty = text[a.duty_at:] if named and a.inline and a.duty_at else text
        nduty = ntext[len(ntext) - len(duty):] if len(ntext) == len(text) else duty
        body = next(((b, r) for _, b, r, _ in reversed(stack) if b), None)
        l2, partners = roles_in(nduty, duty)
        lead, request = body if body else (l2, False)
        add(duty, it.unit, "organisation", lead=lead, partners=partners,
            deadline=deadline_in(nduty, duty), request=request)


def extract_tasks(units: list[Unit], items: list[Item], sections: list[Section],
                  tables: list[Table]) -> list[Task]:
    tasks: list[Task] = []

    def add(text: str, ui: int, source: str, **kw) -> None:
        sec = section_at(sections, ui)
        tasks.append(Task(id=f"T{len(tasks) + 1:03d}", text=text.strip(), section=sec.id if sec else None,
                          unit=ui, loc=units[ui].loc, source=source,
                          section_title=sec.title if sec else None, **kw))

    after = {id(a): b for a, b in zip(items, items[1:])}
    filled: set[str] = set()  # sections that already hold a task
    for it, sec in _items_in(units, items, sections, ("tasks",)):
        if it.kind == "para" and not _para_is_task(it, sec, first=sec.id not in filled):
            continue
        filled.add(sec.id)
        nxt = after.get(id(it))
        if it.ntext.rstrip().endswith(":") and nxt is not None and nxt.rank > it.rank:
            continue  # a lead ("- Về dữ liệu …, tập trung:") whose sub-items are the tasks
        text, ntext = it.text, it.ntext
        for ntext, text in split_instructions(ntext, text):
            lead, partners = roles_in(ntext, text)

            add(text, it.unit, "prose", lead=lead, partners=partners,
                deadline=deadline_in(ntext, text), product=product_in(ntext, text))
    _duties(units, items, sections, add)

    # numbered items of a task part that are tasks themselves: a sub-heading with no
    # item and no sub-heading under it, written as an instruction ("1. Xây dựng kế
    # hoạch chuyển đổi số của xã năm 2026."), is the task, not a heading
    parents = {s.parent for s in sections if s.parent}
    heads = {s.unit for s in sections}
    holders = {sec.id for it in items if it.unit not in heads and (sec := section_at(sections, it.unit))}
    end = body_end(units)

    def bare(ui: int) -> bool:  # nothing (no item, no table row) before the next heading
        nxt = next((k for k in range(ui + 1, len(units)) if units[k].norm.strip()), len(units))
        return nxt in heads or nxt >= end

    for s in sections:
        if s.role != "tasks" or s.level < 2 or s.id in parents or s.id in holders:
            continue
        u = units[s.unit]
        if u.kind == "row" or not bare(s.unit):
            continue
        body = s.title.strip()
        if len(body) < 25 or body.endswith(":") or not (is_action(body) or body.rstrip().endswith((".", ";"))):
            continue
        text, nbody = u.text.strip(), u.norm.strip()
        shown = text if len(text) == len(nbody) else None
        cut = _LABEL.match(nbody)
        if cut and shown is not None:  # the task without its number ("1. ", "b) ")
            text, nbody, shown = text[cut.end():], nbody[cut.end():], shown[cut.end():]
        lead, partners = roles_in(nbody, shown)
        add(text if shown is not None else body, s.unit, "prose", lead=lead, partners=partners,
            deadline=deadline_in(nbody, shown), product=product_in(nbody, shown))
    tasks.sort(key=lambda t: t.unit)

    for t in tables:
        if t.kind != "tasks":
            continue
        for row in t.rows:
            text = _cell(t, units, row, "text")
            if not text or _is_group_row(t, units, row):
                continue
            partners = [p.strip() for p in _cell(t, units, row, "partners").split(";") if p.strip()]
            add(text, row[0], "table", lead=_cell(t, units, row, "lead") or None, partners=partners,
                product=_cell(t, units, row, "product") or None,
                deadline=_cell(t, units, row, "deadline") or None, in_table=True, table=t.header_unit)
    tasks.sort(key=lambda t: t.unit)
    for i, t in enumerate(tasks, 1):
        t.id = f"T{i:03d}"
    return tasks


def extract_statements(units: list[Unit], items: list[Item], sections: list[Section]) -> list[Task]:
    """The items and paragraphs of the purpose and objectives parts (what the
    plan says it aims at), as Task objects with source "objective"."""
    out: list[Task] = []
    for it, sec in _items_in(units, items, sections, ("purpose", "objectives")):
        if len(it.ntext.strip()) < 40 or it.ntext.rstrip().endswith(":"):
            continue
        out.append(Task(id=f"S{len(out) + 1:03d}", text=it.text.strip(), section=sec.id,
                        unit=it.unit, loc=units[it.unit].loc, source="objective",
                        section_title=sec.title))
    return out


_YEAR = re.compile(r"(?:nam|den|cuoi nam)\s+(20\d\d)")
_TARGET_NUM = re.compile(r"(?:(?P<cmp>≥|>=|≤|<=|>|<|tối thiểu|ít nhất|trên|dưới|đạt)\s*)?(?P<val>\d+(?:[.,]\d+)?)\s*(?P<pct>%)?")


def parse_target(target: str) -> tuple[float | None, str | None]:
    m = None
    for m in _TARGET_NUM.finditer(target):
        if m.group("val"):
            break
    if not m or not m.group("val"):
        return None, None
    val = float(m.group("val").replace(",", "."))
    c = (m.group("cmp") or "").lower()
    cmp = {"≥": ">=", ">=": ">=", "tối thiểu": ">=", "ít nhất": ">=", "trên": ">", ">": ">",
           "≤": "<=", "<=": "<=", "dưới": "<", "<": "<"}.get(c, "=")
    return val, cmp


def extract_indicators(units: list[Unit], items: list[Item], sections: list[Section],
                       tables: list[Table]) -> list[Indicator]:
    out: list[Indicator] = []
    for t in tables:
        if t.kind != "indicators":
            continue
        header = units[t.header_unit]
        ym = _YEAR.search(fold(header.norm))
        head_year = int(ym.group(1)) if ym else None
        year = head_year
        top = sub = None  # group rows: "I | Đến năm 2030", then "11 | Chỉ tiêu về …"
        sub_label = ""
        for row in t.rows:
            text = _cell(t, units, row, "text")
            if not text:
                continue
            stt = _cell(t, units, row, "stt")
            if _is_group_row(t, units, row):
                if not stt or re.fullmatch(r"[IVX]+", stt):
                    top, sub, sub_label = text, None, ""
                    gy = _YEAR.search(fold(text))
                    year = int(gy.group(1)) if gy else head_year
                else:
                    sub, sub_label = text, stt
                continue
            if sub and not (stt.startswith(sub_label + ".") or not stt):
                sub, sub_label = None, ""  # left the sub-group: "12" after "11.12"
            group = sub or top
            target = _cell(t, units, row, "target") or None
            val, cmp = parse_target(target) if target else (None, None)
            out.append(Indicator(text=text, unit=row[0], loc=units[row[0]].loc,
                                 measure=_cell(t, units, row, "measure") or None, target=target,
                                 owner=_cell(t, units, row, "lead") or None,
                                 number=_cell(t, units, row, "stt") or None, group=group,
                                 value=val, comparator=cmp, year=year))
    # inline targets in the objectives part
    for it in items:
        sec = section_at(sections, it.unit)
        if sec is None or sec.role != "objectives" or it.kind == "para" and len(it.text) > 400:
            continue
        tm = re.search(r"(?:(?:tối thiểu|ít nhất|trên|đạt)\s+|(?<!\d))\d+(?:[.,]\d+)?\s*%|(?:tối thiểu|ít nhất)\s+\d+", it.ntext)
        if not tm:
            continue
        val, cmp = parse_target(it.ntext[tm.start():tm.end()])
        ym = _YEAR.search(fold(it.ntext))
        out.append(Indicator(text=it.text, unit=it.unit, loc=units[it.unit].loc,
                             target=it.text[tm.start():tm.end()], value=val, comparator=cmp,
                             year=int(ym.group(1)) if ym else None, group="inline"))
    return out
