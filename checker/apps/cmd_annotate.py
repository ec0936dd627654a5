"""``plancheck annotate PLAN``: a reviewed copy of the plan with the findings
as Word comments (see :mod:`checker.apps.annotate`)."""
from __future__ import annotations

from pathlib import Path

import click

HELP = {"help_option_names": ["-h", "--help"]}  # as every plancheck command

from checker.errors import PlanError


@click.command("annotate", context_settings=HELP, help=(
    "Ghi một bản sao .docx của kế hoạch với mỗi phát hiện là một nhận xét (comment) của Word, "
    "gắn đúng vào chữ được nói đến; tệp gốc không bị sửa. / Write a reviewed .docx copy of the "
    "plan with each finding as a Word comment on the words it is about; the original is never "
    "modified."))
@click.argument("plan", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--reference", "-r", "references", multiple=True,
              help="Bộ tham chiếu, ví dụ nq57,nq71 / reference sets (comma-separated).")
@click.option("--as-of", "as_of", default=None,
              help="Ngày đối chiếu YYYY-MM-DD / judge the plan at this date.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp .docx kết quả (mặc định: <tên>.reviewed.docx) / output .docx.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Tệp cấu hình plancheck.toml / config file (default: found upward from the plan).")
@click.option("--author", default="plancheck", show_default=True,
              help="Tên người nhận xét / comment author.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Ngôn ngữ thông báo / message language.")
def command(plan: Path, references: tuple[str, ...], as_of: str | None, output: Path | None,
            config_path: str | None, author: str, lang: str) -> None:
    from checker.apps.annotate import annotate
    from checker.apps.cli import fail, parse_date, split_refs

    day = parse_date(as_of, lang)
    if output is not None and output.suffix.lower() != ".docx":
        fail(PlanError("bad-output", f"Tệp kết quả phải có đuôi .docx: {output}",
                       f"The output file must end in .docx: {output}"), lang)
    try:
        cfg = None
        if config_path:
            from checker.judge.config import load_config

            cfg = load_config(plan, explicit=Path(config_path))
        rep = annotate(plan, output, references=split_refs(references), as_of=day, config=cfg,
                       author=author, lang=lang)
    except PlanError as e:
        fail(e, lang)
        return
    for note in rep.notes:
        click.echo(("Lưu ý: " if lang == "vi" else "Note: ") + note)
    n = len(rep.placed) - 1
    on_span = rep.count("span")
    if lang == "en":
        click.echo(f"Wrote {rep.output}: {n} comments ({on_span} on the exact words, "
                   f"{rep.count('section')} on a section heading, "
                   f"{n - on_span - rep.count('section')} on a paragraph, footnote mark or the "
                   "title) "
                   "and a summary on the title.")
    else:
        click.echo(f"Đã ghi {rep.output}: {n} nhận xét ({on_span} gắn đúng vào chữ, "
                   f"{rep.count('section')} vào tiêu đề mục, "
                   f"{n - on_span - rep.count('section')} vào đoạn, dấu chú thích hoặc tên văn bản) "
                   "và một nhận xét tóm tắt ở tên văn bản.")
