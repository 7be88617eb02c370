"""The house's layers point one way (graph ← loaders ← faces) and no module imports in a circle.

Read from the source with ``ast`` (nothing is imported), so a new module cannot slip past.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "loaders", "cli", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    found["app"] = ROOT / "app.py"
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Project modules that ``path`` imports, at any depth of the file (lazy imports count)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _graph() -> nx.DiGraph:
    mods = _modules()
    g = nx.DiGraph()
    for name, path in mods.items():
        g.add_node(name)
        for dep in _imports(path, name, set(mods)):
            g.add_edge(name, dep)
    return g


def test_the_scan_sees_the_project():
    g = _graph()
    assert "graph.store.contract" in g and "graph.analysis.gaps" in g and "cli.main" in g
    assert g.has_edge("graph.analysis.gaps", "graph.store")


def test_graph_imports_nothing_from_loaders_or_the_faces():
    bad = [(a, b) for a, b in _graph().edges if a.startswith("graph") and b.split(".")[0] in ("loaders", "cli", "ui", "app")]
    assert bad == []


def test_loaders_import_no_face():
    bad = [(a, b) for a, b in _graph().edges if a.startswith("loaders") and b.split(".")[0] in ("cli", "ui", "app")]
    assert bad == []


def test_rooms_keep_their_direction():
    """The store never reaches into the engine or the export; the engine never into the export;
    the contract never into an implementation; the two implementations never into each other."""
    rules = [("graph.store", ("graph.analysis", "graph.export")),
             ("graph.analysis", ("graph.export",)),
             ("graph.store.contract", ("graph.store.embedded", "graph.store.neo4j", "graph.store.factory")),
             ("graph.store.embedded", ("graph.store.neo4j",)),
             ("graph.store.neo4j", ("graph.store.embedded",))]
    bad = [(a, b) for a, b in _graph().edges for src, banned in rules
           if (a == src or a.startswith(src + ".")) and any(b == x or b.startswith(x + ".") for x in banned)
           and not (src == "graph.store" and a == "graph.store.factory")]
    assert bad == []


def test_no_module_imports_in_a_circle():
    cycles = [c for c in nx.simple_cycles(_graph()) if len(c) > 1]
    assert cycles == []
