"""Evaluate a parsed screen point-in-time on one day over the whole cross-section.

Bar fields are date × code panels ending on the screen day (history is needed for ``ma(close, 60)``);
fundamental fields come from ``fundamentals_asof(day)`` (only reports announced on or before the day) and
are constant over the window. Every node evaluates to a float64 array of shape (days, codes); the last row
is the answer. Functions call :mod:`tandem.analytics.indicators`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.analytics import indicators as ind
from tandem.backtest.screener.syntax import BinOp, Call, Name, Node, Num, ScreenSyntaxError, Unary, parse

FloatArray = npt.NDArray[np.float64]

BAR_FIELDS = ("open", "high", "low", "close", "preclose", "volume", "amount", "turnover", "pe_ttm", "pb_mrq",
              "ps_ttm", "pcf_ttm")  # fmt: skip
FUNDAMENTAL_FIELDS = ("roe_avg", "np_margin", "gp_margin", "net_profit", "eps_ttm", "revenue", "total_share",
                      "liq_share", "yoy_equity", "yoy_asset", "yoy_ni", "yoy_eps", "yoy_pni", "debt_ratio")  # fmt: skip
ALIASES = {
    "roe": "roe_avg",
    "net_margin": "np_margin",
    "gross_margin": "gp_margin",
    "eps": "eps_ttm",
    "pe": "pe_ttm",
    "pb": "pb_mrq",
    "ps": "ps_ttm",
    "profit_growth": "yoy_ni",
    "vol": "volume",
}
DERIVED = ("market_cap", "float_cap")


class ScreenData(Protocol):
    """Where the screener reads data (a MarketStore adapter in production, frames in tests)."""

    def bars(self, fields: list[str], day: date, lookback: int) -> dict[str, pd.DataFrame]:
        """Date × code panels of ``fields`` for the ``lookback`` trading days ending on ``day``."""
        ...

    def fundamentals(self, day: date) -> pd.DataFrame:
        """One row per code (column ``code``) of the latest reports announced on or before ``day``."""
        ...


@runtime_checkable
class IndustrySource(Protocol):
    """A screen source that also knows the industry classification in force on a day (for ``industry=``)."""

    def industries(self, day: date) -> pd.DataFrame:
        """``code, industry_code, industry`` of the classification in force on ``day`` (the store's PIT rule)."""
        ...


@dataclass(frozen=True)
class _Fn:
    min_args: int
    max_args: int
    apply: Callable[[list[FloatArray], list[int]], FloatArray]
    window_arg: int | None  # index of the integer window argument, if any
    doc: str


def _rolling(x: FloatArray, n: int, how: str) -> FloatArray:
    frame = pd.DataFrame(x).rolling(n, min_periods=n)
    out: FloatArray = getattr(frame, how)().to_numpy(dtype=np.float64)
    return out


def _rank(x: FloatArray) -> FloatArray:
    out: FloatArray = pd.DataFrame(x).rank(axis=1, pct=True).to_numpy(dtype=np.float64)
    return out


def _pct_change(x: FloatArray, n: int) -> FloatArray:
    prev = np.full_like(x, np.nan)
    prev[n:] = x[:-n]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = x / prev - 1.0
    return out


def _std(x: FloatArray, n: int) -> FloatArray:
    b = ind.bollinger(x, n, 1.0)
    out: FloatArray = b.upper - b.middle
    return out


FUNCTIONS: dict[str, _Fn] = {
    "ma": _Fn(2, 2, lambda a, w: ind.sma(a[0], w[0]), 1, "simple moving average ma(x, n)"),
    "ema": _Fn(2, 2, lambda a, w: ind.ema(a[0], w[0]), 1, "exponential moving average ema(x, n)"),
    "rsi": _Fn(1, 2, lambda a, w: ind.rsi(a[0], w[0] if w else 14), 1, "relative strength index rsi(close, 14)"),
    "std": _Fn(2, 2, lambda a, w: _std(a[0], w[0]), 1, "rolling population standard deviation std(x, n)"),
    "max": _Fn(2, 2, lambda a, w: _rolling(a[0], w[0], "max"), 1, "rolling maximum max(x, n)"),
    "min": _Fn(2, 2, lambda a, w: _rolling(a[0], w[0], "min"), 1, "rolling minimum min(x, n)"),
    "pct_change": _Fn(2, 2, lambda a, w: _pct_change(a[0], w[0]), 1, "change over n days pct_change(x, n)"),
    "rank": _Fn(1, 1, lambda a, w: _rank(a[0]), None, "cross-sectional percentile rank 0..1 rank(x)"),
    "abs": _Fn(1, 1, lambda a, w: np.abs(a[0]), None, "absolute value abs(x)"),
}


def _names(node: Node) -> list[Name]:
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Call):
        return [n for a in node.args for n in _names(a)]
    if isinstance(node, BinOp):
        return _names(node.left) + _names(node.right)
    if isinstance(node, Unary):
        return _names(node.operand)
    return []


