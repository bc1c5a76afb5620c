"""Hypothesis properties of the indicators and metrics on seeded synthetic inputs (labelled synthetic)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tandem.analytics import indicators as ind
from tandem.analytics import metrics

prices = arrays(np.float64, st.integers(2, 80), elements=st.floats(1.0, 1000.0, allow_nan=False))
periods = st.integers(1, 30)


@settings(max_examples=60, deadline=None)
@given(value=st.floats(0.01, 1e4), n=st.integers(1, 60), period=periods)
def test_moving_averages_of_a_constant_are_the_constant(value: float, n: int, period: int) -> None:
    x = np.full(n, value)
    for out in (ind.sma(x, period), ind.ema(x, period), ind.bollinger(x, period).upper):
        assert np.isnan(out[: period - 1]).all()
        np.testing.assert_allclose(out[period - 1 :], value, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(x=prices, volume=st.floats(1.0, 1e6))
def test_obv_sign_follows_the_close(x: np.ndarray, volume: float) -> None:
    vol = np.full(x.shape, volume)
    out = ind.obv(x, vol)
    step = np.diff(out)
    move = np.sign(np.diff(x))
    np.testing.assert_array_equal(np.sign(step), move)
    assert out[0] == volume


@settings(max_examples=60, deadline=None)
@given(x=prices, period=st.integers(2, 20))
def test_rsi_is_bounded_and_bands_are_ordered(x: np.ndarray, period: int) -> None:
    r = ind.rsi(x, period)
    assert ((r[~np.isnan(r)] >= 0) & (r[~np.isnan(r)] <= 100)).all()
    bands = ind.bollinger(x, period)
    ok = ~np.isnan(bands.middle)
    assert (bands.upper[ok] >= bands.middle[ok]).all() and (bands.middle[ok] >= bands.lower[ok]).all()
    assert (ind.drawdown(x) <= 0).all()


@settings(max_examples=40, deadline=None)
@given(x=prices, gap=st.integers(0, 79), period=st.integers(1, 10))
def test_a_nan_row_is_skipped_not_propagated(x: np.ndarray, gap: int, period: int) -> None:
    gap = gap % len(x)
    holed = x.copy()
    holed[gap] = np.nan
    expected = np.full(x.shape, np.nan)
    expected[np.arange(len(x)) != gap] = ind.ema(np.delete(x, gap), period)
    np.testing.assert_array_equal(ind.ema(holed, period), expected)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 200))
def test_metrics_of_independent_columns_equal_one_at_a_time(seed: int, n: int) -> None:
    r = np.random.default_rng(seed).normal(0.0005, 0.02, size=(n, 3))  # synthetic, seeded
    panel = metrics.summarize(r, benchmark=r[:, 0])
    for j in range(3):
        single = metrics.summarize(r[:, j], benchmark=r[:, 0])
        for key, values in panel.items():
            np.testing.assert_allclose(values[j], single[key], rtol=1e-12, equal_nan=True)
    assert (metrics.max_drawdown(r) <= 0).all()
    assert (metrics.max_drawdown_duration(r) <= n).all()


def test_single_column_sma_equals_the_panel_kernel() -> None:
    from tandem.analytics._kernels_avg import sma_kernel, sma_single_column_kernel

    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(size=(600, 1)), axis=0) + 100.0
    x[:7, 0] = np.nan  # late listing
    x[200:205, 0] = np.nan  # suspension
    a, b = np.empty_like(x), np.empty_like(x)
    sma_kernel(x, 20, a)
    sma_single_column_kernel(x, 20, b)
    np.testing.assert_array_equal(a, b)
