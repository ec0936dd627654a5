"""Check kinds ``text-pattern``, ``body-pattern`` and ``placeholder``: regular
expressions over the analysis text of units.
"""
from __future__ import annotations

from typing import Any, Iterable

from checker.judge.context import Ctx, _scan, _scope
from checker.judge.registry import Hit, check


@check("text-pattern")
def check_text_pattern(ctx: Ctx, rule: Any, params: dict) -> Iterable[Hit]:
    """Regular expressions over the analysis text (lower-cased) of units."""
    return _scan(ctx, params, _scope(ctx, params))


# body names and blank placeholders are text patterns with their own data
check("body-pattern")(check_text_pattern)
check("placeholder")(check_text_pattern)
