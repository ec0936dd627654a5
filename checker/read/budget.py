"""Per-document budgets: how much one plan may cost to read and check.

A commune plan is tens of kilobytes; a provincial plan a few hundred.  Input
far beyond that is refused with one clear message (``PlanError``, exit 2) or
trimmed with a note, before it can take minutes or gigabytes:

=====================  ==========================================  ===========================
limit (``Limits``)     what it bounds                              when exceeded
=====================  ==========================================  ===========================
``max_bytes``          the file's size (20 MB)                     ``too-large``
``max_inflated``       bytes a PDF's compressed streams inflate    ``budget-inflated``
                       to (64 MB), counted before any PDF parser
``max_part``           the unpacked size of one .docx XML part     ``budget-inflated``
                       (32 MB; the zip-bomb test bounds the total)
``max_pages``          PDF pages (1,000)                           ``budget-pages``
``max_lines``          lines of a text file (100,000)              ``budget-lines``
``max_units``          text units of any format (100,000)          ``budget-units``
``max_chars``          characters of text in all (4,000,000)       ``budget-chars``
``max_unit_chars``     characters in one unit (10,000): a longer   split into pieces, a note
                       unit is split at spaces into several units
``max_space_run``      a run of spaces/tabs (64) is shortened      shortened, a note
``max_seconds``        time to read and check (60 s of CPU time,   ``budget-time``
                       or wall time with ``clock="wall"``),
                       checked between stages and PDF pages
=====================  ==========================================  ===========================

Front ends (CLI, audit workers, the web page) use one :class:`Budget` per
document::

    from checker.read.budget import Budget, Limits, BUDGET_CODES
    budget = Budget(Limits(max_seconds=30))
    result = pipeline.check(path, budget=budget)   # PlanError(code in BUDGET_CODES) when exceeded

``PlanError.code`` is one of :data:`BUDGET_CODES` (or ``too-large``) when a
budget stopped the document, so a caller can tell "too big for us" from
"broken file".  Memory is bounded by these sizes rather than measured: the
largest accepted document stays well under 1 GB resident (see README, Bad
input).
"""
from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass

from checker.errors import PlanError

BUDGET_CODES = ("budget-inflated", "budget-pages", "budget-lines", "budget-units", "budget-chars",
                "budget-time")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_inflated: int = 64 * 1024 * 1024
    max_part: int = 32 * 1024 * 1024
    max_pages: int = 1000
    max_lines: int = 100_000
    max_units: int = 100_000
    max_chars: int = 4_000_000
    max_unit_chars: int = 10_000
    max_space_run: int = 64
    max_seconds: float = 60.0
    # "cpu": this process's CPU time, so that a busy machine does not refuse a
    # normal plan; "wall": elapsed time (for a caller that must answer in time)
    clock: str = "cpu"


LIMITS = Limits()


def _now(clock: str) -> float:
    return time.monotonic() if clock == "wall" else time.process_time()


@dataclass
class Budget:
    """The limits for one document and the clock of its time budget (started
    when the Budget is made)."""

    limits: Limits = LIMITS
    started: float | None = None

    def __post_init__(self) -> None:
        if self.started is None:
            self.started = _now(self.limits.clock)

    def elapsed(self) -> float:
        return _now(self.limits.clock) - self.started

    def check_time(self, stage: str = "") -> None:
        """Raise ``budget-time`` when the document has used up its time."""
        if self.elapsed() > self.limits.max_seconds:
            s = int(self.limits.max_seconds)
            raise PlanError(
                "budget-time",
                f"Kế hoạch cần quá nhiều thời gian để kiểm tra (quá {s} giây{', ở bước ' + stage if stage else ''}); "
                "tệp này bất thường so với một kế hoạch, hãy kiểm tra lại nội dung tệp.",
                f"Checking this plan takes too long (over {s} s{', at ' + stage if stage else ''}); "
                "the file is unusual for a plan, please check its content.")


def too_big(code: str, vi: str, en: str) -> PlanError:
    return PlanError(code, f"Tệp vượt giới hạn xử lý: {vi}. Một kế hoạch bình thường nhỏ hơn nhiều; "
                           "hãy kiểm tra lại tệp (hoặc tách thành nhiều tệp).",
                     f"The file exceeds a processing limit: {en}. A normal plan is far smaller; "
                     "please check the file (or split it).")


# ------------------------------------------------------------------ formats
_STREAM = re.compile(rb"stream\r?\n")


def check_pdf_streams(data: bytes, limits: Limits = LIMITS) -> None:
    """Inflate every Flate stream of a PDF just far enough to know its size,
    and refuse the file when they come to more than ``max_inflated`` in all
    (a 1 MB PDF that unpacks to 1 GB).  Linear in the file size; memory is
    one chunk at a time."""
    total = 0
    cap = limits.max_inflated
    pos = 0
    n = len(data)
    while pos < n:
        m = _STREAM.search(data, pos)
        if not m:
            break
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = n
        d = zlib.decompressobj()
        chunk = data[start:end]
        try:
            out = d.decompress(chunk, cap - total + 1)
            total += len(out)
            while d.unconsumed_tail and total <= cap:
                out = d.decompress(d.unconsumed_tail, cap - total + 1)
                if not out:
                    break
                total += len(out)
        except zlib.error:
            pass  # not Flate (an image, a font in another filter): its size is its length
        if total > cap:
            mb = cap // (1024 * 1024)
            raise too_big("budget-inflated", f"nội dung nén của PDF giải nén ra hơn {mb} MB",
                          f"the PDF's compressed content unpacks to more than {mb} MB")
        pos = end + 9 if end < n else n


