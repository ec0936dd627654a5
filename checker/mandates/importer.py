"""Importing any mandate document (an official annex, a provincial plan) as a
new reference set: ``import_document(path, set_id, extract=...)`` reads it with
the extractor it is given (the pipeline's, :func:`checker.pipeline.import_reference`)
and turns its tasks into mandates and its indicators into targets;
:func:`dump_set` writes the set as YAML."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import yaml

from checker.mandates.keywords import auto_keywords
from checker.mandates.load import LEVELS, _bad, load_set, nq57_group_of
from checker.normalize import fold, norm, squash


# folded cues of the level a task is for
_LEAD_CUES = [
    ("province", r"\b(so|ubnd tinh|uy ban nhan dan tinh|tinh uy|cong an tinh|ban quan ly)\b"),
    ("ministry", r"\b(bo|nganh|co quan ngang bo|vtv|vov|ttxvn|ngan hang nha nuoc|van phong chinh phu|"
                 r"bao hiem xa hoi viet nam|vien han lam)\b"),
    ("central", r"\b(chinh phu|thu tuong|quoc hoi|trung uong|bo chinh tri)\b"),
]
# localities ("các địa phương", "UBND các tỉnh, thành phố", "các bộ, ngành, địa phương"):
# a province and its communes; communes by name ("cấp xã", "UBND các phường, xã")
_LOCALITY = re.compile(r"\b(dia phuong|cac tinh|tinh, thanh pho|thanh pho truc thuoc|"
                       r"ubnd cac tinh|uy ban nhan dan cac tinh)\b")
_COMMUNE = re.compile(r"\b(cap xa|ubnd (cac |cap )?(xa|phuong)|uy ban nhan dan (cac |cap )?(xa|phuong)|"
                      r"(cac )?xa, phuong|(cac )?phuong, xa|phuong xa|xa phuong|dac khu|thon, to dan pho|"
                      r"to cong nghe so cong dong)\b")


def _levels_for(lead: str | None, partners: list[str], content: str = "") -> list[str]:
    """Levels a task is for: from its lead unit, and from its partners and its
    own words when they name localities or communes."""
    fl = fold(lead or "").strip()
    rest = fold(" ; ".join([*partners, content]))
    if not fl:
        return list(LEVELS)
    levels = {lv for lv, pat in _LEAD_CUES if re.search(pat, fl)}
    for text in (fl, rest):
        if _LOCALITY.search(text):
            levels |= {"province", "commune"}
        if _COMMUNE.search(text):
            levels.add("commune")
    return [lv for lv in LEVELS if lv in levels] or list(LEVELS)


def _short_title(text: str, limit: int = 90) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    if len(t) <= limit:
        return t
    cut = t[:limit]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(",;:") + " …"


_BODY = re.compile(r"^(bộ|văn phòng|ngân hàng|cơ quan|sở|phòng|ubnd|ủy ban|trung tâm|công an|ban|"
                   r"các bộ|chính phủ|tổng cục|cục)\b", re.I)


def _unit_and_owner(plan, ind) -> tuple[str | None, str | None]:
    """(unit of measure, owner) of an indicator; when the extractor put the
    unit column into ``owner`` (a bare "Đơn vị" header), take the owner from
    the row's last body-like cell instead."""
    measure, owner = ind.measure, ind.owner
    if measure is None and owner and not _BODY.match(norm(owner).strip()):
        measure, owner = owner, None
        u = plan.units[ind.unit] if 0 <= ind.unit < len(plan.units) else None
        if u is not None and u.cells:
            for c in reversed(u.cells):
                if _BODY.match(norm(c).strip()):
                    owner = norm(c).strip()
                    break
    return measure, owner


def _target_from_indicator(ind, set_id: str, n: int, group_of, plan=None) -> dict[str, Any]:
    measure, owner = _unit_and_owner(plan, ind) if plan is not None else (ind.measure, ind.owner)
    comp = ind.comparator if ind.comparator in (">=", ">", "<=", "<", "=") else None
    value = ind.value
    if value is None:
        comp = "qualitative"
        value = ind.target
    year = ind.year
    if year is None and ind.group:
        m = re.search(r"(20\d\d)", ind.group)
        year = int(m.group(1)) if m else None
    num = (ind.number or str(n)).strip().rstrip(".")
    tid = f"{set_id}.t{re.sub(r'[^A-Za-z0-9_-]+', '_', num)}"
    t = {"id": tid, "text": _short_title(norm(ind.text), 200), "unit": measure or "",
         "value": value, "comparator": comp or "=", "year": year,
         "owner": owner, "confidence": "verified",
         "source": {"document": set_id, "section": f"dòng {ind.loc.line}"}}
    g = group_of(ind.group)
    if g:
        t["group"] = g
    return t


