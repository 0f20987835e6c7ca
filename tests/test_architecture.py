"""The house rules of the code (README, "Map of the code"): imports run one way, no module
imports one that imports it back, WeasyPrint and pyHanko each have one importer, and no module
grows past the size a newcomer can read. Read from the source, so a new module is checked the
day it lands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("proposals", "measures", "suizhou_replies")
MAX_LINES = 600

# Layers, lowest first. A module imports only modules of its own layer or lower ones.
LAYERS = (
    ("wording", ("proposals.letters.wording",)),
    ("models", ("proposals.models", "measures.models")),
    (
        "letters, supervision, records",
        (
            "proposals.letters",
            "proposals.supervision",
            "proposals.records",
            "measures.outline",
            "proposals.demo",
            "proposals.sms",
        ),
    ),
    ("workflow", ("proposals.workflow",)),
    ("forms", ("proposals.forms", "measures.forms")),
    (
        "views and entry points",
        (
            "proposals.views",
            "proposals.web",
            "proposals.admin",
            "proposals.apps",
            "proposals.management",
            "measures.admin",
            "measures.apps",
            "suizhou_replies",
        ),
    ),
)


ROOTS = ("proposals", "measures")  # package docstrings only: importing them imports nothing


def layer_of(module: str) -> int:
    if module in ROOTS:
        return 0
    best, rank = "", None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, index
    if rank is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in tests/test_architecture.py")
    return rank


def source_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = source_modules()
# Packages whose __init__ holds a docstring and no import: importing one of their modules adds
# nothing of the package's.
PLAIN_PACKAGES = {
    module
    for module, path in MODULES.items()
    if path.name == "__init__.py"
    and not any(
        isinstance(node, ast.Import | ast.ImportFrom)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )
}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(module: str, path: Path) -> set[str]:
    """The project modules `module` imports, at the top or inside functions (imports under
    `if TYPE_CHECKING:` are for the type checker only and run never)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                submodules = {f"{child.module}.{alias.name}" for alias in child.names} & MODULES.keys()
                found.update(submodules)
                # `from package import module` runs the package's __init__ too, unless it has none
                if len(submodules) < len(child.names) or child.module not in PLAIN_PACKAGES:
                    found.add(child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imported_modules(module, path) for module, path in MODULES.items()}


def test_every_module_belongs_to_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_run_one_way():
    upward = [
        f"{module}（{LAYERS[layer_of(module)][0]}）imports {target}（{LAYERS[layer_of(target)][0]}）"
        for module, targets in GRAPH.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_the_wording_imports_nothing_of_the_project():
    assert GRAPH["proposals.letters.wording"] == set()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in graph:
        if node not in index:
            connect(node)
    return found


def _without_package_reexports(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ that re-exports its modules (proposals.models) is their public face,
    not a dependency of theirs: a module importing `proposals.models` from inside the package
    would still be a circle, so only the package → member edges are dropped."""
    return {
        module: {t for t in targets if not t.startswith(module + ".")} for module, targets in graph.items()
    }


def test_no_module_imports_one_that_imports_it_back():
    assert _cycles(_without_package_reexports(GRAPH)) == []


def test_the_circle_check_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("library", "owner"),
    [("weasyprint", "proposals.letters.rendering"), ("pyhanko", "proposals.letters.signing")],
)
def test_one_module_imports_each_heavy_library(library, owner):
    importers = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == library or name.startswith(library + ".") for name in names):
                importers.append(module)
                break
    assert importers == [owner]


def test_no_module_is_longer_than_a_newcomer_can_read():
    long = {
        module: n
        for module, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_package_says_what_lives_there():
    undocumented = [
        module
        for module, path in MODULES.items()
        if path.name == "__init__.py"
        and "management" not in path.parts
        and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert undocumented == []
