"""The ``plancheck`` command line (click).  Thin: parse options, call
:mod:`checker.pipeline`, render, choose the exit code.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or input
error (one clear message, never a traceback).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from checker import __version__
from checker.errors import PlanError
from checker.model import safe_text

LANG = click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
                    help="Ngôn ngữ thông báo / message language.")


CONTEXT = {"help_option_names": ["-h", "--help"]}  # inherited by every subcommand

FAIL_ON = ["error", "warning", "info", "never"]
STRICT = click.option("--strict/--no-strict", default=True, show_default=True,
                      help="Khóa, mã luật lạ trong cấu hình là lỗi (exit 2); --no-strict: chỉ cảnh báo / "
                           "unknown config keys and rule codes are an error (exit 2); --no-strict: a warning.")
QUIET = click.option("--quiet", "-q", is_flag=True, default=False,
                     help="Chỉ in khi có vấn đề / print only on failure: no report when clean, no warnings.")


def use_color(color: bool | None, stream=None) -> bool:
    """``--color/--no-color`` when given; else colour on a terminal unless
    ``NO_COLOR`` is set (to anything but the empty string)."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def resolve_fail_on(option: str | None, cfg, default: str = "error") -> str:
    """``--fail-on`` when given, else the config's ``fail_on``, else ``default``."""
    return option or getattr(cfg, "fail_on", None) or default


def warn_config(cfg, lang: str, quiet: bool = False) -> None:
    if quiet:
        return
    for vi, en in getattr(cfg, "warnings", None) or []:
        click.echo(("Cảnh báo: " + vi) if lang == "vi" else ("Warning: " + en), err=True)


def read_stdin(stdin_filename: str | None) -> tuple[Path, str]:
    """Standard input saved to a temporary file named like ``stdin_filename``
    (so the reader picks the format by content and name); returns that file
    and the name findings are reported under."""
    import tempfile

    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise PlanError("empty", "Đầu vào chuẩn (stdin) rỗng: không có kế hoạch để đọc.",
                        "Standard input is empty: no plan to read.")
    shown = stdin_filename or "<stdin>"
    name = Path(stdin_filename).name if stdin_filename else "stdin.txt"
    folder = Path(tempfile.mkdtemp(prefix="plancheck-stdin-"))
    tmp = folder / name
    tmp.write_bytes(data)
    return tmp, shown


def extract_plan(path: str, stdin_filename: str | None = None):
    """A plan from a path, or from standard input for ``-``."""
    from checker.pipeline import extract as do_extract

    if path != "-":
        return do_extract(path)
    import shutil

    tmp, shown = read_stdin(stdin_filename)
    try:
        plan = do_extract(tmp)
    finally:
        shutil.rmtree(tmp.parent, ignore_errors=True)
    plan.source = shown
    return plan


def fail(err: PlanError, lang: str) -> None:
    click.echo(("Lỗi: " if lang == "vi" else "Error: ") + err.message(lang), err=True)
    sys.exit(2)


def parse_date(value: str | None, lang: str = "vi") -> dt.date | None:
    from checker.dates import parse_day

    try:
        return parse_day(value)
    except ValueError:
        fail(PlanError("bad-date", f"Ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
                       f"Invalid date: {value} (use YYYY-MM-DD or DD/MM/YYYY)"), lang)
    return None


# commands that live in their own modules, imported only when used
LAZY = {
    "graph": ("checker.apps.cmd_graph", "command"),
    "reference": ("checker.apps.cmd_reference", "command"),
    "explain": ("checker.apps.cmd_reference", "explain_command"),
    "rules": ("checker.apps.cmd_rules", "rules_command"),
    "baseline": ("checker.apps.cmd_rules", "baseline_command"),
    "audit": ("checker.apps.cmd_audit", "audit_command"),
    "diff": ("checker.apps.cmd_audit", "diff_command"),
    "serve": ("checker.apps.cmd_serve", "command"),
    "annotate": ("checker.apps.cmd_annotate", "command"),
}


