"""The import graph of ``core/`` and ``dashboard/`` has no circles and points one way.

Every module is parsed with :mod:`ast` (nothing is imported, so the check takes well under a second
and sees imports that only run inside functions). An edge is drawn for each ``import a.b`` and
``from a import b`` anywhere in a module — at module level or inside a function, since a lazy import
that exists to dodge a circle is still the circle. ``from pkg import name`` points at the submodule
``pkg.name`` when that is a module, else at ``pkg`` itself (its ``__init__``, so a package's
re-exports count). The implicit import of a parent package that ``import a.b.c`` performs is not an
edge: a registration ``__init__`` that imports its members would otherwise close a circle with each.

The layers, read from the tree (lower layers never import higher ones):

1. **Engine** — everything in ``core`` that computes: ``core.data``, ``core.models``, ``core.metrics``,
   ``core.methods`` (with their private explainers), ``core.explain``, ``core.training``, ``core.task``,
   ``core.params``, ``core.registry``, ``core.paths``, ``core.progress``, ``core.pipeline``,
   ``core.config``, ``core.pipeline.references``, ``core.pipeline.epsilon_models``, ``core.verdict``,
   ``core.metric_words``, ``core.artifacts`` and any other module not listed below. A method learns
   about other runs only through what its ``Context`` hands it.
2. **Orchestration** — what schedules, stores, repeats or publishes engine runs: ``core.runs``,
   ``core.cli``, ``core.sweep``, ``core.tune``, ``core.bench``, ``core.report``, ``core.export``.
3. **Dashboard** — ``dashboard`` (Streamlit pages over both).

Checked: (a) no import circle among ``core`` modules, each reported as a chain with line numbers;
(b) ``core`` never imports ``dashboard`` or ``streamlit``; (c) the engine never imports orchestration
and orchestration never imports the dashboard. Edges still waiting for a fix are listed in
:data:`ALLOWED`, each with the reason; an entry that no longer matches an edge fails the test, so
the list only shrinks.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "dashboard")
ORCHESTRATION = ("core.runs", "core.cli", "core.sweep", "core.tune", "core.bench", "core.report",
                 "core.export")
UI = ("dashboard", "streamlit")

# (importer, imported) edges that break a rule and are not fixed yet, with why. Keep it short.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Edge:
    """One import statement: ``source`` imports ``target`` at ``line`` (``lazy``: inside a function)."""

    source: str
    target: str
    line: int
    lazy: bool

    def __str__(self) -> str:
        where = " (inside a function)" if self.lazy else ""
        return f"{self.source}:{self.line} -> {self.target}{where}"


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under the checked packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute name a (possibly relative) ``from ... import`` reads from."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str, modules: set[str]) -> str | None:
    """``name`` or its longest prefix that is one of ``modules`` (``import a.b.attr`` style)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(module: str, node: ast.AST, modules: set[str], is_package: bool) -> list[str]:
    """Every name (checked module, or an outside top-level package) one import node reads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _absolute(module, node, is_package)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                 for alias in node.names]
    return [_known(name, modules) or name.split(".")[0] for name in names]


def _lazy_lines(tree: ast.Module) -> set[int]:
    """Line numbers of imports that sit inside a function (run on call, not on import)."""
    lines = set()
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines |= {n.lineno for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return lines


def import_edges() -> list[Edge]:
    """Every import edge out of every checked module (targets outside the tree by top-level name)."""
    files = module_files()
    modules = set(files)
    edges = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        lazy = _lazy_lines(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in dict.fromkeys(_targets(module, node, modules, is_package)):
                    if target != module:
                        edges.append(Edge(module, target, node.lineno, node.lineno in lazy))
    return edges


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer(name: str) -> int:
    """0 engine, 1 orchestration, 2 dashboard/UI."""
    if _within(name, UI):
        return 2
    return 1 if _within(name, ORCHESTRATION) else 0


def _strong_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _shortest_cycle(graph: dict[str, set[str]], start: str, members: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside one component (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start] + path[::-1][1:] + [start] if node != start else [start, start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return []


def core_cycles(edges: list[Edge]) -> list[str]:
    """Each circle among core modules as ``a:12 -> b:30 -> a``, one per module of each component."""
    graph: dict[str, set[str]] = {}
    line: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        if _within(edge.source, ("core",)) and _within(edge.target, ("core",)):
            if (edge.source, edge.target) in ALLOWED:
                continue
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
            line.setdefault((edge.source, edge.target), edge)
    chains = {}
    for component in _strong_components(graph):
        for start in component:
            cycle = _shortest_cycle(graph, start, set(component))
            turn = cycle.index(min(cycle[:-1]))
            key = tuple(cycle[turn:-1] + cycle[:turn])
            chains.setdefault(key, " -> ".join(
                f"{a}:{line[(a, b)].line}{'(lazy)' if line[(a, b)].lazy else ''}"
                for a, b in zip(cycle, cycle[1:])) + f" -> {cycle[-1]}")
    return sorted(chains.values())


def upward_edges(edges: list[Edge]) -> list[Edge]:
    """Edges from a core/dashboard module to a higher layer (rules b and c), minus :data:`ALLOWED`."""
    return [e for e in edges
            if layer(e.target) > layer(e.source) and (e.source, e.target) not in ALLOWED]


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return import_edges()


def test_the_graph_sees_lazy_and_from_imports(edges):
    """The parser finds what it must: the package-level registrations and function-level imports."""
    pairs = {(e.source, e.target) for e in edges}
    assert ("core.methods", "core.methods.base") in pairs
    assert any(e.lazy for e in edges)
    assert layer("core.runs.worker") == 1 and layer("core.pipeline") == 0 and layer("streamlit") == 2


def test_no_import_circles_in_core(edges):
    cycles = core_cycles(edges)
    assert not cycles, "import circles in core:\n  " + "\n  ".join(cycles)


def test_core_never_imports_the_dashboard_or_streamlit(edges):
    bad = [str(e) for e in edges if _within(e.source, ("core",)) and _within(e.target, UI)
           and (e.source, e.target) not in ALLOWED]
    assert not bad, "core imports the UI:\n  " + "\n  ".join(bad)


def test_imports_point_down_the_layers(edges):
    bad = [str(e) for e in upward_edges(edges)]
    assert not bad, "upward imports (engine -> orchestration -> dashboard):\n  " + "\n  ".join(bad)


def test_every_allowed_edge_still_exists(edges):
    """An allow-list entry whose import was fixed must go, so the list only shrinks."""
    pairs = {(e.source, e.target) for e in edges}
    stale = [f"{a} -> {b}" for a, b in ALLOWED if (a, b) not in pairs]
    assert not stale, "remove fixed entries from ALLOWED:\n  " + "\n  ".join(stale)
