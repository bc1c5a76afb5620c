"""Rolling volatility, rolling beta and drawdown against pandas on real returns; DataFrame wrappers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tandem.analytics import frames
from tandem.analytics import indicators as ind
from tandem.core.errors import ValidationFailed


@pytest.mark.parametrize("window", [2, 20, 60])
def test_rolling_volatility_matches_pandas(returns: pd.DataFrame, window: int) -> None:
    ours = ind.rolling_volatility(returns.to_numpy(), window)
    theirs = returns.rolling(window).std(ddof=1).to_numpy() * np.sqrt(252)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10, equal_nan=True)


@pytest.mark.parametrize("window", [20, 120])
def test_rolling_beta_matches_pandas(returns: pd.DataFrame, bench_returns: pd.Series, window: int) -> None:
    ours = ind.rolling_beta(returns.to_numpy(), bench_returns.to_numpy(), window)
    theirs = returns.rolling(window).cov(bench_returns) / bench_returns.rolling(window).var().to_numpy()[:, None]
    # pandas' window covers calendar rows; ours covers the last `window` rows where both are present,
    # which is the same set wherever no NaN sits inside the window (true after each listing's warm-up).
    both = returns.notna().to_numpy() & bench_returns.notna().to_numpy()[:, None]
    full = pd.DataFrame(both).rolling(window).sum().to_numpy() == window
    np.testing.assert_allclose(ours[full], theirs.to_numpy()[full], rtol=1e-9, atol=1e-12)
    assert np.isnan(ours[~full & ~both]).all()


def test_rolling_beta_skips_gaps_like_compressed_series(returns: pd.DataFrame, bench_returns: pd.Series) -> None:
    r = returns["sh.601211"].to_numpy().copy()
    r[100:110] = np.nan
    keep = ~np.isnan(r) & ~np.isnan(bench_returns.to_numpy())
    ours = ind.rolling_beta(r, bench_returns.to_numpy(), 30)
    rs, bs = pd.Series(r[keep]), pd.Series(bench_returns.to_numpy()[keep])
    theirs = (rs.rolling(30).cov(bs) / bs.rolling(30).var()).to_numpy()
    np.testing.assert_allclose(ours[keep], theirs, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert np.isnan(ours[~keep]).all()


def test_drawdown_matches_running_peak(panels: dict[str, pd.DataFrame]) -> None:
    close = panels["close"]
    ours = ind.drawdown(close.to_numpy())
    theirs = (close / close.cummax() - 1.0).to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-15, equal_nan=True)
    assert np.nanmax(ours) == 0.0
    assert np.nanmin(ours[:, list(close.columns).index("sh.600519")]) < -0.4


def test_frames_keep_labels_and_values(panels: dict[str, pd.DataFrame], returns: pd.DataFrame) -> None:
    close = panels["close"]
    out = frames.sma(close, 5)
    assert out.index.equals(close.index) and out.columns.equals(close.columns)
    np.testing.assert_array_equal(out.to_numpy(), ind.sma(close.to_numpy(), 5))
    bands = frames.bollinger(close)
    assert (bands.upper >= bands.lower).where(bands.upper.notna(), True).all().all()
    m = frames.macd(close)
    np.testing.assert_array_equal(m.hist.to_numpy(), ind.macd(close.to_numpy()).hist)
    a = frames.atr(panels["high"], panels["low"], close)
    assert a.shape == close.shape
    vol = panels["volume"].fillna(0.0)
    np.testing.assert_array_equal(frames.obv(close, vol).to_numpy(), ind.obv(close.to_numpy(), vol.to_numpy()))
    bench = returns.mean(axis=1).iloc[::-1]  # deliberately out of order: the wrapper aligns on the index
    beta = frames.rolling_beta(returns, bench, 20)
    expected = ind.rolling_beta(returns.to_numpy(), bench.sort_index().to_numpy(), 20)
    np.testing.assert_array_equal(beta.to_numpy(), expected)
    assert frames.rsi(close).shape == frames.ema(close, 3).shape == frames.drawdown(close).shape
    assert frames.rolling_volatility(returns, 20).shape == returns.shape


@pytest.mark.parametrize(
    "call",
    [
        lambda: ind.sma(np.ones(5), 0),
        lambda: ind.rsi(np.ones(5), 1),
        lambda: ind.ema(np.ones((2, 2, 2)), 3),
        lambda: ind.macd(np.ones(50), fast=26, slow=12),
        lambda: ind.atr(np.ones(5), np.ones(4), np.ones(5)),
        lambda: ind.bollinger(np.ones(5), 3, nbdev=-1.0),
        lambda: ind.rolling_beta(np.ones((5, 2)), np.ones(4), 3),
        lambda: ind.drawdown(np.array([1.0, 0.0, 2.0])),
    ],
)
def test_bad_arguments_raise_validation_failed(call: object) -> None:
    with pytest.raises(ValidationFailed):
        call()  # type: ignore[operator]
