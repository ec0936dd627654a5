"""The Markdown report (``--format md``)."""
from __future__ import annotations

from typing import Any

from checker.model import CheckResult
from checker.render.templates import _context, _env


def render_md(result: CheckResult, lang: str = "vi") -> str:
    ctx = _context(result, lang, False)
    ctx["md"] = _md_escape
    return _env(False).get_template("md.j2").render(**ctx)


def _md_escape(s: Any) -> str:
    s = str(s or "")
    for ch in ("\\", "`", "*", "_", "|", "<", ">", "[", "]"):
        s = s.replace(ch, "\\" + ch)
    return " ".join(s.split())
