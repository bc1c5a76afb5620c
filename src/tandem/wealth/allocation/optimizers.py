"""Portfolio optimizers on cvxpy: minimum variance, risk parity, maximum Sharpe, target volatility.

Each is an estimator: the constructor stores named parameters, ``fit(expected_returns, covariance)`` solves
and returns ``self``, and the answer is ``weights_`` (a Series over every input asset, zeros included).

Formulations:

* minimum variance — ``min wᵀΣw`` under the constraints (a QP);
* risk parity — Spinu's convex log-barrier ``min ½yᵀΣy − Σ bᵢ log yᵢ`` with the constraints made
  homogeneous in ``sum(y)``; with no binding constraint each asset's risk contribution is exactly ``bᵢ``;
* maximum Sharpe — Cornuejols–Tütüncü: ``min yᵀΣy`` s.t. ``(μ − r_f)ᵀy = 1`` and homogeneous constraints,
  ``w = y / sum(y)``; always solvable when some allowed asset has ``μᵢ > r_f``, a clear error otherwise;
* target volatility — ``max μᵀw`` s.t. ``wᵀΣw ≤ σ²``.

Minimum holding and cardinality are semi-continuous (MIQP). cvxpy's installed MIP solvers (HiGHS, SCIPY)
handle only linear MIPs, so a documented two-pass heuristic is used instead: solve continuously, keep the
assets that reach ``min_weight`` (at most ``max_assets`` of them, largest first), re-solve on that set with
``w ≥ min_weight`` for the kept assets, and repeat until the kept set is stable (at most 5 passes).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import pandas as pd

from tandem.core.errors import UserError
from tandem.wealth.allocation.constraints import AllocationConstraints, build
from tandem.wealth.allocation.lazy_cvxpy import cvxpy

SOLVER = "CLARABEL"
"""Interior-point conic solver, accurate to ~1e-8: the default for every problem that is not a plain QP."""
QP_SOLVER = "OSQP"
"""Operator-splitting QP solver, the default for quadratic programmes (minimum variance), chosen by measurement:
at 500 assets it solves in ~0.5× CLARABEL's time (issue 18 item 3; figures in benchmarks/RESULTS.md)."""
OSQP_STRICT: dict[str, Any] = {"eps_abs": 1e-10, "eps_rel": 1e-10, "polishing": True, "max_iter": 200_000}
"""OSQP's fallback settings. Its defaults (1e-3 tolerances) are loose, but cvxpy turns on *polishing*, which
solves the detected active set exactly: when it succeeds the weights equal PyPortfolioOpt's to ~1e-16 at the
same cost. When polishing fails the problem is re-solved with these tolerances instead (slower, ~1e-9)."""
FEASIBILITY_SOLVER = "CLARABEL"
"""Feasibility checks only run after a failed solve; the interior-point method gives clean infeasibility
certificates where OSQP's detection is tolerance-dependent."""
_PASSES = 5


