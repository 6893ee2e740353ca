"""The package layout: imports flow one way (core -> edges -> command line), without cycles.

Every module's imports are read with ``ast``, the ones inside functions and under
``TYPE_CHECKING`` included, so a late import cannot hide a dependency. A module's parent packages
are not counted as imported: Python runs their ``__init__`` first, but that is how packages work,
not a dependency the module chose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "formcheck"

#: The layer of each part of the package (the longest matching name wins).
LAYER_OF = {
    "formcheck._version": "base",
    "formcheck.errors": "base",
    "formcheck.config": "base",
    "formcheck.closing": "base",
    "formcheck.pose.landmarks": "core",
    "formcheck.pose.estimator": "core",
    "formcheck.measure": "core",
    "formcheck.analysis": "core",
    "formcheck.pose": "edge",  # the MediaPipe wrapper, model files, saved tracks
    "formcheck.media": "edge",
    "formcheck.report": "edge",
    "formcheck.history": "edge",
    "formcheck.run": "app",
    "formcheck.live": "app",
    "formcheck.synth": "app",
    "formcheck.web": "app",  # the browser front end: a front end over the library, like cli
    "formcheck": "app",  # the flat public API in formcheck/__init__.py
    "formcheck.cli": "cli",
    "formcheck.__main__": "cli",
}

#: The layers each layer may import.
MAY_IMPORT = {
    "base": {"base"},
    "core": {"base", "core"},
    "edge": {"base", "core", "edge"},
    "app": {"base", "core", "edge", "app"},
    "cli": {"base", "core", "edge", "app", "cli"},
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYER_OF:
            return LAYER_OF[".".join(parts[:n])]
    raise KeyError(f"{module} is in no layer: add it to LAYER_OF")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, name: str, modules: set[str], *, is_package: bool = False) -> set[str]:
    """The modules (of ``modules``) that the module ``name`` imports, anywhere in ``source``."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # from a.b import c: c may be a module itself
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {
        module_name(p): imports_of(
            p.read_text(), module_name(p), modules, is_package=p.name == "__init__.py"
        )
        for p in paths
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of imports (``[a, b, ..., a]``), or None when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes against the layers, as ``a (layer) -> b (layer)``."""
    return [
        f"{a} ({layer_of(a)}) -> {b} ({layer_of(b)})"
        for a, targets in sorted(graph.items())
        for b in sorted(targets)
        if layer_of(b) not in MAY_IMPORT[layer_of(a)]
    ]


# -- the checks can fail --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, None),  # a diamond is no cycle
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle_finds_a_cycle_in_a_small_graph(
    graph: dict[str, set[str]], cycle: list[str] | None
) -> None:
    assert find_cycle(graph) == cycle


def test_a_core_module_importing_an_edge_module_is_a_violation() -> None:
    graph = {
        "formcheck.measure.geometry": {"formcheck.report.report", "formcheck.errors"},
        "formcheck.run.batch": {"formcheck.cli.app"},
        "formcheck.cli.app": {"formcheck.run.batch"},
    }
    assert layer_violations(graph) == [
        "formcheck.measure.geometry (core) -> formcheck.report.report (edge)",
        "formcheck.run.batch (app) -> formcheck.cli.app (cli)",
    ]


def test_late_and_relative_imports_are_read_too() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import formcheck.report.report\n"
        "def f():\n    from formcheck.media import outputs\n"
        "from . import geometry\n"
    )
    known = {
        "formcheck.report.report",
        "formcheck.media",
        "formcheck.media.outputs",
        "formcheck.measure.geometry",
    }
    assert imports_of(source, "formcheck.measure.spine", known) == {
        "formcheck.report.report",
        "formcheck.media.outputs",
        "formcheck.measure.geometry",
    }


# -- the package -----------------------------------------------------------------------------


def test_every_module_is_in_a_layer() -> None:
    for module in import_graph():
        layer_of(module)


def test_no_import_cycles() -> None:
    assert find_cycle(import_graph()) is None


def test_imports_flow_from_the_core_to_the_edges_to_the_command_line() -> None:
    assert layer_violations(import_graph()) == []


def test_only_the_mediapipe_wrapper_imports_mediapipe() -> None:
    importers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "mediapipe" or n.startswith("mediapipe.") for n in names):
                importers.append(module_name(path))
    assert sorted(set(importers)) == ["formcheck.pose.mediapipe_pose"]


def test_few_modules_stay_at_the_top_and_each_subpackage_says_what_it_is_for() -> None:
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.parent.name}/__init__.py has no docstring"
