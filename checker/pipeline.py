"""The library API: read → structure → tasks + citations → match → rules.

``extract(path)`` returns a :class:`~checker.model.Plan`; ``check(path, …)``
returns a :class:`~checker.model.CheckResult`.  The CLI, the audit and any
other front end call these two and nothing below them, so they all give the
same answer for the same plan.  The as-of date is decided here, once.
"""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from checker import __version__
from checker.cite.asof import as_of_for  # noqa: F401  (part of the library API)
from checker.errors import PlanError
from checker.model import CheckResult, Plan, safe_text
from checker.read import ReadResult, read
from checker.read.budget import BUDGET_CODES, LIMITS, Budget, Limits  # noqa: F401  (library API)
from checker.extract.structure import build_sections, items_of, parse_header
from checker.extract.parts import roles_by_content
from checker.extract.tables import table_sections, tables_of
from checker.extract.tasks import extract_indicators, extract_statements, extract_tasks

DEFAULT_REFERENCES = ("nq57", "nq71")
# the Government programme in force on a date: NQ 03/NQ-CP as issued, then
# NQ 71/NQ-CP, which amended and updated it from its date (catalogue)
PROGRAMME_VERSIONS = (("03/NQ-CP@2025", "nq03"), ("71/NQ-CP@2025", "nq71"))


def default_references(day: dt.date) -> list[str]:
    """NQ 57 and the version of the Government programme in force on ``day``."""
    from checker.cite.catalog import catalog, to_date

    cat = catalog()
    current = None
    for doc_id, set_id in PROGRAMME_VERSIONS:
        doc = cat.get(doc_id)
        start = to_date(doc.effective_from or doc.date) if doc else None
        if start is None or start <= day:
            current = set_id
    return ["nq57"] + ([current] if current else [])


def structure(res: ReadResult, source: str, budget: Budget | None = None) -> Plan:
    """Build the Plan from read units (no file access), within ``budget``'s time."""
    tick = budget.check_time if budget is not None else (lambda stage="": None)
    units = res.units
    source = safe_text(source)
    plan = Plan(source=source, format=res.format, units=units, notes=list(res.notes),
                sha256=res.sha256 or None, skipped_pages=list(getattr(res, "skipped_pages", None) or []))
    plan.header = parse_header(units)
    items = items_of(units)
    plan.sections = build_sections(units, items)
    roles_by_content(items, plan.sections)
    tables = tables_of(units)
    plan.sections = table_sections(units, tables, plan.sections)
    tick("structure")
    plan.tasks = extract_tasks(units, items, plan.sections, tables)
    tick("tasks")
    plan.indicators = extract_indicators(units, items, plan.sections, tables)
    plan.statements = extract_statements(units, items, plan.sections)
    tick("statements")
    _add_citations(plan)
    tick("citations")
    if not plan.sections and not plan.tasks and not plan.citations:
        raise PlanError(
            "no-structure",
            "Không nhận ra cấu trúc kế hoạch (không có mục, nhiệm vụ hay văn bản được trích dẫn) "
            f"trong tệp {Path(source).name}. Hãy kiểm tra đây có phải là kế hoạch không.",
            f"No plan structure found (no sections, tasks or cited documents) in {Path(source).name}. "
            "Is this a plan?",
        )
    return plan


def _add_citations(plan: Plan) -> None:
    from checker.cite.citations import extract_citations
    from checker.cite.resolve import as_of_lower_bound, document_list

    plan.citations = extract_citations(plan.units, plan.header)
    plan.documents = document_list(plan.citations)
    bound = as_of_lower_bound(plan.citations)
    h = plan.header
    if bound and (h.date is None or not h.date.complete):
        day, cit = bound
        if h.date is None or (h.date.latest() and day <= h.date.latest()):
            h.date_lower_bound = day.isoformat()
            h.date_lower_bound_basis = (
                f"kế hoạch không ghi đủ ngày; văn bản mới nhất được trích dẫn ({cit.surface.strip()[:80]}) "
                f"ngày {day:%d/%m/%Y}, nên kế hoạch ban hành sau ngày đó"
            )
            h.date_lower_bound_basis_en = (
                f"the plan is not fully dated; the latest document it cites ({cit.surface.strip()[:80]}) "
                f"is dated {day:%d/%m/%Y}, so the plan was issued after that day"
            )


def extract(path: str | Path, budget: Budget | None = None) -> Plan:
    """Read and structure a plan; ``budget`` (default: :data:`checker.read.budget.LIMITS`,
    its clock started now) bounds sizes and time, raising PlanError(code in BUDGET_CODES)."""
    budget = budget or Budget()
    res = read(path, budget=budget)
    return structure(res, str(path), budget)


def check(path: str | Path, references: list[str] | None = None, as_of: dt.date | None = None,
          config=None, plan: Plan | None = None, lang: str = "vi",
          budget: Budget | None = None) -> CheckResult:
    from checker.judge.config import load_config
    from checker.judge.engine import evaluate
    from checker.mandates.load import load_set
    from checker.match.matcher import match

    budget = budget or Budget()
    if plan is None:
        plan = extract(path, budget)
    cfg = config if config is not None else load_config(Path(path))
    from_config = as_of is None and bool(getattr(cfg, "as_of", None))
    day, basis = as_of_for(plan, cfg.as_of if from_config else as_of)
    if from_config:
        basis = "config"
    refs = list(references or getattr(cfg, "references", None) or default_references(day))
    sets = [load_set(r) for r in refs]
    coverage = match(plan.tasks, sets, level=getattr(cfg, "level", None) or "commune",
                     waivers=getattr(cfg, "waivers", None), indicators=plan.indicators, as_of=day,
                     statements=plan.statements)
    budget.check_time("match")
    result = CheckResult(plan=plan, as_of=day, as_of_basis=basis, references=refs,
                         coverage=coverage, tool_version=__version__)
    # the graph (networkx) is built only if an output reads result.graph
    result.defer_graph(partial(_citation_graph, plan))
    result.findings = evaluate(result, config=cfg, lang=lang)
    return result


def _citation_graph(plan: Plan):
    from checker.cite.graph import build_graph

    return build_graph([plan])


def import_reference(path: str | Path, set_id: str, title: str | None = None) -> dict:
    """Turn a mandate document into a reference set (see
    :func:`checker.mandates.importer.import_document`), read with this pipeline's extractor."""
    from checker.mandates.importer import import_document

    return import_document(path, set_id, title, extract=extract)