def _lookback(node: Node) -> int:
    """Trading days of history the expression needs (windows nest, so they add up)."""
    if isinstance(node, Call):
        inner = max((_lookback(a) for a in node.args), default=1)
        fn = FUNCTIONS.get(node.name)
        if fn and fn.window_arg is not None and len(node.args) > fn.window_arg:
            w = node.args[fn.window_arg]
            if isinstance(w, Num):
                return inner + int(w.value) * (3 if node.name in ("ema", "rsi") else 1)
        return inner + (15 * 3 if node.name == "rsi" else 0)
    if isinstance(node, BinOp):
        return max(_lookback(node.left), _lookback(node.right))
    if isinstance(node, Unary):
        return _lookback(node.operand)
    return 1


def resolve(name: Name, known: set[str]) -> str:
    """The canonical field name for ``name``, or an error pointing at its column with a suggestion."""
    canonical = ALIASES.get(name.name, name.name)
    if canonical in known:
        return canonical
    pool = sorted(known | set(ALIASES))
    close = difflib.get_close_matches(name.name, pool, n=1, cutoff=0.6)
    hint = (
        f"; did you mean {ALIASES.get(close[0], close[0]) if close[0] in ALIASES else close[0]}?"
        if close
        else (f"; known fields: {', '.join(sorted(known))}")
    )
    raise ScreenSyntaxError(f"unknown field '{name.name}' at column {name.col}{hint}")


def check(node: Node, known: set[str]) -> None:
    """Validate names, function arity and window arguments before touching any data."""
    for n in _names(node):
        resolve(n, known)
    _check_calls(node)


def _check_calls(node: Node) -> None:
    if isinstance(node, Call):
        fn = FUNCTIONS.get(node.name)
        if fn is None:
            close = difflib.get_close_matches(node.name, list(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; functions: {', '.join(FUNCTIONS)}"
            raise ScreenSyntaxError(f"unknown function '{node.name}' at column {node.col}{hint}")
        if not fn.min_args <= len(node.args) <= fn.max_args:
            raise ScreenSyntaxError(
                f"{node.name} at column {node.col} takes {fn.doc}; got {len(node.args)} argument(s)"
            )
        if fn.window_arg is not None and len(node.args) > fn.window_arg:
            w = node.args[fn.window_arg]
            if not (isinstance(w, Num) and w.value == int(w.value) and 1 <= w.value <= 1000):
                raise ScreenSyntaxError(
                    f"the window of {node.name} at column {node.col} must be a whole number of days 1..1000"
                )
        for a in node.args:
            _check_calls(a)
    elif isinstance(node, BinOp):
        _check_calls(node.left)
        _check_calls(node.right)
    elif isinstance(node, Unary):
        _check_calls(node.operand)


def _eval(node: Node, env: dict[str, FloatArray], known: set[str]) -> FloatArray:
    if isinstance(node, Num):
        return np.asarray(node.value, dtype=np.float64)
    if isinstance(node, Name):
        return env[resolve(node, known)]
    if isinstance(node, Unary):
        v = _eval(node.operand, env, known)
        return np.where(np.isnan(v), np.nan, (v == 0).astype(float)) if node.op == "not" else -v
    if isinstance(node, Call):
        fn = FUNCTIONS[node.name]
        vals = [_eval(a, env, known) for i, a in enumerate(node.args) if i != fn.window_arg]
        shape = env["close"].shape
        vals = [np.broadcast_to(v, shape).astype(np.float64) for v in vals]
        wins = [int(a.value) for i, a in enumerate(node.args) if i == fn.window_arg and isinstance(a, Num)]
        return fn.apply(vals, wins)
    left, right = _eval(node.left, env, known), _eval(node.right, env, known)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _binop(node.op, left, right)


def _binop(op: str, a: FloatArray, b: FloatArray) -> FloatArray:
    nan = np.isnan(a) | np.isnan(b)
    if op in ("+", "-", "*", "/"):
        out = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op](a, b)
        return np.where(np.isfinite(out), out, np.nan)
    if op in ("and", "or"):
        r = (a != 0) & (b != 0) if op == "and" else (a != 0) | (b != 0)
        return np.where(nan, 0.0, r.astype(float))  # a missing value never passes a screen
    cmp = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
           "!=": np.not_equal}[op]  # fmt: skip
    return np.where(nan, np.nan, cmp(a, b).astype(float))


