"""The official header and closing blocks of a plan (Nghị định 30/2020/NĐ-CP).

The header is a two-column block: issuer | national motto on top, then
``Số: 12/KH-UBND`` | ``Xã A, ngày … tháng … năm …``; below it the kind of
document (KẾ HOẠCH, QUYẾT ĐỊNH …) and its title.  It arrives as a Word table
(read cell by cell, so as separate lines), as tab- or pipe-separated rows
(text copied from Word, markdown), as lines with the columns side by side
separated by runs of spaces (pdftotext), or as plain separate lines.  Each
line is cut into *pieces* by its cells and by what it holds (the motto, the
tagline, the number), so the same reading serves every layout.

The closing block holds "Nơi nhận:" and its list, and the signature: the
authority (TM. ỦY BAN NHÂN DÂN), the signing role (KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH, Q. CHỦ TỊCH …) and the signer's name — again in columns, in a table, on
separate lines or all on one line separated only by bold markers.

A Quyết định that issues a plan ("Ban hành kèm theo Quyết định số …") keeps
the decision's header; the plan's own kind and title go to ``Header.plan``.
"""
from __future__ import annotations

import re

from checker.model import Header, PartialDate, Unit
from checker.normalize import normalize

NUMBER = re.compile(r"\bSố\s*:?\s*(?P<num>[0-9 ]*)\s*/\s*(?P<sym>[A-ZĐ][A-ZĐa-z0-9&\-]*(?:/[A-ZĐ][A-ZĐ0-9\-]*)?)")
PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d:]{2,40}?),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})",
    re.I,
)
INLINE_DATE = re.compile(r"ngày\s*(?P<d>\d{1,2})?\s*/\s*(?P<m>\d{1,2})?\s*/\s*(?P<y>\d{4})")
KINDS = ("KẾ HOẠCH", "PHỤ LỤC", "QUYẾT ĐỊNH", "CHƯƠNG TRÌNH", "BÁO CÁO", "NGHỊ QUYẾT", "ĐỀ ÁN",
         "CÔNG VĂN", "THÔNG BÁO")
_MOTTO = re.compile(r"C[ỘO]NG\s+H[ÒO]À?A?\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM", re.I)
_MOTTO_START = re.compile(r"CỘNG\s+H(?:ÒA|OÀ)\b", re.I)
_TAGLINE = re.compile(r"Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc", re.I)
_RULE = re.compile(r"[-_=–—]{3,}")
_ISSUER_START = re.compile(
    r"^(ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|ĐẢNG ỦY|ĐẢNG BỘ|BAN CHỈ ĐẠO|HỘI ĐỒNG NHÂN DÂN|"
    r"TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|SỞ|BAN|PHÒNG|VĂN PHÒNG|TRUNG TÂM|CÔNG AN|BỘ)\b", re.I)
_ADMIN_UNIT = re.compile(r"^(XÃ|PHƯỜNG|ĐẶC KHU|TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|THỊ TRẤN)\b", re.I)
# a block that is a whole body by itself (it can govern the next line's body)
_WHOLE_BODY = re.compile(r"^(ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN)\s+"
                         r"(XÃ|PHƯỜNG|ĐẶC KHU|TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ)\s+\S|"
                         r"^(TỈNH|THÀNH|HUYỆN|ĐẢNG)\s*ỦY\s+\S", re.I)
_SUB_BODY = re.compile(r"^(SỞ|BAN|PHÒNG|VĂN PHÒNG|TRUNG TÂM|CÔNG AN|BAN CHỈ ĐẠO|CHI CỤC|ĐẢNG ỦY)\b", re.I)
_SIGN_ROLES = re.compile(r"^(TM\.|KT\.|Q\.|TL\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|TRƯỞNG BAN|PHÓ TRƯỞNG BAN|"
                         r"BÍ THƯ|PHÓ BÍ THƯ|GIÁM ĐỐC|PHÓ GIÁM ĐỐC|CHÁNH VĂN PHÒNG|TRƯỞNG PHÒNG)\b", re.I)
