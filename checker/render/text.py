"""The terminal report (``--format text``)."""
from __future__ import annotations

import sys

from checker.model import CheckResult
from checker.render.templates import _context, _env


def render_text(result: CheckResult, lang: str = "vi", color: bool | None = None) -> str:
    if color is None:
        color = sys.stdout.isatty()
    return _env(False).get_template("text.j2").render(**_context(result, lang, bool(color)))
