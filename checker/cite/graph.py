"""The citation graph: plans, the documents they cite, and catalogue relations.

Nodes are documents (id = catalogue id or local id) and plans
(``plan:<file name>``).  Edges:

* plan → document, ``kind="cites"``, with the strongest ``role`` (basis >
  implements > attachment > mention), every role seen and the locations;
* document → document found in a title ("Kế hoạch 44 ... về thực hiện Nghị
  quyết 03"), ``kind="title"``;
* catalogue relations, drawn from the newer to the older document:
  ``implements``, ``amends`` (also from ``amended_by``), ``supersedes`` (also
  from ``replaced_by``), with ``effective`` and ``confidence``.

Several plans in one graph join through the documents they share.  This
module builds and queries the graph; its exports (JSON, GraphML, DOT, SVG, one
self-contained HTML page) are in :mod:`checker.cite.graph_export`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx

from checker.cite.asof import as_of_for
from checker.cite.catalog import Catalog, catalog


TARGET = "57-NQ/TW@2024"
ROLE_ORDER = ["basis", "implements", "attachment", "mention"]
CHAIN_KINDS = {"cites", "title", "implements"}


def plan_node_id(plan) -> str:
    return f"plan:{Path(plan.source).name}"


def _plan_level(plan) -> str:
    return "plan"


def build_graph(plans, cat: Catalog | None = None) -> nx.DiGraph:
    """One graph for one plan or many (a list of :class:`checker.model.Plan`)."""
    cat = cat or catalog()
    if not isinstance(plans, (list, tuple)):
        plans = [plans]
    g = nx.DiGraph(target=TARGET, catalog_version=cat.version)
    for plan in plans:
        pid = plan_node_id(plan)
        if g.has_node(pid):  # two plans with the same file name in different folders
            pid = f"plan:{Path(plan.source).parent.name}/{Path(plan.source).name}"
            k = 2
            while g.has_node(pid):
                pid, k = f"plan:{Path(plan.source).name}#{k}", k + 1
        h = plan.header
        day, basis = as_of_for(plan)
        g.add_node(pid, kind="plan", as_of=day.isoformat(), as_of_basis=basis,
                   type=(h.kind or "Kế hoạch").capitalize() if h else "Kế hoạch",
                   number=h.number if h else None, date=h.date.iso() if h and h.date else None,
                   date_lower_bound=h.date_lower_bound if h else None,
                   issuer=h.issuer if h else None, level="plan", title=h.title if h else None,
                   in_catalog=False, confidence=None, source=str(plan.source))
        documents = plan.documents or []
        if not documents and plan.citations:
            from checker.cite.resolve import document_list
            documents = document_list(plan.citations, cat)
        for d in documents:
            _add_doc(g, d["id"], cat, d)
        by_index = {c.index: c for c in plan.citations}
        for c in plan.citations:
            doc = _doc_key(c)
            if doc is None:
                continue
            if c.parent is None or by_index.get(c.parent) is None:
                _add_cite(g, pid, doc, c)
            else:
                parent = _doc_key(by_index[c.parent])
                if parent and parent != doc:
                    _add_rel(g, parent, doc, "title", plan=pid, line=c.loc.line)
                else:  # an alias declaration "(gọi tắt là …)" names its parent again
                    _add_cite(g, pid, doc, c)
        # a document cited only inside titles is still cited by the plan (indirectly)
        for d in documents:
            if not g.has_edge(pid, d["id"]):
                cs = [by_index[i] for i in d.get("citations", []) if i in by_index]
                for c in cs:
                    _add_cite(g, pid, d["id"], c, direct=False)
    _add_catalog_relations(g, cat)
    return g


def _doc_key(c) -> str | None:
    return c.doc_id or (f"{c.number}@?" if c.number else None)


def _add_doc(g: nx.DiGraph, doc_id: str, cat: Catalog, d: dict | None = None) -> None:
    entry = cat.get(doc_id)
    if entry is not None:
        attrs = dict(kind="document", type=entry.type, number=entry.number, date=entry.date,
                     issuer=entry.issuer, level=entry.level, title=entry.description("vi"),
                     title_en=entry.description("en"),
                     in_catalog=True, confidence=entry.confidence, status=entry.status)
    else:
        d = d or {}
        attrs = dict(kind="document", type=d.get("type"), number=d.get("number"), date=d.get("date"),
                     issuer=(d.get("issuers") or [None])[0], level=d.get("level") or "unknown",
                     title=d.get("title"), in_catalog=False, confidence=None,
                     ambiguous=bool(d.get("ambiguous")))
    if g.has_node(doc_id):
        for k, v in attrs.items():
            if g.nodes[doc_id].get(k) in (None, "unknown") and v is not None:
                g.nodes[doc_id][k] = v
    else:
        g.add_node(doc_id, **attrs)


def _add_cite(g: nx.DiGraph, pid: str, doc: str, c, direct: bool = True) -> None:
    if not g.has_node(doc):
        g.add_node(doc, kind="document", type=c.doc_type, number=c.number, level="unknown", in_catalog=False)
    loc = {"line": c.loc.line, "location": c.loc.human, "citation": c.index, "role": c.role}
    if g.has_edge(pid, doc):
        e = g.edges[pid, doc]
        e["locations"].append(loc)
        if c.role not in e["roles"]:
            e["roles"].append(c.role)
        e["role"] = min(e["roles"], key=ROLE_ORDER.index)
        e["direct"] = e["direct"] or direct
    else:
        g.add_edge(pid, doc, kind="cites", role=c.role, roles=[c.role], locations=[loc], direct=direct)


def _add_rel(g: nx.DiGraph, a: str, b: str, kind: str, **attrs) -> None:
    if g.has_edge(a, b):
        e = g.edges[a, b]
        if kind not in e["kinds"]:
            e["kinds"].append(kind)
        for k, v in attrs.items():
            e.setdefault(k, v)
        return
    g.add_edge(a, b, kind=kind, kinds=[kind], **attrs)


def _add_catalog_relations(g: nx.DiGraph, cat: Catalog) -> None:
    """Catalogue relations around the cited documents.

    Added documents: newer versions of every document in the picture (what
    replaced or amended it, transitively) and what cited documents implement
    (upward, transitively).  Newer versions do not pull in what *they*
    implement or replace, so the picture stays about the plans.  Then every
    catalogue relation between two documents in the picture becomes an edge.
    """
    start = [n for n in g.nodes if cat.get(n)]
    upward = set(start)  # nodes whose 'implements' targets are followed
    todo = list(start)
    seen: set[str] = set()

    def ensure(x: str) -> None:
        if not g.has_node(x):
            _add_doc(g, x, cat)
            g.nodes[x]["cited"] = False

    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        entry = cat.get(n)
        newer = [r.target for r in entry.relations if r.type in ("replaced_by", "amended_by")]
        newer += [src for src, r in cat.incoming(n) if r.type in ("amends", "supersedes")]
        for x in newer:
            ensure(x)
            todo.append(x)
        if n in upward:
            for r in entry.relations:
                if r.type == "implements":
                    ensure(r.target)
                    upward.add(r.target)
                    todo.append(r.target)
    for n in [n for n in g.nodes if cat.get(n)]:
        for r in cat.get(n).relations:
            a, b, kind = n, r.target, r.type
            if kind == "replaced_by":
                a, b, kind = r.target, n, "supersedes"
            elif kind == "amended_by":
                a, b, kind = r.target, n, "amends"
            if a != b and g.has_node(a) and g.has_node(b):
                _add_rel(g, a, b, kind, effective=r.effective, confidence=r.confidence or "catalog",
                         source="catalog")


# ------------------------------------------------------------------ queries
def plan_nodes(g: nx.DiGraph) -> list[str]:
    return [n for n, d in g.nodes(data=True) if d.get("kind") == "plan"]


def _chain_view(g: nx.DiGraph) -> nx.DiGraph:
    def ok(a, b):
        return any(k in CHAIN_KINDS for k in g.edges[a, b].get("kinds", [g.edges[a, b].get("kind")]))
    return nx.subgraph_view(g, filter_edge=ok)


def chain_to(g: nx.DiGraph, plan_node: str, target: str = TARGET, limit: int = 12,
             cutoff: int = 7) -> list[list[str]]:
    """Paths plan → … → target over citation, title and 'implements' edges (shortest first)."""
    if plan_node not in g or target not in g:
        return []
    view = _chain_view(g)
    # do not walk through other plans
    others = {p for p in plan_nodes(g) if p != plan_node}
    sub = nx.subgraph_view(view, filter_node=lambda n: n not in others)
    paths = []
    for p in nx.all_simple_paths(sub, plan_node, target, cutoff=cutoff):
        paths.append(p)
        if len(paths) > 200:
            break
    paths.sort(key=lambda p: (len(p), p))
    return paths[:limit]


def plan_as_of(g: nx.DiGraph, plan_node: str, as_of: dt.date | None = None) -> tuple[dt.date, str]:
    """The date a plan is judged at (:func:`checker.cite.asof.as_of_for`, computed
    when the plan was added), or ``as_of`` when given."""
    if as_of:
        return as_of, "option"
    d = g.nodes[plan_node]
    if d.get("as_of"):
        return dt.date.fromisoformat(d["as_of"]), d.get("as_of_basis") or "header"
    return dt.date.today(), "today"


def superseded_links(g: nx.DiGraph, as_of: dt.date | None = None, cat: Catalog | None = None,
                     plan_node: str | None = None) -> list[dict[str, Any]]:
    """Documents a plan relies on (directly or on its chain to NQ 57) that were
    replaced or amended on or before the as-of date."""
    cat = cat or catalog()
    out: list[dict[str, Any]] = []
    for pid in ([plan_node] if plan_node else plan_nodes(g)):
        day, basis = plan_as_of(g, pid, as_of)
        paths = [[pid, d] for d in g.successors(pid)] + chain_to(g, pid)
        seen: set[str] = set()
        for path in paths:
            for node in path[1:]:
                if node in seen:
                    continue
                chain = cat.replacement_chain(node, day)
                if not chain:
                    continue
                seen.add(node)
                first = chain[0][1]
                out.append({
                    "plan": pid, "document": node, "path": path[: path.index(node) + 1],
                    "direct": g.has_edge(pid, node),
                    "relation": first.type, "effective": first.effective,
                    "replaced_by": [t for t, _ in chain], "current": chain[-1][0],
                    # does the plan also cite a newer version itself?
                    "successor_cited": any(g.has_edge(pid, t) for t, _ in chain),
                    "confidence": _weakest([r.confidence or cat.get(t).confidence if cat.get(t) else None
                                            for t, r in chain] + [cat.get(node).confidence]),
                    "as_of": day.isoformat(), "as_of_basis": basis,
                })
    return out


def _weakest(tags: list[str | None]) -> str:
    order = ["belief", "seed", "verified", "catalog"]
    tags = [t for t in tags if t]
    return min(tags, key=lambda t: order.index(t) if t in order else 2) if tags else "verified"
