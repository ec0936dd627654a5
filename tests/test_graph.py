"""The citation graph of the seed plans: chains to NQ 57, superseded links,
and every export format."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from checker.cite.citations import extract_citations
from checker.cite.resolve import document_list
from checker.apps.cmd_graph import command
from checker.cite.graph import build_graph, chain_to, superseded_links
from checker.cite.graph_export import draw_svg, to_dot, to_graphml, to_html, to_json, to_svg
from checker.model import Header, Location, PartialDate, Plan, Unit
from checker.read import finish


@pytest.fixture(scope="module")
def seed_plans():
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds/ is absent")
    from checker.pipeline import extract

    return [extract(p) for p in sorted(SEEDS.glob("*.txt"))]


@pytest.fixture(scope="module")
def graph(seed_plans):
    return build_graph(seed_plans)


def pid(g, prefix):
    return [n for n in g.nodes if n.startswith(f"plan:{prefix}_")][0]


def test_nodes_and_edges(graph):
    g = graph
    plans = [n for n, d in g.nodes(data=True) if d["kind"] == "plan"]
    assert len(plans) == 5
    nq57 = g.nodes["57-NQ/TW@2024"]
    assert nq57["level"] == "party-central" and nq57["in_catalog"] and nq57["date"] == "2024-12-22"
    # every plan cites NQ 57
    assert all(g.has_edge(p, "57-NQ/TW@2024") for p in plans)
    # roles and locations on plan edges
    e = g.edges[pid(g, "002"), "469-KH/TU@2025~dong-nai"]
    assert e["role"] == "basis" and 19 in [loc["line"] for loc in e["locations"]]
    # a title edge and a catalogue relation
    assert "title" in g.edges["44/KH-UBND@2025~tu-nghia", "03/NQ-CP@2025"]["kinds"]
    assert g.edges["71/NQ-CP@2025", "03/NQ-CP@2025"]["kind"] == "amends"


def test_plans_join_through_shared_provincial_documents(graph):
    g = graph
    citing = {p for p in g.predecessors("51/KH-UBND@2025~quang-ngai") if p.startswith("plan:")}
    assert citing == {pid(g, "000"), pid(g, "004")}


def test_chains_to_nq57(graph):
    g = graph
    for prefix in ("000", "001", "002", "003", "004"):
        paths = chain_to(g, pid(g, prefix))
        assert paths and all(p[0] == pid(g, prefix) and p[-1] == "57-NQ/TW@2024" for p in paths)
    long = [p[1:] for p in chain_to(g, pid(g, "000"))]
    assert ["44/KH-UBND@2025~tu-nghia", "03/NQ-CP@2025", "57-NQ/TW@2024"] in long
    assert ["06/KH-UBND@2026~lang-son", "57-NQ/TW@2024"] in [p[1:] for p in chain_to(g, pid(g, "001"))]


def test_superseded_links(graph):
    g = graph
    sup = superseded_links(g)
    s004 = [s for s in sup if s["plan"] == pid(g, "004")]
    assert s004 and s004[0]["document"] == "03/NQ-CP@2025"
    assert s004[0]["replaced_by"] == ["71/NQ-CP@2025"] and s004[0]["confidence"] == "verified"
    assert s004[0]["as_of"] == "2025-09-05" and s004[0]["as_of_basis"] == "lower-bound"
    assert s004[0]["direct"] is True and s004[0]["successor_cited"] is True  # line 47 names NQ 71
    # seed 000 was written in March 2025: nothing superseded at its own date ...
    assert not [s for s in sup if s["plan"] == pid(g, "000")]
    # ... but re-checked at 01/01/2026, NQ 03 (and its district plan's basis) is outdated
    late = superseded_links(g, dt.date(2026, 1, 1), plan_node=pid(g, "000"))
    assert {s["document"] for s in late} == {"03/NQ-CP@2025"}
    # an unconfirmed amendment (NQ 11/NQ-CP 2026, seed only) keeps its low confidence
    s002 = [s for s in sup if s["plan"] == pid(g, "002")]
    assert s002 and all(s["confidence"] == "seed" for s in s002)


def test_json_export(graph):
    data = to_json(graph)
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["target"] == "57-NQ/TW@2024"
    plans = {p["id"]: p for p in data["plans"]}
    assert len(plans) == 5 and all(p["reaches_target"] for p in plans.values())
    p4 = plans[pid(graph, "004")]
    assert p4["superseded"][0]["document"] == "03/NQ-CP@2025"
    assert p4["chains_labelled"][0][-1].startswith("Nghị quyết 57-NQ/TW")


def test_svg_and_html_render(graph, tmp_path):
    svg = draw_svg(graph)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    for text in ("Nghị quyết 57-NQ/TW", "Trung ương Đảng", "UBND xã", "Kế hoạch hành động 469-KH/TU"):
        assert text in svg
    # party central above the commune plans
    def y_of(label):
        for g in root.iter("{http://www.w3.org/2000/svg}g"):
            texts = [t.text for t in g.iter("{http://www.w3.org/2000/svg}text")]
            if texts and texts[0] == label:
                return float(g.find("{http://www.w3.org/2000/svg}rect").get("y"))
        raise AssertionError(label)
    assert y_of("Nghị quyết 57-NQ/TW") < y_of("Nghị quyết 03/NQ-CP") < y_of("Kế hoạch 44/KH-UBND")
    page = to_html(graph, lang="en")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "Chains to Resolution 57-NQ/TW" in page
    (tmp_path / "graph.html").write_text(page, encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        png = tmp_path / "graph.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                        "--window-size=1600,1200", (tmp_path / "graph.html").as_uri()],
                       capture_output=True, timeout=90)
        assert png.exists() and png.stat().st_size > 20_000


def test_graphml_and_dot(graph, tmp_path):
    xml = to_graphml(graph)
    p = tmp_path / "g.graphml"
    p.write_text(xml, encoding="utf-8")
    back = nx.read_graphml(p)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert json.loads(back.edges[pid(graph, "002"), "469-KH/TU@2025~dong-nai"]["roles"]) == ["basis"]
    dot = to_dot(graph)
    assert dot.startswith("digraph") and "subgraph cluster_" in dot and '"57-NQ/TW@2024"' in dot


def test_plan_text_is_escaped():
    units = finish([Unit(index=0, text="Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;",
                         loc=Location(1, "dòng 1"))])
    cits = extract_citations(units)
    plan = Plan(source="<script>x.txt", format="txt", units=units,
                header=Header(issuer="UBND xã <script>alert(1)</script>", date=PartialDate(2025, 3, 1)),
                citations=cits, documents=document_list(cits))
    g = build_graph([plan])
    for out in (draw_svg(g), to_svg(g), to_html(g)):
        assert "<script>" not in out and "&lt;script&gt;" in out
    ET.fromstring(to_svg(g))


def test_html_page_comes_from_its_template_escaped_as_html_escape_does():
    """reports/graph.html.j2 (autoescaped) writes the page the f-strings used to: one line,
    every value escaped as html.escape spells it (&quot; and &#x27;, not &#34; and &#39;)."""
    import html as html_

    units = finish([Unit(index=0, text="Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;",
                         loc=Location(1, "dòng 1"))])
    cits = extract_citations(units)
    src = "x\"y'z<&>.txt"
    plan = Plan(source=src, format="txt", units=units, header=Header(date=PartialDate(2025, 3, 1)),
                citations=cits, documents=document_list(cits))
    g = build_graph([plan])
    for lang in ("vi", "en"):
        page = to_html(g, lang=lang)
        assert page.startswith(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>')
        assert page.endswith("</tbody></table></body></html>\n") and page.count("\n") == to_svg(g, None, lang).count("\n") + 1
        assert f"<section><h2>{html_.escape(src)}</h2>" in page and "&#34;" not in page and "&#39;" not in page
        assert "<div class=\"svg\">" + to_svg(g, None, lang) + "</div>" in page  # the drawing is not escaped


def test_graph_command(seed, tmp_path):
    runner = CliRunner()
    r = runner.invoke(command, [str(seed("004")), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["plans"][0]["superseded"][0]["document"] == "03/NQ-CP@2025"
    out = tmp_path / "g.svg"
    r = runner.invoke(command, [str(seed("000")), str(seed("004")), "--format", "svg", "--output", str(out),
                                "--lang", "en"])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<svg")
    r = runner.invoke(command, [str(seed("000")), "--as-of", "2026-01-01", "--format", "json"])
    assert json.loads(r.output)["plans"][0]["superseded"][0]["document"] == "03/NQ-CP@2025"
    r = runner.invoke(command, [str(tmp_path / "missing.txt")])
    assert r.exit_code == 2 and "Không tìm thấy" in r.output
    r = runner.invoke(command, [str(seed("000")), "--as-of", "31-31-2025", "--lang", "en"])
    assert r.exit_code == 2 and "Invalid date" in r.output


def _plan(name: str, *lines: str) -> Plan:
    units = finish([Unit(index=i, text=t, loc=Location(i + 1, f"dòng {i + 1}")) for i, t in enumerate(lines)])
    cits = extract_citations(units)
    return Plan(source=name, format="txt", units=units, header=Header(date=PartialDate(2025, 4, 10)),
                citations=cits, documents=document_list(cits))


def test_communes_join_through_a_provincial_plan_the_catalogue_does_not_know():
    a = _plan("xa-a.txt", "Căn cứ Kế hoạch số 17/KH-UBND ngày 02/3/2025 của UBND tỉnh Hà Tĩnh về thực hiện "
                          "Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ;")
    b = _plan("xa-b.txt", "Căn cứ Kế hoạch số 17/KH-UBND ngày 02/3/2025 của Ủy ban nhân dân tỉnh Hà Tĩnh;")
    g = build_graph([a, b])
    shared = "17/KH-UBND@2025~ha-tinh"
    assert set(g.predecessors(shared)) == {"plan:xa-a.txt", "plan:xa-b.txt"}
    assert g.nodes[shared]["level"] == "province" and g.nodes[shared]["in_catalog"] is False
    # plan b reaches NQ 57 only through what plan a says the provincial plan implements
    assert ["plan:xa-b.txt", shared, "03/NQ-CP@2025", "57-NQ/TW@2024"] in chain_to(g, "plan:xa-b.txt")
    # both rely on NQ 03 after NQ 71 took effect (plans dated 10/04/2025)
    sup = superseded_links(g)
    assert {(s["plan"], s["document"]) for s in sup} == {("plan:xa-a.txt", "03/NQ-CP@2025"),
                                                          ("plan:xa-b.txt", "03/NQ-CP@2025")}


def test_empty_graphs_render():
    empty = build_graph([])
    ET.fromstring(draw_svg(empty))
    lonely = build_graph([Plan(source="x.txt", format="txt", units=[], header=Header())])
    data = to_json(lonely)
    assert data["plans"][0]["reaches_target"] is False and data["plans"][0]["as_of_basis"] == "today"
    ET.fromstring(draw_svg(lonely))
    assert "<svg" in to_html(lonely)