_ROLE_CUT = re.compile(r"\s+(?=(?:TM|KT|Q|TL|TUQ)\.\s)")
_COMMUNE = re.compile(r"\b(?:Ủy ban nhân dân|UBND)\s+(xã|phường|đặc khu)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})")
_LOCALITY = re.compile(r"\b(xã|phường|đặc khu)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,3})")
_ISSUED_BY = re.compile(r"\(\s*(?:Ban hành\s+)?kèm theo\s+(Quyết định|Kế hoạch)\s+số\s*([0-9]*\s*/\s*[A-ZĐ][A-ZĐ\-]*)"
                        r"[^)]*?ngày\s*(\d{1,2})?\s*/\s*(\d{1,2})?\s*/\s*(\d{4})", re.I)


def clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" *#\t_|")


def _norm(s: str) -> str:
    return clean(normalize(s)[0])


def raw_cells(u: Unit) -> list[str]:
    """The cells of a line in its original text: a table row's cells, the
    parts of a tab-separated line, else the whole line."""
    if u.cells is not None:
        return list(u.cells)
    if "\t" in u.text:
        return u.text.split("\t")
    return [u.text]


def pieces(u: Unit) -> list[str]:
    """The analysis text of a header line cut into what it holds: cells, then
    the motto, the tagline and the number each apart from what is next to them."""
    out: list[str] = []
    for cell in raw_cells(u):
        s = _norm(cell)
        if not s:
            continue
        for part in _split_marks(s):
            part = clean(_RULE.sub(" ", part))
            if part:
                out.append(part)
    return out


def _split_marks(s: str) -> list[str]:
    cuts = set()
    for pat in (_MOTTO_START, _TAGLINE, NUMBER):
        for m in pat.finditer(s):
            cuts.add(m.start())
            if pat is not _MOTTO_START:
                cuts.add(m.end())
    m = _MOTTO.search(s)
    if m:
        cuts.add(m.end())
    bounds = sorted({0, len(s)} | cuts)
    return [s[a:b] for a, b in zip(bounds, bounds[1:]) if s[a:b].strip()]


def _kind_of(s: str) -> str | None:
    up = s.upper()
    for k in KINDS:
        if up == k or (up.startswith(k) and len(s) <= len(k) + 3):
            return k
    return None


def _title_after(units: list[Unit], idx: int) -> tuple[str | None, int | None]:
    """The title under the kind line: the next non-blank lines up to a blank
    line (a title often runs over two or three lines)."""
    lines: list[str] = []
    first = None
    for u in units[idx + 1:idx + 12]:
        s = clean(u.norm)
        if not s:
            if lines:
                break
            continue
        if re.match(r"^(Căn cứ|Thực hiện Kế hoạch|I\.|\(?\s*(Ban hành\s+)?kèm theo|ỦY BAN NHÂN DÂN|UBND)", s, re.I) \
                or _RULE.fullmatch(s) or len(s) > 300:
            break
        if lines and (s.endswith(";") or len(lines) >= 3):
            break
        lines.append(s)
        first = first or u.loc.line
    return (" ".join(lines) if lines else None), first


