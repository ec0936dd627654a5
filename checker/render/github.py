"""GitHub Actions annotations (``--format github``)."""
from __future__ import annotations

from checker.model import CheckResult
from checker.render.data import _T, summary_counts


GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


# ------------------------------------------------------------------ GitHub

def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, lang: str = "vi") -> str:
    lines = []
    src = result.plan.source
    t = _T["en" if lang == "en" else "vi"]
    for f in result.findings:
        if f.waived:
            continue
        props = [f"file={_gh_prop(src)}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.start is not None and f.end is not None and f.end > f.start:
                props.append(f"col={f.start + 1}")
                props.append(f"endColumn={f.end + 1}")
        props.append(f"title={_gh_prop(f.rule + ' ' + (f.slug or ''))}")
        msg = f.message + (f" — {t['suggestion']}: {f.suggestion}" if f.suggestion else "")
        lines.append(f"::{GITHUB_LEVEL.get(f.severity, 'notice')} {','.join(props)}::{_gh_data(msg)}")
    s = summary_counts(result.findings)
    lines.append(f"plancheck {src}: {s['error']} error, {s['warning']} warning, {s['info']} info, "
                 f"{s['waived']} waived")
    return "\n".join(lines) + "\n"