class Group(click.Group):
    """Loads the commands of LAZY on first use, and turns PlanError anywhere
    in a command into one message and exit 2."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY))

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is not None or name not in LAZY:
            return cmd
        import importlib

        mod, attr = LAZY[name]
        try:
            return getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError):
            return None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PlanError as e:
            lang = "en" if "--lang=en" in sys.argv or ("--lang" in sys.argv and "en" in sys.argv) else "vi"
            fail(e, lang)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="plancheck")
def main() -> None:
    """plancheck — kiểm tra kế hoạch cấp xã thực hiện Nghị quyết 57-NQ/TW.

    Checks Vietnamese commune plans against NQ 57-NQ/TW, the Government
    programme (NQ 03/NQ-CP as amended by NQ 71/NQ-CP) and provincial plans.
    """


def plan_json(plan) -> dict:
    return {
        "source": plan.source,
        "format": plan.format,
        "header": plan.header.to_dict(),
        "sections": [s.to_dict() for s in plan.sections],
        "tasks": [t.to_dict() for t in plan.tasks],
        "indicators": [i.to_dict() for i in plan.indicators],
        "citations": [c.to_dict() for c in plan.citations],
        "documents": plan.documents,
        "notes": plan.notes,
        "skipped_pages": plan.skipped_pages,
    }


def plan_text(plan, lang: str) -> str:
    vi = lang == "vi"
    h = plan.header
    out = []
    out.append(f"{'Tệp' if vi else 'File'}: {plan.source} ({plan.format})")
    out.append(f"{'Cơ quan ban hành' if vi else 'Issuer'}: {h.issuer or '—'}")
    out.append(f"{'Số' if vi else 'Number'}: {h.number or '—'}   "
               f"{'Địa danh, ngày' if vi else 'Place, date'}: {h.place or '—'}, {h.date.iso() if h.date else '—'}")
    if h.date_lower_bound:
        out.append(f"{'Ban hành sau' if vi else 'Issued after'}: {h.date_lower_bound}")
    out.append(f"{'Loại' if vi else 'Kind'}: {h.kind or '—'} — {h.title or ''}")
    out.append("")
    out.append(f"{'Mục' if vi else 'Sections'} ({len(plan.sections)}):")
    for s in plan.sections:
        out.append(f"  {'  ' * (s.level - 1)}{s.id}  {s.title[:90]}  [{s.loc.human}]")
    out.append("")
    out.append(f"{'Nhiệm vụ' if vi else 'Tasks'} ({len(plan.tasks)}):")
    for t in plan.tasks:
        extra = []
        if t.lead:
            extra.append(("chủ trì: " if vi else "lead: ") + t.lead)
        if t.deadline:
            extra.append(("thời hạn: " if vi else "deadline: ") + t.deadline)
        out.append(f"  {t.id} [{t.loc.human}] {t.text[:100]}" + (f"  ({'; '.join(extra)})" if extra else ""))
    out.append("")
    out.append(f"{'Chỉ tiêu' if vi else 'Indicators'} ({len(plan.indicators)}):")
    for i in plan.indicators:
        out.append(f"  [{i.loc.human}] {i.text[:90]} — {i.target or ''} {i.measure or ''}")
    if plan.citations:
        out.append("")
        out.append(f"{'Văn bản được trích dẫn' if vi else 'Citations'} ({len(plan.citations)}):")
        for c in plan.citations:
            out.append(f"  [{c.loc.human}] {c.doc_type or ''} {c.number or ''} "
                       f"{c.date.iso() if c.date else ''} {c.issuer or ''} ({c.role})")
    return "\n".join(out)


STDIN_NAME = click.option("--stdin-filename", default=None,
                          help="Tên tệp của kế hoạch đọc từ '-' (stdin) / the file name to report "
                               "for a plan read from '-' (standard input).")


@main.command()
@click.argument("plan", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None)
@STDIN_NAME
@LANG
def extract(plan: str, fmt: str, output: str | None, stdin_filename: str | None, lang: str) -> None:
    """Đọc kế hoạch và xuất cấu trúc (đầu mục, mục, nhiệm vụ, chỉ tiêu, trích dẫn).

    Read a plan and print its structure: header, sections, tasks, indicators,
    citations. PLAN '-' reads standard input."""
    try:
        p = extract_plan(plan, stdin_filename)
    except PlanError as e:
        fail(e, lang)
        return
    text = json.dumps(plan_json(p), ensure_ascii=False, indent=2) if fmt == "json" else plan_text(p, lang)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


FORMATS = ["text", "json", "md", "html", "sarif", "junit", "github", "concise"]


def split_refs(values: tuple[str, ...]) -> list[str] | None:
    refs = [r.strip() for v in values for r in v.split(",") if r.strip()]
    return refs or None


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--reference", "-r", "references", multiple=True,
              help="Bộ tham chiếu, ví dụ nq57,nq71 / reference sets (comma-separated).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="concise: một dòng mỗi phát hiện / one line a finding, path:line:col: CODE message.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Ghi báo cáo vào tệp / write the report to a file.")
@click.option("--as-of", "as_of", default=None, help="Ngày đối chiếu (YYYY-MM-DD) / judge the plan as of this date.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Mức phát hiện làm lệnh trả mã 1 / lowest severity that fails "
                   "[default: fail_on of the config, else error].")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Tệp cấu hình plancheck.toml / config file (default: found upward from the plan).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None,
              help="Tệp baseline: chỉ báo phát hiện mới / report only findings not in this baseline.")
@click.option("--color/--no-color", default=None,
              help="Tô màu kết quả / colour the terminal output [default: on a terminal, unless NO_COLOR].")
@STDIN_NAME
@click.option("--json-many", is_flag=True, default=False,
              help='JSON dạng nhiều kế hoạch {"plans": [...]} kể cả khi chỉ có một / the several-plans '
                   "JSON shape even for one plan.")
@click.option("--step-summary/--no-step-summary", default=True, show_default=True,
              help="Ghi tóm tắt Markdown vào $GITHUB_STEP_SUMMARY khi biến này có / append a Markdown "
                   "summary to $GITHUB_STEP_SUMMARY when it is set.")
@STRICT
@QUIET
@LANG
def check(plans, references, fmt, output, as_of, fail_on, config_path, baseline_path, color,
          stdin_filename, json_many, step_summary, strict, quiet, lang) -> None:
    """Kiểm tra kế hoạch: độ bao phủ nhiệm vụ, văn bản hết hiệu lực, cơ quan không còn tồn tại…

    Check plans: mandate coverage, outdated references, abolished bodies,
    inconsistencies, incomplete tasks. PLAN '-' reads standard input. Exit 0
    clean, 1 findings at or above --fail-on, 2 usage or input error."""
    from checker import pipeline
    from checker.judge.config import load_config
    from checker.render.report import combine, exit_code, render

    day = parse_date(as_of, lang)
    refs = split_refs(references)
    results, levels, failed = [], [], False
    for path in plans:
        try:
            plan = extract_plan(path, stdin_filename) if path == "-" else None
            where = (stdin_filename or ".") if path == "-" else path
            cfg = load_config(Path(where), explicit=Path(config_path) if config_path else None, strict=strict)
            warn_config(cfg, lang, quiet)
            res = pipeline.check(plan.source if plan else path, references=refs, as_of=day, config=cfg,
                                 plan=plan, lang=lang)
        except PlanError as e:
            shown = (stdin_filename or "<stdin>") if path == "-" else safe_text(path)
            click.echo(f"{shown}: " + ("Lỗi: " if lang == "vi" else "Error: ") + e.message(lang), err=True)
            failed = True
            continue
        if baseline_path:
            from checker.judge.baseline import filter_new, load_baseline

            res.findings = filter_new(res.findings, load_baseline(Path(baseline_path)))
        results.append(res)
        levels.append(resolve_fail_on(fail_on, cfg))
    codes = [exit_code(r.findings, lv) for r, lv in zip(results, levels)]
    if results:
        colored = False if output else use_color(color)
        text = combine([render(r, fmt, lang=lang, color=colored, fail_on=lv) for r, lv in zip(results, levels)],
                       fmt, many=json_many)
        if output:
            Path(output).write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
        elif not (quiet and not any(codes)) and text:
            click.echo(text, color=colored or None, nl=not text.endswith("\n") or fmt != "concise")
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary and summary_file:
            from checker.render.github import github_summary

            worst = min(levels, key=FAIL_ON.index) if levels else "error"
            try:
                with open(summary_file, "a", encoding="utf-8") as fh:
                    fh.write(github_summary(results, lang, worst))
            except OSError as e:
                click.echo(f"GITHUB_STEP_SUMMARY {summary_file}: {e}", err=True)
    if failed:
        sys.exit(2)
    sys.exit(max(codes, default=0))


if __name__ == "__main__":  # pragma: no cover
    main()
