"""The package's layers: every import (at module level or inside a function) goes downwards, never in a circle.

The layers, lowest first (a module may import its own layer's modules and every lower layer's):

    core < notation < algebra < compile < equality < nets < optim < check < bench, verify < cli, selftest < __main__

``einsteinpy_lite/__init__.py`` is the facade above them all and is not checked. Imports under
``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "einsteinpy_lite"

RANK = {"core": 0, "notation": 1, "algebra": 2, "compile": 3, "equality": 4, "nets": 5,
        "optim": 6, "check": 7, "bench": 8, "verify": 8, "cli": 9, "selftest": 9, "__main__": 10}


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if not parts:
            continue  # the facade
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(module: str, path: pathlib.Path) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import of a module of this package in ``path``."""
    tree = ast.parse(path.read_text())
    is_pkg = path.name == "__init__.py"
    package = module.split(".") if is_pkg else module.split(".")[:-1]
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module == "einsteinpy_lite" or node.module.startswith("einsteinpy_lite.")):
                target = node.module[len("einsteinpy_lite") + 1:]
            else:
                target = None
            if target is not None:
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    found.append((node.lineno, sub if sub in _MODULES else target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("einsteinpy_lite."):
                    found.append((node.lineno, alias.name[len("einsteinpy_lite") + 1:]))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
                if name.startswith("."):
                    level = len(name) - len(name.lstrip("."))
                    base = package[: len(package) - (level - 1)] if level > 1 else package
                    found.append((node.lineno, ".".join([*base, name.lstrip(".")]).strip(".")))
                elif name.startswith("einsteinpy_lite."):
                    found.append((node.lineno, name[len("einsteinpy_lite") + 1:]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(line, t) for line, t in found if t]


_MODULES = _modules()


def _layer(module: str) -> str:
    return module.split(".")[0]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in _MODULES.items():
        graph[module] = set()
        for _, target in _imports(module, path):
            # importing a package means importing its __init__, which is that package's module
            while target not in _MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in _MODULES and target != module:
                graph[module].add(target)
    return graph


def test_every_module_belongs_to_a_layer():
    unknown = sorted({_layer(m) for m in _MODULES} - set(RANK))
    assert not unknown, f"modules outside the layers {sorted(RANK)}: {unknown}"


@pytest.mark.parametrize("module", sorted(_MODULES))
def test_imports_go_downwards(module):
    bad = []
    for line, target in _imports(module, _MODULES[module]):
        mine, theirs = _layer(module), _layer(target)
        if theirs not in RANK:
            continue
        if mine != theirs and RANK[theirs] >= RANK[mine]:
            bad.append(f"line {line}: {module} ({mine}) imports {target} ({theirs})")
    assert not bad, "upward or sideways imports:\n" + "\n".join(bad)


def test_no_import_cycles():
    graph = _graph()
    # a package's __init__ aggregating its own modules is not a cycle with them
    edges = {m: {t for t in ts if not (_MODULES[t].name == "__init__.py" and m.startswith(t + "."))}
             for m, ts in graph.items()}
    colour: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def dfs(m: str) -> None:
        colour[m] = 1
        stack.append(m)
        for t in sorted(edges[m]):
            if colour.get(t) == 1:
                cycles.append([*stack[stack.index(t):], t])
            elif t not in colour:
                dfs(t)
        stack.pop()
        colour[m] = 2

    for m in sorted(edges):
        if m not in colour:
            dfs(m)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The walk itself works: an import from a higher layer inside a function is found."""
    fake = tmp_path / "m.py"
    fake.write_text("def f():\n    from ...compile import compile\n    return compile\n")
    assert _imports("core.m", fake) == [(2, "compile")]
