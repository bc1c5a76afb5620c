"""Load a strategy from a local file and run it: ``FILE.py`` (user Python — local CLI/SDK only) or ``.json``.

A ``.py`` file defines either a :class:`~tandem.backtest.strategy.Strategy` subclass (event-driven) or a
function ``target_weights(market) -> DataFrame`` (vectorized). Optional module constants: ``UNIVERSE``
(list of codes), ``START``/``END`` (ISO dates), ``BENCHMARK`` and ``CONFIG`` (an ExecutionConfig).
A ``.json`` file is a :class:`~tandem.backtest.spec.StrategySpec`. The web service never calls this module.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import structlog
from pydantic import ValidationError

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.declarative import run_spec
from tandem.backtest.engine import run_weights, weights_from
from tandem.backtest.event_engine import run_strategy
from tandem.backtest.market import MarketData, load_market
from tandem.backtest.metrics import backtest_metrics
from tandem.backtest.result import BacktestResult
from tandem.backtest.spec import StrategySpec
from tandem.backtest.strategy import Strategy
from tandem.core.errors import NotFoundError, UserError, ValidationFailed
from tandem.marketdata.store import MarketStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Run:
    """A finished run with what reports need."""

    result: BacktestResult
    market: MarketData
    metrics: dict[str, float | None]
    benchmark_code: str | None
    benchmark_close: pd.Series | None


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"tandem_user_strategy_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UserError(f"{path}: cannot load as a Python module")
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:
        raise UserError(f"{path}: importing the strategy failed: {type(exc).__name__}: {exc}") from exc
    return mod


def load_spec(path: Path) -> StrategySpec:
    """Parse a JSON strategy spec, with pydantic's messages turned into one readable error."""
    try:
        return StrategySpec.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ValidationFailed(f"{path}: invalid strategy spec", problems) from exc


def spec_benchmark(store: MarketStore, code: str | None, market: MarketData) -> pd.Series | None:
    """Benchmark index closes aligned on the market's days, or None (logged) when the store lacks them."""
    if not code:
        return None
    try:
        bars = store.index_bars(code, market.day(0), market.day(market.shape[0] - 1))
    except NotFoundError as exc:
        log.warning("benchmark unavailable; alpha and beta left empty", code=code, reason=str(exc))
        return None
    s = pd.Series(bars["close"].to_numpy(dtype=float), index=pd.DatetimeIndex(bars["date"]), name=code)
    return s.reindex(market.index()).ffill()


def _date(v: object) -> date | None:
    return date.fromisoformat(str(v)) if v else None


def run_file(
    path: Path,
    store: MarketStore,
    *,
    start: date | None = None,
    end: date | None = None,
    benchmark: str | None = None,
) -> Run:
    """Load and run the strategy at ``path``; command-line dates and benchmark override the file's."""
    if not path.exists():
        raise NotFoundError(f"strategy file {path} does not exist")
    if path.suffix == ".json":
        spec = load_spec(path)
        spec = spec.model_copy(
            update={"start": start or spec.start, "end": end or spec.end, "benchmark": benchmark or spec.benchmark}
        )
        result, market = run_spec(spec, store)
        bench_code = spec.benchmark
    elif path.suffix == ".py":
        mod = _module(path)
        market = load_market(store, getattr(mod, "UNIVERSE", None), start or _date(getattr(mod, "START", None)),
                             end or _date(getattr(mod, "END", None)))  # fmt: skip
        config = getattr(mod, "CONFIG", None) or ExecutionConfig()
        classes = [c for _, c in inspect.getmembers(mod, inspect.isclass)
                   if issubclass(c, Strategy) and c is not Strategy and c.__module__ == mod.__name__]  # fmt: skip
        if classes:
            result = run_strategy(classes[0](), market, config)
        elif callable(getattr(mod, "target_weights", None)):
            try:
                weights = weights_from(mod.target_weights, market)
            except UserError:
                raise
            except Exception as exc:
                raise UserError(f"{path}: target_weights raised {type(exc).__name__}: {exc}") from exc
            result = run_weights(weights, market, config, name=path.stem)
        else:
            raise UserError(f"{path}: define a Strategy subclass or a target_weights(market) function")
        bench_code = benchmark or getattr(mod, "BENCHMARK", "000300.SH")
    else:
        raise UserError(f"{path}: expected a .py strategy or a .json strategy spec")
    bench = spec_benchmark(store, bench_code, market)
    returns = bench.pct_change() if bench is not None else None
    return Run(result, market, backtest_metrics(result, returns), bench_code if bench is not None else None, bench)


def run_json(run: Run) -> dict[str, object]:
    """The machine-readable result of ``tandem backtest --format json``."""
    t = run.result.trades
    ev = run.result.rule_events
    return {
        "name": run.result.name,
        "start": str(run.market.day(0)),
        "end": str(run.market.day(run.market.shape[0] - 1)),
        "benchmark": run.benchmark_code,
        "metrics": run.metrics,
        "final_equity": float(run.result.equity.iloc[-1]),
        "trades": [
            {
                "date": str(d),
                "code": c,
                "side": sd,
                "qty": float(q),
                "price": round(float(px), 4),
                "fee": round(float(f), 4),
            }
            for d, c, sd, q, px, f in zip(
                t["date"].tolist(),
                t["code"].tolist(),
                t["side"].tolist(),
                t["qty"].tolist(),
                t["price"].tolist(),
                t["fee"].tolist(),
                strict=True,
            )
        ],
        "rule_events": [
            {"date": str(r.date), "code": r.code, "rule": r.rule, "detail": r.detail}
            for r in ev.itertuples(index=False)
        ],
    }
