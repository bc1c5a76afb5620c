"""Product catalogue: the funds a plan may use, each with type, R-level, fees and real-NAV statistics.

Built from any :class:`~tandem.wealth.datasource.FundDataSource` over a look-back window. Returns come from
accumulated NAV (dividends added back), aligned on the dates most funds report. Funds with too short a history
or stale data are kept out of :attr:`Catalogue.products` and listed in :attr:`Catalogue.excluded` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import NotFoundError, UserError
from tandem.core.models import Board
from tandem.core.rulebook import lot_rule
from tandem.wealth.datasource import FundDataSource
from tandem.wealth.product_rules import (
    ASSET_CLASS_OF,
    AssetClass,
    Channel,
    FeeSchedule,
    FundType,
    classify_fund,
    grade_risk,
    is_exchange_traded,
    minimum_purchase,
    typical_fees,
)
from tandem.wealth.stats import PerformanceStats, annual_volatility, performance

UNKNOWN_FIELDS = ("size_cny", "manager_tenure_years")


@dataclass(frozen=True, slots=True)
class Product:
    """One fund as the advisory service sees it."""

    code: str
    name: str
    source_type: str
    fund_type: FundType
    asset_class: AssetClass
    risk: ProductRisk
    risk_rule: str
    exchange_traded: bool
    fees: FeeSchedule
    min_purchase: float
    last_nav: float
    stats: PerformanceStats
    channel: Channel = Channel.OTC
    min_purchase_source: str = ""
    lot_units: int | None = None  # units per board lot on the exchange; None off the exchange
    size_cny: float | None = None
    manager_tenure_years: float | None = None
    unknown: tuple[str, ...] = UNKNOWN_FIELDS


@dataclass(frozen=True)
class Catalogue:
    """Eligible products, their aligned daily returns, and why other funds were left out."""

    products: dict[str, Product]
    returns: pd.DataFrame
    excluded: dict[str, str] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None

    def product(self, code: str) -> Product:
        """Look up one product; unknown or excluded codes raise with the reason."""
        if code in self.products:
            return self.products[code]
        if code in self.excluded:
            raise UserError(f"fund {code} is not in the catalogue: {self.excluded[code]}")
        raise NotFoundError(f"no fund {code} in the catalogue; known codes: {', '.join(sorted(self.products))}")

    def eligible(self, *, max_risk: ProductRisk) -> list[Product]:
        """Products graded at or below ``max_risk``, in code order."""
        return [p for code, p in sorted(self.products.items()) if p.risk.rank <= max_risk.rank]


def aligned_returns(nav: pd.DataFrame, *, coverage: float = 0.8, max_fill: int = 3) -> pd.DataFrame:
    """Wide daily returns (date × code) from long ``acc_nav`` rows.

    Keeps dates on which at least ``coverage`` of the funds report (drops weekend half-year disclosures),
    carries a missing value forward at most ``max_fill`` days (so a gap shows as a flat day then a catch-up).
    """
    wide = nav.pivot_table(index="date", columns="code", values="acc_nav", aggfunc="last").sort_index()
    wide = wide.loc[wide.notna().mean(axis=1) >= coverage]
    return wide.ffill(limit=max_fill).pct_change(fill_method=None).iloc[1:]


SHELF_CLASSES = (FundType.MONEY_MARKET, FundType.BOND, FundType.MIXED)
MIN_SHELF = 10


def fullest_shelf_day(nav: pd.DataFrame, funds: pd.DataFrame, *, lookback_days: int, max_stale_days: int) -> date:
    """The latest day whose shelf is complete: money-market, bond and mixed funds all usable, and enough funds.

    A fund is usable on a day when its last NAV is within ``max_stale_days`` of it and its history covers the
    lookback window. Falls back to the day with the most usable funds when no day has a complete shelf.
    """
    span = nav.groupby("code")["date"].agg(["min", "max"])
    kinds = {str(r.code): classify_fund(str(r.fund_type), str(r.name)) for r in funds.itertuples(index=False)}
    kind = np.array([kinds.get(str(c), FundType.OTHER) for c in span.index], dtype=object)
    first = np.array([d.toordinal() for d in span["min"]])
    last = np.array([d.toordinal() for d in span["max"]])
    best, best_n = max(span["max"]), -1
    for cand in sorted(set(span["max"]), reverse=True):  # one candidate per fund's last day: a few dozen
        c = cand.toordinal()
        usable = (last >= c - max_stale_days) & (first <= c - int(lookback_days * 0.95))
        if set(SHELF_CLASSES) <= set(kind[usable]) and int(usable.sum()) >= MIN_SHELF:
            return cand  # type: ignore[no-any-return]
        if int(usable.sum()) > best_n:
            best, best_n = cand, int(usable.sum())
    return best  # type: ignore[no-any-return]


def build_catalogue(
    source: FundDataSource,
    *,
    end: date | None = None,
    lookback_days: int = 3 * 365,
    min_history: int = 700,
    max_stale_days: int = 45,
    risk_free: float = 0.02,
    minimums: Mapping[str, float] | None = None,
) -> Catalogue:
    """Read funds and NAVs from ``source`` and grade each fund over ``lookback_days`` ending ``end``.

    ``minimums`` are off-exchange initial minimums in yuan by bare code (from
    :func:`tandem.wealth.fund_master.load_fund_master`); a fund without one gets the documented default.

    Without ``end`` the catalogue is built as of the latest day with a complete shelf (see :func:`fullest_shelf_day`;
    with live data that is simply the latest day, with archives of different vintages it may be earlier).
    """
    funds = source.funds()
    start = (end - timedelta(days=lookback_days)) if end is not None else None
    nav = source.fund_nav(codes=list(funds["code"]), start=start, end=end)
    if nav.empty:
        raise UserError("no fund NAV history in the data source; import fund data first (`tandem data import`)")
    nav = nav.assign(date=pd.to_datetime(nav["date"]).dt.date)
    if end is None:
        last_day = fullest_shelf_day(nav, funds, lookback_days=lookback_days, max_stale_days=max_stale_days)
        nav = nav[nav["date"] <= last_day]
    else:
        last_day = end
    if start is None:
        nav = nav[nav["date"] >= last_day - timedelta(days=lookback_days)]
    # Align only funds still reporting near the end day: a fund that stopped years earlier must not thin out the
    # coverage of every later date (it is excluded as stale below anyway).
    last_seen = nav.groupby("code")["date"].max()
    fresh = last_seen[last_seen >= last_day - timedelta(days=max_stale_days)].index
    returns = aligned_returns(nav[nav["code"].isin(fresh)])
    products: dict[str, Product] = {}
    excluded: dict[str, str] = {}
    for rec in funds.itertuples(index=False):
        code, name, raw_type = str(rec.code), str(rec.name), str(rec.fund_type)
        series = returns[code].dropna() if code in returns else pd.Series(dtype=float)
        raw_dates = nav.loc[nav["code"] == code, "date"]
        last_raw = max(raw_dates) if len(raw_dates) else None
        reason = _exclusion(series, last_raw, last_day, min_history, max_stale_days)
        if reason:
            excluded[code] = reason
            continue
        stated = (minimums or {}).get(code.split(".")[0])
        products[code] = _product(code, name, raw_type, series, nav, risk_free, stated=stated, day=last_day)
    usable = returns[list(products)].dropna(how="any") if products else returns.iloc[:, :0]
    first = usable.index[0] if len(usable) else None
    return Catalogue(products, usable, excluded, first, last_day)


def _exclusion(
    series: pd.Series, last_raw: date | None, last_day: date, min_history: int, max_stale: int
) -> str | None:
    if last_raw is None:
        return "no NAV history in the window"
    if (last_day - last_raw).days > max_stale:
        return f"stale: last NAV {last_raw}, more than {max_stale} days before {last_day}"
    if series.empty:
        return "no NAV history in the window"
    if len(series) < min_history:
        return (
            f"history too short: {len(series)} daily returns ({series.index[0]}..{series.index[-1]}), "
            f"needs at least {min_history}"
        )
    return None


def _product(
    code: str,
    name: str,
    raw_type: str,
    series: pd.Series,
    nav: pd.DataFrame,
    risk_free: float,
    *,
    stated: float | None,
    day: date,
) -> Product:
    fund_type = classify_fund(raw_type, name)
    risk, rule = grade_risk(fund_type, annual_volatility(series))
    traded = is_exchange_traded(code, name=name, fund_type=raw_type)
    last_nav = float(nav.loc[nav["code"] == code].sort_values("date")["nav"].dropna().iloc[-1])
    lot = lot_rule(Board.FUND, day).min_buy if traded else None
    minimum = minimum_purchase(exchange_traded=traded, last_nav=last_nav, stated=stated, lot_units=lot or 100)
    return Product(
        code=code,
        name=name,
        source_type=raw_type,
        fund_type=fund_type,
        asset_class=ASSET_CLASS_OF[fund_type],
        risk=risk,
        risk_rule=rule,
        exchange_traded=traded,
        fees=typical_fees(fund_type, exchange_traded=traded),
        min_purchase=minimum.amount,
        last_nav=last_nav,
        stats=performance(series, risk_free=risk_free),
        channel=minimum.channel,
        min_purchase_source=minimum.source,
        lot_units=lot,
    )
