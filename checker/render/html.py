"""The HTML report (``--format html``): autoescaped, the citation graph as an <img>."""
from __future__ import annotations

import base64

from checker import resources
from checker.model import CheckResult
from checker.render.templates import _context, _env, _graph_svg


def render_html(result: CheckResult, lang: str = "vi") -> str:
    ctx = _context(result, lang, False)
    svg = _graph_svg(result)
    # an SVG shown through <img> cannot run scripts, whatever its labels hold
    ctx["graph_img"] = ("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
                        if svg else None)
    try:
        ctx["css"] = resources.read_text("reports", "report.css")
    except FileNotFoundError:  # pragma: no cover
        ctx["css"] = ""
    return _env(True).get_template("report.html.j2").render(**ctx)
