"""The package layering of src/kaigai (docs/architecture.md), checked on every import statement.

Imports are read with ``ast`` from every module, including imports inside functions and under
``if TYPE_CHECKING:``; relative imports are resolved. A cycle between packages, an engine that
imports the data layer, the application layer or a shell, core importing anything but core, or
api importing web fails the test with the offending file and line. Core does no I/O: it imports
no I/O library and calls no file or OS operation (two reads are named below, with their reason).
The checkers themselves are run on deliberately bad trees in tmp_path.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import kaigai

SRC = Path(kaigai.__file__).parent
ENGINES = {"tariffs", "origin", "markets", "readiness", "policy"}
SHELLS = {"cli", "api", "web", "reports"}


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


def _packages(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.py"))}


def package_edges(root: Path = SRC) -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> ["file:line", ...] over ``root`` (src/kaigai)."""
    edges: dict[tuple[str, str], list[str]] = {}
    packages = _packages(root)
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root)
        if len(rel.parts) < 2:
            continue  # kaigai/__init__.py: the lazy public API re-exports from every layer
        src_pkg = rel.parts[0]
        for mod, line in _imports(f, root):
            parts = mod.split(".")
            if parts[0] == "kaigai" and len(parts) > 1 and parts[1] in packages - {src_pkg}:
                edges.setdefault((src_pkg, parts[1]), []).append(f"{rel}:{line}")
    return edges


def forbidden(a: str, b: str) -> str | None:
    """Why ``a`` may not import ``b`` (None when allowed)."""
    if a == "core":
        return "core imports only core"
    if a in ENGINES and (b in SHELLS or b in {"data", "app", "plan", "storage", "service"}):
        return "engines are pure: they receive data, know no use case and no shell"
    if a == "app" and b in SHELLS - {"reports"}:
        return "the application layer returns results; shells render them"
    if a == "plan" and b in SHELLS | {"app", "data", "storage", "service"}:
        return "the plan package is the plan's model and pure rules; kaigai.app.plan builds plans"
    if a == "data" and b in SHELLS | {"app", "plan"}:
        return "the data layer knows no use case and no screen"
    if a == "api" and b == "web":
        return "web and api are siblings; kaigai.web.site composes them"
    if a == "web" and b == "api":
        return "web and api are siblings: pages call kaigai.app (and kaigai.service), never the API"
    if a == "service" and b in SHELLS | {"app", "plan"}:
        return "the served app's shared machinery answers no question and knows no shell"
    return None


#: The one module allowed to import both siblings: it mounts the dashboard beside the API.
COMPOSITION_ROOT = "web/site.py"


def forbidden_imports(root: Path = SRC) -> list[str]:
    """Every package edge a layering rule forbids, with where it happens (the composition root
    :data:`COMPOSITION_ROOT` may import the API)."""
    out = []
    for (a, b), where in sorted(package_edges(root).items()):
        if (a, b) == ("web", "api"):
            where = [w for w in where if not w.startswith(COMPOSITION_ROOT + ":")]
        if where and (why := forbidden(a, b)):
            out.append(f"{a} -> {b} ({why}): {', '.join(where[:3])}")
    return out


#: third-party libraries core may import: validation, settings, platform folders, i18n
CORE_LIBRARIES = {"pydantic", "pydantic_settings", "platformdirs", "babel"}
#: standard-library modules that exist to do I/O (files, processes, network, databases)
IO_MODULES = {
    "asyncio", "dbm", "fileinput", "ftplib", "glob", "http", "imaplib", "mmap", "multiprocessing",
    "poplib", "selectors", "shelve", "shutil", "smtplib", "socket", "socketserver", "sqlite3",
    "ssl", "subprocess", "tempfile", "urllib", "webbrowser", "zipfile", "tarfile",
}  # fmt: skip
#: method or function names that touch the file system
IO_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "makedirs", "touch",
    "unlink", "remove", "rmdir", "rename", "iterdir", "glob", "rglob", "listdir", "scandir",
    "walk", "is_file", "is_dir", "exists", "stat", "chmod", "symlink_to", "hardlink_to",
}  # fmt: skip
#: (module under core, function) allowed to read a file, and why
CORE_READS = {
    # the settings' one read of kaigai.toml, shared by get_settings and the kernels' loader
    ("config_file.py", "read_config_file"): "reads the user's kaigai.toml (settings' source)",
    ("config_file.py", "check_config_file"): "the --config file given exists and reads as TOML",
    ("i18n.py", "catalogue"): "reads the package's own message catalogues (locale/*.po)",
}


