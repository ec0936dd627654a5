"""`plancheck rules` and `plancheck baseline` (registered by checker.cli)."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from .errors import PlanError

_LABELS = {
    "vi": {"code": "Mã", "sev": "Mức", "cat": "Nhóm", "title": "Nội dung", "from": "Áp dụng từ",
           "until": "Áp dụng đến", "basis": "Căn cứ", "conf": "Độ tin cậy", "check": "Kiểm tra",
           "msg": "Thông báo", "sug": "Gợi ý", "ex": "Ví dụ", "fail": "Vi phạm", "pass": "Đạt",
           "fixtures": "Ca kiểm thử", "count": "luật"},
    "en": {"code": "Code", "sev": "Severity", "cat": "Category", "title": "Title", "from": "Applies from",
           "until": "Applies until", "basis": "Basis", "conf": "Confidence", "check": "Check",
           "msg": "Message", "sug": "Suggestion", "ex": "Examples", "fail": "Fails", "pass": "Passes",
           "fixtures": "Fixtures", "count": "rules"},
}


def _explain(code: str, lang: str) -> str:
    from .rulepack import get_rule, load_fixtures

    r = get_rule(code)
    L = _LABELS[lang]
    out = [f"{r.code} {r.slug} — {r.title(lang)}",
           f"  {L['cat']}: {r.category}    {L['sev']}: {r.severity}    {L['conf']}: {r.confidence}",
           f"  {L['from']}: {r.applies_from or '—'}    {L['until']}: {r.applies_until or '—'}",
           f"  {L['check']}: {r.kind}",
           f"  {L['msg']}: {r.message(lang)}",
           f"  {L['sug']}: {r.suggestion(lang)}",
           f"  {L['basis']}:"]
    for b in r.basis:
        note = f" — {b['note']}" if b.get("note") else ""
        out.append(f"    - {b.get('document')} ({b.get('date', '')}){note}")
    ex = r.examples
    if isinstance(ex, dict) and ex:
        out.append(f"  {L['ex']}:")
        for k in ("fail", "pass"):
            if ex.get(k):
                out.append(f"    {L[k]}: {ex[k]}")
    fx = load_fixtures(r.code)
    if fx:
        out.append(f"  {L['fixtures']} (rules/fixtures/{r.code}.yaml):")
        for kind in ("fail", "pass"):
            for case in fx.get(kind) or []:
                lines = case.get("lines") or []
                where = f" → {', '.join(str(x) for x in lines)}" if lines else ""
                out.append(f"    [{L[kind]}] {case.get('name', '')} (as of {case.get('as_of', '—')}){where}")
    return "\n".join(out)


@click.command("rules")
@click.option("--explain", "explain", metavar="CODE", default=None,
              help="Giải thích một luật: căn cứ, ví dụ / explain one rule with its basis and examples.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def rules_command(explain: str | None, fmt: str, lang: str) -> None:
    """Liệt kê các luật kiểm tra / list the rules."""
    from .rulepack import get_rule, load_rules

    try:
        if explain:
            if fmt == "json":
                click.echo(json.dumps(get_rule(explain).to_dict(lang), ensure_ascii=False, indent=2,
                                      default=str))
            else:
                click.echo(_explain(explain, lang))
            return
        rules = load_rules()
    except PlanError as e:
        click.echo(("Lỗi: " if lang == "vi" else "Error: ") + e.message(lang), err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps([r.to_dict(lang) for r in rules], ensure_ascii=False, indent=2, default=str))
        return
    L = _LABELS[lang]
    for r in rules:
        since = f" ({L['from'].lower()} {r.applies_from:%d/%m/%Y})" if r.applies_from else ""
        click.echo(f"{r.code:8} {r.severity:8} {r.category:19} {r.title(lang)}{since}")
    click.echo(f"\n{len(rules)} {L['count']}")


@click.command("baseline")
@click.argument("plans", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Tệp baseline cần ghi / baseline file to write (default: stdout).")
@click.option("--as-of", "as_of", default=None, help="Ngày đối chiếu YYYY-MM-DD / judge as of this date.")
@click.option("--reference", "-r", "references", multiple=True, help="Bộ tham chiếu / reference sets.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def baseline_command(plans, output, as_of, references, config_path, lang) -> None:
    """Ghi nhận các phát hiện hiện có để CI chỉ báo phát hiện mới.

    Record today's findings as accepted, so CI fails only on new ones
    (use with `plancheck check --baseline FILE`)."""
    from . import pipeline
    from .baseline import write_baseline
    from .config import load_config

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        click.echo(f"--as-of '{as_of}': " + ("cần dạng YYYY-MM-DD" if lang == "vi" else "expected YYYY-MM-DD"),
                   err=True)
        sys.exit(2)
    refs = [x.strip() for v in references for x in v.split(",") if x.strip()] or None
    entries = []
    version = ""
    for path in plans:
        try:
            cfg = load_config(Path(path), explicit=Path(config_path) if config_path else None)
            cfg.baseline = None  # record everything, not only what a previous baseline let through
            res = pipeline.check(path, references=refs, as_of=day, config=cfg)
        except PlanError as e:
            click.echo(f"{path}: " + ("Lỗi: " if lang == "vi" else "Error: ") + e.message(lang), err=True)
            sys.exit(2)
        version = res.tool_version or version
        entries.append({"source": str(path), "findings": [f for f in res.findings if not f.waived]})
    text = write_baseline(entries, output, tool_version=version)
    n = sum(len(e["findings"]) for e in entries)
    if output:
        click.echo((f"Đã ghi {n} phát hiện vào {output}" if lang == "vi" else f"Wrote {n} findings to {output}"),
                   err=True)
    else:
        click.echo(text, nl=False)
