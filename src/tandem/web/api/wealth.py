"""``/api/v1/wealth``: risk questionnaire, level, matching strategies, plans and simulated holdings (owner-scoped).

Every endpoint needs authentication and acts on the caller only; another client's plan is a 404. Texts come in
the language of ``?lang=`` or ``Accept-Language`` (zh-CN by default).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from tandem.compliance.suitability import InvestorCategory
from tandem.core.i18n import LANGS, Lang, pick_lang
from tandem.operations.server_events import record_assessment
from tandem.wealth import advisory, client
from tandem.wealth import presentation as present
from tandem.wealth.models import PlanRow
from tandem.web.deps import CurrentUser, SessionDep, WealthDep
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas import Page
from tandem.web.schemas.wealth import (
    AssessmentCreate,
    AssessmentPublic,
    HoldingsPublic,
    LevelPublic,
    PlanCreate,
    PlanPublic,
    QuestionnairePublic,
    StrategyListPublic,
)

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: PROBLEM_RESPONSES[400] | {"description": "No valid risk assessment, or a suitability refusal"}
}
router = APIRouter(prefix="/api/v1/wealth", tags=["wealth"], responses=PROBLEM_RESPONSES)
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def api_lang(
    request: Request, lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="zh or en")] = None
) -> Lang:
    """``?lang`` wins, then the first supported ``Accept-Language`` entry; zh-CN by default."""
    if lang in LANGS:
        return pick_lang(lang, None)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


ApiLang = Annotated[Lang, Depends(api_lang)]


def _plan(row: PlanRow, *, lang: Lang, current: InvestorCategory | None) -> PlanPublic:
    return PlanPublic.model_validate(present.plan_view(row, lang=lang, current=current))


@router.get("/questionnaire", summary="The risk tolerance questionnaire")
def get_questionnaire(user: CurrentUser, svc: WealthDep, lang: ApiLang) -> QuestionnairePublic:
    """Questions and choices (no scores); answer every question with one option key."""
    return QuestionnairePublic.model_validate(present.questionnaire_view(svc.questionnaire, lang))


@router.post("/assessments", summary="Submit questionnaire answers", status_code=status.HTTP_201_CREATED)
def post_assessment(
    body: AssessmentCreate, user: CurrentUser, svc: WealthDep, lang: ApiLang, request: Request
) -> AssessmentPublic:
    """Scores and stores the answers (audited); a missing or unknown answer is a 400 naming the question ids."""
    assessment = client.submit_assessment(svc, user_id=user.id, answers=dict(body.answers))
    record_assessment(request.app.state.events, user.id, assessment.category.value)
    return AssessmentPublic.model_validate(present.assessment_view(assessment, lang))


@router.get("/level", summary="My current risk level")
def get_level(user: CurrentUser, svc: WealthDep, lang: ApiLang) -> LevelPublic:
    """Level C1–C5 with the lowest-category mark, expiry and whether a re-assessment is needed."""
    return LevelPublic.model_validate(present.level_view(client.client_level(svc, user_id=user.id), lang))


@router.get("/strategies", summary="Strategies matching my level", responses=CONFLICT)
def get_strategies(user: CurrentUser, svc: WealthDep, lang: ApiLang) -> StrategyListPublic:
    """Only strategies whose grade matches the caller's level (each check audited), with real-NAV backtests."""
    category, views = client.matching_strategies(svc, user_id=user.id, lang=lang)
    return StrategyListPublic.model_validate(present.strategy_list_view(category, views, lang))


@router.post("/plans", summary="Build a plan", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def post_plan(body: PlanCreate, user: CurrentUser, svc: WealthDep, db: SessionDep, lang: ApiLang) -> PlanPublic:
    """A plan for ``amount`` on a matching strategy; above-level strategies are refused (409, audited)."""
    row, category = advisory.create_plan(
        svc,
        db,
        user_id=user.id,
        amount=body.amount,
        horizon_years=body.horizon_years,
        strategy=body.strategy,
        lang=lang,
    )
    return _plan(row, lang=lang, current=category)


@router.get("/plans", summary="My plans")
def get_plans(
    user: CurrentUser,
    svc: WealthDep,
    db: SessionDep,
    lang: ApiLang,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[PlanPublic]:
    """Newest first."""
    rows, total = advisory.list_plans(db, user_id=user.id, offset=offset, limit=limit)
    current = client.category_or_none(svc, user_id=user.id)
    return Page(items=[_plan(r, lang=lang, current=current) for r in rows], total=total, offset=offset, limit=limit)


@router.get("/plans/{plan_id}", summary="One of my plans")
def get_one_plan(plan_id: PlanId, user: CurrentUser, svc: WealthDep, db: SessionDep, lang: ApiLang) -> PlanPublic:
    """404 unless the plan is the caller's."""
    row = advisory.own_plan(db, user_id=user.id, plan_id=plan_id)
    return _plan(row, lang=lang, current=client.category_or_none(svc, user_id=user.id))


@router.post("/plans/{plan_id}/accept", summary="Accept a plan (simulated subscription)", responses=CONFLICT)
def post_accept(plan_id: PlanId, user: CurrentUser, svc: WealthDep, db: SessionDep, lang: ApiLang) -> PlanPublic:
    """Marks the plan accepted and records simulated holdings; no real money moves."""
    row, category = advisory.accept_plan(svc, db, user_id=user.id, plan_id=plan_id, lang=lang)
    return _plan(row, lang=lang, current=category)


@router.get("/holdings", summary="My simulated holdings")
def get_holdings(user: CurrentUser, svc: WealthDep, db: SessionDep, lang: ApiLang) -> HoldingsPublic:
    """Positions from the last accepted plan, valued at the latest NAV in the catalogue."""
    return HoldingsPublic.model_validate(present.holdings_view(advisory.holdings_of(svc, db, user_id=user.id), lang))
