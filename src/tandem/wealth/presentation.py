"""Wealth records as the API and the 财富 tab show them: one language, finite numbers, down-sampled curves.

The domain (:mod:`tandem.wealth.client`, :mod:`tandem.wealth.advisory`) decides; this only presents, as plain
values shaped like the web's ``XPublic`` schemas (``tandem.web.schemas.wealth`` validates them), so the same view
serves the JSON API and the pages. Stored plans keep both languages, so a plan reads in the language of the
request that shows it.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from tandem.compliance.disclaimers import Lang, data_date_line
from tandem.compliance.suitability import InvestorCategory
from tandem.core.errors import UserError
from tandem.core.i18n import LANGS, translate
from tandem.wealth.advisory import strategy_names
from tandem.wealth.assessment import Assessment
from tandem.wealth.client import ClientLevel
from tandem.wealth.holdings import HoldingValue
from tandem.wealth.models import PlanRow
from tandem.wealth.plans import AmountTooSmallError
from tandem.wealth.questionnaire import Questionnaire
from tandem.wealth.strategies import STRATEGIES, strategy_by_key
from tandem.wealth.strategy_backtest import StrategyBacktest
from tandem.wealth.strategy_service import StrategyView

CURVE_POINTS = 80
_SPAN = re.compile(r"(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})")


def finite(x: float) -> float | None:
    """``x`` or None when it is NaN/inf (JSON has no NaN)."""
    return x if math.isfinite(x) else None


def label_of(category: InvestorCategory, lang: Lang) -> str:
    """The category's name in ``lang``."""
    return translate(lang, f"wealth.category.{category.value}")


def questionnaire_view(q: Questionnaire, lang: Lang) -> dict[str, Any]:
    """The questionnaire in one language, without scores."""
    i = LANGS.index(lang)  # the questionnaire file carries each text in both languages
    return dict(
        version=q.version,
        lang=lang,
        validity_days=q.validity_days,
        questions=[
            dict(
                id=qu.id,
                text=(qu.zh, qu.en)[i],
                options=[dict(key=o.key, text=(o.zh, o.en)[i]) for o in qu.options],
            )
            for qu in q.questions
        ],
    )


def assessment_view(a: Assessment, lang: Lang) -> dict[str, Any]:
    """A stored assessment for the client."""
    return dict(
        id=a.id,
        level=a.category.value,
        label=label_of(a.category, lang),
        lowest_category=a.lowest_category,
        forced_by=list(a.forced_by),
        assessed_at=a.assessed_at,
        valid_until=a.valid_until,
        questionnaire_version=a.questionnaire_version,
    )


def level_view(level: ClientLevel, lang: Lang) -> dict[str, Any]:
    """The caller's latest level with its expiry; ``reassessment_needed`` when there is none or it expired."""
    latest = level.latest
    if latest is None:
        return dict(assessed=False, reassessment_needed=True)
    note = None
    if latest.lowest_category:
        note = translate(lang, "wealth.lowest_note")
    return dict(
        assessed=True,
        level=latest.category.value,
        label=label_of(latest.category, lang),
        lowest_category=latest.lowest_category,
        lowest_category_note=note,
        assessed_at=latest.assessed_at,
        valid_until=latest.valid_until,
        days_left=level.days_left,
        expired=level.expired,
        reassessment_needed=level.expired,
    )


def backtest_view(bt: StrategyBacktest) -> dict[str, Any]:
    """Backtest statistics plus a down-sampled equity curve."""
    curve = bt.curve
    step = max(1, math.ceil(len(curve) / CURVE_POINTS))
    picked = list(range(0, len(curve), step))
    if picked and picked[-1] != len(curve) - 1:
        picked.append(len(curve) - 1)
    st = bt.stats
    return dict(
        annual_return=finite(st.annual_return),
        volatility=finite(st.volatility),
        max_drawdown=finite(st.max_drawdown),
        sharpe=finite(st.sharpe),
        start=st.start,
        end=st.end,
        observations=st.observations,
        costs=round(bt.costs, 6),
        rebalances=bt.rebalances,
        method=bt.method,
        curve=[dict(date=curve.index[i], value=round(float(curve.iloc[i]), 6)) for i in picked],
    )


def strategy_list_view(category: InvestorCategory, views: list[StrategyView], lang: Lang) -> dict[str, Any]:
    """The matching strategies in ``lang`` with their backtests."""
    return dict(
        level=category.value,
        items=[
            dict(
                key=v.strategy.key,
                name=v.strategy.name.render(lang),
                description=v.strategy.description.render(lang),
                risk_level=v.strategy.risk.value,
                levels=[c.value for c in InvestorCategory if v.strategy.serves(c)],
                backtest=backtest_view(v.backtest),
            )
            for v in views
        ],
    )


def plan_view(row: PlanRow, *, lang: Lang, current: InvestorCategory | None) -> dict[str, Any]:
    """A stored plan in ``lang``; ``matches_current_level`` is re-evaluated against ``current``."""
    p: dict[str, Any] = row.payload
    e = p["expected"]
    keys = {s.key for s in STRATEGIES}
    matches = current is not None and row.strategy in keys and strategy_by_key(row.strategy).serves(current)
    return dict(
        id=row.id,
        status=row.status,
        level=row.level,
        strategy=row.strategy,
        strategy_name=strategy_names(lang).get(row.strategy, str(p.get("strategy_name", row.strategy))),
        amount=row.amount,
        invested=float(p["invested"]),
        cash_residual=float(p["cash_residual"]),
        horizon_years=float(p["horizon_years"]),
        holdings=[dict(h) for h in p["holdings"]],
        expected=dict(
            annual_return=finite(e["return"]),
            volatility=finite(e["volatility"]),
            max_drawdown=finite(e["max_drawdown"]),
            basis=str(e["basis"]),
        ),
        explanation=p[f"explanation_{lang}"],  # the stored payload keeps both languages
        disclaimer=p[f"disclaimer_{lang}"],
        data_line=_data_line(str(p.get("data_line", "")), lang),
        notes=[_note(str(n), lang) for n in p.get("notes", [])],
        rebalance=[dict(r) for r in p.get("rebalance", [])],
        rule_version=row.rule_version,
        matches_current_level=matches,
        created_at=row.created_at,
    )


def _data_line(line: str, lang: Lang) -> str:
    """The stored (Chinese) data-range line, in ``lang``."""
    span = _SPAN.search(line)
    if span is None:
        return line
    return data_date_line(date.fromisoformat(span[2]), lang, start=date.fromisoformat(span[1]))


def _note(note: str, lang: Lang) -> str:
    """One language of a builder note written as ``code: 中文 / English``."""
    code, sep, text = note.partition(": ")
    zh, slash, en = text.partition(" / ")
    if not sep or not slash:
        return note
    return f"{code}: {(zh, en)[LANGS.index(lang)]}"


def holdings_view(values: list[HoldingValue], lang: Lang) -> dict[str, Any]:
    """The caller's simulated positions valued at the latest catalogue NAV."""
    items: list[dict[str, Any]] = [
        dict(
            code=v.row.code,
            name=v.row.name,
            risk_level=v.row.risk_level,
            asset_class=v.row.asset_class,
            units=v.row.units,
            nav=v.row.nav,
            cost=v.row.cost,
            value=v.value,
            above_level=v.above_level,
        )
        for v in values
    ]
    note = translate(lang, "wealth.holdings_note")
    first = values[0].row if values else None
    return dict(
        plan_id=first.plan_id if first else None,
        subscribed_at=first.subscribed_at if first else None,
        items=items,
        total_cost=round(sum(v.row.cost for v in values), 2),
        total_value=round(sum(v.value for v in values), 2),
        note=note,
    )


AMOUNT_PRESETS = (50_000, 100_000, 200_000, 500_000)
CLASS_KEYS = ("cash", "bond", "mixed", "equity", "qdii", "commodity")
"""Asset classes the plan shows, named by ``wealth.class.<key>`` in the catalogue."""


def class_labels(lang: Lang) -> dict[str, str]:
    """The asset classes' names in ``lang`` (the plan's holdings are grouped by class)."""
    return {k: translate(lang, f"wealth.class.{k}") for k in CLASS_KEYS}


def sparkline(values: list[float], *, width: int = 300, height: int = 56) -> str:
    """SVG polyline points of an equity curve scaled into ``width``×``height`` (drawn server-side, no JS)."""
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 4 - (v - lo) / span * (height - 8):.1f}" for i, v in enumerate(values))


def friendly(exc: UserError, lang: Lang) -> dict[str, Any]:
    """A headline in the page language plus the detail (which names the fund and its minimum purchase)."""
    if isinstance(exc, AmountTooSmallError) and exc.minimum:
        need = f"{exc.minimum:,}"
        head = translate(lang, "wealth.too_small.headline", need=need)
        return {"headline": head, "detail": str(exc), "need": str(exc.minimum)}
    return {"headline": None, "detail": str(exc), "need": None}
