"""No two subpackages of desktop import each other, directly or round a loop (issue 15; STYLE.md 2: the folder tree
shows the architecture, so its arrows must point one way). Every import counts, module-level, function-level and
TYPE_CHECKING alike: a function-level import is still a dependency, only a later one."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import desktop

PACKAGE = Path(desktop.__file__).resolve().parent



def _subpackage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "desktop" and (PACKAGE / parts[1]).is_dir() else None


def _imports(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upward
                anchor = module.split(".")[: -node.level] if path.name != "__init__.py" else \
                    module.split(".")[: len(module.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        source = _subpackage(module)
        if source is None:
            continue
        for target in {_subpackage(name) for name in _imports(path, module)}:
            if target and target != source:
                graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of subpackages (Tarjan), as a sorted list; a cycle is a group of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle_between_desktop_subpackages() -> None:
    graph = package_graph()
    found = cycles(graph)
    described = [" <-> ".join(group) + ": " + "; ".join(f"{a} imports {sorted(graph[a] & set(group))}"
                                                      for a in group) for group in found]
    assert not found, "import cycles between desktop subpackages:\n" + "\n".join(described)


def test_the_check_sees_function_level_and_type_checking_imports(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from desktop.store import Store\n"
                      "def run():\n    from desktop.rules import evaluate\n    import desktop.records.model\n", "utf-8")
    assert {"desktop.store", "desktop.rules", "desktop.records.model"} <= _imports(source, "desktop.sync.mod")
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []

