"""Data model shared by every stage of the pipeline.

Each stage reads the objects of the stages below it and adds its own; nothing
here imports a heavy library.  ``to_dict`` methods give the public JSON shape.
"""
from __future__ import annotations

from checker.dates import date_exists  # noqa: F401  (PartialDate.valid; callers import it from here)

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Location:
    """Where a text unit sits in its source file.

    ``line`` is the 1-based line for text files and the 1-based paragraph or
    table-row index for .docx; for .pdf it is the 1-based line in the whole
    text layer and ``page`` is set too.  ``human`` is what a reader is shown.
    """

    line: int
    human: str
    page: int | None = None
    para: int | None = None
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


_LOC_WORDS_EN = (("chú thích", "footnote"), ("trang", "page"), ("dòng", "line"), ("đoạn", "paragraph"),
                 ("bảng", "table"), ("hàng", "row"), ("ô", "cell"))


def location_label(human: str | None, lang: str = "vi") -> str | None:
    """A location as the readers write it ("trang 3, dòng 12"), in ``lang``
    ("page 3, line 12" in English)."""
    if not human or lang != "en":
        return human
    out = human
    for vi, en in _LOC_WORDS_EN:
        out = re.sub(rf"(?<!\w){vi}(?!\w)", en, out)
    return out


