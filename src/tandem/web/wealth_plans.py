"""The caller's plans and simulated holdings: build, list, read, accept (a simulated subscription).

Suitability is enforced here, not in the templates: a strategy request above the client's level is checked and
audited, then refused — blocked outright for the lowest category, otherwise with the special risk warning
recorded as shown. An advisory plan is a recommendation, and the rules never allow recommending a mismatch, so
no confirmation can turn such a request into a plan. Acceptance re-checks every fund against the client's level
of that moment. Another client's plan is simply not found (404).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.compliance.disclaimers import data_date_line
from tandem.compliance.suitability import InvestorCategory, ProductRisk, Verdict
from tandem.core.errors import ConflictError, NotFoundError
from tandem.identity.models import User
from tandem.wealth.models import PlanRow
from tandem.wealth.plans import AmountTooSmallError as PlanAmountTooSmall
from tandem.wealth.strategies import STRATEGIES, strategy_by_key
from tandem.web.i18n import Lang
from tandem.web.wealth_client import client_id_of, finite, require_category, strategy_names
from tandem.web.wealth_holdings import current_holdings, held_amounts, replace_holdings
from tandem.web.wealth_minimum import AmountTooSmallError, too_small_message
from tandem.web.wealth_schemas import (
    ExpectedPublic,
    HoldingsPublic,
    PlanCreate,
    PlanHoldingPublic,
    PlanPublic,
    RebalancePublic,
    SimHoldingPublic,
)
from tandem.web.wealth_services import WealthServices


def _current_or_none(svc: WealthServices, user: User, lang: Lang) -> InvestorCategory | None:
    try:
        return require_category(svc, user=user, lang=lang)
    except ConflictError:
        return None


_SPAN = re.compile(r"(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})")


def plan_public(row: PlanRow, *, lang: Lang, current: InvestorCategory | None) -> PlanPublic:
    """A stored plan in ``lang``; ``matches_current_level`` is re-evaluated against ``current``."""
    p: dict[str, Any] = row.payload
    zh = lang == "zh"
    e = p["expected"]
    keys = {s.key for s in STRATEGIES}
    matches = current is not None and row.strategy in keys and strategy_by_key(row.strategy).serves(current)
    return PlanPublic(
        id=row.id,
        status=row.status,
        level=row.level,
        strategy=row.strategy,
        strategy_name=strategy_names(lang).get(row.strategy, str(p.get("strategy_name", row.strategy))),
        amount=row.amount,
        invested=float(p["invested"]),
        cash_residual=float(p["cash_residual"]),
        horizon_years=float(p["horizon_years"]),
        holdings=[PlanHoldingPublic(**h) for h in p["holdings"]],
        expected=ExpectedPublic(
            annual_return=finite(e["return"]),
            volatility=finite(e["volatility"]),
            max_drawdown=finite(e["max_drawdown"]),
            basis=str(e["basis"]),
        ),
        explanation=p["explanation_zh"] if zh else p["explanation_en"],
        disclaimer=p["disclaimer_zh"] if zh else p["disclaimer_en"],
        data_line=_data_line(str(p.get("data_line", "")), lang),
        notes=[_note(str(n), lang) for n in p.get("notes", [])],
        rebalance=[RebalancePublic(**r) for r in p.get("rebalance", [])],
        rule_version=row.rule_version,
        matches_current_level=matches,
        created_at=row.created_at,
    )


def _data_line(line: str, lang: Lang) -> str:
    """The stored (Chinese) data-range line, in ``lang``."""
    span = _SPAN.search(line)
    if lang == "zh" or span is None:
        return line
    return data_date_line(date.fromisoformat(span[2]), "en", start=date.fromisoformat(span[1]))


def _note(note: str, lang: Lang) -> str:
    """One language of a builder note written as ``code: 中文 / English``."""
    code, sep, text = note.partition(": ")
    zh, slash, en = text.partition(" / ")
    if not sep or not slash:
        return note
    return f"{code}: {zh if lang == 'zh' else en}"


def _refuse_above_level(svc: WealthServices, *, cid: str, category: InvestorCategory, key: str, lang: Lang) -> None:
    """Audit the check for a requested strategy; raise ConflictError when it does not match the client."""
    strategy = strategy_by_key(key)
    decision = svc.suitability.check(
        actor=cid, client_id=cid, product_code=f"strategy:{strategy.key}", category=category, product_risk=strategy.risk
    )
    if decision.may_recommend:
        return
    if decision.verdict is Verdict.NEEDS_WARNING_AND_CONFIRMATION:
        svc.suitability.record_warning(
            actor=cid, client_id=cid, product_code=f"strategy:{strategy.key}", decision=decision
        )
    allowed = ", ".join(s.key for s in STRATEGIES if s.serves(category))
    if lang == "zh":
        raise ConflictError(
            f"{decision.message_zh} 投顾组合策略只能与您的风险等级相匹配，"
            f"「{strategy.name_zh}」（{strategy.risk.value}）不能为您生成方案；可选策略：{allowed}。"
        )
    raise ConflictError(
        f"{decision.message_en} Advisory plans must match your level; {strategy.key} ({strategy.risk.value}) "
        f"cannot be planned for {category.value}. Matching strategies: {allowed}."
    )


def create_plan(svc: WealthServices, db: Session, *, user: User, body: PlanCreate, lang: Lang) -> PlanPublic:
    """Build, persist and audit a plan for the caller's valid level (on top of their simulated holdings)."""
    category = require_category(svc, user=user, lang=lang)
    cid = client_id_of(user)
    key = None
    if body.strategy is not None:
        key = strategy_by_key(body.strategy.strip()).key
        _refuse_above_level(svc, cid=cid, category=category, key=key, lang=lang)
    bundle = svc.bundle()
    held = held_amounts(db, client_id=cid, navs=bundle.navs())
    db.rollback()  # end the read snapshot: the repository writes in its own transaction
    with svc.computing():
        try:
            plan = bundle.plans.build(
                actor=cid,
                client_id=cid,
                category=category,
                amount=body.amount,
                horizon_years=body.horizon_years,
                holdings=held,
                strategy=key,
            )
        except PlanAmountTooSmall as exc:
            minimum = exc.minimum  # exact: the smallest new money from which the plan builds
            chosen = bundle.plans.choose_strategy(category=category, horizon_years=body.horizon_years, key=key)
            name = strategy_names(lang)[chosen.key]
            message = too_small_message(amount=body.amount, minimum=minimum, detail=str(exc), strategy=name, lang=lang)
            raise AmountTooSmallError(message, minimum) from exc
    plan_id = svc.plan_repo.save(actor=cid, plan=plan)
    return plan_public(_own_row(db, cid=cid, plan_id=plan_id), lang=lang, current=category)