def parse_header(units: list[Unit]) -> Header:
    h = Header()
    top = units[:60]
    issuer_parts: list[str] = []
    kind_at = None
    for u in top:
        if kind_at is not None:
            break
        for s in pieces(u):
            if _MOTTO.fullmatch(s) or _TAGLINE.fullmatch(s) or _MOTTO_START.match(s):
                continue
            m = NUMBER.match(s)
            if m:
                if h.number is None and len(s) < 60:
                    num = m.group("num").strip()
                    h.number = f"{num}/{m.group('sym')}" if num else f"/{m.group('sym')}"
                continue
            m = PLACE_DATE.match(s)
            if m and h.date is None and h.date_invalid is None:
                h.place = clean(m.group("place"))
                h.date = _header_date(m, h)
                h.line = u.loc.line
                continue
            k = _kind_of(s)
            if k:
                h.kind = k
                kind_at = u.index
                h.title, _ = _title_after(units, u.index)
                break
            if h.number is None and h.date is None and len(issuer_parts) < 3 and len(s) < 80:
                if (_ISSUER_START.match(s) and s.upper() == s) or (issuer_parts and _ADMIN_UNIT.match(s)) \
                        or (issuer_parts and s.upper() == s and not _SIGN_ROLES.match(s)):
                    issuer_parts.append(s)
                elif not issuer_parts and _ISSUER_START.match(s) and re.match(r"^(UBND|ỦY BAN|UỶ BAN)", s, re.I) \
                        and len(s) < 50 and not re.search(r"\b(ban hành|như sau)\b", s, re.I):
                    issuer_parts.append(s)
    _issuer(h, issuer_parts)
    if h.date is None and h.date_invalid is None:
        _annex_date(h, units[:15])
    if h.issuer is None:
        h.issuer = _infer_issuer(units, h.title)
    if h.kind and h.kind != "KẾ HOẠCH":
        h.plan = _issued_plan(units, kind_at)
    h.signer, h.recipients, h.signature = _tail(units)
    return h


def _issuer(h: Header, parts: list[str]) -> None:
    if not parts:
        return
    if len(parts) >= 2 and _WHOLE_BODY.match(parts[0]) and _SUB_BODY.match(parts[1]):
        h.governing_body = parts[0]
        h.issuer = " ".join(parts[1:])
    else:
        h.issuer = " ".join(parts)


def _header_date(m: re.Match, h: Header) -> PartialDate | None:
    """The header's date, or None when it cannot exist ("ngày 31 tháng 6 năm
    2026"): the date as written is kept in ``h.date_invalid`` and rule CON013
    reports it; the as-of date then comes from the citations or today."""
    d = PartialDate(int(m.group("y")), _int(m.group("m")), _int(m.group("d")))
    if d.valid:
        return d
    text = m.group(0)
    h.date_invalid = text[max(text.lower().find("ngày"), 0):].strip()
    return None


def _annex_date(h: Header, top: list[Unit]) -> None:
    """An annex alone: "(Kèm theo Kế hoạch số /KH-UBND ngày /6/2026 của UBND xã)"."""
    for u in top:
        m = INLINE_DATE.search(u.norm)
        if m and "kèm theo" in u.norm.lower():
            h.date = _header_date(m, h)
            h.line = u.loc.line
            if h.number is None:
                mn = re.search(r"số\s*([0-9]*)\s*/\s*([A-ZĐ][A-ZĐ\-]+)", u.norm)
                if mn:
                    h.number = f"{mn.group(1)}/{mn.group(2)}"
            return


def _issued_plan(units: list[Unit], after: int | None) -> dict | None:
    """The plan a decision issues: its own kind line, title and the
    "(Ban hành kèm theo Quyết định số …)" line under it."""
    if after is None:
        return None
    for u in units[after + 1:]:
        s = clean(u.norm)
        if s.upper() in ("KẾ HOẠCH", "CHƯƠNG TRÌNH", "ĐỀ ÁN") and s.upper() == s:
            title, _ = _title_after(units, u.index)
            plan = {"kind": s.upper(), "title": title, "line": u.loc.line, "number": None, "issued_by": None}
            for v in units[u.index + 1:u.index + 8]:
                m = _ISSUED_BY.search(v.norm)
                if m:
                    plan["issued_by"] = {"number": re.sub(r"\s+", "", m.group(2)),
                                         "date": PartialDate(int(m.group(5)), _int(m.group(4)),
                                                             _int(m.group(3))).iso(),
                                         "line": v.loc.line}
                    break
            return plan
    return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


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


# ----------------------------------------------------------- closing block


