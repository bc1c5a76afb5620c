"""The 财富 tab: questionnaire, risk level, matching strategies with real backtests, plan, simulated holdings.

Handlers gather view data from the same client-scoped functions the API uses (so the page can never show more
than the API would) and render; htmx posts swap one section at a time.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from tandem.core.errors import ConflictError, UserError
from tandem.core.i18n import Lang, translate
from tandem.identity import User
from tandem.wealth import advisory, client
from tandem.wealth.plans import AmountTooSmallError
from tandem.wealth.services import WealthServices
from tandem.web.deps import CurrentUser, LangDep, MaybeUser, SessionDep, StateDep, WealthDep
from tandem.web.pages.base import base_context, login_needed, templates
from tandem.web.schemas.wealth import CurvePoint, PlanCreate, StrategyListPublic
from tandem.web.server_events import record_assessment, record_plan
from tandem.web.templating import render
from tandem.web.views.wealth import (
    holdings_public,
    level_public,
    plan_public,
    questionnaire_public,
    strategy_list_public,
)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AMOUNT_PRESETS = (50_000, 100_000, 200_000, 500_000)
CLASS_KEYS = ("cash", "bond", "mixed", "equity", "qdii", "commodity")
"""Asset classes the plan shows, named by ``wealth.class.<key>`` in the catalogue."""


def sparkline(curve: list[CurvePoint], *, width: int = 300, height: int = 56) -> str:
    """SVG polyline points of an equity curve scaled into ``width``×``height`` (drawn server-side, no JS)."""
    if len(curve) < 2:
        return ""
    values = [p.value for p in curve]
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


def _strategies(svc: WealthServices, user: User, lang: Lang) -> tuple[StrategyListPublic | None, str | None]:
    """The matching strategies, or None and why (no valid level: None, None; no fund data: None, the message)."""
    try:
        category, views = client.matching_strategies(svc, user_id=user.id, lang=lang)
        return strategy_list_public(category, views, lang), None
    except ConflictError:
        return None, None
    except UserError as exc:
        return None, str(exc)


def wealth_context(svc: WealthServices, db: SessionDep, user: User, lang: Lang) -> dict[str, Any]:
    """Everything the tab shows for the caller."""
    level = level_public(client.client_level(svc, user_id=user.id), lang)
    strategies, unavailable = _strategies(svc, user, lang) if level.assessed and not level.expired else (None, None)
    rows, _ = advisory.list_plans(db, user_id=user.id, offset=0, limit=1)
    current = client.category_or_none(svc, user_id=user.id)
    plans = [plan_public(r, lang=lang, current=current) for r in rows]
    return {
        "level": level,
        "questionnaire": questionnaire_public(svc.questionnaire, lang),
        "strategies": strategies,
        "unavailable": unavailable,
        "sparks": {s.key: sparkline(s.backtest.curve) for s in strategies.items} if strategies else {},
        "plan": plans[0] if plans and plans[0].status in ("proposed", "accepted") else None,
        "holdings": holdings_public(advisory.holdings_of(svc, db, user_id=user.id), lang),
        "presets": AMOUNT_PRESETS,
        "class_labels": {k: translate(lang, f"wealth.class.{k}") for k in CLASS_KEYS},
        "answers": {},
        "missing": [],
        "error": None,
    }


def _page(request: Request, state: StateDep, user: User, lang: Lang, ctx: dict[str, Any]) -> Response:
    full = base_context(request, state, user, "wealth") | ctx
    return render(templates, request, "wealth.html", lang, **full)


@router.get("/wealth")
def wealth_page(
    request: Request, user: MaybeUser, state: StateDep, svc: WealthDep, db: SessionDep, lang: LangDep
) -> Response:
    """财富: the questionnaire until the client has a valid level, then level, strategies, plan and holdings.

    A visitor sees why the tab needs an account (suitability needs the risk assessment) and the sign-up button.
    """
    if user is None:
        return login_needed(request, state, lang, "wealth")
    ctx = wealth_context(svc, db, user, lang)
    ctx["retake"] = request.query_params.get("retake") == "1"
    if ctx.get("plan") is not None:
        record_plan(request, user.id, ctx["plan"].strategy, ctx["plan"].id, accepted=False)
    return _page(request, state, user, lang, ctx)


@router.post("/wealth/assess")
async def wealth_assess(
    request: Request, user: CurrentUser, state: StateDep, svc: WealthDep, db: SessionDep, lang: LangDep
) -> Response:
    """htmx: score the submitted questionnaire; incomplete answers re-render it with the missing ones marked.

    Form errors answer 200 with the message in the fragment, because htmx does not swap 4xx responses.
    """
    form = await request.form()
    answers = {str(k)[2:]: str(v)[:8] for k, v in list(form.multi_items())[:60] if str(k).startswith("q_")}
    q = svc.questionnaire
    missing = [qu.id for qu in q.questions if qu.id not in answers]
    if missing:
        ctx = wealth_context(svc, db, user, lang) | {"answers": answers, "missing": missing, "retake": True}
        return render(templates, request, "partials/wealth_main.html", lang, **ctx)
    try:
        assessment = client.submit_assessment(svc, user_id=user.id, answers=answers)
    except UserError as exc:
        ctx = wealth_context(svc, db, user, lang) | {"answers": answers, "error": str(exc), "retake": True}
        return render(templates, request, "partials/wealth_main.html", lang, **ctx)
    record_assessment(request, user.id, assessment.category.value)
    ctx = wealth_context(svc, db, user, lang) | {"retake": False, "just_assessed": True}
    return render(templates, request, "partials/wealth_main.html", lang, **ctx)


@router.post("/wealth/plan")
async def wealth_plan(request: Request, user: CurrentUser, svc: WealthDep, db: SessionDep, lang: LangDep) -> Response:
    """htmx: build a plan for the amount and (matching) strategy in the form."""
    form = await request.form()
    raw_amount = str(form.get("amount", "")).replace(",", "").replace("，", "").strip()[:20]
    strategy = str(form.get("strategy", "")).strip()[:32] or None
    horizon = str(form.get("horizon", "3")).strip()[:6]
    ctx: dict[str, Any] = {"class_labels": {k: translate(lang, f"wealth.class.{k}") for k in CLASS_KEYS}}
    try:
        try:
            body = PlanCreate(amount=float(raw_amount), strategy=strategy, horizon_years=float(horizon))
        except ValueError:
            raise UserError(translate(lang, "wealth.amount_invalid")) from None
        row, category = advisory.create_plan(
            svc,
            db,
            user_id=user.id,
            amount=body.amount,
            horizon_years=body.horizon_years,
            strategy=body.strategy,
            lang=lang,
        )
        plan = plan_public(row, lang=lang, current=category)
    except UserError as exc:
        return render(templates, request, "partials/wealth_plan_error.html", lang, **ctx, **friendly(exc, lang))
    record_plan(request, user.id, plan.strategy, plan.id, accepted=False)
    return render(templates, request, "partials/wealth_plan.html", lang, plan=plan, **ctx)


@router.post("/wealth/plans/{plan_id}/accept")
def wealth_accept(
    request: Request, plan_id: PlanId, user: CurrentUser, svc: WealthDep, db: SessionDep, lang: LangDep
) -> Response:
    """htmx: accept the plan (simulated subscription) and refresh the holdings section out of band."""
    ctx: dict[str, Any] = {"class_labels": {k: translate(lang, f"wealth.class.{k}") for k in CLASS_KEYS}}
    try:
        row, category = advisory.accept_plan(svc, db, user_id=user.id, plan_id=plan_id, lang=lang)
        plan = plan_public(row, lang=lang, current=category)
    except UserError as exc:
        return render(templates, request, "partials/wealth_plan_error.html", lang, **ctx, **friendly(exc, lang))
    record_plan(request, user.id, plan.strategy, plan.id, accepted=True)
    holdings = holdings_public(advisory.holdings_of(svc, db, user_id=user.id), lang)
    return render(
        templates, request, "partials/wealth_plan.html", lang, plan=plan, holdings=holdings, oob_holdings=True, **ctx
    )
