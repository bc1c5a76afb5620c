"""Rolling volatility (shifted running sums) against a two-pass std of every window, on hard inputs.

Synthetic, seeded series: returns with a jump of 9.0 (a tiling seam), a flat stretch (suspension-like
zeros), NaN holes, and a price-level series trending from 10 to 2,000 — the cases where running sums lose
digits unless they are recomputed.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from tandem.analytics.indicators import rolling_volatility


def two_pass(x: np.ndarray, window: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    for j in range(x.shape[1]):
        idx = np.flatnonzero(~np.isnan(x[:, j]))
        if len(idx) >= window:
            out[idx[window - 1 :], j] = sliding_window_view(x[idx, j], window).std(axis=1, ddof=1) * np.sqrt(252)
    return out


@pytest.mark.parametrize("window", [2, 5, 20, 130])
def test_matches_two_pass_on_jumps_flats_holes_and_trends(window: int) -> None:
    rng = np.random.default_rng(20261127)
    r = rng.normal(0.0, 0.02, (600, 3))
    r[200, 0] = 9.0
    r[300:380, 1] = 0.0
    r[rng.random(r.shape) < 0.05] = np.nan
    trend = np.linspace(10.0, 2000.0, 600) * np.exp(rng.normal(0.0, 0.01, 600))
    x = np.column_stack([r, trend])
    ours, ref = rolling_volatility(x, window), two_pass(x, window)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert np.all(ours[380:, 1][np.isfinite(ours[380:, 1])] > 0.0)  # after the flat stretch again
    flat = ours[300 + window + 10 : 380, 1]
    assert np.all(flat[np.isfinite(flat)] < 1e-12)  # a flat window has zero volatility, not sqrt(rounding)
