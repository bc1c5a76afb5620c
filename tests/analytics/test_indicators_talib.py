"""Indicators equal TA-Lib (talib) to 1e-9 on real CSI 300 bars, including later-listed and suspended stocks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import talib

from tandem.analytics import indicators as ind

TOL = 1e-9
Columns = dict[str, np.ndarray]


def assert_same(ours: np.ndarray, theirs: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL, equal_nan=True)


def per_column(fn: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """Run a talib function column by column, as a caller without a panel API would."""
    return np.column_stack([fn(*(np.ascontiguousarray(a[:, j]) for a in arrays)) for j in range(arrays[0].shape[1])])


@pytest.fixture(scope="module")
def ohlcv(panels: dict[str, pd.DataFrame]) -> Columns:
    out = {k: panels[k].to_numpy(dtype=np.float64) for k in ("high", "low", "close")}
    # BaoStock leaves volume empty on suspended days; nothing traded, so 0 is the true volume.
    out["volume"] = panels["volume"].fillna(0.0).to_numpy(dtype=np.float64)
    return out


def test_fixture_has_late_listings_and_suspensions(panels: dict[str, pd.DataFrame]) -> None:
    close = panels["close"]
    assert close["sh.600938"].isna().sum() > 500
    assert (panels["tradestatus"] == 0).sum().sum() >= 30


@pytest.mark.parametrize("period", [1, 5, 20, 60])
def test_sma(ohlcv: Columns, period: int) -> None:
    assert_same(ind.sma(ohlcv["close"], period), per_column(lambda c: talib.SMA(c, period), ohlcv["close"]))


@pytest.mark.parametrize("period", [2, 12, 26, 60])
def test_ema(ohlcv: Columns, period: int) -> None:
    assert_same(ind.ema(ohlcv["close"], period), per_column(lambda c: talib.EMA(c, period), ohlcv["close"]))


@pytest.mark.parametrize("period", [2, 6, 14, 24])
def test_rsi(ohlcv: Columns, period: int) -> None:
    assert_same(ind.rsi(ohlcv["close"], period), per_column(lambda c: talib.RSI(c, period), ohlcv["close"]))


@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (5, 35, 5), (3, 10, 1)])
def test_macd(ohlcv: Columns, fast: int, slow: int, signal: int) -> None:
    ours = ind.macd(ohlcv["close"], fast, slow, signal)
    for k in range(3):
        theirs = per_column(lambda c, k=k: talib.MACD(c, fast, slow, signal)[k], ohlcv["close"])
        assert_same(ours[k], theirs)


@pytest.mark.parametrize("period", [1, 5, 14])
def test_atr(ohlcv: Columns, period: int) -> None:
    ours = ind.atr(ohlcv["high"], ohlcv["low"], ohlcv["close"], period)
    theirs = per_column(lambda h, lo, c: talib.ATR(h, lo, c, period), ohlcv["high"], ohlcv["low"], ohlcv["close"])
    assert_same(ours, theirs)


@pytest.mark.parametrize(("period", "nbdev"), [(5, 1.0), (20, 2.0), (60, 2.5)])
def test_bollinger(ohlcv: Columns, period: int, nbdev: float) -> None:
    ours = ind.bollinger(ohlcv["close"], period, nbdev)
    for k in range(3):
        theirs = per_column(lambda c, k=k: talib.BBANDS(c, period, nbdev, nbdev, 0)[k], ohlcv["close"])
        assert_same(ours[k], theirs)


def test_obv(ohlcv: Columns) -> None:
    assert_same(ind.obv(ohlcv["close"], ohlcv["volume"]), per_column(talib.OBV, ohlcv["close"], ohlcv["volume"]))


def test_one_dimensional_input_gives_one_dimensional_output(ohlcv: Columns) -> None:
    column = ohlcv["close"][:, 0]
    out = ind.sma(column, 10)
    assert out.shape == column.shape
    assert_same(out, talib.SMA(column, 10))


def test_suspension_rows_are_skipped(panels: dict[str, pd.DataFrame], ohlcv: Columns) -> None:
    """With suspended rows blanked, each value equals TA-Lib run on the traded rows only, NaN on the gaps."""
    suspended = panels["tradestatus"].to_numpy() == 0
    blanked = {k: np.where(suspended, np.nan, v) for k, v in ohlcv.items()}
    cases: list[tuple[np.ndarray, Callable[..., np.ndarray], tuple[str, ...]]] = [
        (ind.sma(blanked["close"], 20), lambda c: talib.SMA(c, 20), ("close",)),
        (ind.ema(blanked["close"], 12), lambda c: talib.EMA(c, 12), ("close",)),
        (ind.rsi(blanked["close"], 14), lambda c: talib.RSI(c, 14), ("close",)),
        (ind.macd(blanked["close"]).hist, lambda c: talib.MACD(c)[2], ("close",)),
        (ind.bollinger(blanked["close"]).upper, lambda c: talib.BBANDS(c, 20, 2, 2, 0)[0], ("close",)),
        (ind.atr(blanked["high"], blanked["low"], blanked["close"]), talib.ATR, ("high", "low", "close")),
        (ind.obv(blanked["close"], blanked["volume"]), talib.OBV, ("close", "volume")),
    ]
    for ours, fn, fields in cases:
        for j in range(ours.shape[1]):
            keep = ~suspended[:, j]
            theirs = fn(*(np.ascontiguousarray(ohlcv[f][keep, j]) for f in fields))
            assert np.isnan(ours[~keep, j]).all()
            assert_same(ours[keep, j], theirs)
    assert suspended.any()
