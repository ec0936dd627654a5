"""Check kinds about how a commune plan is put together (issue 14, the cases
the first rule packs missed):

* ``commune-pattern`` — a text pattern that only applies when the plan is
  issued by a commune (a district office named as lead, "của huyện" copied
  from the district's plan);
* ``annex-missing`` — annexes the plan points to ("Chi tiết tại Phụ lục II")
  that the file does not hold;
* ``duplicate-section-number`` — two top-level parts with the same number;
* ``closing-other-plan`` — the closing sentence names another plan than the
  plan's own title.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from checker.judge.context import Ctx, _fast_fold, _scan, _scope, _short
from checker.judge.needs import can_match
from checker.judge.registry import Hit, check
from checker.model import location_label
from checker.normalize import norm as _norm


def _is_commune(ctx: Ctx, params: dict) -> bool:
    rx = params.get("issuer_re") or r"\b(?:xã|phường|đặc khu)\b"
    head = ctx.plan.header.issuer or ""
    if not head:
        head = " ".join(ctx.text(u) for u in [u for u in ctx.units if u.text.strip()][:3])
    return bool(re.search(rx, head, re.I))


@check("commune-pattern")
def check_commune_pattern(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Regular expressions over the units, only in a commune's plan."""
    if not _is_commune(ctx, params):
        return []
    return _scan(ctx, params, _scope(ctx, params))


# ------------------------------------------------------------------ annexes

_NUM = r"(?P<num>[IVX]{1,5}|\d{1,2})"


def _roman_or_int(s: str) -> str:
    return s.upper().strip()