def check_pages(count: int, limits: Limits = LIMITS) -> None:
    if count > limits.max_pages:
        raise too_big("budget-pages", f"{count} trang (giới hạn {limits.max_pages})",
                      f"{count} pages (limit {limits.max_pages})")


def check_docx_parts(infos, limits: Limits = LIMITS) -> None:
    """Refuse a .docx one of whose XML parts unpacks to more than ``max_part``
    (zipfile never yields more than a part's declared size)."""
    for i in infos:
        if i.filename.endswith((".xml", ".rels")) and i.file_size > limits.max_part:
            mb = limits.max_part // (1024 * 1024)
            raise too_big("budget-inflated",
                          f"phần {i.filename} của tệp .docx giải nén ra {i.file_size / 1048576:.0f} MB "
                          f"(giới hạn {mb} MB)",
                          f"the part {i.filename} of the .docx unpacks to {i.file_size / 1048576:.0f} MB "
                          f"(limit {mb} MB)")


def check_text_lines(data: bytes, limits: Limits = LIMITS) -> None:
    lines = data.count(b"\n") + 1
    if lines > limits.max_lines:
        raise too_big("budget-lines", f"{lines:,} dòng (giới hạn {limits.max_lines:,})".replace(",", "."),
                      f"{lines:,} lines (limit {limits.max_lines:,})")


_SPACE_RUN = re.compile(r"[ \t\u00a0]{65,}")


def cap_units(res, limits: Limits = LIMITS) -> None:
    """Bound the units a reader returned: refuse too many units or characters;
    shorten runs of spaces and split over-long units, each with a note."""
    units = res.units
    if len(units) > limits.max_units:
        raise too_big("budget-units", f"{len(units):,} đoạn/dòng văn bản (giới hạn {limits.max_units:,})"
                      .replace(",", "."), f"{len(units):,} text units (limit {limits.max_units:,})")
    chars = sum(len(u.text) for u in units)
    if chars > limits.max_chars:
        raise too_big("budget-chars", f"{chars:,} ký tự (giới hạn {limits.max_chars:,})".replace(",", "."),
                      f"{chars:,} characters (limit {limits.max_chars:,})")
    run = limits.max_space_run
    rx = _SPACE_RUN if run == 64 else re.compile(r"[ \t\u00a0]{%d,}" % (run + 1))
    runs = 0
    for u in units:
        if len(u.text) > run and rx.search(u.text):
            u.text, k = rx.subn(lambda m: m.group(0)[:run], u.text)
            runs += k
            if u.cells:
                _respan(u, [rx.sub(lambda m: m.group(0)[:run], c) for c in u.cells])
    if runs:
        res.notes.append(f"Đã rút ngắn {runs} chuỗi khoảng trắng dài hơn {run} ký tự. / "
                         f"{runs} runs of more than {run} spaces were shortened.")
    size = limits.max_unit_chars
    if not any(len(u.text) > size for u in units):
        return
    out, split = [], 0
    for u in units:
        if len(u.text) <= size:
            out.append(u)
            continue
        split += 1
        extra = _extra(u)
        extra.update(cells=None, cell_spans=None, merged=(), spanned=())  # a piece is not a whole row
        for piece in _pieces(u.text, size):
            out.append(type(u)(index=0, text=piece, loc=u.loc, kind=u.kind, **extra))
    res.units = out
    res.notes.append(f"{split} đoạn dài hơn {size:,} ký tự đã được tách thành nhiều phần để xử lý "
                     f"(vị trí giữ nguyên). / {split} units longer than {size:,} characters were split "
                     "into pieces (same location).".replace(",", "."))


def _respan(u, cells: list[str]) -> None:
    """New cell texts and their spans in the unit's (shortened) text."""
    spans, pos = [], 0
    for c in cells:
        i = u.text.find(c, pos) if c else pos
        if i < 0:
            u.cells = u.cell_spans = None
            return
        spans.append((i, i + len(c)))
        pos = i + len(c)
    u.cells, u.cell_spans = cells, spans


def _pieces(text: str, size: int) -> list[str]:
    out = []
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = cut + 1 if cut > 0 else size
        out.append(text[:cut])
        text = text[cut:]
    if text:
        out.append(text)
    return out


def _extra(u) -> dict:
    """The other fields of a unit a piece keeps (style, table cell…)."""
    import dataclasses

    skip = {"text", "loc", "kind", "index", "norm", "omap", "disp", "cells", "cell_spans"}
    return {f.name: getattr(u, f.name) for f in dataclasses.fields(u)
            if f.name not in skip and f.init}
