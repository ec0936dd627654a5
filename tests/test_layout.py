"""The engine's shape holds: its packages are the pipeline's stages, each importing only
the stages below it, with no import cycle and no oversized module (read from the code with
ast, so it fails the moment someone adds a wrong import)."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PKG = Path(__file__).resolve().parent.parent / "checker"

# lower number = lower stage; a module may import its own stage or lower ones
STAGES = {
    "checker": 0, "checker.errors": 0, "checker.dates": 0, "checker.resources": 0, "checker.model": 0, "checker.libs": 0,
    "checker.normalize": 1,
    "checker.read": 2,
    "checker.extract": 3,
    "checker.cite": 4,
    "checker.mandates": 5,
    "checker.match": 6,
    "checker.judge": 7,
    "checker.render": 8,
    "checker.pipeline": 9,
    "checker.apps": 10,
}
MAX_LINES = 520
MAX_TOP_MODULES = 8


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(mod: str) -> int:
    parts = mod.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in STAGES:
            return STAGES[key]
    raise AssertionError(f"{mod}: no stage (add its package to STAGES)")


def engine_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py")}


def resolve(mod: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(mods: dict[str, Path]) -> nx.DiGraph:
    g = nx.DiGraph()
    for mod, path in mods.items():
        g.add_node(mod)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = resolve(mod, path.name == "__init__.py", node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                           for a in node.names]
            for t in targets:
                if not t.startswith("checker"):
                    continue
                while t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                # a package's __init__ is imported on the way to its modules; count the module
                if t != mod:
                    g.add_edge(mod, t, line=node.lineno)
    return g


def test_no_import_from_a_higher_stage():
    mods = engine_modules()
    g = imports_of(mods)
    wrong = [f"{a} (stage {stage_of(a)}) imports {b} (stage {stage_of(b)}) at line {d['line']}"
             for a, b, d in g.edges(data=True) if stage_of(b) > stage_of(a)]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    g = imports_of(engine_modules())
    cycles = list(nx.simple_cycles(g))
    assert not cycles, "\n".join(" → ".join(c + [c[0]]) for c in cycles[:20])


def test_modules_stay_small_and_top_level_stays_short():
    mods = engine_modules()
    big = {m: n for m, p in mods.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, big
    top = [p.name for p in PKG.glob("*.py")]
    assert len(top) <= MAX_TOP_MODULES, top
    for sub in PKG.iterdir():
        if sub.is_dir() and sub.name != "__pycache__":
            assert module_name(sub) in STAGES, f"{sub.name}: a package that is not a stage"
