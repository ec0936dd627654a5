"""Tables of a plan: task tables (chủ trì / phối hợp / sản phẩm / thời gian)
and indicator tables (chỉ tiêu), whatever the header's markup, with rows
continued across page breaks merged and header rows repeated inside a table
dropped."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.model import Section, Unit
from checker.normalize import display, fold

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
    # the cells of rows with Word cells merged down (vMerge), the upper cell's text filled in
    filled: dict[int, list[str]] = field(default_factory=dict)
    last: list[str] | None = None  # the cells of the row read last


def column_roles(cells: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for c in cells:
        f = " " + fold(display(c)).strip(" *_") + " "
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
        empty_header = not any(display(c).strip(" *_") for c in cells)
        roles = column_roles(cells)
        known = sum(1 for r in roles if r)
        prev = tables[-1] if tables else None
        if (empty_header or known < 2) and prev and len(prev.columns) == len(cells):
            # continuation of the previous table after a page break
            body = rows[1:] if empty_header else rows
            _add_rows(prev, body, units)
            continue
        if prev and prev.kind == "tasks" and known >= 2 and _repeats_header(prev, roles):
            # the header repeated further down (often without its STT cell): the table goes on
            _add_rows(prev, rows[1:], units)
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


def _is_header_row(cells: list[str]) -> bool:
    return sum(1 for r in column_roles(cells) if r) >= 3 and all(len(c) < 60 for c in cells)


def _repeats_header(prev: Table, roles: list[str | None]) -> bool:
    named = [r for r in roles if r]
    return set(named) <= set(prev.columns) and abs(len(roles) - len(prev.columns)) <= 1 \
        and "text" in named and "lead" in named


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
            return display(u.cells[i]).strip(" *_")
    return ""


def _add_rows(t: Table, rows: list[Unit], units: list[Unit]) -> None:
    stt_col = t.columns.index("stt") if "stt" in t.columns else None
    for u in rows:
        if u.merged and t.last is not None and stt_col not in u.merged:
            # a lead, partner or deadline cell merged down over several task rows belongs to
            # each of them (when the number cell is merged too, the row continues the task)
            cells = list(u.cells or [])
            for i in u.merged:
                if i < len(cells) and i < len(t.last) and not cells[i].strip():
                    cells[i] = t.last[i]
            t.filled[u.index] = cells
        t.last = t.filled.get(u.index, u.cells)
        if not u.cells or not any(c.strip() for c in u.cells):
            continue
        if _is_header_row(u.cells):
            continue  # the header row repeated inside the table (after a page break)
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
        cells = t.filled.get(ui) or units[ui].cells or []
        if i < len(cells):
            v = display(cells[i]).strip()
            if v:
                parts.append(v)
    return " ".join(parts).strip()


def _is_group_row(t: Table, units: list[Unit], row: list[int]) -> bool:
    others = [r for r in t.columns if r not in (None, "stt", "text")]
    return all(not _cell(t, units, row, r) for r in others)


_GROUP_IN_ONE = re.compile(r"^([IVXLC]{1,6}|[A-Z]|\d{1,2}(?:\.\d{1,2})*)\s*[.):\-–]\s*(\S.{2,})$")


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
            if not title:  # "I. CHÍNH QUYỀN SỐ" in one cell across the row (merged or alone)
                m = _GROUP_IN_ONE.match(label)
                if not m:
                    continue
                label, title = m.group(1), m.group(2).strip()
            outer = section_at(sections, row[0])
            sid = f"{outer.id}.{label}" if outer else label
            extra.append(Section(id=sid, label=label, title=title,
                                 level=(outer.level + 1) if outer else 1, unit=row[0],
                                 loc=units[row[0]].loc, parent=outer.id if outer else None,
                                 role="tasks"))
    if not extra:
        return sections
    return sorted(sections + extra, key=lambda s: s.unit)
