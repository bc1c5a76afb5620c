"""Allocation engine: covariance and expected-return estimators, constraints, cvxpy optimizers."""
