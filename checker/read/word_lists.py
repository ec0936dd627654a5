"""Word's automatic list numbers, rebuilt (``numbering.xml``, style numbering,
restarts and overrides; decimal, roman and letter formats)."""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.read.word_xml import W, _style_id, int_attr


# --------------------------------------------------------------------------
# list numbering

@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart (1-based level) if given
    pstyle: str | None = None  # w:pStyle: the paragraph style linked to this level


@dataclass
class _Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    num_abstract: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def from_document(cls, doc) -> "_Numbering":
        self = cls()
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return self
        style_link: dict[str, str] = {}  # list style name → abstractNum that defines it
        num_style_link: dict[str, str] = {}  # abstractNum → list style it only points to
        for an in root.findall(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            e = an.find(W + "styleLink")
            if e is not None:
                style_link[e.get(W + "val")] = aid
            e = an.find(W + "numStyleLink")
            if e is not None:
                num_style_link[aid] = e.get(W + "val")
            levels: dict[int, _Level] = {}
            for lvl in an.findall(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                lv = _Level()
                e = lvl.find(W + "numFmt")
                if e is not None:
                    lv.fmt = e.get(W + "val", "decimal")
                e = lvl.find(W + "lvlText")
                if e is not None:
                    lv.text = e.get(W + "val", "")
                e = lvl.find(W + "start")
                if e is not None:
                    lv.start = int_attr(e.get(W + "val"), 1)
                e = lvl.find(W + "lvlRestart")
                if e is not None:
                    lv.restart = int_attr(e.get(W + "val"), None)
                e = lvl.find(W + "pStyle")
                if e is not None:
                    lv.pstyle = e.get(W + "val")
                levels[ilvl] = lv
            self.abstract[aid] = levels
        for num in root.findall(W + "num"):
            nid = num.get(W + "numId")
            a = num.find(W + "abstractNumId")
            if a is not None:
                aid = a.get(W + "val")
                # a list that only names a list style: use the style's definition
                if aid in num_style_link and num_style_link[aid] in style_link:
                    aid = style_link[num_style_link[aid]]
                self.num_abstract[nid] = aid
            for ov in num.findall(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None:
                    self.overrides.setdefault(nid, {})[int(ov.get(W + "ilvl", "0"))] = \
                        int_attr(so.get(W + "val"), 1)
        return self

    def level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        """The level a list gives to a style (w:lvl/w:pStyle), if any."""
        levels = self.abstract.get(self.num_abstract.get(num_id, ""), {})
        for ilvl, lv in levels.items():
            if style_id and lv.pstyle == style_id:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> str | None:
        aid = self.num_abstract.get(num_id)
        if aid is None or num_id == "0":
            return None  # numId 0 switches numbering off
        levels = self.abstract.get(aid, {})
        if ilvl not in levels:
            return None
        # Word continues a list across w:num instances of one abstractNum
        # unless the instance restarts it with a startOverride.
        key = f"n{num_id}" if num_id in self.overrides else f"a{aid}"
        cnt = self.counters.setdefault(key, {})
        starts = {lv: self.overrides.get(num_id, {}).get(lv, levels[lv].start) for lv in levels}
        if ilvl in cnt:
            cnt[ilvl] += 1
        else:
            cnt[ilvl] = starts[ilvl]
        for deeper in [k for k in cnt if k > ilvl]:
            r = levels.get(deeper, _Level()).restart
            if r is None or r == 0 or r - 1 >= ilvl:
                del cnt[deeper]
        lv = levels[ilvl]
        if lv.fmt == "none":
            return None
        if lv.fmt == "bullet":
            sym = lv.text.strip()
            if not sym or any(0xE000 <= ord(c) <= 0xF8FF for c in sym) or sym in ("o", "§", "·"):
                return "•"  # Symbol/Wingdings glyphs
            return sym
        out = lv.text
        for k in range(9):
            token = f"%{k + 1}"
            if token in out:
                value = cnt.get(k, starts.get(k, 1))
                out = out.replace(token, _fmt(value, levels.get(k, _Level()).fmt))
        return out.strip() or None


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = []
    for v, s in _ROMAN:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def letters(n: int) -> str:
    """a, b, …, z, aa, bb, … as Word writes them."""
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _fmt(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerRoman":
        return roman(n).lower()
    if fmt == "upperRoman":
        return roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _num_pr(p, doc, style_cache: dict, numbering: "_Numbering | None" = None
            ) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph: its own numPr, else its style's (the
    level then comes from the list level linked to the style, if any)."""
    ppr = p.find(W + "pPr")
    if ppr is not None:
        npr = ppr.find(W + "numPr")
        if npr is not None:
            nid = npr.find(W + "numId")
            ilvl = npr.find(W + "ilvl")
            if nid is not None:
                return nid.get(W + "val"), int_attr(ilvl.get(W + "val") if ilvl is not None else 0, 0)
    sid = _style_id(p)
    if sid is None:
        return None
    if sid not in style_cache:
        found = _style_num(doc, sid)
        if found is not None and numbering is not None:
            linked = numbering.level_of_style(found[0], sid)
            if linked is not None:
                found = (found[0], linked)
        style_cache[sid] = found
    return style_cache[sid]


def _style_num(doc, sid: str, depth: int = 0) -> tuple[str, int] | None:
    try:
        styles = doc.styles.element
    except Exception:  # noqa: BLE001 - a document without styles part
        return None
    for st in styles.findall(W + "style"):
        if st.get(W + "styleId") != sid:
            continue
        ppr = st.find(W + "pPr")
        if ppr is not None:
            npr = ppr.find(W + "numPr")
            if npr is not None:
                nid = npr.find(W + "numId")
                ilvl = npr.find(W + "ilvl")
                if nid is not None:
                    return nid.get(W + "val"), int_attr(
                        ilvl.get(W + "val") if ilvl is not None else 0, 0)
        based = st.find(W + "basedOn")
        if based is not None and depth < 10:
            return _style_num(doc, based.get(W + "val"), depth + 1)
        return None
    return None
