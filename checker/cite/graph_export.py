"""Exports of the citation graph (:mod:`checker.cite.graph`): JSON, GraphML,
DOT, SVG (drawn here, layered by level, no graphviz needed) and one
self-contained HTML page."""
from __future__ import annotations

import datetime as dt
import html
import io
import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import markupsafe
import networkx as nx

from checker import resources
from checker.cite.catalog import LEVELS, Catalog, catalog
from checker.cite.graph import TARGET, chain_to, plan_as_of, plan_nodes, superseded_links


LEVEL_LABELS = {
    "party-central": ("Trung ương Đảng", "Party central"),
    "national-assembly": ("Quốc hội", "National Assembly"),
    "government": ("Chính phủ", "Government"),
    "prime-minister": ("Thủ tướng", "Prime Minister"),
    "ministry": ("Bộ, ngành", "Ministries"),
    "province-party": ("Tỉnh ủy / BCĐ tỉnh", "Provincial Party"),
    "province": ("UBND tỉnh", "Province"),
    "district": ("Cấp huyện (cũ)", "District (abolished)"),
    "commune-party": ("Đảng ủy xã", "Commune Party"),
    "commune": ("UBND xã", "Commune"),
    "plan": ("Kế hoạch được kiểm tra", "Plans checked"),
    "unknown": ("Chưa xác định cấp", "Level unknown"),
}


def _date_label(iso: str | None) -> str:
    if not iso:
        return ""
    parts = iso.split("-")
    return "/".join(reversed(parts))


def label(g: nx.DiGraph, n: str) -> str:
    d = g.nodes[n]
    if d.get("kind") == "plan":
        return f"{Path(d.get('source') or n).name}"
    t = d.get("type") or ""
    num = d.get("number") or n
    date = _date_label(d.get("date"))
    return f"{t} {num}" + (f" ({date})" if date else "")


def to_json(g: nx.DiGraph, as_of: dt.date | None = None, target: str = TARGET,
            cat: Catalog | None = None) -> dict[str, Any]:
    cat = cat or catalog()
    nodes = []
    for n, d in g.nodes(data=True):
        row = {"id": n, "label": label(g, n)}
        row.update({k: v for k, v in d.items()})
        nodes.append(row)
    edges = [{"source": a, "target": b, **d} for a, b, d in g.edges(data=True)]
    plans = []
    sup = superseded_links(g, as_of, cat)
    for pid in plan_nodes(g):
        day, basis = plan_as_of(g, pid, as_of)
        chains = chain_to(g, pid, target)
        plans.append({
            "id": pid, "source": g.nodes[pid].get("source"), "as_of": day.isoformat(),
            "as_of_basis": basis, "reaches_target": bool(chains), "target": target,
            "chains": chains,
            "chains_labelled": [[label(g, n) for n in p] for p in chains],
            "superseded": [s for s in sup if s["plan"] == pid],
        })
    return {"target": target, "catalog_version": g.graph.get("catalog_version"),
            "nodes": nodes, "edges": edges, "plans": plans}


