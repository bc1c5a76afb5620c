from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pypfopt import EfficientFrontier
from pypfopt.black_litterman import BlackLittermanModel

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import UserError
from tandem.wealth.allocation.constraints import AllocationConstraints
from tandem.wealth.allocation.estimators import (
    BlackLittermanReturns,
    HistoricalMeanReturns,
    LedoitWolfCovariance,
    View,
)
from tandem.wealth.allocation.optimizers import MaximumSharpe, MinimumVariance, RiskParity, TargetVolatility
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.product_rules import AssetClass

TOL = 1e-4


@pytest.fixture(scope="module")
def inputs(catalogue: Catalogue) -> tuple[pd.Series, pd.DataFrame]:
    cov = LedoitWolfCovariance().fit(catalogue.returns)
    assert 0 < cov.shrinkage_ < 1
    mu = HistoricalMeanReturns().fit(catalogue.returns).expected_returns_
    return mu, cov.covariance_


def _ef(mu: pd.Series, cov: pd.DataFrame, cap: float = 0.2) -> EfficientFrontier:
    return EfficientFrontier(mu, cov, weight_bounds=(0, cap), solver="CLARABEL")


def test_min_variance_matches_pypfopt(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    ours = MinimumVariance().fit(mu, cov).weights_
    ref = pd.Series(_ef(mu, cov).min_volatility())
    assert np.abs(ours - ref.reindex(ours.index)).max() <= TOL
    assert ours.max() <= 0.2 + 1e-9 and ours.min() >= 0 and ours.sum() == pytest.approx(1)


def test_max_sharpe_matches_pypfopt(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    ours = MaximumSharpe(risk_free=0.02).fit(mu, cov).weights_
    ref = pd.Series(_ef(mu, cov).max_sharpe(risk_free_rate=0.02))
    assert np.abs(ours - ref.reindex(ours.index)).max() <= TOL


def test_target_volatility_matches_pypfopt(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    ours = TargetVolatility(target_volatility=0.08).fit(mu, cov).weights_
    ref = pd.Series(_ef(mu, cov).efficient_risk(0.08))
    assert np.abs(ours - ref.reindex(ours.index)).max() <= TOL
    with pytest.raises(UserError, match=r"target_volatility=0\.10% is below the lowest"):
        TargetVolatility(target_volatility=0.001).fit(mu, cov)


def test_max_sharpe_needs_a_positive_excess_return(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    with pytest.raises(UserError, match="no allowed asset has an expected return above"):
        MaximumSharpe(risk_free=1.0).fit(mu, cov)


def test_risk_parity_equalises_risk_contributions(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    w = RiskParity(constraints=AllocationConstraints(max_weight=1.0)).fit(mu, cov).weights_.to_numpy()
    rc = w * (cov.to_numpy() @ w)
    assert rc.max() / rc.min() == pytest.approx(1.0, abs=1e-3)


def test_max_risk_and_bands(catalogue: Catalogue, inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    products = catalogue.products
    cons = AllocationConstraints(
        max_risk=ProductRisk.R2,
        asset_risk={c: p.risk for c, p in products.items()},
        asset_classes={c: p.asset_class for c, p in products.items()},
        class_bands={AssetClass.CASH: (0.0, 0.2), AssetClass.BOND: (0.8, 1.0)},
        max_weight=0.3,
    )
    w = MaximumSharpe(constraints=cons, risk_free=0.0).fit(mu, cov).weights_
    held = w[w > 1e-6].index
    assert all(products[c].risk.rank <= 2 for c in held)
    bond = sum(w[c] for c in w.index if products[c].asset_class is AssetClass.BOND)
    assert bond >= 0.8 - 1e-6


def test_min_weight_and_cardinality(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    w = MinimumVariance(constraints=AllocationConstraints(max_weight=0.3, min_weight=0.05, max_assets=5)).fit(mu, cov)
    held = w.weights_[w.weights_ > 0]
    assert len(held) <= 5 and held.min() >= 0.05 - 1e-7 and held.sum() == pytest.approx(1)


def test_turnover_budget(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    current = dict.fromkeys(list(cov.columns)[:5], 0.2)
    w = MinimumVariance(constraints=AllocationConstraints(current_weights=current, max_turnover=0.1)).fit(mu, cov)
    w0 = pd.Series(current).reindex(cov.columns).fillna(0)
    assert np.abs(w.weights_ - w0).sum() <= 0.1 + 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_weight": 0.05}, "max_weight=5% needs at least 20"),
        ({"max_assets": 3}, "max_assets=3"),
        ({"class_bands": {AssetClass.CASH: (0.7, 1.0), AssetClass.BOND: (0.5, 1.0)}}, "lower bounds add up"),
    ],
)
def test_infeasible_sets_name_the_constraint(
    inputs: tuple[pd.Series, pd.DataFrame], kwargs: dict[str, object], message: str
) -> None:
    mu, cov = inputs
    with pytest.raises(UserError, match=message):
        MinimumVariance(constraints=AllocationConstraints(**kwargs)).fit(mu, cov)  # type: ignore[arg-type]


def test_solver_infeasibility_is_diagnosed(catalogue: Catalogue, inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    classes = {c: p.asset_class for c, p in catalogue.products.items()}
    cons = AllocationConstraints(
        asset_classes=classes,
        class_bands={AssetClass.CASH: (0.5, 1.0)},  # one money-market fund, capped at 20%
    )
    with pytest.raises(UserError, match=r"relaxing .*class_bands"):
        MinimumVariance(constraints=cons).fit(mu, cov)


def test_black_litterman_matches_pypfopt(inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    _, cov = inputs
    views = [View({"110022": 1.0}, 0.10), View({"217011": 1.0}, 0.03)]
    bl = BlackLittermanReturns(views=views, risk_aversion=2.5, tau=0.05).fit(cov)
    pi = bl.equilibrium_returns_
    ref = BlackLittermanModel(cov, pi=pi, absolute_views={"110022": 0.10, "217011": 0.03}, tau=0.05).bl_returns()
    assert np.abs(bl.expected_returns_ - ref.reindex(pi.index)).max() < 1e-10
    assert BlackLittermanReturns().fit(cov).expected_returns_.equals(pi)
    with pytest.raises(UserError, match="view 1 names XYZ"):
        BlackLittermanReturns(views=[View({"XYZ": 1.0}, 0.1)]).fit(cov)


def test_estimators_reject_short_data(catalogue: Catalogue) -> None:
    with pytest.raises(UserError, match="need at least 60"):
        LedoitWolfCovariance().fit(catalogue.returns.iloc[:10])


def test_fee_budget(catalogue: Catalogue, inputs: tuple[pd.Series, pd.DataFrame]) -> None:
    mu, cov = inputs
    fees = {c: p.fees.subscription for c, p in catalogue.products.items()}
    current = dict.fromkeys(list(cov.columns)[:5], 0.2)
    cons = AllocationConstraints(current_weights=current, fee_rates=fees, max_fee=0.0005)
    w = MinimumVariance(constraints=cons).fit(mu, cov).weights_
    w0 = pd.Series(current).reindex(cov.columns).fillna(0)
    assert float((np.abs(w - w0) * pd.Series(fees).reindex(cov.columns)).sum()) <= 0.0005 + 1e-7


def test_solver_is_chosen_per_problem_class() -> None:
    """Plain QPs go to OSQP (measured faster at 500 assets), conic problems stay on the interior-point solver."""
    assert MinimumVariance().solver == "OSQP"
    assert MaximumSharpe().solver == "CLARABEL"
    assert RiskParity().solver == "CLARABEL"
    assert TargetVolatility(target_volatility=0.1).solver == "CLARABEL"
    assert MinimumVariance(solver="CLARABEL").solver == "CLARABEL"


def test_min_variance_stays_accurate_when_osqp_polishing_fails(
    inputs: tuple[pd.Series, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a polished answer OSQP's default 1e-3 tolerances would be far off; the strict re-solve is not."""
    from tandem.wealth.allocation import optimizers

    mu, cov = inputs
    resolves: list[bool] = []
    monkeypatch.setattr(optimizers, "_polished", lambda problem: resolves.append(True) and False)
    ours = MinimumVariance(constraints=AllocationConstraints(max_weight=0.2)).fit(mu, cov).weights_
    ref = pd.Series(_ef(mu, cov).min_volatility())
    assert resolves, "the polishing check must run"
    assert np.abs(ours - ref.reindex(ours.index)).max() < 2e-5