def import_document(path: str | Path, set_id: str, title: str | None = None, *,
                    extract: Callable[[str | Path], Any]) -> dict[str, Any]:
    """Turn a mandate document into a reference set (a dict that validates
    against reference/mandate-set.schema.json; dump it with :func:`dump_set`).

    Tasks become mandates (lead, partners, product, deadline kept; keywords
    extracted automatically), indicators become targets, and each task's
    section title is mapped onto the NQ 57 groups.

    ``extract`` reads the document into a Plan (the pipeline's extractor,
    :func:`checker.pipeline.import_reference` passes it): this stage sits
    below the pipeline and never calls it."""

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", set_id or ""):
        raise _bad("reference-id", f"Mã bộ tham chiếu không hợp lệ: '{set_id}' (chỉ dùng chữ thường, số, '-', '_')",
                   f"Invalid set id '{set_id}' (lowercase letters, digits, '-', '_')")
    plan = extract(path)
    if not plan.tasks and not plan.indicators:
        raise _bad("reference-empty",
                   f"Không tìm thấy nhiệm vụ hay chỉ tiêu nào trong {Path(path).name} để tạo bộ tham chiếu",
                   f"No tasks or indicators found in {Path(path).name} to build a reference set")

    cache: dict[str | None, str | None] = {}

    def group_of(section_title: str | None) -> str | None:
        if section_title not in cache:
            cache[section_title] = nq57_group_of(section_title)
        return cache[section_title]

    # document frequency of compounds, for keyword rarity
    from checker.extract.nlp import tokens

    from checker.mandates.table_import import read_table

    table = read_table(plan.units)
    if table is not None and len(table.tasks) < 3:
        table = None
    texts = [norm(t.name) for t in table.tasks] if table else [norm(t.text) for t in plan.tasks]
    df: Counter = Counter()
    for tx in texts:
        df.update({squash(w) for w in tokens(tx) if " " in w})

    groups: dict[str, dict[str, Any]] = {}
    mandates: list[dict[str, Any]] = []
    used: set[str] = set()
    unplaced: list[dict[str, Any]] = table.unplaced if table else []
    if table:
        mandates, groups = _from_table(table, set_id, df, len(texts))
    for n, t in enumerate([] if table else plan.tasks, start=1):
        sec_title = t.section_title or (plan.section(t.section).title if plan.section(t.section) else None)
        g = group_of(sec_title) or group_of(t.text[:160]) or "other"
        if g not in groups:
            groups[g] = {"id": g, "title": (load_set("nq57").group_title(g) if g != "other"
                                            else "Nhiệm vụ khác"), "nq57_group": g if g != "other" else None}
        kw, syn, ctx = auto_keywords(t.text, df, len(texts))
        num = _task_number(plan, t) or str(n)
        mid = f"{set_id}.{num}"
        while mid in used:
            mid += "b"
        used.add(mid)
        lead = t.lead
        m: dict[str, Any] = {
            "id": mid, "group": g, "title": _short_title(norm(t.text)),
            "description": norm(t.text).strip(), "keywords": kw, "synonyms": syn, "context": ctx,
            "level": _levels_for(lead, t.partners, f"{t.text} {t.product or ''}"), "required": True,
            "confidence": "verified",
            "lead": lead, "partners": list(t.partners), "product": t.product, "deadline": t.deadline,
            "source": {"document": set_id, "section": f"{sec_title or ''} (dòng {t.loc.line})".strip(),
                       "line": t.loc.line},
        }
        mandates.append({k: v for k, v in m.items() if v is not None})
    targets = []
    last_year = None
    for i, ind in enumerate(plan.indicators, start=1):
        tg = _target_from_indicator(ind, set_id, i, group_of, plan)
        if tg["year"] is None and last_year is not None:
            tg["year"] = last_year  # rows under an "Đến năm 2030" heading
        last_year = tg["year"] if tg["year"] is not None else last_year
        targets.append(tg)
    seen: set[str] = set()
    for tg in targets:
        while tg["id"] in seen:
            tg["id"] += "b"
        seen.add(tg["id"])
    for tg in targets:
        g = tg.get("group")
        if g and g not in groups:
            groups[g] = {"id": g, "title": load_set("nq57").group_title(g), "nq57_group": g}
    if not groups:
        groups["other"] = {"id": "other", "title": "Chỉ tiêu", "nq57_group": None}
    h = plan.header
    doc_title = title or h.title or Path(path).stem
    out = {
        "id": set_id,
        "title": doc_title,
        "version": 1,
        "documents": [set_id],
        "status": {
            "confidence": "verified",
            "generated": f"nhập tự động từ {Path(path).name} ngày {dt.date.today().isoformat()}",
            "known": [f"{len(mandates)} nhiệm vụ và {len(targets)} chỉ tiêu đọc từ {Path(path).name}."],
            "unknown": ["Từ khóa được trích tự động; nên rà soát trước khi dùng để kết luận thiếu nhiệm vụ.",
                        "Cấp áp dụng (level) suy ra từ đơn vị chủ trì, đơn vị phối hợp và nội dung nhiệm vụ; "
                        "nhiệm vụ không rõ chủ trì áp dụng cho mọi cấp."]
                       + [f"Không xếp được dòng {u['line']} ({u['why']}): {u['text']}" for u in unplaced],
        },
        # the domain is the NQ 57 one: tasks off that topic weigh less
        "topic_terms": list(load_set("nq57").topic_terms),
        "groups": list(groups.values()) if table else sorted(groups.values(), key=lambda g: _group_order(g["id"])),
        "mandates": mandates,
        "targets": targets,
    }
    return out


