"""The caller's advisory plans and simulated holdings: build, list, read, accept (a simulated subscription).

Suitability is enforced here, not in the templates: a strategy request above the client's level is checked and
audited, then refused — blocked outright for the lowest category, otherwise with the special risk warning
recorded as shown. An advisory plan is a recommendation, and the rules never allow recommending a mismatch, so
no confirmation can turn such a request into a plan. Acceptance re-checks every fund against the client's level
of that moment. Another client's plan is simply not found (404).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.compliance.disclaimers import Lang
from tandem.compliance.suitability import InvestorCategory, ProductRisk, Verdict
from tandem.core.errors import ConflictError, NotFoundError
from tandem.core.i18n import Message, translate
from tandem.wealth.client import category_or_none, client_id_of, require_category
from tandem.wealth.holdings import HoldingValue, current_holdings, held_amounts, replace_holdings, value_holdings
from tandem.wealth.models import PlanRow
from tandem.wealth.plans import AmountTooSmallError
from tandem.wealth.services import WealthServices
from tandem.wealth.strategies import STRATEGIES, strategy_by_key


def strategy_names(lang: Lang) -> dict[str, str]:
    """Strategy key → display name in ``lang``."""
    return {s.key: s.name.render(lang) for s in STRATEGIES}


def too_small_message(*, amount: float, minimum: int | None, detail: str, strategy: str, lang: Lang) -> str:
    """The client-facing message (the builder's detail kept, since it names the fund and its minimum)."""
    need: Message | str = (
        Message("wealth.too_small.need", {"strategy": strategy, "minimum": minimum}) if minimum else ""
    )
    return translate(lang, "wealth.too_small", amount=amount, need=need, detail=detail)


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
    raise ConflictError(
        translate(
            lang,
            "wealth.above_level",
            decision=decision.message,
            strategy=strategy.name,
            code=strategy.key,
            risk=strategy.risk.value,
            category=category.value,
            allowed=allowed,
        )
    )


def create_plan(
    svc: WealthServices,
    db: Session,
    *,
    user_id: int,
    amount: float,
    horizon_years: float,
    strategy: str | None,
    lang: Lang,
) -> tuple[PlanRow, InvestorCategory]:
    """Build, persist and audit a plan for the caller's valid level (on top of their simulated holdings).

    Too small an amount is :class:`AmountTooSmallError` with the exact minimum and a message in ``lang``.
    """
    category = require_category(svc, user_id=user_id, lang=lang)
    cid = client_id_of(user_id)
    key = None
    if strategy is not None:
        key = strategy_by_key(strategy.strip()).key
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
                amount=amount,
                horizon_years=horizon_years,
                holdings=held,
                strategy=key,
            )
        except AmountTooSmallError as exc:
            minimum = exc.minimum  # exact: the smallest new money from which the plan builds
            chosen = bundle.plans.choose_strategy(category=category, horizon_years=horizon_years, key=key)
            name = strategy_names(lang)[chosen.key]
            message = too_small_message(amount=amount, minimum=minimum, detail=str(exc), strategy=name, lang=lang)
            raise AmountTooSmallError(message, minimum=minimum) from exc
    plan_id = svc.plan_repo.save(actor=cid, plan=plan)
    return own_plan(db, user_id=user_id, plan_id=plan_id), category


def own_plan(db: Session, *, user_id: int, plan_id: int) -> PlanRow:
    """One of the caller's plans (NotFoundError for anyone else's)."""
    row = db.scalar(select(PlanRow).where(PlanRow.id == plan_id, PlanRow.client_id == client_id_of(user_id)))
    if row is None:
        raise NotFoundError(f"no plan {plan_id}")
    return row


def list_plans(db: Session, *, user_id: int, offset: int, limit: int) -> tuple[list[PlanRow], int]:
    """One page of the caller's plans, newest first, and the total."""
    q = select(PlanRow).where(PlanRow.client_id == client_id_of(user_id))
    total = int(db.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = list(db.scalars(q.order_by(PlanRow.id.desc()).offset(offset).limit(limit)))
    return rows, total


def accept_plan(
    svc: WealthServices, db: Session, *, user_id: int, plan_id: int, lang: Lang
) -> tuple[PlanRow, InvestorCategory]:
    """Accept a proposed plan: re-check every fund (audited), mark it accepted, record the simulated holdings."""
    cid = client_id_of(user_id)
    row = own_plan(db, user_id=user_id, plan_id=plan_id)
    category = require_category(svc, user_id=user_id, lang=lang)
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
    return own_plan(db, user_id=user_id, plan_id=plan_id), category


def holdings_of(svc: WealthServices, db: Session, *, user_id: int) -> list[HoldingValue]:
    """The caller's simulated positions valued at the latest catalogue NAV, checked against their current level."""
    rows = current_holdings(db, client_id=client_id_of(user_id))
    navs = svc.bundle().navs() if rows else {}
    current = category_or_none(svc, user_id=user_id)
    return value_holdings(rows, navs=navs, level_rank=current.rank if current is not None else None)
