"""Performance metrics equal empyrical-reloaded's on real daily returns (to 1e-10), column by column."""

from __future__ import annotations

from collections.abc import Callable

import empyrical
import numpy as np
import pandas as pd
import pytest

from tandem.analytics import metrics

TOL = 1e-10


@pytest.fixture(scope="module")
def r(returns: pd.DataFrame) -> np.ndarray:
    """Returns with a NaN head for later listings, the first row NaN for all, and gaps blanked by hand."""
    values = returns.to_numpy(dtype=np.float64).copy()
    values[300:305, 1] = np.nan  # a stretch of missing days in the middle of one series
    return values


@pytest.fixture(scope="module")
def b(bench_returns: pd.Series) -> np.ndarray:
    return bench_returns.to_numpy(dtype=np.float64)


def per_series(fn: Callable[[np.ndarray], float], values: np.ndarray) -> np.ndarray:
    return np.array([fn(values[:, j]) for j in range(values.shape[1])])


def assert_close(ours: np.ndarray, theirs: np.ndarray) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, equal_nan=True)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (metrics.total_return, empyrical.cum_returns_final),
        (metrics.annual_return, empyrical.annual_return),
        (metrics.annual_volatility, empyrical.annual_volatility),
        (metrics.sharpe_ratio, empyrical.sharpe_ratio),
        (metrics.sortino_ratio, empyrical.sortino_ratio),
        (metrics.downside_risk, empyrical.downside_risk),
        (metrics.max_drawdown, empyrical.max_drawdown),
        (metrics.calmar_ratio, empyrical.calmar_ratio),
    ],
)
def test_single_series_metrics(r: np.ndarray, ours: Callable[..., np.ndarray], theirs: Callable[..., float]) -> None:
    result = ours(r)
    assert result.shape == (r.shape[1],)
    assert_close(result, per_series(theirs, r))
    assert_close(ours(r[:, 2]), np.asarray(theirs(r[:, 2])))


def test_alpha_beta(r: np.ndarray, b: np.ndarray) -> None:
    alpha, beta = metrics.alpha_beta(r, b)
    expected = np.array([empyrical.alpha_beta(r[:, j], b) for j in range(r.shape[1])])
    assert_close(alpha, expected[:, 0])
    assert_close(beta, expected[:, 1])
    assert_close(metrics.beta(r, b), per_series(lambda x: empyrical.beta(x, b), r))
    rf = 0.0001
    assert_close(metrics.alpha(r, b, risk_free=rf), per_series(lambda x: empyrical.alpha(x, b, risk_free=rf), r))


def test_risk_free_and_required_return(r: np.ndarray) -> None:
    assert_close(metrics.sharpe_ratio(r, 0.0002), per_series(lambda x: empyrical.sharpe_ratio(x, 0.0002), r))
    assert_close(metrics.sortino_ratio(r, 0.001), per_series(lambda x: empyrical.sortino_ratio(x, 0.001), r))


def test_edge_cases_match_empyrical() -> None:
    flat = np.full((10, 1), 0.001)
    assert metrics.sharpe_ratio(flat)[0] == empyrical.sharpe_ratio(flat[:, 0]) == np.inf
    one_row = np.array([[0.01, -0.02]])
    assert np.isnan(metrics.annual_volatility(one_row)).all()
    assert np.isnan(empyrical.annual_volatility(one_row[:, 0]))
    rising = np.full(20, 0.01)
    assert np.isnan(metrics.calmar_ratio(rising)) and np.isnan(empyrical.calmar_ratio(rising))
    all_nan = np.full((5, 1), np.nan)
    assert metrics.total_return(all_nan)[0] == 0.0 == empyrical.cum_returns_final(all_nan[:, 0])
    assert np.isnan(metrics.annual_volatility(all_nan)[0])


def test_summarize_has_every_metric_per_series(r: np.ndarray, b: np.ndarray) -> None:
    out = metrics.summarize(r, benchmark=b)
    assert {"sharpe_ratio", "max_drawdown_duration", "alpha", "beta", "win_rate"} <= set(out)
    assert all(v.shape == (r.shape[1],) for v in out.values())
    assert_close(out["sharpe_ratio"], metrics.sharpe_ratio(r))
    one = metrics.summarize(r[:, 0])
    assert one["annual_return"].shape == () and "alpha" not in one


def test_dataframe_input(returns: pd.DataFrame) -> None:
    assert_close(metrics.annual_volatility(returns), metrics.annual_volatility(returns.to_numpy()))


def test_drawdown_duration_by_hand() -> None:
    # wealth: 1, 1.1, 0.99, 1.045, 1.1 (recovered at row 4), 1.21 ; peak at row 1 → recovery row 4: 3 periods
    r = np.array([0.1, -0.1, 0.05 / 0.99 + 0.0, 0.0, 0.1])
    r[2] = 1.045 / 0.99 - 1
    r[3] = 1.1 / 1.045 - 1
    assert metrics.max_drawdown_duration(r) == 3
    never = np.array([0.1, -0.2, 0.01, 0.01])  # peak at row 1, never recovered: runs to last row 4
    assert metrics.max_drawdown_duration(never) == 3
    assert metrics.max_drawdown_duration(np.array([0.01, 0.02])) == 0
    assert metrics.max_drawdown_duration(np.array([-0.05, 0.06])) == 2  # anchor is the peak


def test_win_rate_and_profit_loss_ratio() -> None:
    r = np.array([[0.02, np.nan], [-0.01, 0.0], [0.0, 0.0], [0.04, 0.0], [-0.03, 0.0]])
    assert metrics.win_rate(r)[0] == pytest.approx(0.5)
    assert metrics.profit_loss_ratio(r)[0] == pytest.approx(0.03 / 0.02)
    assert np.isnan(metrics.win_rate(r)[1]) and np.isnan(metrics.profit_loss_ratio(r)[1])


def test_turnover_and_exposure() -> None:
    w = np.array([[0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.2, 0.0, -0.3], [np.nan, np.nan, np.nan]])
    np.testing.assert_allclose(metrics.turnover(w), [1.0, 1.0, 1.1, 0.5])
    e = metrics.exposure(w)
    np.testing.assert_allclose(e.gross, [1.0, 1.0, 0.5, 0.0])
    np.testing.assert_allclose(e.net, [1.0, 1.0, -0.1, 0.0])
    np.testing.assert_allclose(e.long, [1.0, 1.0, 0.2, 0.0])
    np.testing.assert_allclose(e.short, [0.0, 0.0, -0.3, 0.0])