def to_graphml(g: nx.DiGraph) -> str:
    h = nx.DiGraph()
    h.graph.update({k: _scalar(v) for k, v in g.graph.items()})
    for n, d in g.nodes(data=True):
        h.add_node(n, label=label(g, n), **{k: _scalar(v) for k, v in d.items()})
    for a, b, d in g.edges(data=True):
        h.add_edge(a, b, **{k: _scalar(v) for k, v in d.items()})
    buf = io.BytesIO()
    nx.write_graphml(h, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def _scalar(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False)
    return v


def _layer(g: nx.DiGraph, n: str) -> str:
    lv = g.nodes[n].get("level") or "unknown"
    return lv if lv in LEVEL_LABELS else "unknown"


LAYER_ORDER = LEVELS + ["unknown", "plan"]


def _dot_q(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(g: nx.DiGraph, as_of: dt.date | None = None, lang: str = "vi") -> str:
    sup = {s["document"] for s in superseded_links(g, as_of)}
    lines = ["digraph citations {", "  rankdir=BT;", '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8];']
    for k, layer in enumerate(LAYER_ORDER):
        members = [n for n in g.nodes if _layer(g, n) == layer]
        if not members:
            continue
        name = LEVEL_LABELS[layer][0 if lang == "vi" else 1]
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f"    label={_dot_q(name)}; style=dashed; color=grey70; rank=same;")
        for n in members:
            d = g.nodes[n]
            lab = label(g, n)
            if d.get("issuer") and d.get("kind") != "plan":
                lab += "\n" + str(d["issuer"])[:40]
            fill = "#dbeafe" if d.get("kind") == "plan" else ("#ecfdf5" if d.get("in_catalog") else "#f3f4f6")
            extra = ', color="#b91c1c", penwidth=2' if n in sup else ""
            lines.append(f"    {_dot_q(n)} [label={_dot_q(lab)}, fillcolor={_dot_q(fill)}{extra}];")
        lines.append("  }")
    for a, b, d in g.edges(data=True):
        kind = d.get("kind")
        lab = d.get("role") if kind == "cites" else kind
        style = {"cites": "solid", "title": "dashed", "implements": "solid",
                 "amends": "dotted", "supersedes": "dotted"}.get(kind, "solid")
        color = {"supersedes": "#b91c1c", "amends": "#d97706", "implements": "#15803d",
                 "title": "#6b7280"}.get(kind, "#1d4ed8")
        lines.append(f"  {_dot_q(a)} -> {_dot_q(b)} [label={_dot_q(lab)}, style={style}, color={_dot_q(color)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ SVG (own layered layout)
BOX_W, BOX_H, GAP_X, GAP_Y, LEFT = 200, 46, 24, 70, 150
EDGE_STYLE = {
    "cites": ("#1d4ed8", ""), "title": ("#6b7280", "5,4"), "implements": ("#15803d", ""),
    "amends": ("#d97706", "2,3"), "supersedes": ("#b91c1c", "2,3"),
}


def _layout(g: nx.DiGraph) -> tuple[dict[str, tuple[float, float]], list[tuple[str, float]], float, float]:
    layers = [(lv, [n for n in g.nodes if _layer(g, n) == lv]) for lv in LAYER_ORDER]
    layers = [(lv, ns) for lv, ns in layers if ns]
    # order inside layers: barycentre of neighbours, a few sweeps
    order = {lv: sorted(ns, key=lambda n: (str(g.nodes[n].get("date") or ""), n)) for lv, ns in layers}
    for _ in range(4):
        pos_idx = {n: i for lv, _ in layers for i, n in enumerate(order[lv])}
        for lv, _ in layers:
            def bary(n):
                nb = list(g.predecessors(n)) + list(g.successors(n))
                return sum(pos_idx[m] for m in nb) / len(nb) if nb else pos_idx[n]
            order[lv].sort(key=bary)
    width = max((len(ns) for _, ns in layers), default=1) * (BOX_W + GAP_X) + LEFT + GAP_X
    pos: dict[str, tuple[float, float]] = {}
    bands: list[tuple[str, float]] = []
    y = 40.0
    for lv, _ in layers:
        ns = order[lv]
        row_w = len(ns) * (BOX_W + GAP_X) - GAP_X
        x0 = LEFT + (width - LEFT - row_w) / 2
        for i, n in enumerate(ns):
            pos[n] = (x0 + i * (BOX_W + GAP_X), y)
        bands.append((lv, y))
        y += BOX_H + GAP_Y
    return pos, bands, width, y


def _wrap(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _superseded_styles(g: nx.DiGraph, as_of: dt.date | None) -> dict[str, str]:
    """document id → 'verified' when any plan relies on it after a confirmed
    replacement, else the weakest confidence tag."""
    out: dict[str, str] = {}
    for s in superseded_links(g, as_of):
        if out.get(s["document"]) != "verified":
            out[s["document"]] = "verified" if s["confidence"] in ("verified", "catalog") else s["confidence"]
    return out


def to_svg(g: nx.DiGraph, as_of: dt.date | None = None, lang: str = "vi", engine: str = "auto") -> str:
    """SVG of the graph: graphviz ``dot`` when it is on PATH (engine auto|dot),
    else (or with engine="own") the drawing of :func:`draw_svg`."""
    if engine in ("auto", "dot") and shutil.which("dot"):
        try:
            res = subprocess.run(["dot", "-Tsvg"], input=to_dot(g, as_of, lang).encode("utf-8"),
                                 capture_output=True, timeout=60, check=True)
            out = res.stdout.decode("utf-8")
            return out[out.index("<svg"):]
        except (OSError, subprocess.SubprocessError, ValueError):
            if engine == "dot":
                raise
    return draw_svg(g, as_of, lang)


def draw_svg(g: nx.DiGraph, as_of: dt.date | None = None, lang: str = "vi") -> str:
    """A layered drawing: party central at the top, the plans at the bottom."""
    sup = _superseded_styles(g, as_of)
    pos, bands, width, height = _layout(g)
    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height + 60:.0f}" '
           f'viewBox="0 0 {width:.0f} {height + 60:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           "<defs>"]
    for kind, (color, _) in EDGE_STYLE.items():
        out.append(f'<marker id="arr-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                   f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>')
    out.append("</defs>")
    out.append('<rect width="100%" height="100%" fill="white"/>')
    for i, (lv, y) in enumerate(bands):
        if i % 2 == 0:
            out.append(f'<rect x="0" y="{y - GAP_Y / 2 + 8:.0f}" width="{width:.0f}" height="{BOX_H + GAP_Y - 16:.0f}" fill="#f8fafc"/>')
        name = LEVEL_LABELS[lv][0 if lang == "vi" else 1]
        out.append(f'<text x="10" y="{y + BOX_H / 2 + 4:.0f}" font-weight="bold" fill="#334155">{e(name)}</text>')
    for a, b, d in g.edges(data=True):
        if a not in pos or b not in pos:
            continue
        kind = d.get("kind", "cites")
        color, dash = EDGE_STYLE.get(kind, EDGE_STYLE["cites"])
        (xa, ya), (xb, yb) = pos[a], pos[b]
        ax, bx = xa + BOX_W / 2, xb + BOX_W / 2
        if ya > yb:  # upward: from the top of a to the bottom of b
            y1, y2 = ya, yb + BOX_H
        elif ya < yb:
            y1, y2 = ya + BOX_H, yb
        else:  # same layer: arc above
            y1 = y2 = ya
        my = (y1 + y2) / 2 if ya != yb else ya - GAP_Y / 2
        title = kind if kind != "cites" else f"{d.get('role')} ({', '.join(str(l['line']) for l in d.get('locations', [])[:6])})"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        width_attr = 1.8 if kind == "cites" and d.get("role") in ("basis", "implements") else 1.1
        out.append(f'<path d="M{ax:.0f},{y1:.0f} C{ax:.0f},{my:.0f} {bx:.0f},{my:.0f} {bx:.0f},{y2:.0f}" fill="none" '
                   f'stroke="{color}" stroke-width="{width_attr}"{dash_attr} marker-end="url(#arr-{kind})" opacity="0.8">'
                   f"<title>{e(label(g, a))} → {e(label(g, b))}: {e(title)}</title></path>")
    for n, (x, y) in pos.items():
        d = g.nodes[n]
        if d.get("kind") == "plan":
            fill, stroke = "#dbeafe", "#1d4ed8"
        elif d.get("in_catalog"):
            fill, stroke = ("#ecfdf5", "#15803d") if d.get("cited", True) else ("#ffffff", "#94a3b8")
        else:
            fill, stroke = "#f3f4f6", "#6b7280"
        sw = 1.2
        dash = ""
        if n in sup:
            stroke, sw = ("#b91c1c", 2.5) if sup[n] == "verified" else ("#d97706", 2.5)
            if sup[n] != "verified":
                dash = ' stroke-dasharray="6,3"'
        
        l1 = f"{d.get('type') or ''} {d.get('number') or ''}".strip() if d.get("kind") != "plan" else label(g, n)
        l2 = _date_label(d.get("date")) if d.get("kind") != "plan" else (d.get("issuer") or "")
        if d.get("kind") != "plan" and d.get("issuer"):
            l2 = (l2 + " · " if l2 else "") + str(d["issuer"])
        desc = d.get("title") if lang == "vi" else (d.get("title_en") or d.get("title"))
        tip = label(g, n) + (f" — {desc}" if desc else "")
        out.append(f'<g><title>{e(tip)}</title><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/>'
                   f'<text x="{x + 8:.0f}" y="{y + 18:.0f}" font-weight="bold">{e(_wrap(l1, 30))}</text>'
                   f'<text x="{x + 8:.0f}" y="{y + 34:.0f}" fill="#475569">{e(_wrap(l2, 34))}</text></g>')
    # legend
    ly = height + 20
    lx = 10
    for kind, (color, dash) in EDGE_STYLE.items():
        name = {"cites": ("trích dẫn", "cites"), "title": ("trong tiêu đề", "in title"),
                "implements": ("thực hiện", "implements"), "amends": ("sửa đổi", "amends"),
                "supersedes": ("thay thế", "supersedes")}[kind][0 if lang == "vi" else 1]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="{color}" stroke-width="2"{dash_attr}/>'
                   f'<text x="{lx + 36}" y="{ly + 4}">{e(name)}</text>')
        lx += 130
    out.append(f'<rect x="{lx}" y="{ly - 8}" width="24" height="16" rx="3" fill="white" stroke="#b91c1c" stroke-width="2.5"/>'
               f'<text x="{lx + 30}" y="{ly + 4}">{e("đã bị thay thế/sửa đổi" if lang == "vi" else "superseded/amended")}</text>')
    lx += 190
    out.append(f'<rect x="{lx}" y="{ly - 8}" width="24" height="16" rx="3" fill="white" stroke="#d97706" stroke-width="2.5" stroke-dasharray="6,3"/>'
               f'<text x="{lx + 30}" y="{ly + 4}">{e("có thể đã bị sửa đổi (chưa kiểm chứng)" if lang == "vi" else "possibly amended (unconfirmed)")}</text>')
    out.append("</svg>")
    return "\n".join(out)


def to_html(g: nx.DiGraph, as_of: dt.date | None = None, lang: str = "vi") -> str:
    """A self-contained page (``reports/graph.html.j2``): the drawing, the per-plan
    chains and the documents."""
    data = to_json(g, as_of)
    vi = lang != "en"
    t = (lambda a, b: a if vi else b)
    rows = []
    for n in sorted(data["nodes"], key=lambda r: (LAYER_ORDER.index(r.get("level")) if r.get("level") in LAYER_ORDER else 99, r["id"])):
        if n.get("kind") == "plan":
            continue
        rows.append([str(v) for v in (
            n.get("type") or "", n.get("number") or "", _date_label(n.get("date")), n.get("issuer") or "",
            LEVEL_LABELS.get(n.get("level") or "unknown", (n.get("level"), n.get("level")))[0 if vi else 1],
            t("có", "yes") if n.get("in_catalog") else t("không", "no"), n.get("confidence") or "",
            (n.get("title") if vi else (n.get("title_en") or n.get("title"))) or "")])
    plans = []
    for p in data["plans"]:
        sup = [{"document": label(g, s["document"]), "relation": s["relation"],
                "effective": _date_label(s["effective"]),
                "replaced_by": " → ".join(label(g, x) if x in g else x for x in s["replaced_by"]),
                "confidence": s["confidence"]} for s in p["superseded"]]
        plans.append({"heading": p["source"] or p["id"], "as_of": _date_label(p["as_of"]),
                      "as_of_basis": p["as_of_basis"], "chains": p["chains_labelled"][:6],
                      "superseded": sup})
    svg = to_svg(g, as_of, lang)
    return _html_template().render(lang="vi" if vi else "en", t=t, svg=markupsafe.Markup(svg),
                                   plans=plans, rows=rows)


def _escape(value: Any) -> Any:
    """Every value of the page escaped as html.escape spells it (``&quot;``, ``&#x27;``),
    as the page has always been; markup (the SVG) passes as it is."""
    if isinstance(value, markupsafe.Markup):
        return value
    return markupsafe.Markup(html.escape(str(value)))


@lru_cache(maxsize=1)
def _html_template():
    """``reports/graph.html.j2`` (read through :mod:`checker.resources`), autoescaped."""
    import jinja2

    def load(name: str) -> str | None:
        try:
            return resources.read_text("reports", name)
        except FileNotFoundError:
            return None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True, finalize=_escape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("graph.html.j2")
