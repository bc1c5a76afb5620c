"""Hand-built session bars for the trigger tests (each row is one case, named by its code)."""

from __future__ import annotations

from datetime import date

import numpy as np

from tandem.engagement.triggers.records import SessionBars

DAY = date(2024, 3, 5)
NAN = float("nan")

# code, open, high, low, close, preclose, volume, avg_volume, prev_high, prev_low, limit_up, limit_down
ROWS = [
    ("600001.SH", 10.3, 11.00, 10.4, 11.00, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # sealed limit-up
    ("600002.SH", 10.1, 11.00, 10.0, 10.60, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # limit-up opened (炸板)
    ("600003.SH", 9.5, 9.60, 9.00, 9.00, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # sealed limit-down
    ("600004.SH", 9.5, 9.60, 9.00, 9.30, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # limit-down opened
    ("600005.SH", 10.0, 10.3, 9.90, 10.10, 10.0, 3.5e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # volume spike x3.5
    ("600006.SH", 10.5, 10.6, 10.45, 10.50, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # gap up 0.3 > 2% of 10
    ("600007.SH", 9.5, 9.55, 9.40, 9.50, 10.0, 1e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # gap down 0.3
    ("600008.SH", 10.0, 10.1, 9.95, 10.05, 10.0, 2.9e6, 1e6, 10.2, 9.8, 11.00, 9.00),  # nothing (2.9x, no gap)
    ("688001.SH", 30.0, 45.0, 29.0, 44.0, 30.0, 1e6, NAN, NAN, NAN, NAN, NAN),  # IPO day: no band, no history
]


def bars(rows: list[tuple[object, ...]] | None = None) -> SessionBars:
    data = rows or ROWS
    col = lambda j: np.array([r[j] for r in data], dtype=np.float64)  # noqa: E731
    return SessionBars(
        day=DAY,
        codes=np.array([r[0] for r in data]),
        names=np.array([f"股票{str(r[0])[3:6]}" for r in data]),
        open=col(1),
        high=col(2),
        low=col(3),
        close=col(4),
        preclose=col(5),
        volume=col(6),
        avg_volume=col(7),
        prev_high=col(8),
        prev_low=col(9),
        limit_up=col(10),
        limit_down=col(11),
        synthetic=True,
    )