def _sig_pieces(u: Unit) -> list[tuple[int, str]]:
    """(column, piece) of a closing-block line: cells, then bold runs, then
    the TM./KT./Q. words that open a new part of the signature."""
    out: list[tuple[int, str]] = []
    cells = raw_cells(u)
    if len(cells) == 1 and re.search(r"\s{4,}\S", u.text.strip()):
        cells = re.split(r"\s{4,}", u.text.strip())
    for col, cell in enumerate(c for c in cells):
        for run in re.split(r"\*\*+", cell):
            s = _norm(run)
            if not s:
                continue
            for part in _ROLE_CUT.split(s):
                part = clean(part)
                split = _role_name(part)
                if split:  # "CHỦ TỊCH Võ Tấn Đức": the role and the name in one run
                    out.extend((col, x) for x in split)
                elif part:
                    out.append((col, part))
    return out


def _role_name(part: str) -> tuple[str, str] | None:
    words = part.split()
    k = 0
    while k < len(words) and words[k].isupper():
        k += 1
    rest = words[k:]
    if k and 2 <= len(rest) <= 5 and all(w[:1].isupper() and w[1:].islower() for w in rest):
        return " ".join(words[:k]), " ".join(rest)
    return None


def _is_name(s: str) -> bool:
    words = s.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def _tail(units: list[Unit]) -> tuple[str | None, list[str], dict | None]:
    recipients: list[str] = []
    start = None
    for u in units:
        if re.match(r"^\W*Nơi nhận", u.norm.strip(), re.I):
            start = u.index
    sig: dict = {}
    if start is not None:
        recipients = _recipients(units, start)
        block = units[max(0, start - 2):start + 16]  # a signature table may open a row above
    else:
        block = [u for u in units[-40:]]
    _signature(block, sig)
    name = sig.get("name")
    return name, recipients, (sig or None)


def _recipients(units: list[Unit], start: int) -> list[str]:
    out: list[str] = []
    for u in units[start:start + 30]:
        cells = raw_cells(u)
        if len(cells) == 1 and re.search(r"\s{4,}\S", u.text.strip()):
            cells = re.split(r"\s{4,}", u.text.strip())
        left = _norm(cells[0]) if cells else ""
        if not left and len(cells) > 1 and u.index == start:
            left = _norm(cells[1])
        if u.index == start:
            left = re.sub(r"^\W*Nơi nhận\s*:?\s*\**", "", left, flags=re.I).strip()
        if not left:
            if out and not any(_norm(c) for c in cells):
                break
            continue
        items = [p for p in re.split(r"(?:^|[;.]?\s+)[-+•]\s+", " " + left) if p.strip()]
        if not re.match(r"^[-+•]\s", left):
            if out or u.index != start:
                if out and not _SIGN_ROLES.match(left):
                    break
                continue
        for it in items:
            it = clean(it).rstrip(";.,")
            if it:
                out.append(it)
    return out


def _signature(block: list[Unit], sig: dict) -> None:
    roles: list[str] = []
    for u in block:
        for col, s in _sig_pieces(u):
            f = s.strip()
            if re.match(r"^\W*Nơi nhận", f, re.I) or f.startswith(("-", "+", "•")):
                continue
            if col == 0 and len(raw_cells(u)) > 1 and not _SIGN_ROLES.match(f):
                continue  # the recipients' column
            if f.startswith("TM.") and "authority" not in sig:
                sig["authority"] = f
                sig["line"] = u.loc.line
            elif _SIGN_ROLES.match(f) and f.upper() == f:
                if "authority" not in sig and not roles and not f.startswith(("KT.", "Q.", "TL.", "TUQ.")) \
                        and not re.match(r"^(CHỦ TỊCH|PHÓ CHỦ TỊCH|TRƯỞNG BAN|BÍ THƯ|GIÁM ĐỐC)", f):
                    sig["authority"] = f
                else:
                    roles.append(f)
                sig.setdefault("line", u.loc.line)
            elif (roles or "authority" in sig) and _is_name(f):
                sig["name"] = f
                if roles:
                    sig["role"] = " / ".join(roles)
                return
    if roles:
        sig["role"] = " / ".join(roles)

