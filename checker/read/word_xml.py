"""WordprocessingML basics the Word reader and ``plancheck annotate`` share: the
namespace, the elements whose text is not plan text, a paragraph's visible text,
the body's paragraphs and tables in document order."""
from __future__ import annotations


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def int_attr(v, default):
    """An integer attribute value, or ``default`` when absent or malformed."""
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _style_id(p) -> str | None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None
    ps = ppr.find(W + "pStyle")
    return ps.get(W + "val") if ps is not None else None


# --------------------------------------------------------------------------
# text of paragraphs and cells

# elements whose text is not plan text (annotate walks runs with the same set)
SKIPPED_TAGS = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "txbxContent", MC_FALLBACK,
         W + "instrText", W + "delText", W + "footnoteReference", W + "endnoteReference",
         W + "commentReference"}


def para_text(p, br: str = " ") -> str:
    """The visible text of a ``w:p`` element (tabs kept, line breaks as ``br``)."""
    out: list[str] = []

    def walk(el) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in SKIPPED_TAGS:
                continue
            if tag == W + "t":
                out.append(ch.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append(br)
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "softHyphen":
                continue
            elif tag == W + "sym":
                continue
            else:
                walk(ch)

    walk(p)
    return "".join(out)


def body_items(parent):
    """``w:p`` and ``w:tbl`` children in order, opening content controls."""
    for ch in parent:
        if ch.tag in (W + "p", W + "tbl"):
            yield ch
        elif ch.tag == W + "sdt":
            content = ch.find(W + "sdtContent")
            if content is not None:
                yield from body_items(content)
        elif ch.tag in (W + "customXml", W + "ins", W + "moveTo"):
            yield from body_items(ch)
