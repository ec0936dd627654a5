"""Province audit: check many plans in parallel and put them side by side.

``run_audit(paths, …)`` finds every plan under the given folders / globs,
looks each one up in the incremental cache (:mod:`checker.apps.cache`), checks
the rest with :func:`checker.pipeline.check` in a process pool, and returns
an :class:`Audit`: one row per plan file (two plans of one commune are two
rows; an unreadable file is a row with its error) and the aggregates a
province reads — communes × mandates, communes × NQ 57 groups, findings
counts by category, a ranking, the provincial documents each commune cites
and the communes that still cite a document the others have replaced.

Workers return small JSON-able summaries (:func:`summarize`), never Plan
objects; the parent alone writes the cache and the outputs
(:func:`write_outputs`).

Modules: :mod:`~checker.apps.audit.discover` (plan files),
:mod:`~checker.apps.audit.rows` (one row per file),
:mod:`~checker.apps.audit.aggregate` (:class:`Audit` and its aggregates),
:mod:`~checker.apps.audit.run` (:func:`run_audit`),
:mod:`~checker.apps.audit.outputs` (HTML, Markdown, JSON, CSV).
"""
from __future__ import annotations

from checker.apps.audit.aggregate import (
    Audit, aggregate, coverage_of, group_key, provincial_documents, stale_citations,
)
from checker.apps.audit.discover import PLAN_SUFFIXES, find_plans
from checker.apps.audit.outputs import (
    LABELS, STATUS_COLOUR, audit_csv_rows, heat_colour, matrix_csv_rows, quiet_output, render_html,
    render_json, render_md, write_json, write_outputs,
)
from checker.apps.audit.rows import (
    CATEGORIES, MET, PROVINCE_LEVELS, SEVERITIES, check_one, commune_name, document_rows,
    error_row, summarize,
)
from checker.apps.audit.run import default_cache_dir, run_audit

__all__ = [
    "Audit",
    "CATEGORIES",
    "LABELS",
    "MET",
    "PLAN_SUFFIXES",
    "PROVINCE_LEVELS",
    "SEVERITIES",
    "STATUS_COLOUR",
    "aggregate",
    "audit_csv_rows",
    "check_one",
    "commune_name",
    "coverage_of",
    "default_cache_dir",
    "document_rows",
    "error_row",
    "find_plans",
    "group_key",
    "heat_colour",
    "matrix_csv_rows",
    "provincial_documents",
    "quiet_output",
    "render_html",
    "render_json",
    "render_md",
    "run_audit",
    "stale_citations",
    "summarize",
    "write_json",
    "write_outputs",
]
