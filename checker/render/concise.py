"""One line per finding (``--format concise``): ``path:line:col: CODE message``.

For editors (errorformat ``%f:%l:%c: %m``) and grep.  A finding without a
line (a missing mandated task) points at 1:1; waived findings are left out.
"""
from __future__ import annotations

from checker.model import CheckResult


def _one_line(s: str) -> str:
    return " ".join(s.split())


def render_concise(result: CheckResult, lang: str = "vi") -> str:
    src = result.plan.source
    lines = []
    for f in result.findings:
        if f.waived:
            continue
        line = f.line or 1
        col = f.start + 1 if f.line and f.start is not None else 1
        lines.append(f"{src}:{line}:{col}: {f.rule} {_one_line(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
