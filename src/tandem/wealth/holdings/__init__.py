"""Simulated holdings: what a client "owns" after accepting a plan (no money moves)."""

from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.holdings.service import (
    HoldingValue,
    current_holdings,
    held_amounts,
    replace_holdings,
    value_holdings,
)

__all__ = ["HoldingValue", "SimHoldingRow", "current_holdings", "held_amounts", "replace_holdings", "value_holdings"]
