"""What runs inside the job's child process: apply the limits, run the spec, stream progress back."""

from __future__ import annotations

import json
import math
import resource
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

CHILD_MEMORY_MARGIN_MB = 0
"""Extra address space beyond the job's limit (none: the limit is what the job gets)."""


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def run_job(spec_json: str, market_dir: str, memory_mb: int, conn: Connection) -> None:
    """Child entry point: RLIMIT_AS caps memory; messages are ("progress", p), ("done", dict), ("error", kind, msg)."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        _run_and_report(spec_json, market_dir, memory_mb, conn)
    except _ParentGoneError:
        pass  # the server process that started the job has stopped: nobody is left to tell; exit quietly
    finally:
        conn.close()


def _run_and_report(spec_json: str, market_dir: str, memory_mb: int, conn: Connection) -> None:
    try:
        import pandas as pd

        from tandem.backtest.declarative import run_spec
        from tandem.backtest.loader import Run, run_json, spec_benchmark
        from tandem.backtest.metrics import backtest_metrics
        from tandem.backtest.report import tear_sheet
        from tandem.backtest.spec import StrategySpec
        from tandem.core.errors import UserError
        from tandem.marketdata.store import MarketStore

        spec = StrategySpec.model_validate_json(spec_json)
        store = MarketStore.open(Path(market_dir))
        result, market = run_spec(spec, store, lambda p: _report(conn, ("progress", round(0.05 + 0.9 * p, 4))))
        bench = spec_benchmark(store, spec.benchmark, market)
        metrics = backtest_metrics(result, bench.pct_change() if bench is not None else None)
        payload = run_json(Run(result, market, metrics, spec.benchmark if bench is not None else None, bench))
        eq = result.equity
        payload["equity"] = [[str(d.date()), float(v)] for d, v in zip(eq.index, eq.to_numpy(), strict=True)]
        # what the web app serves later without re-running: the benchmark curve, daily positions (CSV export)
        # and the tear sheet, rendered here so matplotlib runs under the job's limits, not in the server
        curve = bench.dropna() if bench is not None else None
        payload["benchmark_curve"] = (
            [[str(d.date()), float(v)] for d, v in zip(pd.DatetimeIndex(curve.index), curve.to_numpy(), strict=True)]
            if curve is not None
            else []
        )
        payload["positions"] = result.daily_positions().astype({"date": str}).to_dict(orient="split")["data"]
        payload["report_html"] = tear_sheet(result, metrics, bench, spec.benchmark if bench is not None else None)
        _report(conn, ("done", json.loads(json.dumps(_clean(payload), default=str))))
    except _ParentGoneError:
        raise
    except MemoryError:
        _report(conn, ("error", "memory", f"stopped: the job exceeded its memory limit of {memory_mb} MB"))
    except UserError as exc:
        _report(conn, ("error", "user", str(exc)))
    except Exception as exc:  # a bug: report it to the job's owner without a traceback
        _report(conn, ("error", "internal", f"internal error: {type(exc).__name__}: {exc}"))


class _ParentGoneError(Exception):
    """The server process that started the job has stopped: its end of the pipe is closed."""


def _report(conn: Connection, msg: tuple[Any, ...]) -> None:
    """Send to the parent; when it is gone (server stopped or killed mid-job) there is nobody left to tell.

    The job then stops quietly with exit code 0 instead of printing two BrokenPipeError tracebacks into the
    server log for every job that was running at shutdown (seen in the soak, benchmarks/bench_soak.py).
    """
    try:
        conn.send(msg)
    except (BrokenPipeError, ConnectionResetError) as exc:
        raise _ParentGoneError from exc
