"""The registry of check kinds: the name a rule pack uses → the function, and
the :class:`Hit` a check kind yields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable


# a check kind: (checker.judge.context.Ctx, rule, params) -> hits
CheckFn = Callable[["Ctx", Any, dict], Iterable["Hit"]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check kind under the name the rule packs use."""

    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


@dataclass
class Hit:
    """One place where a rule fires.

    The span is either in the unit's analysis text (``nstart``/``nend``) or
    in its original text (``ostart``/``oend``, e.g. from a citation).
    ``values`` fill the placeholders of the rule's message and suggestion.
    """

    unit: int | None = None
    nstart: int | None = None
    nend: int | None = None
    ostart: int | None = None
    oend: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # per-hit override (e.g. a pattern marked info)
    confidence: str | None = None  # per-hit confidence (e.g. of one body in the catalogue)
    key: str = ""  # extra text for the fingerprint (plan-level hits)