class _Optimizer(ABC):
    """Shared solve loop: subset to allowed assets, two-pass semi-continuous handling, error naming."""

    name = "optimizer"
    default_solver = SOLVER
    """The solver used when none is given: chosen per problem class by measurement (see ``QP_SOLVER``)."""

    def __init__(self, *, constraints: AllocationConstraints | None = None, solver: str | None = None) -> None:
        self.constraints = constraints or AllocationConstraints()
        self.solver = solver or self.default_solver

    def fit(self, expected_returns: pd.Series, covariance: pd.DataFrame) -> _Optimizer:
        """Solve for ``weights_`` over the assets of ``covariance``."""
        codes = list(covariance.columns)
        mu = expected_returns.reindex(codes)
        if mu.isna().any():
            raise UserError(f"expected returns missing for {', '.join(mu[mu.isna()].index)}")
        cons = self.constraints
        active = cons.allowed(codes)
        cons.precheck(codes, active)
        sigma = covariance.to_numpy()
        keep = active.copy()
        floor = np.zeros(len(codes))
        for _ in range(_PASSES):
            idx = np.flatnonzero(keep)
            w = np.zeros(len(codes))
            w[idx] = self._solve(mu.to_numpy()[idx], sigma[np.ix_(idx, idx)], [codes[i] for i in idx], floor[idx])
            if cons.min_weight <= 0 and cons.max_assets is None:
                break
            new_keep = self._semi_continuous(w, keep)
            new_floor = np.where(new_keep, cons.min_weight, 0.0)
            if np.array_equal(new_keep, keep) and np.array_equal(new_floor, floor):
                break
            keep, floor = new_keep, new_floor
        else:
            raise UserError(f"{self.name}: min_weight/max_assets did not settle in {_PASSES} passes; relax them")
        w[np.abs(w) < 1e-9] = 0.0
        self.weights_ = pd.Series(w / w.sum(), index=codes)
        return self

    def _semi_continuous(self, w: np.ndarray, keep: np.ndarray) -> np.ndarray:
        cons = self.constraints
        order = np.argsort(-w)
        chosen = [i for i in order if keep[i] and w[i] >= max(cons.min_weight, 1e-6) - 1e-7]
        if cons.max_assets is not None:
            chosen = chosen[: cons.max_assets]
        mask = np.zeros_like(keep)
        mask[chosen] = True
        return mask

    @abstractmethod
    def _problem(
        self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray
    ) -> tuple[Any, Any, dict[str, list[Any]], Any]:
        """Return the cvxpy problem, its variable ``y``, the named constraint groups and the scale ``k``."""

    def _solve(self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray) -> np.ndarray:
        problem, y, _groups, k = self._problem(mu, sigma, codes, floor)
        _run(problem, self.solver)
        if problem.status not in ("optimal", "optimal_inaccurate") or y.value is None:
            raise UserError(f"{self.name}: {self._diagnose(mu, sigma, codes, floor)}")
        scale = float(np.asarray(k.value)) if isinstance(k, cvxpy().Expression) else float(k)
        return np.asarray(y.value, dtype=float) / scale

    def _diagnose(self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray) -> str:
        """Name the constraint groups whose removal makes the set feasible."""
        groups = self._weight_constraints(codes, floor)
        culprits = [
            name
            for name in groups
            if name not in ("long_only", "budget")
            and _feasible([c for g, cs in groups.items() if g != name for c in cs])
        ]
        if culprits:
            return f"the constraint set is infeasible; relaxing {' or '.join(culprits)} would make it feasible"
        return "the constraint set is infeasible (no single constraint group is to blame; relax several)"

    def _weight_constraints(self, codes: list[str], floor: np.ndarray) -> dict[str, list[Any]]:
        """The constraint groups on plain weights (``sum(w) = 1``), for feasibility checks."""
        w = cvxpy().Variable(len(codes))
        return build(self.constraints, codes, w, 1.0, active=np.ones(len(codes), dtype=bool), floor=floor)


def _run(problem: Any, solver: str) -> None:
    try:
        problem.solve(solver=solver)
        if solver == "OSQP" and problem.status == "optimal" and not _polished(problem):
            problem.solve(solver=solver, **OSQP_STRICT)
    except cvxpy().error.SolverError:
        problem.solve(solver="SCS", eps=1e-9, max_iters=200_000)


def _polished(problem: Any) -> bool:
    """Whether OSQP's polishing step succeeded (its answer is then exact on the active set)."""
    info = getattr(getattr(problem.solver_stats, "extra_stats", None), "info", None)
    return getattr(info, "status_polish", 0) == 1


def _feasible(constraints: list[Any]) -> bool:
    """Whether the constraints admit a point (a linear feasibility problem; clean infeasibility certificates)."""
    cp = cvxpy()
    trial = cp.Problem(cp.Minimize(0), constraints)
    _run(trial, FEASIBILITY_SOLVER)
    return trial.status in ("optimal", "optimal_inaccurate")


class MinimumVariance(_Optimizer):
    """Lowest-variance portfolio under the constraints."""

    name = "minimum_variance"
    default_solver = QP_SOLVER

    def _problem(
        self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray
    ) -> tuple[Any, Any, dict[str, list[Any]], Any]:
        cp = cvxpy()
        y = cp.Variable(len(codes))
        groups = build(self.constraints, codes, y, 1.0, active=np.ones(len(codes), dtype=bool), floor=floor)
        obj = cp.Minimize(cp.quad_form(y, cp.psd_wrap(sigma)))
        return cp.Problem(obj, [c for cs in groups.values() for c in cs]), y, groups, 1.0


