"""Covariance and expected-return estimators (fit contract: params in __init__, ``fit`` returns self).

All outputs are annualised (``periods_per_year`` daily observations a year) and indexed by asset code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.core.errors import UserError

PERIODS = 252


def _check_returns(returns: pd.DataFrame, min_rows: int = 60) -> pd.DataFrame:
    clean = returns.dropna(how="any")
    if clean.shape[1] == 0:
        raise UserError("no assets to estimate: the return matrix has no columns")
    if len(clean) < min_rows:
        raise UserError(
            f"only {len(clean)} complete daily returns for {clean.shape[1]} assets; need at least {min_rows} "
            "(drop funds with short histories or lengthen the window)"
        )
    return clean


class LedoitWolfCovariance:
    """Ledoit-Wolf shrunk covariance (sklearn), annualised; robust when assets ≈ observations."""

    def __init__(self, *, periods_per_year: int = PERIODS) -> None:
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame) -> LedoitWolfCovariance:
        """Estimate from a date × asset frame of daily returns (sklearn loads here: ~0.9 s, only when estimating)."""
        from sklearn.covariance import LedoitWolf

        clean = _check_returns(returns)
        model = LedoitWolf().fit(clean.to_numpy())
        cov = np.asarray(model.covariance_) * self.periods_per_year
        self.covariance_ = pd.DataFrame(cov, index=clean.columns, columns=clean.columns)
        self.shrinkage_ = float(model.shrinkage_)
        return self


class HistoricalMeanReturns:
    """Annualised expected returns from the historical mean (compounded or arithmetic)."""

    def __init__(self, *, compounding: bool = True, periods_per_year: int = PERIODS) -> None:
        self.compounding = compounding
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame) -> HistoricalMeanReturns:
        """Estimate from a date × asset frame of daily returns."""
        clean = _check_returns(returns)
        if self.compounding:
            growth = (1.0 + clean).prod()
            mu = growth ** (self.periods_per_year / len(clean)) - 1.0
        else:
            mu = clean.mean() * self.periods_per_year
        self.expected_returns_ = mu.astype(float)
        return self


@dataclass(frozen=True, slots=True)
class View:
    """A house view: the portfolio ``weights`` (asset → weight) is expected to return ``expected`` a year.

    An absolute view is one asset with weight 1; a relative view is +1 / -1 across two assets.
    """

    weights: Mapping[str, float]
    expected: float


class BlackLittermanReturns:
    """Equilibrium returns (reverse optimisation) blended with house views (Black-Litterman, He-Litterman Ω).

    ``market_weights`` default to equal weights, because fund sizes are not in the market data.
    """

    def __init__(
        self,
        *,
        views: Sequence[View] = (),
        risk_aversion: float = 2.5,
        tau: float = 0.05,
        risk_free: float = 0.0,
        market_weights: Mapping[str, float] | None = None,
    ) -> None:
        self.views = tuple(views)
        self.risk_aversion = risk_aversion
        self.tau = tau
        self.risk_free = risk_free
        self.market_weights = dict(market_weights) if market_weights is not None else None

    def fit(self, covariance: pd.DataFrame) -> BlackLittermanReturns:
        """Compute prior ``equilibrium_returns_`` and posterior ``expected_returns_`` for ``covariance``'s assets."""
        codes = list(covariance.columns)
        sigma = covariance.to_numpy()
        w = self._market(codes)
        pi = self.risk_aversion * sigma @ w + self.risk_free
        self.equilibrium_returns_ = pd.Series(pi, index=codes)
        if not self.views:
            self.expected_returns_ = self.equilibrium_returns_.copy()
            return self
        P, Q = self._pick(codes)
        ts = self.tau * sigma
        omega = np.diag(np.diag(P @ ts @ P.T))
        middle = np.linalg.inv(P @ ts @ P.T + omega)
        post = pi + ts @ P.T @ middle @ (Q - P @ pi)
        self.expected_returns_ = pd.Series(post, index=codes)
        return self

    def _market(self, codes: list[str]) -> np.ndarray:
        if self.market_weights is None:
            return np.full(len(codes), 1.0 / len(codes))
        missing = [c for c in codes if c not in self.market_weights]
        if missing:
            raise UserError(f"market_weights lack {', '.join(missing)}; give a weight for every asset")
        w = np.array([self.market_weights[c] for c in codes], dtype=float)
        return np.asarray(w / w.sum(), dtype=float)

    def _pick(self, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        index = {c: i for i, c in enumerate(codes)}
        P = np.zeros((len(self.views), len(codes)))
        for k, view in enumerate(self.views):
            for code, weight in view.weights.items():
                if code not in index:
                    raise UserError(f"view {k + 1} names {code}, which is not among the assets being allocated")
                P[k, index[code]] = weight
        return P, np.array([v.expected for v in self.views], dtype=float)