@dataclass
class Unit:
    """One located piece of source text: a line, a paragraph or a table row.

    ``text`` is exactly what the source holds (for display and for offsets);
    ``norm`` is the analysis form made by :mod:`checker.normalize`, and
    ``omap[i]`` is the offset in ``text`` of ``norm[i]`` (``len(omap) ==
    len(norm) + 1``).  Table rows also carry their ``cells`` (original text)
    and ``cell_spans`` (offsets of each cell in ``text``).
    """

    index: int
    text: str
    loc: Location
    kind: str = "para"  # para | row | footnote
    cells: list[str] | None = None
    cell_spans: list[tuple[int, int]] | None = None
    table: int | None = None  # id of the table a row belongs to
    merged: tuple[int, ...] = ()  # cells continuing a cell merged down from the row above (Word vMerge)
    spanned: tuple[int, ...] = ()  # cells covered by a cell to their left (Word gridSpan)
    style: str | None = None  # Word style name, if any
    numbering: str | None = None  # list label Word generates ("1.", "a)")
    norm: str = ""
    omap: list[int] = field(default_factory=list, repr=False)
    disp: str = ""  # display form: like norm, same length, writer's tone marks kept

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``norm`` back to a span of ``text``."""
        if not self.omap:
            return start, end
        start = max(0, min(start, len(self.omap) - 1))
        end = max(start, min(end, len(self.omap) - 1))
        s = self.omap[start]
        e = self.omap[end - 1] + 1 if end > start else s
        # extend over combining marks that belong to the last character
        while e < len(self.text) and _is_mark(self.text[e]):
            e += 1
        return s, e


def _is_mark(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) == "Mn"


def safe_text(value: object) -> str:
    """A path or name as text that can always be written out: bytes that are not
    UTF-8 in a file name (kept by Python as lone surrogates) become U+FFFD."""
    s = str(value)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class PartialDate:
    """A date whose day and/or month may be blank in the source."""

    year: int | None
    month: int | None = None
    day: int | None = None

    def iso(self) -> str | None:
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def complete(self) -> bool:
        return None not in (self.year, self.month, self.day)

    @property
    def valid(self) -> bool:
        """False for a date that cannot exist (31/6, 29/02/2025, month 13, year 0)."""
        return date_exists(self.year, self.month, self.day)

    def earliest(self):
        """The first calendar day the partial date can stand for (None if it cannot exist)."""
        import datetime as dt

        if self.year is None or not self.valid:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self):
        import calendar
        import datetime as dt

        if self.year is None or not self.valid:
            return None
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)


@dataclass
class Header:
    issuer: str | None = None
    number: str | None = None  # as written, blanks allowed: "/KH-UBND"
    place: str | None = None
    date: PartialDate | None = None
    kind: str | None = None  # KẾ HOẠCH, PHỤ LỤC ...
    title: str | None = None
    signer: str | None = None
    recipients: list[str] = field(default_factory=list)
    line: int | None = None  # line of the place/date line
    date_lower_bound: str | None = None  # ISO; from the latest cited date
    date_lower_bound_basis: str | None = None
    date_lower_bound_basis_en: str | None = None
    governing_body: str | None = None  # "UBND TỈNH X" over "SỞ Y" in the issuer block
    # the signature block: {"authority": "TM. ỦY BAN NHÂN DÂN", "role": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
    # "name": "…", "line": 140}
    signature: dict[str, Any] | None = None
    # a decision that issues a plan: the plan's own {"kind", "title", "line", "number", "issued_by"}
    plan: dict[str, Any] | None = None
    date_invalid: str | None = None  # the date as written when it cannot exist (then date is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "number": self.number,
            "place": self.place,
            "date": self.date.iso() if self.date else None,
            "kind": self.kind,
            "title": self.title,
            "signer": self.signer,
            "recipients": self.recipients,
            "date_lower_bound": self.date_lower_bound,
            "date_lower_bound_basis": self.date_lower_bound_basis,
            "date_lower_bound_basis_en": self.date_lower_bound_basis_en,
            "governing_body": self.governing_body,
            "signature": self.signature,
            "plan": self.plan,
            "date_invalid": self.date_invalid,
        }


@dataclass
class Section:
    id: str  # dotted path of labels: "III", "III.2", "III.2.a"
    label: str  # the label as written: "III", "2", "a"
    title: str
    level: int
    unit: int
    loc: Location
    parent: str | None = None
    role: str | None = None  # purpose | objectives | tasks | solutions | funding | organisation | annex | indicators

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "parent": self.parent,
            "role": self.role,
            "location": self.loc.human,
            "line": self.loc.line,
        }


@dataclass
class Task:
    id: str
    text: str
    section: str | None
    unit: int
    loc: Location
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    product: str | None = None
    deadline: str | None = None
    source: str = "prose"  # prose | table | organisation
    section_title: str | None = None
    in_table: bool = False
    # a duty the plan asks of a body it cannot order ("Đề nghị Hội Nông dân …"), not an order
    request: bool = False
    # a task of a table: the unit of its logical table's header row (a table
    # broken by group rows or pages is one table)
    table: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "section": self.section,
            "section_title": self.section_title,
            "line": self.loc.line,
            "location": self.loc.human,
            "lead": self.lead,
            "partners": self.partners,
            "product": self.product,
            "deadline": self.deadline,
            "source": self.source,
            "request": self.request,
        }


@dataclass
class Indicator:
    text: str
    unit: int
    loc: Location
    measure: str | None = None  # unit of measure: %, người, ...
    target: str | None = None
    owner: str | None = None
    number: str | None = None  # STT label
    group: str | None = None
    value: float | None = None  # numeric part of target
    comparator: str | None = None  # >=, <=, =
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "unit": self.measure,
            "target": self.target,
            "owner": self.owner,
            "group": self.group,
            "value": self.value,
            "comparator": self.comparator,
            "year": self.year,
            "line": self.loc.line,
            "location": self.loc.human,
        }


@dataclass
class Citation:
    surface: str  # the original text of the reference
    unit: int
    loc: Location
    start: int  # offsets in the unit's original text
    end: int
    doc_type: str | None = None
    number: str | None = None  # canonical number/symbol: 57-NQ/TW
    number_raw: str | None = None
    date: PartialDate | None = None
    issuer: str | None = None
    role: str = "mention"  # basis | implements | attachment | mention
    doc_id: str | None = None
    parent: int | None = None  # index of the enclosing citation in Plan.citations
    alias: str | None = None  # short form declared with "gọi tắt là"
    warnings: list[str] = field(default_factory=list)
    index: int = 0
    subject: str | None = None  # "về việc …" / "về …" after the reference

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "line": self.loc.line,
            "location": self.loc.human,
            "surface": self.surface,
            "doc_type": self.doc_type,
            "number": self.number,
            "date": self.date.iso() if self.date else None,
            "issuer": self.issuer,
            "role": self.role,
            "doc_id": self.doc_id,
            "parent": self.parent,
            "alias": self.alias,
            "subject": self.subject,
            "warnings": self.warnings,
        }


@dataclass
class Plan:
    source: str
    format: str
    units: list[Unit]
    header: Header = field(default_factory=Header)
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    # what the purpose and objectives parts say the plan will do: not tasks,
    # but a mandate named there and nowhere else is "mentioned, not assigned"
    statements: list[Task] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # reader remarks (encoding converted ...)
    skipped_pages: list[int] = field(default_factory=list)  # PDF pages left out: garbled text layer
    sha256: str | None = None

    def section(self, sid: str | None) -> Section | None:
        for s in self.sections:
            if s.id == sid:
                return s
        return None


@dataclass
class Finding:
    rule: str
    category: str
    severity: str  # error | warning | info
    message: str
    suggestion: str = ""
    line: int | None = None
    location: str | None = None
    unit: int | None = None
    start: int | None = None  # span in the unit's original text
    end: int | None = None
    excerpt: str | None = None
    slug: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None
    waived: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "rule": self.rule,
            "slug": self.slug,
            "category": self.category,
            "severity": self.severity,
            "line": self.line,
            "location": self.location,
            "message": self.message,
            "suggestion": self.suggestion,
            "excerpt": self.excerpt,
            "span": [self.start, self.end] if self.start is not None else None,
            "fingerprint": self.fingerprint,
        }
        if self.data:
            d["data"] = self.data
        return d


@dataclass
class Mandate:
    """One task or target a reference set asks of a plan."""

    id: str  # stable, e.g. "nq57.III.5.c"
    reference: str  # set id: nq57, nq03, nq71, <province>-<number>-<year>
    group: str  # NQ 57 group "III.1" .. "III.7" (or a set's own group label)
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)  # commune | province | ministry | central
    targets: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    required: bool = True  # a missing required mandate is a finding
    title_en: str = ""  # English title, for reports in English ("" when the set has none)

    def title_in(self, lang: str) -> str:
        """The title in ``lang``; in English, a set without English titles
        (an imported provincial plan) gives the Vietnamese one marked as such."""
        if lang != "en":
            return self.title
        return self.title_en or f"(Vietnamese title) {self.title}"


@dataclass
class Evidence:
    task: str
    line: int | None
    location: str | None
    score: float
    keywords: list[str] = field(default_factory=list)
    task_id: str | None = None
    unit: int | None = None
    # a trace (checker.match.traces): the line states part of the duty in its own words,
    # below the keyword matcher's partial threshold; it makes a missing mandate partial
    trace: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = {"line": self.line, "location": self.location, "location_en": location_label(self.location, "en"),
             "task": self.task, "task_id": self.task_id, "score": round(self.score, 1),
             "keywords": self.keywords}
        if self.trace:
            d["trace"] = True
        return d


@dataclass
class MandateStatus:
    mandate: Mandate
    status: str  # covered | partial | missing | not-applicable | waived
    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    reason: str | None = None  # for waived / not-applicable
    # a missing mandate that the purpose/objectives part names (no task for it)
    mentions: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        m = self.mandate
        return {"id": m.id, "reference": m.reference, "group": m.group, "title": m.title,
                "status": self.status, "score": round(self.score, 1),
                "evidence": [e.to_dict() for e in self.evidence], "reason": self.reason,
                "mentions": [e.to_dict() for e in self.mentions]}


@dataclass
class Link:
    """One task of a plan carrying out one mandate: the traceability matrix's cell.

    ``strength``: exact (the task restates the mandate), close (the same
    action on the same object in other words), loose (only the theme)."""

    task: str  # task id (T012; I003 for an indicator)
    line: int | None
    mandate: str
    set: str
    score: float  # 0..100
    strength: str  # exact | close | loose
    evidence: list[str] = field(default_factory=list)  # the words they share
    location: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "line": self.line, "mandate": self.mandate, "set": self.set,
                "score": round(self.score, 1), "strength": self.strength, "evidence": list(self.evidence)}


@dataclass
class Coverage:
    groups: list[dict[str, Any]] = field(default_factory=list)
    mandates: list[MandateStatus] = field(default_factory=list)
    unmatched_tasks: list[dict[str, Any]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # task-centric; statuses derive from them

    def to_dict(self) -> dict[str, Any]:
        return {"groups": self.groups,
                "mandates": [m.to_dict() for m in self.mandates],
                "unmatched_tasks": self.unmatched_tasks}


@dataclass
class CheckResult:
    plan: Plan
    as_of: Any  # datetime.date
    as_of_basis: str  # option | header | lower-bound | today
    references: list[str] = field(default_factory=list)
    coverage: Coverage | None = None
    findings: list[Finding] = field(default_factory=list)
    graph: Any = None  # networkx.DiGraph of the plan's citations
    tool_version: str = ""

    def defer_graph(self, build: Any) -> None:
        """Build the citation graph only when something reads ``graph``:
        ``build()`` (a picklable callable, e.g. a ``functools.partial`` of a
        module-level function) is called at the first read."""
        self.__dict__["_graph"] = None
        self.__dict__["_graph_build"] = build


def _get_graph(self: CheckResult) -> Any:
    g = self.__dict__.get("_graph")
    if g is None and self.__dict__.get("_graph_build") is not None:
        g = self.__dict__["_graph"] = self.__dict__.pop("_graph_build")()
    return g


def _set_graph(self: CheckResult, g: Any) -> None:
    self.__dict__["_graph"] = g
    self.__dict__.pop("_graph_build", None)


# ``graph`` stays a field of the dataclass (constructor, repr, equality) and
# is read and written as before; reading it builds a deferred graph
CheckResult.graph = property(_get_graph, _set_graph)  # type: ignore[assignment]
