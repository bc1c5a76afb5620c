"""The plan builder's "needs at least ¥N" is exact: the plan builds at N (and above) and fails at N − 1."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import UserError
from tandem.wealth.allocation.constraints import AllocationConstraints
from tandem.wealth.allocation.optimizers import RiskParity
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.minimum import smallest_amount
from tandem.wealth.plans import AmountTooSmallError, PlanBuilder
from tandem.wealth.product_rules import AssetClass
from tandem.wealth.strategies import STRATEGIES, strategy_by_key

C = InvestorCategory


@pytest.fixture(scope="module")
def builder(catalogue: Catalogue) -> PlanBuilder:
    return PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=MemoryAuditLog()))


def _build(builder: PlanBuilder, key: str, amount: float, holdings: dict[str, float] | None = None) -> None:
    s = strategy_by_key(key)
    builder.build(
        actor="t", client_id="m", category=C(f"C{s.risk.rank}"), amount=amount, strategy=key, holdings=holdings
    )


@pytest.mark.parametrize("key", [s.key for s in STRATEGIES])
def test_minimum_is_exact_on_the_fixture(builder: PlanBuilder, key: str) -> None:
    n = builder.minimum_amount(strategy_by_key(key))
    assert n > 1  # every strategy on the fixture holds a fund with a minimum purchase above ¥1
    _build(builder, key, n)
    with pytest.raises(AmountTooSmallError) as info:
        _build(builder, key, n - 1)
    assert info.value.minimum == n
    assert f"needs at least ¥{n:,}" in str(info.value)
    for above in (n + 1, n + 37, n + 500):
        _build(builder, key, above)


def test_balanced_minimum_and_message_at_500(builder: PlanBuilder) -> None:
    # fixture figures (tests/wealth/data), off-exchange funds at the documented ¥10 default minimum: 110011 gets
    # 1.2% = ¥6.16 at ¥500; leaving out the small positions, the re-optimised weights fall short until ¥609
    with pytest.raises(AmountTooSmallError) as info:
        _build(builder, "balanced", 500)
    text = str(info.value)
    assert text.startswith("amount ¥500 is too small: fund 110011 ")
    assert "below its minimum purchase ¥10.00 (off-exchange, default)" in text
    assert "均衡配置 (balanced) cannot be built without the funds that fall short" in text
    assert text.endswith("this plan needs at least ¥609")
    assert "catalogue has no fund" not in text and "re-optimising" not in text


def test_minimum_with_holdings_counts_new_money(builder: PlanBuilder) -> None:
    held = {"217011": 234.56}  # an R2 bond fund already held (less than the ¥609 the plan needs alone)
    n = builder.minimum_amount(strategy_by_key("balanced"), held=234.56)
    assert 1 < n < 609
    _build(builder, "balanced", n, held)
    with pytest.raises(AmountTooSmallError, match="already held") as info:
        _build(builder, "balanced", n - 1, held)
    assert info.value.minimum == n
    assert f"¥{n:,} of new money" in str(info.value)


def test_small_amounts_emit_no_solver_warnings(catalogue: Catalogue) -> None:
    fresh = PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=MemoryAuditLog()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cvxpy "Solution may be inaccurate", numpy "invalid value in log"
        for key in ("balanced", "growth"):
            for amount in (500, 1_500, 3_000, 5_000):
                with contextlib.suppress(AmountTooSmallError):
                    _build(fresh, key, amount)


def test_search_reports_the_start_of_the_last_buildable_run() -> None:
    """Builds on [200, 334), fails on [334, 500) (leaving out c alone is infeasible), builds from 500."""
    mins = {"a": 100.0, "b": 100.0, "c": 100.0}

    def weights_of(exclude: frozenset[str]) -> pd.Series:
        if exclude == frozenset():
            return pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
        if exclude == frozenset({"b", "c"}):
            return pd.Series({"a": 1.0})
        raise UserError(f"infeasible without {sorted(exclude)}")

    assert smallest_amount(weights_of, mins) == 500
    assert smallest_amount(weights_of, mins, held=150.0) == 350


def test_risk_parity_reports_an_infeasible_set_without_solver_warnings() -> None:
    """Six funds capped at 20%: cash ≤ 30%, two bond funds ≤ 40%, one mixed ≤ 20% — at most 90% can be placed."""
    codes = ["m1", "m2", "m3", "b1", "b2", "x1"]
    classes = [AssetClass.CASH] * 3 + [AssetClass.BOND] * 2 + [AssetClass.MIXED]
    rng = np.random.default_rng(7)  # synthetic covariance, seeded
    a = rng.normal(size=(6, 6)) * 0.05
    cov = pd.DataFrame(a @ a.T + np.eye(6) * 0.01, index=codes, columns=codes)
    cons = AllocationConstraints(
        max_weight=0.2,
        class_bands={AssetClass.CASH: (0.0, 0.3), AssetClass.BOND: (0.3, 0.8), AssetClass.MIXED: (0.1, 0.6)},
        asset_classes=dict(zip(codes, classes, strict=True)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserError, match="risk_parity: the constraint set is infeasible; relaxing max_weight"):
            RiskParity(constraints=cons).fit(pd.Series(0.03, index=codes), cov)


def test_importing_plans_does_not_load_the_solver() -> None:
    code = "import sys, tandem.wealth.plans, tandem.cli.wealth; print('cvxpy' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
