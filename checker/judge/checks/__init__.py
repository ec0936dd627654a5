"""The check kinds, one module per kind (or a few closely related kinds).

Importing this package registers every kind in
:data:`checker.judge.registry.CHECKS`.
"""
from checker.judge.checks import (  # noqa: F401
    bodies,
    citation_issue,
    dates,
    counts,
    mandates,
    plan_parts,
    sections,
    superseded,
    targets,
    tasks,
    text_pattern,
)
