"""Every module that defines tables on tandem.core.db.Base (the migrations must create exactly these)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "tandem.compliance.models",
    "tandem.wealth.models",
    "tandem.identity.models",
    "tandem.engagement.models",
    "tandem.wealth.holdings.models",
    "tandem.backtest.jobs.models",
    "tandem.backtest.screener.models",
    "tandem.engagement.delivery.models",
    "tandem.engagement.profile_models",
    "tandem.advisor.models",
    "tandem.operations.models",
)


def import_all_models() -> list[str]:
    """Import every model module (a missing one is an error: update this list when models move)."""
    found = []
    for name in MODEL_MODULES:
        importlib.import_module(name)
        found.append(name)
    return found
