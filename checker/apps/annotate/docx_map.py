"""Units mapped onto the Word copy: for each unit the runs, paragraphs, table
cells and footnote marks its text comes from, walked in the reader's order
(:mod:`checker.read.word_xml`, :mod:`checker.read.word_tables`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.model import Unit


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


# --------------------------------------------------------------------- maps

@dataclass
class Segment:
    """``Unit.text[ustart:ustart+length]`` is ``para_text(p)[pstart:pstart+length]``."""

    ustart: int
    length: int
    p: Any  # lxml w:p element
    pstart: int = 0

    @property
    def uend(self) -> int:
        return self.ustart + self.length


@dataclass
class UnitMap:
    unit: int
    segments: list[Segment] = field(default_factory=list)
    paragraphs: list[Any] = field(default_factory=list)  # every w:p of the unit, in order
    exact: bool = True  # rebuilt text == Unit.text
    note_ref: Any = None  # footnote units: the body run holding its reference mark


def _leaf_text(el) -> str | None:
    """Text a leaf contributes, exactly as ``word.para_text`` counts it."""
    tag = el.tag
    if tag == W + "t":
        return el.text or ""
    if tag == W + "tab":
        return "\t"
    if tag in (W + "br", W + "cr"):
        return " "
    if tag == W + "noBreakHyphen":
        return "-"
    if tag in (W + "softHyphen", W + "sym"):
        return ""
    return None


def _skip_tags() -> set:
    from checker.read.word_xml import SKIPPED_TAGS

    return SKIPPED_TAGS


def para_leaves(p) -> list[tuple[Any, str]]:
    """(leaf element, its text) in the order ``word.para_text`` reads them."""
    skip = _skip_tags()
    out: list[tuple[Any, str]] = []

    def walk(el) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            t = _leaf_text(ch)
            if t is not None:
                if t:
                    out.append((ch, t))
            else:
                walk(ch)

    walk(p)
    return out


def para_chars(p) -> list[tuple[Any, int]]:
    """For each character of the paragraph's visible text: (leaf, index in leaf)."""
    out: list[tuple[Any, int]] = []
    for leaf, t in para_leaves(p):
        out.extend((leaf, i) for i in range(len(t)))
    return out


def _run_of(el):
    while el is not None and el.tag != W + "r":
        el = el.getparent()
    return el


def map_docx(doc, units: list[Unit]) -> dict[int, UnitMap]:
    """Map each unit of a .docx plan to the paragraphs of ``doc`` it came from.

    The walk is the reader's (``checker.read.word``): same body items, rows,
    cells and paragraph text.  A unit whose rebuilt text differs from its
    ``text`` is marked ``exact=False``.
    """
    from checker.read.word_tables import row_tcs, table_rows
    from checker.read.word_xml import body_items, para_text

    body_units = [u for u in units if u.kind in ("para", "row")]
    maps: dict[int, UnitMap] = {}
    k = 0

    def take(kind: str) -> Unit | None:
        nonlocal k
        if k < len(body_units) and body_units[k].kind == kind:
            u = body_units[k]
            k += 1
            return u
        return None

    for el in body_items(doc.element.body):
        if el.tag == W + "p":
            u = take("para")
            if u is None:
                continue
            m = UnitMap(u.index, paragraphs=[el])
            text = para_text(el)
            off = len(u.numbering) + 1 if u.numbering else 0
            if text:
                m.segments.append(Segment(off, len(text), el, 0))
            rebuilt = (f"{u.numbering} " if u.numbering else "") + text
            m.exact = rebuilt == u.text
            maps[u.index] = m
        elif _is_layout_table(el):
            # the reader gives a header/signature layout table as paragraphs:
            # one unit per line (split at line breaks) of each cell paragraph
            for tr in table_rows(el):
                for tc in row_tcs(tr):
                    for cp in tc.iter(W + "p"):
                        pos = 0
                        for line in para_text(cp, br="\n").split("\n"):
                            if line.strip():
                                u = take("para")
                                if u is not None:
                                    m = UnitMap(u.index, paragraphs=[cp])
                                    m.segments.append(Segment(0, len(line), cp, pos))
                                    m.exact = line == u.text
                                    maps[u.index] = m
                            pos += len(line) + 1
        else:
            for tr in table_rows(el):
                cells = _row_cell_paragraphs(tr)
                if not any(_cell_join(ps)[0] for ps in cells):
                    continue
                u = take("row")
                if u is None:
                    continue
                m = UnitMap(u.index)
                texts = []
                pos = 0
                for ps in cells:
                    ctext, segs = _cell_join(ps)
                    for s in segs:
                        s.ustart += pos
                    m.segments.extend(segs)
                    m.paragraphs.extend(ps)
                    texts.append(ctext)
                    pos += len(ctext) + 1
                m.exact = "\t".join(texts) == u.text
                maps[u.index] = m
    _map_footnotes(doc, units, maps)
    return maps


