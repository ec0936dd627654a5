"""Reading the task table of a mandate document (an official annex, the annex
of a provincial plan) row by row, for :mod:`checker.mandates.importer`.

The columns are found by their header names, in any order and style (bold
``**…**`` too): number (STT/TT), task name (Tên nhiệm vụ / Nội dung /
Nhiệm vụ, giải pháp), lead (Cơ quan chủ trì / Đơn vị thực hiện), partners
(Cơ quan / Đơn vị phối hợp), product (Kết quả / Sản phẩm) and deadline
(Thời gian hoàn thành / thực hiện, Tiến độ).  A header repeated lower down
may leave out the number column: it is aligned on the right.

Each row is then one of:

* a **section** row — a Roman numeral (I, II …), a part letter (A, B …), or
  a row whose only content is bold with no lead/partner/deadline cells
  (``**5.1** Thương mại``): it opens a group (numerals and letters) or a
  sub-heading (kept in the task's section path);
* a **task** row — its own number (1., 2.3, 5.1.6) and a name; the number is
  kept in the mandate id (``<set>.<number>``; inside lettered parts whose
  numbering restarts, ``<set>.<part>.<number>``);
* a **continuation** row — no number: its text belongs to the task above;
* anything else is reported as not placed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checker.normalize import norm, squash

# folded header names → column role (the first that matches wins)
_ROLES: list[tuple[str, re.Pattern]] = [
    ("number", re.compile(r"^(stt|tt|so tt|so thu tu|thu tu)$")),
    ("lead", re.compile(r"(chu tri|thuc hien chinh|don vi thuc hien|co quan thuc hien|"
                        r"don vi trien khai|co quan trien khai|don vi dau moi)")),
    ("partners", re.compile(r"phoi hop")),
    ("deadline", re.compile(r"(thoi gian|thoi han|tien do|moc hoan thanh)")),
    ("product", re.compile(r"(ket qua|san pham|dau ra|hinh thuc van ban)")),
    ("name", re.compile(r"(nhiem vu|noi dung|ten |giai phap|hoat dong|de an|chuong trinh)")),
]
_ROMAN = re.compile(r"^(?=[IVXL])(X{0,3})(IX|IV|V?I{0,3})\.?$")
_LETTER = re.compile(r"^[A-HK-Z]\.?$")  # part letters (I is a numeral)
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,3})\.?$")
_BOLD = re.compile(r"^\s*(\*\*|__)(.*?)(\*\*|__)\s*$", re.S)


def clean(cell: str | None) -> str:
    """A cell without markdown emphasis and extra spaces."""
    t = (cell or "").replace("**", "").replace("__", "")
    t = re.sub(r"(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", t)
    return re.sub(r"\s+", " ", t).strip()


def _is_bold(cell: str) -> bool:
    c = (cell or "").strip()
    return not c or bool(_BOLD.match(c)) or not clean(c)


def header_roles(cells: list[str]) -> dict[str, int] | None:
    """Column index of each role, if ``cells`` is a task-table header."""
    roles: dict[str, int] = {}
    for i, c in enumerate(cells):
        f = squash(norm(clean(c)))
        if not f or len(f) > 60:
            continue
        for role, pat in _ROLES:
            if role not in roles and pat.search(f):
                roles[role] = i
                break
    if "name" in roles and len(roles) >= 3:
        return roles
    return None


@dataclass
class Row:
    kind: str  # section | task | continuation | unplaced
    line: int
    number: str = ""
    name: str = ""
    lead: str | None = None
    partners: str | None = None
    product: str | None = None
    deadline: str | None = None
    text: str = ""  # whole row, for the report of what was not placed


@dataclass
class TableTask:
    number: str  # as printed, without the trailing dot: "77", "5.1.6"
    key: str  # id suffix: "77", "A.7.2"
    name: str
    line: int
    group: str  # id of the group (section) it sits in
    path: list[str] = field(default_factory=list)  # section titles, outermost first
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    product: str | None = None
    deadline: str | None = None


@dataclass
class TableResult:
    groups: list[dict[str, Any]]  # {"id", "title", "number", "part"}
    tasks: list[TableTask]
    unplaced: list[dict[str, Any]]  # {"line", "text", "why"}


def _cell(cells: list[str], roles: dict[str, int], role: str, shift: int) -> str:
    i = roles.get(role)
    if i is None:
        return ""
    i += shift
    return clean(cells[i]) if 0 <= i < len(cells) else ""


def _classify(cells: list[str], roles: dict[str, int], line: int, header_len: int) -> Row:
    shift = 0
    if "number" not in roles and len(cells) > header_len:
        shift = len(cells) - header_len  # a repeated header without its STT column
    num_i = roles.get("number")
    if num_i is None:
        first = clean(cells[0]) if cells else ""
        num_i = 0 if (shift or _NUMBER.match(first) or _ROMAN.match(first) or _LETTER.match(first)) else None
    num = clean(cells[num_i]) if num_i is not None and num_i < len(cells) else ""
    name = _cell(cells, roles, "name", shift)
    others = {r: _cell(cells, roles, r, shift) for r in ("lead", "partners", "product", "deadline")}
    whole = " | ".join(clean(c) for c in cells if clean(c))
    if not num and not name:
        # a bold sub-heading may sit in another column ("**5.1** | | **Thương mại**")
        name = next((clean(c) for c in cells if clean(c)), "")
    filled = any(others.values())
    all_bold = all(_is_bold(c) for c in cells)
    nonempty = [clean(c) for c in cells if clean(c)]
    if _ROMAN.match(num) or _LETTER.match(num):
        if len(nonempty) <= 2:  # "II | Phát triển …": whatever the header says
            return Row("section", line, num.rstrip("."), nonempty[-1] if len(nonempty) > 1 else "")
        if not (others["lead"] or others["partners"]):
            title = name if name and name != num else next((clean(c) for c in cells[1:] if clean(c)), "")
            stray = " ".join(v for v in others.values() if v)
            return Row("section", line, num.rstrip("."), title, text=stray)
    if num and all_bold and not filled:
        title = name or next((clean(c) for c in cells if clean(c) and clean(c) != num), "")
        return Row("section", line, num.rstrip("."), title)
    m = _NUMBER.match(num)
    if m and name:
        return Row("task", line, m.group(1), name, text=whole, **{k: (v or None) for k, v in others.items()})
    if not num and (name or filled):
        return Row("continuation", line, "", name, text=whole, **{k: (v or None) for k, v in others.items()})
    return Row("unplaced", line, num, name, text=whole)


def _split_units(s: str | None) -> list[str]:
    if not s:
        return []
    parts = re.split(r"\s*;\s*|\s*\n\s*", s)
    return [p.strip(" .,") for p in parts if p.strip(" .,")]


def read_table(units) -> TableResult | None:
    """The task table(s) of a document's row units, or None when it has none."""
    rows = []
    for u in units:
        if u.kind == "row" and u.cells:
            rows.append((u.cells, u.loc.line, u.merged, u.table))
        elif u.kind == "para" and "\t" in (u.text or ""):
            rows.append((u.text.split("\t"), u.loc.line, (), None))  # a tab row the reader kept as a paragraph
    if not rows:
        return None
    roles: dict[str, int] | None = None
    header_len = 0
    groups: list[dict[str, Any]] = []
    tasks: list[TableTask] = []
    unplaced: list[dict[str, Any]] = []
    part: str | None = None
    part_title = ""
    group: dict[str, Any] | None = None
    sub: list[str] = []  # sub-heading titles under the current group
    seen_header = False
    last: TableTask | None = None
    above: tuple[list[str], int | None] = ([], None)  # the row before, and its table
    for cells, line, merged, table in rows:
        if merged and table is not None and above[1] == table and roles is not None \
                and roles.get("number") not in merged:
            # a Word cell merged down over several task rows (lead, deadline …) belongs to each
            cells = [above[0][i] if i in merged and i < len(above[0]) and not c.strip() else c
                     for i, c in enumerate(cells)]
        above = (cells, table)
        h = header_roles(cells)
        if h is not None:
            if roles is None or "number" in h or len(h) >= len(roles) - 1:
                roles, header_len = h, len(cells)
            seen_header = True
            last = None
            continue
        if roles is None:
            continue
        r = _classify(cells, roles, line, header_len)
        if r.kind == "section":
            if r.text:
                unplaced.append({"line": r.line, "text": r.text[:200], "why": "text in a section row"})
            if _LETTER.match(r.number) and not _ROMAN.match(r.number):
                part, part_title, group, sub, last = r.number, r.name, None, [], None
                continue
            if _ROMAN.match(r.number):
                gid = f"{part}.{r.number}" if part else r.number
                base, k = gid, 2
                while any(g["id"] == gid for g in groups):
                    gid = f"{base}-{k}"  # a document that numbers two sections alike
                    k += 1
                group = {"id": gid, "title": r.name, "number": r.number, "part": part,
                         "part_title": part_title, "line": r.line}
                groups.append(group)
                sub, last = [], None
                continue
            sub = [r.name] if r.name else []  # a bold decimal sub-heading
            last = None
            continue
        if r.kind == "task":
            if group is None:
                gid = part or "other"
                group = next((g for g in groups if g["id"] == gid), None)
                if group is None:
                    group = {"id": gid, "title": part_title or "", "number": "", "part": part,
                             "part_title": part_title, "line": r.line}
                    groups.append(group)
            key = f"{part}.{r.number}" if part else r.number
            last = TableTask(number=r.number, key=key, name=r.name, line=r.line, group=group["id"],
                             path=[x for x in (part_title, group["title"], *sub) if x],
                             lead=r.lead, partners=_split_units(r.partners), product=r.product,
                             deadline=r.deadline)
            tasks.append(last)
            continue
        if r.kind == "continuation" and last is not None:
            if r.name:
                last.name = f"{last.name} {r.name}".strip()
            for attr in ("lead", "product", "deadline"):
                v = getattr(r, attr)
                if v:
                    setattr(last, attr, f"{getattr(last, attr)} {v}".strip() if getattr(last, attr) else v)
            last.partners += [p for p in _split_units(r.partners) if p not in last.partners]
            continue
        unplaced.append({"line": r.line, "text": r.text[:200],
                         "why": "continuation before any task" if r.kind == "continuation"
                         else "no task number and no name"})
    if not seen_header or not tasks:
        return None
    return TableResult(groups=groups, tasks=tasks, unplaced=unplaced)