class RiskParity(_Optimizer):
    """Equal (or given) risk contributions via the convex log-barrier formulation."""

    name = "risk_parity"

    def __init__(
        self,
        *,
        constraints: AllocationConstraints | None = None,
        budgets: dict[str, float] | None = None,
        solver: str | None = None,
    ) -> None:
        super().__init__(constraints=constraints, solver=solver)
        self.budgets = budgets

    def _solve(self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray) -> np.ndarray:
        """Check feasibility on plain weights first: the barrier needs an interior point.

        The homogeneous form (``sum(y) = k`` with ``k`` free) always admits ``y = 0``; when the weight
        constraints are infeasible that is its only point, where ``log y`` is ``-inf``, and the solver then
        stalls with an inaccurate answer (and cvxpy takes the log of slightly negative values). A linear
        feasibility check on ``w`` with ``sum(w) = 1`` reports such a set cleanly, naming the constraint.
        """
        if not _feasible([c for cs in self._weight_constraints(codes, floor).values() for c in cs]):
            raise UserError(f"{self.name}: {self._diagnose(mu, sigma, codes, floor)}")
        return super()._solve(mu, sigma, codes, floor)

    def _problem(
        self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray
    ) -> tuple[Any, Any, dict[str, list[Any]], Any]:
        n = len(codes)
        b = np.array([(self.budgets or {}).get(c, 1.0) for c in codes], dtype=float)
        b = b / b.sum()
        # scale Σ to unit average variance so the barrier and the quadratic term are comparable
        scale = float(np.mean(np.diag(sigma)))
        cp = cvxpy()
        y = cp.Variable(n)
        k = cp.sum(y)
        groups = build(self.constraints, codes, y, k, active=np.ones(n, dtype=bool), floor=floor)
        groups.pop("budget")
        obj = cp.Minimize(0.5 * cp.quad_form(y, cp.psd_wrap(sigma / scale)) - b @ cp.log(y))
        return cp.Problem(obj, [c for cs in groups.values() for c in cs]), y, groups, k


class MaximumSharpe(_Optimizer):
    """Tangency portfolio (Cornuejols–Tütüncü homogenisation)."""

    name = "maximum_sharpe"

    def __init__(
        self, *, constraints: AllocationConstraints | None = None, risk_free: float = 0.0, solver: str | None = None
    ) -> None:
        super().__init__(constraints=constraints, solver=solver)
        self.risk_free = risk_free

    def _problem(
        self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray
    ) -> tuple[Any, Any, dict[str, list[Any]], Any]:
        excess = mu - self.risk_free
        if not (excess > 0).any():
            raise UserError(
                f"maximum_sharpe: no allowed asset has an expected return above the risk-free rate "
                f"{self.risk_free:.2%} (best {mu.max():.2%}); use minimum_variance or other expected returns"
            )
        cp = cvxpy()
        y = cp.Variable(len(codes))
        k = cp.Variable(nonneg=True)
        groups = build(self.constraints, codes, y, k, active=np.ones(len(codes), dtype=bool), floor=floor)
        groups["sharpe_normalisation"] = [excess @ y == 1]
        obj = cp.Minimize(cp.quad_form(y, cp.psd_wrap(sigma)))
        return cp.Problem(obj, [c for cs in groups.values() for c in cs]), y, groups, k


class TargetVolatility(_Optimizer):
    """Highest expected return with annual volatility at most ``target_volatility``."""

    name = "target_volatility"

    def __init__(
        self, *, target_volatility: float, constraints: AllocationConstraints | None = None, solver: str | None = None
    ) -> None:
        super().__init__(constraints=constraints, solver=solver)
        if target_volatility <= 0:
            raise UserError(f"target_volatility={target_volatility} must be positive (e.g. 0.08 for 8%)")
        self.target_volatility = target_volatility

    def _solve(self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray) -> np.ndarray:
        floor_vol = MinimumVariance(constraints=self.constraints, solver=self.solver)._solve(mu, sigma, codes, floor)
        lowest = float(np.sqrt(floor_vol @ sigma @ floor_vol))
        if lowest > self.target_volatility + 1e-6:
            raise UserError(
                f"target_volatility={self.target_volatility:.2%} is below the lowest volatility reachable under "
                f"these constraints ({lowest:.2%}); raise the target or relax the constraints"
            )
        return super()._solve(mu, sigma, codes, floor)

    def _problem(
        self, mu: np.ndarray, sigma: np.ndarray, codes: list[str], floor: np.ndarray
    ) -> tuple[Any, Any, dict[str, list[Any]], Any]:
        cp = cvxpy()
        y = cp.Variable(len(codes))
        groups = build(self.constraints, codes, y, 1.0, active=np.ones(len(codes), dtype=bool), floor=floor)
        groups["target_volatility"] = [cp.quad_form(y, cp.psd_wrap(sigma)) <= self.target_volatility**2]
        obj = cp.Maximize(mu @ y)
        return cp.Problem(obj, [c for cs in groups.values() for c in cs]), y, groups, 1.0
