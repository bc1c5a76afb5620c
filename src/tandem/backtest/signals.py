"""Moving-average crossover signals computed exactly, for sweeps and the vectorbt comparison.

Prices quoted in whole cents make moving averages tie often (two MAs equal to the last digit), and then
float rounding — not the data — decides whether a cross happened: ``mean(a) > mean(b)`` can differ between
two libraries summing in a different order. We compare **integer-cent window sums** instead:
``fast_sum * slow_n > slow_sum * fast_n`` in int64 arithmetic, exact for any realistic price and window. A
tie is "not above", so equal MAs never trigger an entry (nor an exit: exits need strictly below).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tandem.core.errors import ValidationFailed

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def to_cents(prices: npt.ArrayLike) -> IntArray:
    """Prices in yuan → int64 cents (rounded half away from zero); NaN → 0 (treated as no data)."""
    p = np.asarray(prices, dtype=np.float64)
    return np.where(np.isfinite(p), np.sign(p) * np.floor(np.abs(p) * 100.0 + 0.5 + 1e-7), 0).astype(np.int64)


def window_sums(cents: IntArray, n: int) -> IntArray:
    """Rolling sums over ``n`` rows per column (rows before the window is full are 0 and flagged invalid)."""
    if n < 1 or n > cents.shape[0]:
        raise ValidationFailed(f"window {n} must be within 1..{cents.shape[0]} rows")
    c = np.cumsum(cents, axis=0)
    out = c.copy()
    out[n:] = c[n:] - c[:-n]
    return out


def ma_cross(cents: IntArray, fast: int, slow: int) -> tuple[BoolArray, BoolArray]:
    """Entries where the fast MA crosses strictly above the slow MA, exits where it crosses strictly below."""
    if not fast < slow:
        raise ValidationFailed(f"fast window {fast} must be shorter than slow window {slow}")
    f, s = window_sums(cents, fast), window_sums(cents, slow)
    lhs, rhs = f * slow, s * fast
    above, below = lhs > rhs, lhs < rhs
    valid = np.zeros(cents.shape, dtype=bool)
    valid[slow:] = True  # the previous row must also have a full slow window
    prev_above = np.vstack([np.zeros((1, cents.shape[1]), dtype=bool), above[:-1]])
    prev_below = np.vstack([np.zeros((1, cents.shape[1]), dtype=bool), below[:-1]])
    return above & ~prev_above & valid, below & ~prev_below & valid


def ma_cross_grid(cents: IntArray, pairs: list[tuple[int, int]]) -> tuple[BoolArray, BoolArray, IntArray]:
    """Entries/exits for every (fast, slow) pair side by side: columns = pair-major × stocks.

    Returns ``(entries, exits, col_stock)`` where ``col_stock[c]`` is the stock column of grid column c.
    """
    n = cents.shape[1]
    en = np.empty((cents.shape[0], n * len(pairs)), dtype=bool)
    ex = np.empty_like(en)
    for k, (f, s) in enumerate(pairs):
        en[:, k * n : (k + 1) * n], ex[:, k * n : (k + 1) * n] = ma_cross(cents, f, s)
    return en, ex, np.tile(np.arange(n, dtype=np.int64), len(pairs))
