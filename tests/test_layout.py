"""The package's layers: no import cycles, and attrib modules imported at the top of a module.

Only the CLI imports library modules inside functions, on purpose, so that ``attrib --help``
needs no scikit-learn; ``attrib/__init__.py`` loads the public API lazily the same way. The two
other places are ``Model.pipeline`` and the reading of old pickle model files, so that a loaded
model scores without scikit-learn.
"""

from __future__ import annotations

import ast
from pathlib import Path

import attrib

PACKAGE = Path(attrib.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> tuple[set[str], set[str]]:
    """The attrib modules ``path`` imports outside functions, and inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
    }
    top: set[str] = set()
    nested: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attrib"):
            names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names = {a.name for a in node.names if a.name.startswith("attrib")}
        else:
            continue
        known = {n for n in names if n in MODULES}
        (nested if id(node) in inside else top).update(known)
    return top, nested


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_no_import_cycles() -> None:
    graph = {name: imports(path)[0] | imports(path)[1] for name, path in MODULES.items()}
    for name in graph:  # a package's __init__ importing its own modules is not a cycle
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".") and m != "attrib"}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_only_the_cli_imports_attrib_modules_inside_functions() -> None:
    nested = {
        name: sorted(imports(path)[1])
        for name, path in MODULES.items()
        if not name.startswith("attrib.cli") and name != "attrib" and imports(path)[1]
    }
    assert nested == {
        "attrib.modeling.model": ["attrib.modeling.pipeline"],
        "attrib.storage.modelfile": ["attrib.storage", "attrib.storage.legacy"],
    }


def test_the_layout_shows_the_layers() -> None:
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == [
        "cli", "evaluation", "explanation", "features", "fetching", "modeling", "presentation",
        "reading", "scale", "storage", "web",
    ]  # fmt: skip
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    # republish.py is public API by name (attrib.republish) and a leaf: text in, text out.
    assert flat == [
        "__init__.py", "__main__.py", "errors.py", "options.py", "outlets.py", "republish.py",
    ]  # fmt: skip
