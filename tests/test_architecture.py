"""The package layering of src/kaigai (docs/architecture.md), checked on every import statement.

Imports are read with ``ast`` from every module, including imports inside functions and under
``if TYPE_CHECKING:``; relative imports are resolved. A cycle between packages, an engine that
imports the data layer, the application layer or a shell, core importing anything but core, or
api importing web fails the test with the offending file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kaigai

SRC = Path(kaigai.__file__).parent
ENGINES = {"tariffs", "origin", "markets", "readiness", "policy"}
SHELLS = {"cli", "api", "web", "reports"}
PACKAGES = {p.name for p in SRC.iterdir() if p.is_dir() and any(p.glob("*.py"))}


def _imports(path: Path, root: Path = SRC) -> list[tuple[str, int]]:
    """(imported kaigai module, line) for every import in ``path`` (any nesting level)."""
    rel = path.relative_to(root.parent).with_suffix("")
    here = list(rel.parts if path.name != "__init__.py" else rel.parts[:-1])
    pkg_parts = here if path.name == "__init__.py" else here[:-1]
    out: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.append((mod, node.lineno))
            # `from kaigai import data` imports a package by name
            out += [(f"{mod}.{a.name}", node.lineno) for a in node.names if mod == "kaigai"]
    return out


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> ["file:line", ...] over src/kaigai."""
    edges: dict[tuple[str, str], list[str]] = {}
    for f in sorted(SRC.rglob("*.py")):
        rel = f.relative_to(SRC)
        if len(rel.parts) < 2:
            continue  # kaigai/__init__.py: the lazy public API re-exports from every layer
        src_pkg = rel.parts[0]
        for mod, line in _imports(f):
            parts = mod.split(".")
            if parts[0] == "kaigai" and len(parts) > 1 and parts[1] in PACKAGES - {src_pkg}:
                edges.setdefault((src_pkg, parts[1]), []).append(f"{rel}:{line}")
    return edges


def forbidden(a: str, b: str) -> str | None:
    """Why ``a`` may not import ``b`` (None when allowed)."""
    if a == "core":
        return "core imports only core"
    if a in ENGINES and (b in SHELLS or b in {"data", "app", "plan", "storage"}):
        return "engines are pure: they receive data, know no use case and no shell"
    if a == "app" and b in SHELLS - {"reports"}:
        return "the application layer returns results; shells render them"
    if a == "plan" and b in SHELLS | {"app", "data", "storage"}:
        return "the plan package is the plan's model and pure rules; kaigai.app.plan builds plans"
    if a == "data" and b in SHELLS | {"app", "plan"}:
        return "the data layer knows no use case and no screen"
    if a == "api" and b == "web":
        return "web and api are siblings; kaigai.web.site composes them"
    return None


def find_cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def test_no_cycles_between_packages() -> None:
    edges = package_edges()
    cycles = find_cycles(set(edges))
    detail = [
        f"{' <-> '.join(c)}: "
        + "; ".join(f"{a}->{b} at {edges[a, b][0]}" for a in c for b in c if (a, b) in edges)
        for c in cycles
    ]
    assert cycles == [], "\n".join(detail)


def test_no_forbidden_imports() -> None:
    bad = [
        f"{a} -> {b} ({why}): {', '.join(where[:3])}"
        for (a, b), where in sorted(package_edges().items())
        if (why := forbidden(a, b))
    ]
    assert bad == [], "\n".join(bad)


def test_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The parser finds imports inside functions, under TYPE_CHECKING, and relative ones."""
    f = tmp_path / "kaigai" / "tariffs" / "probe.py"
    f.parent.mkdir(parents=True)
    f.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from kaigai.app import origin\n"
        "def g():\n    from ..data import store\n    import kaigai.cli.app\n",
        encoding="utf-8",
    )
    got = {m for m, _ in _imports(f, tmp_path / "kaigai")}
    assert {"kaigai.app", "kaigai.data", "kaigai.cli.app"} <= got


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({("core", "data"), ("data", "hs"), ("hs", "core")}, [["core", "data", "hs"]]),
        ({("api", "web"), ("web", "api")}, [["api", "web"]]),
        ({("cli", "app"), ("app", "data")}, []),
    ],
)
def test_cycle_finder(edges: set[tuple[str, str]], expected: list[list[str]]) -> None:
    assert find_cycles(edges) == expected


def test_rules_name_the_layering() -> None:
    assert (
        forbidden("markets", "data") and forbidden("origin", "app") and forbidden("policy", "cli")
    )
    assert forbidden("core", "data") and forbidden("core", "hs") and forbidden("api", "web")
    assert forbidden("app", "cli") and forbidden("data", "app")
    assert forbidden("app", "reports") is None and forbidden("cli", "app") is None
    assert forbidden("web", "app") is None and forbidden("data", "markets") is None
