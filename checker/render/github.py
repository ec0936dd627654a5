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


# ------------------------------------------------------------ step summary

def _md_cell(s: object) -> str:
    return str(s if s is not None else "").replace("\\", "\\\\").replace("|", "\\|") \
        .replace("\r", " ").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def github_summary(results: list[CheckResult], lang: str = "vi", fail_on: str = "error") -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: counts per plan and every
    finding (GitHub shows only 10 annotations of each type per step)."""
    from checker.judge.findings import reaches

    en = lang == "en"
    t = _T["en" if en else "vi"]
    sev = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"} if not en else \
        {"error": "error", "warning": "warning", "info": "info"}
    out = ["## plancheck", "",
           f"| {t['plan']} | {'error' if en else 'lỗi'} | {'warning' if en else 'cảnh báo'} | "
           f"info | {t['waived']} | {'fails' if en else 'không đạt'} (--fail-on {fail_on}) |",
           "|---|---:|---:|---:|---:|:---:|"]
    for r in results:
        s = summary_counts(r.findings)
        bad = any(not f.waived and reaches(f.severity, fail_on) for f in r.findings)
        out.append(f"| `{_md_cell(r.plan.source)}` | {s['error']} | {s['warning']} | {s['info']} | "
                   f"{s['waived']} | {'✗' if bad else '✓'} |")
    for r in results:
        active = [f for f in r.findings if not f.waived]
        if not active:
            continue
        out += ["", f"### `{_md_cell(r.plan.source)}` — {len(active)} {t['findings'].lower()}", "",
                f"| {t['line']} | {t['rule']} | {t['severity']} | {'message' if en else 'nội dung'} | "
                f"{t['suggestion']} |", "|---:|---|---|---|---|"]
        for f in active:
            out.append(f"| {f.line or ''} | {f.rule} | {sev.get(f.severity, f.severity)} | "
                       f"{_md_cell(f.message)} | {_md_cell(f.suggestion)} |")
    return "\n".join(out) + "\n"
