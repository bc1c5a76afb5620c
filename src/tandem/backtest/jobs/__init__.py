"""Backtests as a service: queued jobs for declarative specs, run in child processes under limits."""
