"""Every module that defines tables on tandem.core.db.Base, found by walking the source (no hand-kept list).

A class with ``__tablename__`` may only live in a module named ``models`` or ``<something>_models``; the walk is
an AST scan (no import of every module), so it is cheap and sees tables nobody imports yet.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def table_modules(root: Path = SRC) -> dict[str, list[str]]:
    """``module name → table class names`` for every source file that defines a table."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "tandem").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(
                isinstance(stmt, ast.Assign | ast.AnnAssign)
                and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in _targets(stmt))
                for stmt in node.body
            )
        ]
        if classes:
            found[".".join(path.relative_to(root).with_suffix("").parts)] = classes
    return found


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    assert isinstance(stmt, ast.AnnAssign)
    return [stmt.target]


def misplaced(modules: dict[str, list[str]]) -> list[str]:
    """Table-defining modules whose name breaks the rule (``models`` or ``*_models``)."""
    return [m for m in modules if not (m.rsplit(".", 1)[-1] == "models" or m.endswith("_models"))]


def import_all_models() -> list[str]:
    """Import every table-defining module (refusing one outside a ``models`` module)."""
    modules = table_modules()
    bad = misplaced(modules)
    if bad:
        raise AssertionError(f"tables must live in a models module; move them: {', '.join(bad)}")
    for name in modules:
        importlib.import_module(name)
    return list(modules)
