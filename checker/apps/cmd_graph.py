"""``plancheck graph PLAN... [--format json|graphml|dot|html|svg]``: the citation graph
of one plan or many plans together (communes join through shared documents)."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

HELP = {"help_option_names": ["-h", "--help"]}  # as every plancheck command

from checker.errors import PlanError

FORMATS = ["json", "graphml", "dot", "html", "svg"]


def _date(value: str | None) -> dt.date | None:
    from checker.dates import parse_day

    try:
        return parse_day(value)
    except ValueError:
        raise PlanError("bad-date", f"Ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
                        f"Invalid date: {value} (use YYYY-MM-DD or DD/MM/YYYY)") from None


def render(plans, fmt: str, as_of: dt.date | None = None, lang: str = "vi") -> str:
    """The graph of ``plans`` in one of FORMATS, as text."""
    from checker.cite import graph_export as G
    from checker.cite.graph import build_graph

    g = build_graph(plans)
    if fmt == "json":
        return json.dumps(G.to_json(g, as_of), ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "graphml":
        return G.to_graphml(g)
    if fmt == "dot":
        return G.to_dot(g, as_of, lang)
    if fmt == "svg":
        return G.to_svg(g, as_of, lang) + "\n"
    return G.to_html(g, as_of, lang)


@click.command("graph", context_settings=HELP)
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="Định dạng đầu ra / output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Ghi ra tệp thay vì màn hình / write to a file instead of stdout.")
@click.option("--as-of", "as_of", default=None,
              help="Ngày xét (YYYY-MM-DD); mặc định: ngày của từng kế hoạch / judge at this date.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Ngôn ngữ / language.")
def command(plans, fmt, output, as_of, lang):
    """Sơ đồ văn bản được trích dẫn (citation graph) của một hoặc nhiều kế hoạch."""
    try:
        day = _date(as_of)
        from checker.pipeline import extract

        loaded = [extract(p) for p in plans]
        text = render(loaded, fmt, day, lang)
        if output:
            output.write_text(text, encoding="utf-8")
            click.echo((f"Đã ghi {output}" if lang == "vi" else f"Wrote {output}"), err=True)
        else:
            click.echo(text, nl=False)
    except PlanError as e:
        click.echo(("Lỗi: " if lang == "vi" else "Error: ") + e.message(lang), err=True)
        sys.exit(2)
    except OSError as e:
        click.echo(("Lỗi: không ghi được tệp: " if lang == "vi" else "Error: cannot write file: ") + str(e), err=True)
        sys.exit(2)
