"""cvxpy, imported on first use.

Loading cvxpy takes about 1.7 s; most wealth commands (the questionnaire, strategy lists, stored plans) never
optimise, so the allocation modules call :func:`cvxpy` inside the functions that build problems instead of
importing it at module level. cvxpy's partial type hints do not cover its atoms, so the module is typed ``Any``.
"""

from __future__ import annotations

import importlib
from typing import Any


def cvxpy() -> Any:
    """The cvxpy module (a ``sys.modules`` lookup after the first call)."""
    return importlib.import_module("cvxpy")