@check("annex-missing")
def check_annex_missing(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Annexes named in the text ("Phụ lục I, II") that no part of the file
    opens ("PHỤ LỤC I" as a heading)."""
    present: set[str] = set()
    head_rx = re.compile(r"^\W*phụ\s+lục\s+(?:số\s+)?" + _NUM + r"\b", re.I)
    any_annex = False
    for u in ctx.units:
        t = ctx.text(u).strip().strip("*#_ ")
        m = head_rx.match(t)
        if m and len(t) < 200 and not re.search(r"chi tiết|kèm theo kế hoạch này tại|tại phụ lục", t[:m.start() + 40], re.I):
            present.add(_roman_or_int(m.group("num")))
        elif re.match(r"^\W*phụ\s+lục\s*$", t, re.I):
            any_annex = True
    for s in ctx.plan.sections:
        if s.role == "annex":
            any_annex = True
            m = re.match(_NUM + r"\b", s.label or "")
            if m:
                present.add(_roman_or_int(m.group("num")))
    ref_rx = re.compile(r"(?:chi tiết|nêu|theo|kèm theo)[^.;\n]{0,20}?phụ\s+lục\s+(?:số\s+)?"
                        r"(?P<list>(?:[IVX]{1,5}|\d{1,2})(?:\s*(?:,|và|-)\s*(?:[IVX]{1,5}|\d{1,2})\b)*)", re.I)
    hits: list[Hit] = []
    seen: set[str] = set()
    for u in ctx.units:
        text = ctx.text(u)
        if not can_match(ref_rx, ctx.text_probe(u)):
            continue
        for m in ref_rx.finditer(text):
            nums = [_roman_or_int(x) for x in re.findall(r"[IVX]{1,5}|\d{1,2}", m.group("list"), re.I)]
            miss = [n for n in nums if n not in present and n not in seen]
            if not miss or (any_annex and not present):
                continue  # a single unnumbered annex part: cannot tell which it is
            seen.update(miss)
            s, e = m.span("list")
            hits.append(Hit(unit=u.index, nstart=m.start(), nend=e,
                            values={"annex": ", ".join(miss), "match": text[m.start():e]},
                            key="annex:" + ",".join(miss)))
    if not hits and not present and not any_annex:
        hits.extend(_unnumbered_annex(ctx))
    return hits


# "(Kèm theo phụ lục nhiệm vụ triển khai)": an annex named, not numbered
_UNNUMBERED = re.compile(r"(?:chi tiết|kèm theo|nêu)\s+(?:tại\s+|ở\s+|theo\s+)?(?:các\s+)?phụ\s+lục\b"
                         r"(?!\s+(?:số\s+)?(?:[IVX]{1,5}|\d{1,2})\b)(?P<name>[^.;()\n]{0,60})", re.I)


def _unnumbered_annex(ctx: Ctx) -> list[Hit]:
    """One finding for the first reference to an unnumbered annex when the
    file holds no annex at all: no annex part, no "PHỤ LỤC" heading, and no
    task table after the reference (an annex table without its heading)."""
    for u in ctx.units:
        text = ctx.text(u)
        m = _UNNUMBERED.search(text)
        if not m:
            continue
        if any(t.in_table and t.unit > u.index for t in ctx.plan.tasks if t.unit is not None):
            return []
        name = m.group("name").strip(" ,:-–")
        return [Hit(unit=u.index, nstart=m.start(), nend=m.end(),
                    values={"annex": name, "annex_en": f"“{name}”", "match": text[m.start():m.end()].strip()},
                    key="annex:unnumbered")]
    return []


# --------------------------------------------------------- section numbers

@check("duplicate-section-number")
def check_duplicate_section_number(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Two top-level parts of the plan with the same number ("II. MỤC TIÊU"
    and "II- NHIỆM VỤ")."""
    hits = []
    first: dict[str, Any] = {}
    for s in sorted(ctx.plan.sections, key=lambda s: s.unit):
        if s.role == "annex":
            break  # an annex numbers its parts again
        if s.parent or "." in s.id:
            continue
        base = s.id.split("~")[0]
        if base in first and "~" in s.id:
            prev = first[base]
            hits.append(Hit(unit=s.unit, values={
                "number": s.label or base, "title": _short(s.title, 60),
                "first_title": _short(prev.title, 60), "first_line": prev.loc.line,
                "first_location": prev.loc.human, "first_location_en": location_label(prev.loc.human, "en"),
                "match": ""}, key="dup:" + s.id))
        else:
            first.setdefault(base, s)
    return hits


# ------------------------------------------------------------ closing line

_WORDS = re.compile(r"\w+", re.U)


@check("closing-other-plan")
def check_closing_other_plan(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """The closing sentence ("Trên đây là Kế hoạch …", "UBND xã triển khai
    Kế hoạch …") names a plan whose own words are not in the plan's title —
    a sentence copied from another plan."""
    title = ctx.plan.header.title or ""
    if not title:
        return []
    tw = set(_WORDS.findall(_fast_fold(_norm(title))))
    close_rx = re.compile(params.get("closing_re") or r"(?:trên đây là|triển khai)\s+kế hoạch\s+", re.I)
    stop_rx = re.compile(params.get("name_stop_re") or
                         r"(?<!\s)\s*(?:về việc|về|thực hiện|triển khai|của|trên địa bàn|nghị quyết|số|này|năm|\.|,|;|/)", re.I)
    ignore = {_fast_fold(w) for w in params.get("ignore_words") or []}
    units = [u for u in ctx.units if u.text.strip()]
    # the closing part: the last units before "Nơi nhận" (or the end)
    end = len(units)
    for i, u in enumerate(units):
        if re.match(r"^\W*nơi nhận", ctx.text(u), re.I):
            end = i
            break
    hits = []
    for u in units[max(0, end - int(params.get("last_units", 4))):end]:
        text = ctx.text(u)
        for m in close_rx.finditer(text):
            rest = text[m.end():]
            stop = stop_rx.search(rest)
            name = rest[:stop.start()] if stop else rest[:60]
            words = [w for w in _WORDS.findall(_fast_fold(name)) if w not in ignore]
            if len(words) < 2:
                continue  # "Kế hoạch này", "Kế hoạch thực hiện …": nothing of its own
            foreign = [w for w in words if w not in tw]
            if len(foreign) * 2 < len(words):
                continue
            s = m.start()
            e = m.end() + len(name.rstrip())
            hits.append(Hit(unit=u.index, nstart=s, nend=e, values={
                "name": name.strip(), "title": _short(title, 90), "match": text[s:e]}))
            break
    return hits