def _from_table(table, set_id: str, df: Counter, n_docs: int):
    """Mandates and groups from a task table read by
    :func:`checker.mandates.table_import.read_table`: the document's own
    sections are the groups (each mapped onto an NQ 57 group where its
    title says which), the task's own number is in its id."""
    groups: dict[str, dict[str, Any]] = {}
    for g in table.groups:
        title = g["title"] or g.get("part_title") or g["id"]
        gid = g["id"]
        d = {"id": gid, "title": title, "nq57_group": nq57_group_of(title) or nq57_group_of(g.get("part_title"))}
        if g.get("part_title"):
            d["short"] = _short_title(f"{g['part']}. {g['part_title']} — {g['number']}. {title}"
                                      if g.get("number") else f"{g['part']}. {title}", 120)
        groups[gid] = d
    mandates: list[dict[str, Any]] = []
    used: set[str] = set()
    for t in table.tasks:
        text = norm(t.name).strip()
        mid = f"{set_id}.{t.key}"
        k = 2
        while mid in used:
            mid = f"{set_id}.{t.key}-{k}"
            k += 1
        used.add(mid)
        kw, syn, ctx = auto_keywords(text, df, n_docs)
        section = " / ".join(t.path)
        m: dict[str, Any] = {
            "id": mid, "group": t.group, "title": _short_title(text), "description": text,
            "keywords": kw, "synonyms": syn, "context": ctx,
            "level": _levels_for(t.lead, t.partners, f"{text} {t.product or ''}"), "required": True,
            "confidence": "verified", "lead": t.lead, "partners": list(t.partners), "product": t.product,
            "deadline": t.deadline,
            "source": {"document": set_id, "section": f"{section} (dòng {t.line})".strip(), "line": t.line,
                       "number": t.number},
        }
        mandates.append({k: v for k, v in m.items() if v is not None})
    return mandates, groups


def _group_order(gid: str) -> tuple:
    order = ["III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7", "IV"]
    return (order.index(gid) if gid in order else 99, gid)


def _task_number(plan, task) -> str | None:
    """The number the document gives a task (a table's STT cell, "1.", "a)")."""
    u = plan.units[task.unit] if 0 <= task.unit < len(plan.units) else None
    if u is not None and u.kind == "row" and u.cells:
        first = squash(u.cells[0]).replace(" ", ".")
        if re.fullmatch(r"\d{1,3}(\.\d{1,3})*", first):
            return first if "." in first else str(int(first))
    return None


def dump_set(data: dict[str, Any]) -> str:
    """YAML text of a set dict (Vietnamese kept readable)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
