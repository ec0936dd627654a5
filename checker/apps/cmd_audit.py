"""``plancheck audit`` and ``plancheck diff`` (click commands).

Registered by :mod:`checker.apps.cli` as ``checker.apps.cmd_audit:audit_command`` and
``checker.apps.cmd_audit:diff_command``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

HELP = {"help_option_names": ["-h", "--help"]}  # as every plancheck command

from checker.errors import PlanError

LANG = click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
                    help="Ngôn ngữ thông báo / message language.")
REFS = click.option("--reference", "-r", "references", multiple=True,
                    help="Bộ tham chiếu, ví dụ nq57,nq71 / reference sets (comma-separated).")
ASOF = click.option("--as-of", "as_of", default=None,
                    help="Ngày đối chiếu (YYYY-MM-DD) / judge every plan as of this date.")


def _refs(values) -> list[str] | None:
    out = [r.strip() for v in values or () for r in v.split(",") if r.strip()]
    return out or None


def _date(value, lang):
    from checker.apps.cli import parse_date

    return parse_date(value, lang)


def _fail(err: PlanError, lang: str) -> None:
    click.echo(("Lỗi: " if lang == "vi" else "Error: ") + err.message(lang), err=True)
    sys.exit(2)


def _check_refs(refs: list[str] | None, lang: str) -> None:
    """An unknown reference set is a usage error (exit 2), found before any
    plan is checked — it would otherwise become an error row per plan."""
    if not refs:
        return
    try:
        from checker.mandates.load import load_set
    except ImportError:  # pragma: no cover - pipeline incomplete
        return
    for r in refs:
        try:
            load_set(r)
        except PlanError as e:
            _fail(e, lang)
        except Exception as e:  # noqa: BLE001
            _fail(PlanError("bad-reference", f"Không nạp được bộ tham chiếu {r}: {e}",
                            f"Cannot load reference set {r}: {e}"), lang)


@click.command("audit", context_settings=HELP)
@click.argument("paths", nargs=-1, required=True)
@REFS
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình song song (mặc định: số lõi CPU) / parallel workers (default: CPU count).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="plancheck-audit", show_default=True,
              help="Thư mục kết quả / output folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["html", "csv", "json", "md"]),
              help="Định dạng ghi ra (lặp lại được; mặc định: tất cả) / outputs to write (repeatable; default: all).")
@ASOF
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Thư mục bộ nhớ đệm (mặc định: .plancheck-cache cạnh --out) / cache folder.")
@click.option("--no-cache", is_flag=True, default=False, help="Kiểm tra lại mọi tệp / re-check every file.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Thoát mã 1 khi có kế hoạch có phát hiện từ mức này / exit 1 when a plan has findings "
                   "at or above this severity [default: fail_on of the plan's config, else never].")
@click.option("--quiet", "-q", is_flag=True, default=False,
              help="Không in tiến độ và tổng kết / no progress bar and no summary lines.")
@click.option("--timeout", "timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Thời gian tối đa cho một tệp (giây) / time limit per plan in seconds.")
@click.option("--detail", "detail", type=click.Choice(["auto", "full", "summary"]), default="auto",
              show_default=True,
              help="audit.json: full — mọi hàng đầy đủ; summary — mỗi kế hoạch một dòng tóm tắt, chi tiết trong "
                   "detail/; auto — full đến 200 tệp / full: every row whole; summary: one summary per plan, "
                   "its detail in detail/<name>.json; auto: full up to 200 files.")
@click.option("--memory-mb", "memory_mb", type=click.FloatRange(min=64), default=1024.0, show_default=True,
              help="Bộ nhớ tối đa cho một tệp (MB) / memory limit per plan in MB.")
@LANG
def audit_command(paths, references, jobs, out_dir, formats, as_of, cache_dir, no_cache, fail_on, quiet,
                  timeout, memory_mb, detail, lang) -> None:
    """Kiểm tra hàng loạt kế hoạch các xã và lập bảng tổng hợp của tỉnh.

    Audit every plan under PATHS (folders, files, globs; .txt .md .docx .pdf):
    communes × mandates and × NQ 57 groups, findings by category, ranking,
    provincial documents, and communes citing replaced documents. Writes
    dashboard.html, audit.csv, matrix.csv, audit.json and audit.md to --out.
    Every finished plan is kept in the cache at once: an audit stopped in
    any way and run again checks only what it had not finished.
    Exit 0; 1 when a plan has findings at or above --fail-on (or its config's
    fail_on); 2 if no plan file was found or some file could not be checked
    (its error row is in the outputs); 130 when interrupted."""
    import signal

    from checker.apps.audit import default_cache_dir, find_plans, quiet_output, run_audit, write_outputs

    vi = lang == "vi"
    day = _date(as_of, lang)
    refs = _refs(references)
    out = Path(out_dir)
    cache = None if no_cache else Path(cache_dir) if cache_dir else default_cache_dir(out)
    problems: list = []
    files = find_plans(paths, exclude=[p for p in (out, cache) if p is not None], problems=problems)
    if not files and not problems:
        _fail(PlanError("no-plans",
                        "Không tìm thấy tệp kế hoạch nào (.txt, .md, .docx, .pdf) trong: " + ", ".join(paths),
                        "No plan files (.txt, .md, .docx, .pdf) found in: " + ", ".join(paths)), lang)
    _check_refs(refs, lang)
    jobs = jobs or os.cpu_count() or 1

    def stop(signum, _frame):  # SIGTERM: stop as Ctrl+C does (workers stopped, results kept)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    from checker.apps.audit.jsonout import FULL_JSON_ROWS

    formats = formats or ("html", "csv", "json", "md")
    summary_json = "json" in formats and (detail == "summary" or (
        detail == "auto" and len(files) + len(problems) > FULL_JSON_ROWS))
    kw = dict(references=refs, jobs=jobs, as_of=day, cache_dir=cache, use_cache=not no_cache,
              files=files, problems=problems, timeout=timeout, memory_mb=memory_mb,
              detail_dir=out / "detail" if summary_json else None)
    try:
        if quiet or quiet_output():
            audit = run_audit(paths, **kw)
        else:
            with click.progressbar(length=len(files) + len(problems), file=sys.stderr,
                                   label="Đang kiểm tra" if vi else "Checking") as bar:
                audit = run_audit(paths, progress=bar.update, **kw)
    except KeyboardInterrupt:
        click.echo(("Đã dừng. Các kế hoạch đã kiểm tra xong được giữ trong bộ nhớ đệm; chạy lại lệnh "
                    "để tiếp tục." if vi else
                    "Stopped. The plans checked so far are kept in the cache; run the command again "
                    "to continue."), err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    written = write_outputs(audit, out, formats, lang, detail)
    s = audit.summary()
    failing = _failing_rows(audit, fail_on)
    if quiet:
        for r in audit.error_rows:
            click.echo(f"  ✗ {r['source']}: {r['error']['en' if not vi else 'vi']}", err=True)
        sys.exit(2 if audit.error_rows else 1 if failing else 0)
    if vi:
        click.echo(f"{s['files']} tệp: {s['ok']} kiểm tra được, {s['errors']} lỗi; "
                   f"{s['cached']} lấy từ bộ nhớ đệm, {s['checked']} kiểm tra mới; {s['elapsed']:.1f} giây.")
    else:
        click.echo(f"{s['files']} files: {s['ok']} checked, {s['errors']} errors; "
                   f"{s['cached']} from cache, {s['checked']} checked now; {s['elapsed']:.1f} s.")
    for r in audit.error_rows:
        click.echo(f"  ✗ {r['source']}: {r['error']['en' if not vi else 'vi']}")
    for p in written:
        click.echo(("  → " if vi else "  → ") + str(p))
    for r, level in failing:
        click.echo((f"  ✗ {r['source']}: có phát hiện từ mức {level}" if vi
                    else f"  ✗ {r['source']}: findings at or above {level}"))
    if audit.error_rows:
        sys.exit(2)
    sys.exit(1 if failing else 0)


def _failing_rows(audit, fail_on: str | None) -> list[tuple[dict, str]]:
    """Rows whose findings reach ``fail_on``, else the fail_on of the plan's
    own config (plancheck.toml / [tool.plancheck] found upward), else never."""
    from checker.judge.config import load_config
    from checker.judge.findings import reaches

    out = []
    by_folder: dict[str, str | None] = {}  # a config governs a folder: looked up once per folder
    for r in audit.ok_rows:
        level = fail_on
        if level is None:
            try:
                folder = os.path.dirname(os.path.realpath(r["source"]))
            except (OSError, ValueError):
                folder = None
            if folder is not None and folder in by_folder:
                level = by_folder[folder]
            else:
                try:
                    level = load_config(r["source"], strict=False).fail_on
                except PlanError:
                    level = None
                if folder is not None:
                    by_folder[folder] = level
        level = level or "never"
        if any(reaches(sev, level) for sev, n in (r.get("severity") or {}).items() if n):
            out.append((r, level))
    return out


@click.command("diff", context_settings=HELP)
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@REFS
@ASOF
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Thoát mã 1 khi phiên bản mới có phát hiện mới từ mức này / exit 1 when the new "
                   "version introduces findings at or above this severity "
                   "[default: fail_on of the new version's config, else never].")
@LANG
def diff_command(old, new, fmt, references, as_of, output, fail_on, lang) -> None:
    """So sánh hai phiên bản của một kế hoạch.

    Compare two versions of a plan: mandates gained and lost, findings fixed
    and introduced, citations added and removed, sections added and removed.
    Exit 0; 1 with --fail-on when the new version introduces findings at or
    above that severity; 2 on a usage or input error."""
    from checker.apps.diff import diff_files, render

    day = _date(as_of, lang)
    refs = _refs(references)
    try:
        d = diff_files(old, new, references=refs, as_of=day)
    except PlanError as e:
        _fail(e, lang)
        return
    text = render(d, fmt, lang)
    if output:
        Path(output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text.rstrip("\n"))
    from checker.judge.findings import reaches

    if fail_on is None:
        from checker.judge.config import load_config

        try:
            fail_on = load_config(new).fail_on or "never"
        except PlanError as e:
            _fail(e, lang)
    if any(reaches(f.get("severity"), fail_on) for f in d.findings_introduced):
        sys.exit(1)
