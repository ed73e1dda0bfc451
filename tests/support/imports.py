"""The import graph of the source tree, read from the code (every import
statement, including those inside functions), for the tests that hold the
layers in place."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    # "from pkg import sub" imports the submodule when there is one.
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def import_graph(*packages: str) -> dict[str, set[str]]:
    """module -> the modules (of the given top-level packages or any other) it imports."""
    paths = [path for package in packages for path in sorted((ROOT / package).rglob("*.py"))]
    known = {module_name(path) for path in paths}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node, module, path.name == "__init__.py"):
                if target in known or not target.startswith(packages):
                    graph[module].add(target)
                # "from pkg import name" where name is not a module: the package itself.
        graph.setdefault(module, set())
    return {module: {t for t in targets if t != module} for module, targets in graph.items()}


def registers(module: str, target: str) -> bool:
    """A blueprint package importing its own views at the bottom, the way
    Flask's docs do it, so the routes exist: registration, not a dependency."""
    return target.startswith(module + ".") and target.endswith("views")


def cycles(graph: dict[str, set[str]], within: str) -> list[list[str]]:
    """Every strongly connected group of more than one module under ``within``
    (Tarjan), blueprint registration aside."""
    nodes = [m for m in graph if m == within or m.startswith(within + ".")]
    graph = {m: {t for t in targets if not registers(m, t)} for m, targets in graph.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in nodes:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return found
