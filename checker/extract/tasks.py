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
from dataclasses import dataclass

from checker.model import Indicator, Section, Task, Unit
from checker.normalize import display, fold
from checker.extract import phrases
from checker.extract.structure import Item, section_at

# ------------------------------------------------------------ tables

COLUMN_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("stt", ("stt", "tt", "so tt")),
    ("lead", ("chu tri", "don vi thuc hien", "co quan thuc hien", "theo doi")),
    ("partners", ("phoi hop",)),
    ("deadline", ("thoi gian", "thoi han", "tien do", "moc thoi gian")),
    ("measure", ("don vi tinh", "dvt", "do luong")),
    ("product", ("san pham", "ket qua")),
    ("text", ("noi dung", "nhiem vu", "chi tieu", "ten ", "danh muc")),
]


@dataclass
class Table:
    id: int
    columns: list[str | None]  # role of each column
    kind: str  # tasks | indicators | other
    rows: list[list[int]]  # each logical row: indexes of the units it spans
    header_unit: int


def column_roles(cells: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for c in cells:
        f = " " + fold(c).strip() + " "
        role = None
        for r, words in COLUMN_WORDS:
            if any((" " + w + " " in f) or f.strip() == w or f.strip().startswith(w) for w in words):
                role = r
                break
        roles.append(role)
    return roles


def _table_kind(header: list[str], roles: list[str | None]) -> str:
    f = fold(" ".join(header))
    if "lead" in roles and ("partners" in roles or "deadline" in roles or "product" in roles):
        if "chi tieu" in f and "nhiem vu" not in f:
            return "indicators"
        return "tasks"
    if "chi tieu" in f or "measure" in roles:
        return "indicators"
    return "other"


def tables_of(units: list[Unit]) -> list[Table]:
    by_id: dict[int, list[Unit]] = {}
    for u in units:
        if u.kind == "row" and u.table is not None:
            by_id.setdefault(u.table, []).append(u)
    tables: list[Table] = []
    for tid in sorted(by_id):
        rows = by_id[tid]
        first = rows[0]
        cells = first.cells or []
        empty_header = not any(c.strip() for c in cells)
        roles = column_roles(cells)
        known = sum(1 for r in roles if r)
        prev = tables[-1] if tables else None
        if (empty_header or known < 2) and prev and len(prev.columns) == len(cells):
            # continuation of the previous table after a page break
            body = rows[1:] if empty_header else rows
            _add_rows(prev, body, units)
            continue
        if known < 2:
            tables.append(Table(tid, [None] * len(cells), "other", [[u.index] for u in rows], first.index))
            continue
        # normalise: if there is no "text" column, take the widest unknown one
        if "text" not in roles:
            for i, r in enumerate(roles):
                if r is None:
                    roles[i] = "text"
                    break
        if roles.count("product") > 1:
            roles[len(roles) - 1 - roles[::-1].index("product")] = "product"
        t = Table(tid, roles, _table_kind(cells, roles), [], first.index)
        if t.kind == "indicators":
            # in an indicator table "Kết quả"/"Chỉ tiêu" is the target, the owner is "đơn vị"
            t.columns = [("target" if r == "product" else r) for r in roles]
            t.columns = _indicator_columns(cells, t.columns)
        _add_rows(t, rows[1:], units)
        tables.append(t)
    return tables


def _indicator_columns(cells: list[str], roles: list[str | None]) -> list[str | None]:
    """In a chỉ tiêu table a bare "Đơn vị" is the unit of measure (when no
    other column is), "Đơn vị theo dõi/chủ trì…" is the owner."""
    out = list(roles)
    for i, c in enumerate(cells):
        f = fold(c).strip()
        if out[i] is None:
            if f == "don vi" and "measure" not in out:
                out[i] = "measure"
            elif re.search(r"\b(20\d\d|muc tieu|chi tieu)\b", f) and "text" in out:
                out[i] = "target"
            elif "don vi" in f:
                out[i] = "lead"
    return out


def _stt(t: Table, u: Unit) -> str:
    if "stt" in t.columns and u.cells:
        i = t.columns.index("stt")
        if i < len(u.cells):
            return u.cells[i].strip()
    return ""


def _add_rows(t: Table, rows: list[Unit], units: list[Unit]) -> None:
    for u in rows:
        if not u.cells or not any(c.strip() for c in u.cells):
            continue
        stt = _stt(t, u)
        if not stt and t.rows and "stt" in t.columns:
            t.rows[-1].append(u.index)  # row continued after a page break
        else:
            t.rows.append([u.index])


def _cell(t: Table, units: list[Unit], row: list[int], role: str) -> str:
    if role not in t.columns:
        return ""
    i = t.columns.index(role)
    parts = []
    for ui in row:
        cells = units[ui].cells or []
        if i < len(cells):
            v = display(cells[i]).strip()
            if v:
                parts.append(v)
    return " ".join(parts).strip()


def _is_group_row(t: Table, units: list[Unit], row: list[int]) -> bool:
    others = [r for r in t.columns if r not in (None, "stt", "text")]
    return all(not _cell(t, units, row, r) for r in others)


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


def _para_is_task(it: Item, sec: Section) -> bool:
    """An unmarked paragraph counts as a task only under a sub-heading of the
    tasks or organisation part, and only if it is not an introduction."""
    t = it.ntext.strip()
    return (sec.level >= 2 and len(t) >= 40 and not t.endswith(":")
            and (not _INTRO.match(t) or bool(_DUTY.search(t))))


_END = re.compile(r"^\W*(Nơi nhận|TM\.|KT\.)", re.I)


def body_end(units: list[Unit]) -> int:
    """Index of the first unit of the closing block (Nơi nhận, signature)."""
    for u in units:
        if u.kind != "row" and _END.match(u.norm.strip()) and u.index > len(units) // 2:
            return u.index
    return len(units)


def _org_lead(title: str) -> str:
    return re.split(r":", title, maxsplit=1)[0].strip()


# ------------------------------------------------------------ splitting

_LEXICON: dict | None = None


def lexicon() -> dict:
    global _LEXICON
    if _LEXICON is None:
        import yaml

        from checker.resources import read_text

        data = yaml.safe_load(read_text("reference", "lexicon.yaml"))
        _LEXICON = {
            "verbs": tuple(sorted({fold(v) for v in data["action_verbs"]}, key=len, reverse=True)),
            "connectives": tuple(fold(v) for v in data["connectives"]),
        }
    return _LEXICON


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

    for it, sec in _items_in(units, items, sections, ("tasks", "organisation")):
        if it.kind == "para" and not _para_is_task(it, sec):
            continue
        text, ntext = it.text, it.ntext
        if sec.role == "organisation":
            lead = _org_lead(sec.title) if sec.level > 1 else None
            l2, partners = roles_in(ntext, text)
            add(text, it.unit, "organisation", lead=l2 or lead, partners=partners,
                deadline=deadline_in(ntext, text))
            continue
        for ntext, text in split_instructions(ntext, text):
            lead, partners = roles_in(ntext, text)

            add(text, it.unit, "prose", lead=lead, partners=partners,
                deadline=deadline_in(ntext, text), product=product_in(ntext, text))
    # organisation headings that carry their duty in the heading itself
    for s in sections:
        if s.role == "organisation" and s.level > 1 and ":" in s.title:
            head, duty = s.title.split(":", 1)
            if len(duty.strip()) > 40:
                add(duty, s.unit, "organisation", lead=head.strip(), deadline=deadline_in(duty))

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


def table_sections(units: list[Unit], tables: list[Table], sections: list[Section]) -> list[Section]:
    """Group rows of task tables ("1 | Tuyên truyền… | | |") as sections, so
    the tasks below them know their group.  Returns the merged, ordered list."""
    from checker.extract.structure import section_at

    extra: list[Section] = []
    for t in tables:
        if t.kind != "tasks":
            continue
        for row in t.rows:
            if not _is_group_row(t, units, row):
                continue
            label = _cell(t, units, row, "stt") or str(len(extra) + 1)
            title = _cell(t, units, row, "text")
            if not title:
                continue
            outer = section_at(sections, row[0])
            sid = f"{outer.id}.{label}" if outer else label
            extra.append(Section(id=sid, label=label, title=title,
                                 level=(outer.level + 1) if outer else 1, unit=row[0],
                                 loc=units[row[0]].loc, parent=outer.id if outer else None,
                                 role="tasks"))
    if not extra:
        return sections
    return sorted(sections + extra, key=lambda s: s.unit)
