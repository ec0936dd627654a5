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


def body_end(units: list[Unit]) -> int:
    """Index of the first unit of the closing block (Nơi nhận, signature)."""
    for u in units:
        if u.kind != "row" and _END.match(u.norm.strip()) and u.index > len(units) // 2:
            return u.index
    return len(units)


_REQUEST = re.compile(r"^\W*(?:Đề nghị|Khuyến khích|Kính đề nghị)\b\s*:?\s*", re.I)
# where the requested body's name ends in "Đề nghị Hội Nông dân xã vận động …"
_REQUEST_VERB = re.compile(r"\s(?:chủ trì|phối hợp|vận động|tham gia|tuyên truyền|chỉ đạo|hướng dẫn|quan tâm|"
                           r"tiếp tục|tích cực|giám sát|thực hiện|triển khai|xem xét|hỗ trợ)\b|[,;:]", re.I)
# closing words of TỔ CHỨC THỰC HIỆN addressed to everyone, not a body's duty
_CLOSING = re.compile(r"^\W*(?:Yêu cầu|Trên đây|Trong quá trình (?:tổ chức )?thực hiện|"
                      r"(?:Ủy ban nhân dân|UBND)\s+\S+(?:\s+\S+)?\s+yêu cầu)\b", re.I)


def _org_lead(title: str) -> tuple[str, bool]:
    """The body a TỔ CHỨC THỰC HIỆN heading addresses, and whether it is asked
    ("Đề nghị …: a request to a body the issuer cannot order) rather than told."""
    head, _, rest = title.partition(":")
    m = _REQUEST.match(head)
    if not m:
        return head.strip(), False
    body = head[m.end():].strip() or rest.strip()
    return body.rstrip(" .;"), True


def _request_body(text: str) -> str | None:
    """The body named in a duty that opens with "Đề nghị …"."""
    m = _REQUEST.match(text)
    if not m:
        return None
    rest = text[m.end():]
    v = _REQUEST_VERB.search(rest)
    body = rest[:v.start()] if v else rest[:80]
    return body.strip() or None


# ------------------------------------------------------------ splitting

_LEXICON: dict | None = None


def lexicon() -> dict:
    global _LEXICON
    if _LEXICON is None:
        from checker.resources import load_yaml, read_text

        data = load_yaml(read_text("reference", "lexicon.yaml"))
        _LEXICON = {
            "verbs": tuple(sorted({fold(v) for v in data["action_verbs"]}, key=len, reverse=True)),
            "connectives": tuple(fold(v) for v in data["connectives"]),
        }
    return _LEXICON


def is_action(ntext: str) -> bool:
    """An item that gives an action: it opens with an action verb of the lexicon."""
    f = fold(ntext.strip().lstrip("*_ "))
    lex = lexicon()
    return f.startswith(lex["verbs"]) and not f.startswith(lex["connectives"])


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
    for it, sec in _items_in(units, items, sections, ("tasks", "organisation")):
        if it.kind == "para" and not _para_is_task(it, sec, first=sec.id not in filled):
            continue
        filled.add(sec.id)
        nxt = after.get(id(it))
        if it.ntext.rstrip().endswith(":") and nxt is not None and nxt.rank > it.rank:
            continue  # a lead ("- Về dữ liệu …, tập trung:") whose sub-items are the tasks
        text, ntext = it.text, it.ntext
        if sec.role == "organisation":
            if _CLOSING.match(ntext):
                continue
            lead, request = _org_lead(sec.title) if sec.level > 1 else (None, False)
            l2, partners = roles_in(ntext, text)
            head, colon, _ = text.partition(":")
            if not lead and colon and len(head) < 90 and not _REQUEST.fullmatch(head):
                lead, request = _org_lead(head)  # "1. Phòng Kinh tế: chủ trì …"
            asked = _request_body(text)
            if asked and not lead:
                lead, request = asked, True
            # a duty belongs to the body whose heading it sits under
            add(text, it.unit, "organisation", lead=lead or l2, partners=partners,
                deadline=deadline_in(ntext, text), request=request)
            continue
        for ntext, text in split_instructions(ntext, text):
            lead, partners = roles_in(ntext, text)

            add(text, it.unit, "prose", lead=lead, partners=partners,
                deadline=deadline_in(ntext, text), product=product_in(ntext, text))
    # organisation headings that carry their duty in the heading itself
    for s in sections:
        if s.role == "organisation" and s.level > 1 and ":" in s.title:
            head, duty = s.title.split(":", 1)
            if _REQUEST.fullmatch(head + ":") or _REQUEST.fullmatch(head):
                continue  # "6. Đề nghị: Hiệp hội …": the heading names the bodies, the duties follow
            lead, request = _org_lead(s.title)
            if len(duty.strip()) > 40:
                add(duty, s.unit, "organisation", lead=lead, deadline=deadline_in(duty), request=request)

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
                deadline=_cell(t, units, row, "deadline") or None, in_table=True)
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
