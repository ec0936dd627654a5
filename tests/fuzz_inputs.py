"""Hypothesis strategies for careless and hostile plans, and the four targets
the fuzz suite drives (shared by tests/test_fuzz.py and bench/fuzz.py).

Every target either returns or raises :class:`checker.errors.PlanError`;
anything else is a defect.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LINES = (ROOT / "examples" / "ke-hoach-mau.md").read_text(encoding="utf-8").splitlines()

_num = st.integers(min_value=0, max_value=99).map(str)
_year = st.one_of(st.integers(0, 9999).map(lambda y: f"{y:04d}"), st.sampled_from(["2024", "2025", "2026"]))
_sep = st.sampled_from(["/", ".", "-", " / ", "/ "])

DATE = st.one_of(
    st.builds(lambda d, m, y: f"ngày {d} tháng {m} năm {y}", _num, _num, _year),
    st.builds(lambda d, s, m, y: f"ngày {d}{s}{m}{s}{y}", _num, _sep, _num, _year),
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", _num, _num, _year),
    st.builds(lambda m, y: f"tháng {m}/{y}", _num, _year),
    st.builds(lambda m, y: f"Quý {m}/{y}", _num, _year),
)
SYMBOL = st.builds(lambda n, t, i: f"{n}{t}{i}", st.integers(0, 99999).map(str),
                   st.sampled_from(["-NQ/TW", "/NQ-CP", "/KH-UBND", "/KHUBND", "/QĐ-TTg", "/2025/NĐ-CP", "-", "/", "//"]),
                   st.sampled_from(["", "15", "-", "/TU", " "]))
CITATION = st.builds(
    lambda t, s, d, who: f"{t} số {s} {d} của {who}",
    st.sampled_from(["Nghị quyết", "Kế hoạch", "Quyết định", "NQ", "Luật", "Chỉ thị", "Đề án", "Công văn"]),
    SYMBOL, DATE,
    st.sampled_from(["Bộ Chính trị", "Chính phủ", "UBND tỉnh", "Ủy ban nhân dân huyện Tân Phước", "", "của"]))
HOSTILE = st.one_of(
    st.integers(1, 4000).map(lambda n: " " * n),
    st.integers(1, 2000).map(lambda n: "--|" + " " * n),
    st.integers(1, 500).map(lambda n: "57-NQ/TW; " * n),
    st.integers(1, 2000).map(lambda n: "\t" * n + "x"),
    st.integers(1, 300).map(lambda n: "(" * n + ")" * n),
    st.integers(1, 1000).map(lambda n: "1." * n),
    st.sampled_from(["\x00", "\x07", "\ufeff", "\u200b", "\u0301", "\r", "\x0c", "|", "| --- |", "#", "**", "…", "≥"]),
)
LINE = st.one_of(
    st.sampled_from(EXAMPLE_LINES),
    st.sampled_from(EXAMPLE_LINES).map(lambda s: s[::-1]),
    CITATION.map(lambda c: "Căn cứ " + c + ";"),
    DATE.map(lambda d: "Tân Hòa, " + d),
    DATE.map(lambda d: "- Báo cáo kết quả trước " + d),
    st.builds(lambda a, b: f"| {a} | UBND xã | {b} |", st.sampled_from(EXAMPLE_LINES), DATE),
    HOSTILE,
    st.text(max_size=200),
)


@st.composite
def plan_text(draw, max_lines: int = 60) -> str:
    """A plan: the sample plan's lines, some replaced, mutated or added."""
    lines = list(EXAMPLE_LINES)
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "join"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "replace" and lines:
            lines[i] = draw(LINE)
        elif op == "insert":
            lines.insert(i, draw(LINE))
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "join" and i + 1 < len(lines):
            lines[i:i + 2] = [lines[i] + draw(st.sampled_from([" ", "", "\t", " | "])) + lines[i + 1]]
    if draw(st.booleans()):
        lines = lines[: draw(st.integers(1, max(len(lines), 1)))]
    return "\n".join(lines[: max_lines * 4])


def small_text() -> st.SearchStrategy[str]:
    return st.lists(LINE, min_size=1, max_size=12).map("\n".join)


@st.composite
def file_bytes(draw) -> tuple[str, bytes]:
    """(suffix, bytes): text in several encodings, broken zips and PDFs, noise."""
    kind = draw(st.sampled_from(["utf8", "utf16", "cp1258", "noise", "zip", "pdf", "docx-bad", "nul"]))
    text = draw(small_text())
    if kind == "utf8":
        return ".txt", text.encode("utf-8", "surrogatepass")
    if kind == "utf16":
        return ".txt", text.encode("utf-16", "surrogatepass")
    if kind == "cp1258":
        return ".txt", text.encode("cp1258", "replace")
    if kind == "noise":
        return draw(st.sampled_from([".txt", ".md", ".docx", ".pdf"])), draw(st.binary(min_size=1, max_size=3000))
    if kind == "nul":
        return ".md", text.encode() + b"\x00" * draw(st.integers(1, 50)) + text.encode()
    if kind == "pdf":
        body = draw(st.binary(max_size=2000))
        return ".pdf", b"%PDF-1.4\n" + body + draw(st.sampled_from([b"", b"\n%%EOF\n"]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if kind == "docx-bad":
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", draw(st.sampled_from([
                "<w:document/>", "<w:document xmlns:w='http://schemas.openxmlformats.org/"
                "wordprocessingml/2006/main'><w:body><w:p><w:r><w:t>" + "KẾ HOẠCH" + "</w:t></w:r></w:p>"
                "</w:body></w:document>", "<<<", ""])))
        else:
            z.writestr(draw(st.sampled_from(["a.txt", "word/document.xml", "mimetype"])), text)
    data = buf.getvalue()
    if draw(st.booleans()):
        data = data[: draw(st.integers(4, max(len(data), 4)))]
    return ".docx", data


# ------------------------------------------------------------------ targets

def target_read(suffix: str, data: bytes) -> None:
    from checker.errors import PlanError
    from checker.read import read

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"plan{suffix}"
        p.write_bytes(data)
        try:
            res = read(p)
        except PlanError as e:
            assert e.code and e.vi and e.en
            return
        for u in res.units:
            assert "\x00" not in u.text
            assert len(u.omap) == len(u.norm) + 1


def target_header(text: str) -> None:
    from checker.extract.structure import parse_header
    from checker.read import finish
    from checker.read.text import read_text

    units = finish(read_text(text.encode("utf-8", "surrogatepass").replace(b"\x00", b""), "txt").units)
    h = parse_header(units)
    if h.date is not None:
        assert h.date.valid
        h.date.earliest(), h.date.latest()
    h.to_dict()


def target_citations(text: str) -> None:
    from checker.cite.citations import extract_citations
    from checker.cite.consistency import citation_issues
    from checker.read import finish
    from checker.read.text import read_text

    units = finish(read_text(text.encode("utf-8", "surrogatepass").replace(b"\x00", b""), "txt").units)
    cits = extract_citations(units)
    for c in cits:
        if c.date is not None:
            assert c.date.valid
        c.to_dict()
    citation_issues(cits)


def target_pipeline(text: str, fmt: str = "json") -> None:
    from checker import pipeline
    from checker.errors import PlanError
    from checker.render.report import render

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "plan.md"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            res = pipeline.check(p)
        except PlanError as e:
            assert e.code and e.vi and e.en
            return
        out = render(res, fmt)
        assert "\x00" not in out
