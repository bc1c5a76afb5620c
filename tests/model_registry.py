"""Every module that defines tables on tandem.core.db.Base (the migrations must create exactly these)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "tandem.compliance.models",
    "tandem.wealth.models",
    "tandem.web.models",
    "tandem.backtest.models",
    "tandem.diagnosis.models",
)


def import_all_models() -> list[str]:
    """Import the model modules that exist; return their names."""
    found = []
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.append(name)
    return found