def _map_footnotes(doc, units: list[Unit], maps: dict[int, UnitMap]) -> None:
    """Footnote units (the reader's real, non-empty footnotes in file order)
    → the body run with their ``w:footnoteReference``.  Word keeps comments in
    the body only, so a finding in a footnote is put on its reference mark."""
    notes = [u for u in units if u.kind == "footnote"]
    if not notes:
        return
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    from checker.read.word_xml import para_text

    part = next((r.target_part for r in doc.part.rels.values()
                 if r.reltype == RT.FOOTNOTES and not r.is_external), None)
    if part is None:
        return
    try:
        root = etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return
    ids = []
    for fn in root.findall(W + "footnote"):
        if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(t for t in (para_text(p).strip() for p in fn.iter(W + "p")) if t)
        if text:
            ids.append((fn.get(W + "id"), text))
    refs = {ref.get(W + "id"): _run_of(ref)
            for ref in doc.element.body.iter(W + "footnoteReference")}
    for u, (fid, text) in zip(notes, ids):
        maps[u.index] = UnitMap(u.index, exact=text == u.text, note_ref=refs.get(fid))


def _is_layout_table(tbl) -> bool:
    try:
        from checker.read.word_tables import is_layout_table
    except ImportError:  # a reader without layout tables
        return False
    return is_layout_table(tbl)


def _row_cell_paragraphs(tr) -> list[list[Any]]:
    """Per cell of the reader's row (grid-span fillers and merged-below parts
    are empty lists): the ``w:p`` elements whose text the reader joined."""
    from checker.read.word_tables import cell_span, row_tcs
    from checker.read.word_xml import MC_FALLBACK

    out: list[list[Any]] = []
    for tc in row_tcs(tr):
        span, cont = cell_span(tc)
        ps = []
        if not cont:
            for p in tc.iter(W + "p"):
                anc = p.getparent()
                inside_box = False
                while anc is not None and anc is not tc:
                    if anc.tag in (W + "txbxContent", MC_FALLBACK):
                        inside_box = True
                        break
                    anc = anc.getparent()
                if not inside_box:
                    ps.append(p)
        out.append(ps)
        out.extend([] for _ in range(span - 1))
    return out


def _cell_join(ps: list[Any]) -> tuple[str, list[Segment]]:
    """The reader's cell text (stripped paragraph texts joined by a space)
    and a segment per paragraph, offsets relative to the cell."""
    from checker.read.word_xml import para_text

    parts: list[str] = []
    segs: list[Segment] = []
    pos = 0
    for p in ps:
        raw = para_text(p).replace("\t", " ")
        t = raw.strip()
        if not t:
            continue
        if parts:
            pos += 1
        lead = len(raw) - len(raw.lstrip())
        segs.append(Segment(pos, len(t), p, lead))
        parts.append(t)
        pos += len(t)
    return " ".join(parts), segs
