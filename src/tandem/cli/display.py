"""Text output helpers for the CLI: padding by display width (CJK) and counts shown as integers.

A Chinese character takes two terminal cells, so ``f"{name:<16}"`` misaligns any column holding one; :func:`pad`
counts cells instead (rich's ``cell_len``). Counts (trades, shares, days) are carried as floats by the numeric
code; :func:`count_metrics` turns them back into integers before they are printed, as text or JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from rich.cells import cell_len

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


def import_hint() -> str:
    """The exact command that fills an empty market store with the bundled real-data sample."""
    return f"the market store is empty; import the bundled sample with: tandem data import {SAMPLE_DIR}"


# Backtest metrics that count things (events, days), printed as integers.
COUNT_METRICS = frozenset({"trades", "rule_events", "max_drawdown_duration"})


def pad(text: str, width: int, align: Literal["<", ">"] = "<") -> str:
    """``text`` padded with spaces to ``width`` terminal cells (never truncated)."""
    fill = " " * max(width - cell_len(text), 0)
    return text + fill if align == "<" else fill + text


def as_count(value: Any) -> Any:
    """An integral float as ``int`` (259.0 → 259); anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def count_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """``metrics`` with the :data:`COUNT_METRICS` entries as integers."""
    return {k: as_count(v) if k in COUNT_METRICS else v for k, v in metrics.items()}


def metric_text(name: str, value: Any) -> str:
    """One backtest metric for a table: counts as ``1,234``, other numbers with four decimals, ``—`` for none."""
    if value is None:
        return "—"
    if name in COUNT_METRICS:
        return f"{as_count(value):,}"
    return f"{value:,.4f}"