def screen_values(text: str | Node, day: date, source: ScreenData, *, industry: str | None = None) -> pd.Series:
    """Value of an expression (e.g. a ranking such as ``market_cap`` or ``-roe``) per code traded on ``day``.

    ``text`` may be an already parsed expression (a backtest parses once and evaluates on every rebalance day).
    """
    table = _evaluate(text, day, source, keep_all=True, industry=industry)
    return table.set_index("code")["value"]


def run_screen(text: str | Node, day: date, source: ScreenData, *, industry: str | None = None) -> pd.DataFrame:
    """Codes traded on ``day`` (not suspended) that pass ``text`` (text or parsed), with every field it mentions.

    ``industry`` keeps only stocks of that industry (its name, e.g. ``货币金融服务``, or its code, e.g. ``J66``) in
    the classification in force on ``day`` — the same point-in-time lookup the diagnosis groups peers by.
    """
    return _evaluate(text, day, source, keep_all=False, industry=industry).drop(columns="value")


def industry_members(source: ScreenData, day: date, industry: str) -> pd.DataFrame:
    """``code, industry`` of the stocks in ``industry`` on ``day``; an unknown industry is an error with a hint."""
    if not isinstance(source, IndustrySource):
        raise ScreenSyntaxError("this data source has no industry classification; screen without an industry")
    table = source.industries(day)
    wanted = industry.strip()
    hit = table[(table["industry"] == wanted) | (table["industry_code"] == wanted.upper())]
    if hit.empty:
        names = sorted({str(n) for n in table["industry"].dropna()})
        close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.4)
        hint = f"; did you mean {close[0]}?" if close else f"; {len(names)} industries are known on {day}"
        raise ScreenSyntaxError(f"no industry {wanted!r} in the classification in force on {day}{hint}")
    return hit[["code", "industry"]]


def _evaluate(
    text: str | Node, day: date, source: ScreenData, *, keep_all: bool, industry: str | None = None
) -> pd.DataFrame:
    node = parse(text) if isinstance(text, str) else text
    funda = source.fundamentals(day)
    known = set(BAR_FIELDS) | set(DERIVED) | {c for c in funda.columns if c not in ("code", "report_period",
                                                                                      "announce_date")}  # fmt: skip
    check(node, known)
    used = sorted({resolve(n, known) for n in _names(node)})
    bar_fields = sorted({"close", "suspended"} | {f for f in used if f in BAR_FIELDS})
    panels = source.bars(bar_fields, day, _lookback(node) + 5)
    close = panels["close"]
    if close.empty:
        raise ScreenSyntaxError(f"no bars on or before {day}; pick a trading day inside the data")
    codes = list(close.columns)
    env = {f: panels[f].reindex(columns=codes).to_numpy(dtype=np.float64) for f in bar_fields}
    f = funda.set_index("code").reindex(codes) if len(funda) else pd.DataFrame(index=codes)
    for name in used:
        if name not in env and name not in DERIVED:
            env[name] = f[name].to_numpy(dtype=np.float64)[None, :] if name in f else np.full((1, len(codes)), np.nan)
    shares = {"market_cap": "total_share", "float_cap": "liq_share"}
    for name in set(used) & set(DERIVED):
        col = f[shares[name]].to_numpy(dtype=np.float64) if shares[name] in f else np.full(len(codes), np.nan)
        env[name] = env["close"] * col[None, :]
    values = np.broadcast_to(_eval(node, env, known), env["close"].shape)[-1]
    last_day = pd.Timestamp(close.index[-1]).date()
    traded = np.isfinite(env["close"][-1]) & (np.nan_to_num(env["suspended"][-1], nan=1.0) == 0)
    if pd.Timestamp(close.index[-1]).date() != day:
        traded[:] = False  # the day itself has no bars: nothing traded
    members = industry_members(source, day, industry) if industry is not None else None
    if members is not None:
        traded &= np.isin(np.asarray(codes), members["code"].to_numpy())
    mask = traded if keep_all else (np.nan_to_num(values, nan=0.0) != 0) & traded
    out = pd.DataFrame({"code": np.asarray(codes)[mask], "value": values[mask]})
    if members is not None:
        out["industry"] = out["code"].map(members.set_index("code")["industry"])
    for name in used:
        out[name] = np.broadcast_to(env[name], env["close"].shape)[-1][mask]
    out.insert(1, "date", last_day)
    return out.sort_values("code").reset_index(drop=True)