def _own_row(db: Session, *, cid: str, plan_id: int) -> PlanRow:
    row = db.scalar(select(PlanRow).where(PlanRow.id == plan_id, PlanRow.client_id == cid))
    if row is None:
        raise NotFoundError(f"no plan {plan_id}")
    return row


def list_plans(
    svc: WealthServices, db: Session, *, user: User, lang: Lang, offset: int, limit: int
) -> tuple[list[PlanPublic], int]:
    """One page of the caller's plans, newest first, and the total."""
    cid = client_id_of(user)
    q = select(PlanRow).where(PlanRow.client_id == cid)
    total = int(db.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = db.scalars(q.order_by(PlanRow.id.desc()).offset(offset).limit(limit))
    current = _current_or_none(svc, user, lang)
    return [plan_public(r, lang=lang, current=current) for r in rows], total


def get_plan(svc: WealthServices, db: Session, *, user: User, plan_id: int, lang: Lang) -> PlanPublic:
    """One of the caller's plans (404 for anyone else's)."""
    row = _own_row(db, cid=client_id_of(user), plan_id=plan_id)
    return plan_public(row, lang=lang, current=_current_or_none(svc, user, lang))


def accept_plan(svc: WealthServices, db: Session, *, user: User, plan_id: int, lang: Lang) -> PlanPublic:
    """Accept a proposed plan: re-check every fund (audited), mark it accepted, record the simulated holdings."""
    cid = client_id_of(user)
    row = _own_row(db, cid=cid, plan_id=plan_id)
    category = require_category(svc, user=user, lang=lang)
    holdings = list(row.payload["holdings"])
    risks = {str(h["code"]): ProductRisk(h["risk_level"]) for h in holdings}
    decisions = svc.suitability.check_many(actor=cid, client_id=cid, category=category, products=risks)
    refused = sorted(c for c, d in decisions.items() if not d.may_recommend)
    if refused:
        raise ConflictError(
            f"plan {plan_id} holds {', '.join(refused)}, above your current level {category.value}; build a new plan"
        )
    navs = svc.bundle().navs()
    db.rollback()  # end the read snapshot before the repository's write
    svc.plan_repo.accept(actor=cid, plan_id=plan_id)
    replace_holdings(db, client_id=cid, plan_id=plan_id, holdings=holdings, navs=navs)
    db.commit()
    return plan_public(_own_row(db, cid=cid, plan_id=plan_id), lang=lang, current=category)


def holdings_public(svc: WealthServices, db: Session, *, user: User, lang: Lang) -> HoldingsPublic:
    """The caller's simulated positions valued at the latest catalogue NAV."""
    rows = current_holdings(db, client_id=client_id_of(user))
    navs = svc.bundle().navs() if rows else {}
    current = _current_or_none(svc, user, lang)
    items = [
        SimHoldingPublic(
            code=r.code,
            name=r.name,
            risk_level=r.risk_level,
            asset_class=r.asset_class,
            units=r.units,
            nav=r.nav,
            cost=r.cost,
            value=round(r.units * navs.get(r.code, r.nav), 2),
            above_level=current is not None and ProductRisk(r.risk_level).rank > current.rank,
        )
        for r in rows
    ]
    note = (
        "模拟申购：仅用于演示与学习，没有发生真实资金划转。"
        if lang == "zh"
        else "Simulated subscription for demonstration; no real money moved."
    )
    return HoldingsPublic(
        plan_id=rows[0].plan_id if rows else None,
        subscribed_at=rows[0].subscribed_at if rows else None,
        items=items,
        total_cost=round(sum(i.cost for i in items), 2),
        total_value=round(sum(i.value for i in items), 2),
        note=note,
    )