def core_io(root: Path = SRC) -> list[str]:
    """Where ``root/core`` imports an I/O library or calls a file-system operation."""
    out: list[str] = []
    for f in sorted((root / "core").rglob("*.py")):
        rel = f.relative_to(root)
        tree = ast.parse(f.read_text(encoding="utf-8"), str(f))
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

        def owner(line: int, funcs: list[ast.AST] = funcs) -> str:
            inside = [g for g in funcs if g.lineno <= line <= (g.end_lineno or g.lineno)]
            return min(inside, key=lambda g: (g.end_lineno or 0) - g.lineno).name if inside else ""

        for mod, line in _imports(f, root):
            top = mod.split(".")[0]
            if top == "kaigai" or top == "__future__":
                continue
            if top in IO_MODULES or (
                top not in sys.stdlib_module_names and top not in CORE_LIBRARIES
            ):
                out.append(f"{rel}:{line} imports {mod}")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", "")
            if name in IO_CALLS and (f.name, owner(node.lineno)) not in CORE_READS:
                out.append(f"{rel}:{node.lineno} calls {name}()")
    return sorted(out, key=lambda s: (s.split(":")[0], int(s.split(":")[1].split()[0])))


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
    bad = forbidden_imports()
    assert bad == [], "\n".join(bad)


def test_core_does_no_io() -> None:
    bad = core_io()
    assert bad == [], "\n".join(bad)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"kaigai/__init__.py": "", **files}.items():
        f = root / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    return root / "kaigai"


def test_checkers_fail_on_a_bad_tree(tmp_path: Path) -> None:
    """Each rule fires on a deliberately bad snippet, and only there."""
    pkg = _tree(
        tmp_path,
        {
            "kaigai/core/__init__.py": "",
            "kaigai/core/money.py": "import decimal\nfrom pydantic import BaseModel\n",
            "kaigai/core/bad.py": (
                "import duckdb\nimport sqlite3\nfrom pandas import DataFrame\n"
                "def load(p):\n    with open(p) as fh:\n        return fh.read()\n"
                "def save(p, s):\n    p.write_text(s)\n"
            ),
            "kaigai/data/__init__.py": "from kaigai.hs import codes\n",
            "kaigai/hs/__init__.py": "",
            "kaigai/hs/codes.py": "def f():\n    from ..data import store\n",
            "kaigai/markets/__init__.py": "",
            "kaigai/markets/engine.py": (
                "import ibis\nfrom kaigai.data import backends\nimport kaigai.cli.common\n"
            ),
            "kaigai/cli/__init__.py": "",
            "kaigai/api/__init__.py": "",
            "kaigai/api/app.py": "from kaigai.app import duty\n",
            "kaigai/app/__init__.py": "",
            "kaigai/web/__init__.py": "",
            "kaigai/web/site.py": "from kaigai.api.app import create_app\n",
            "kaigai/web/pages.py": "from kaigai.app import duty\nfrom kaigai.api.app import x\n",
        },
    )
    assert find_cycles(set(package_edges(pkg))) == [["data", "hs"]]
    assert forbidden_imports(pkg) == [
        "markets -> cli (engines are pure: they receive data, know no use case and no shell): "
        "markets/engine.py:3",
        "markets -> data (engines are pure: they receive data, know no use case and no shell): "
        "markets/engine.py:2",
        "web -> api (web and api are siblings: pages call kaigai.app (and kaigai.service), never "
        "the API): web/pages.py:2",
    ]
    assert core_io(pkg) == [
        "core/bad.py:1 imports duckdb",
        "core/bad.py:2 imports sqlite3",
        "core/bad.py:3 imports pandas",
        "core/bad.py:5 calls open()",
        "core/bad.py:8 calls write_text()",
    ]
    # the same shapes in a clean tree pass
    clean = _tree(
        tmp_path / "clean",
        {"kaigai/core/__init__.py": "import os\n", "kaigai/markets/__init__.py": "import ibis\n"},
    )
    assert package_edges(clean) == {} and core_io(clean) == []


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
    assert forbidden("web", "api") and forbidden("service", "api") and forbidden("service", "app")
    assert forbidden("web", "service") is None and forbidden("app", "service") is None
