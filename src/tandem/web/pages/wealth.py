"""The 财富 tab: questionnaire, risk level, matching strategies with real backtests, plan, simulated holdings.

Handlers gather view data from the same client-scoped functions the API uses (so the page can never show more
than the API would) and render; htmx posts swap one section at a time.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from tandem.core.errors import UserError
from tandem.core.i18n import Lang, translate
from tandem.identity import User
from tandem.operations.server_events import record_assessment, record_plan
from tandem.wealth import advisory, client
from tandem.wealth import presentation as present
from tandem.wealth.services import WealthServices
from tandem.wealth.tab_view import tab_view
from tandem.web.deps import SessionDep, WealthDep
from tandem.web.pages.base import MemberPage, VisitorPage, login_needed
from tandem.web.schemas.wealth import HoldingsPublic, PlanCreate, PlanPublic, WealthTabPublic

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _holdings(svc: WealthServices, db: SessionDep, user: User, lang: Lang) -> HoldingsPublic:
    return HoldingsPublic.model_validate(present.holdings_view(advisory.holdings_of(svc, db, user_id=user.id), lang))


def wealth_context(svc: WealthServices, db: SessionDep, user: User, lang: Lang) -> dict[str, Any]:
    """Everything the tab shows for the caller, and an unanswered questionnaire."""
    tab = WealthTabPublic.model_validate(tab_view(svc, db, user_id=user.id, lang=lang))
    return {**{k: getattr(tab, k) for k in WealthTabPublic.model_fields}, "answers": {}, "missing": [], "error": None}


@router.get("/wealth")
def wealth_page(p: VisitorPage, svc: WealthDep) -> Response:
    """财富: the questionnaire until the client has a valid level, then level, strategies, plan and holdings.

    A visitor sees why the tab needs an account (suitability needs the risk assessment) and the sign-up button.
    """
    if p.user is None:
        return login_needed(p.request, p.state, p.lang, "wealth")
    ctx = wealth_context(svc, p.db, p.user, p.lang)
    ctx["retake"] = p.request.query_params.get("retake") == "1"
    if ctx.get("plan") is not None:
        record_plan(p.request.app.state.events, p.user.id, ctx["plan"].strategy, ctx["plan"].id, accepted=False)
    return p.render("wealth.html", "wealth", **ctx)


@router.post("/wealth/assess")
async def wealth_assess(p: MemberPage, svc: WealthDep) -> Response:
    """htmx: score the submitted questionnaire; incomplete answers re-render it with the missing ones marked.

    Form errors answer 200 with the message in the fragment, because htmx does not swap 4xx responses.
    """
    form = await p.request.form()
    answers = {str(k)[2:]: str(v)[:8] for k, v in list(form.multi_items())[:60] if str(k).startswith("q_")}
    missing = [qu.id for qu in svc.questionnaire.questions if qu.id not in answers]
    if missing:
        ctx = wealth_context(svc, p.db, p.user, p.lang) | {"answers": answers, "missing": missing, "retake": True}
        return p.render("partials/wealth_main.html", **ctx)
    try:
        assessment = client.submit_assessment(svc, user_id=p.user.id, answers=answers)
    except UserError as exc:
        ctx = wealth_context(svc, p.db, p.user, p.lang) | {"answers": answers, "error": str(exc), "retake": True}
        return p.render("partials/wealth_main.html", **ctx)
    record_assessment(p.request.app.state.events, p.user.id, assessment.category.value)
    ctx = wealth_context(svc, p.db, p.user, p.lang) | {"retake": False, "just_assessed": True}
    return p.render("partials/wealth_main.html", **ctx)


@router.post("/wealth/plan")
async def wealth_plan(p: MemberPage, svc: WealthDep) -> Response:
    """htmx: build a plan for the amount and (matching) strategy in the form."""
    form = await p.request.form()
    raw_amount = str(form.get("amount", "")).replace(",", "").replace("，", "").strip()[:20]
    strategy = str(form.get("strategy", "")).strip()[:32] or None
    horizon = str(form.get("horizon", "3")).strip()[:6]
    lang = p.lang
    ctx: dict[str, Any] = {"class_labels": present.class_labels(lang)}
    try:
        try:
            body = PlanCreate(amount=float(raw_amount), strategy=strategy, horizon_years=float(horizon))
        except ValueError:
            raise UserError(translate(lang, "wealth.amount_invalid")) from None
        row, category = advisory.create_plan(
            svc, p.db, user_id=p.user.id, amount=body.amount, horizon_years=body.horizon_years,
            strategy=body.strategy, lang=lang,
        )  # fmt: skip
        plan = PlanPublic.model_validate(present.plan_view(row, lang=lang, current=category))
    except UserError as exc:
        return p.render("partials/wealth_plan_error.html", **ctx, **present.friendly(exc, lang))
    record_plan(p.request.app.state.events, p.user.id, plan.strategy, plan.id, accepted=False)
    return p.render("partials/wealth_plan.html", plan=plan, **ctx)


@router.post("/wealth/plans/{plan_id}/accept")
def wealth_accept(plan_id: PlanId, p: MemberPage, svc: WealthDep) -> Response:
    """htmx: accept the plan (simulated subscription) and refresh the holdings section out of band."""
    ctx: dict[str, Any] = {"class_labels": present.class_labels(p.lang)}
    try:
        row, category = advisory.accept_plan(svc, p.db, user_id=p.user.id, plan_id=plan_id, lang=p.lang)
        plan = PlanPublic.model_validate(present.plan_view(row, lang=p.lang, current=category))
    except UserError as exc:
        return p.render("partials/wealth_plan_error.html", **ctx, **present.friendly(exc, p.lang))
    record_plan(p.request.app.state.events, p.user.id, plan.strategy, plan.id, accepted=True)
    holdings = _holdings(svc, p.db, p.user, p.lang)
    return p.render("partials/wealth_plan.html", plan=plan, holdings=holdings, oob_holdings=True, **ctx)
