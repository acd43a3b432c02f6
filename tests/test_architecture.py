"""The house: stages import only earlier stages (the import-linter contract in pyproject.toml), no module
imports another in a loop (imports inside functions included), and docs/architecture.md names exactly
the modules there are."""

from __future__ import annotations

import os
import re
import sys

import pytest

from conftest import REPO

grimp = pytest.importorskip("grimp", reason="import-linter (and its grimp) is a test dependency: pip install '.[test]'")


def _modules_on_disk() -> set[str]:
    out = set()
    for path in (REPO / "histpack").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] in ("__init__", "__main__"):
            continue
        out.add(".".join(parts))
    return out


def test_stages_import_only_earlier_stages(monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(REPO)
    monkeypatch.syspath_prepend(str(REPO))
    assert lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
    return found


def test_no_module_imports_another_in_a_loop(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))
    graph = grimp.build_graph("histpack", cache_dir=None)
    assert _cycles(graph) == []
    assert "histpack.cli.app" in graph.modules and graph.find_modules_directly_imported_by("histpack.cli.app")


def test_the_architecture_page_names_every_module_and_no_other():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `(histpack(?:\.\w+)+)` \| (\w+) \|", text, flags=re.M))
    assert {module for module, _ in named} == _modules_on_disk()
    for module, stage in named:
        assert module.split(".")[1] == stage, module


def test_nothing_is_called_builder_any_more():
    assert not (REPO / "builder").exists()
    assert "builder" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert not any(name == "builder" or name.startswith("builder.") for name in sys.modules)
    assert os.path.basename(os.path.dirname(__import__("histpack").__file__)) == "histpack"
