"""The caller's side of wealth: questionnaire, assessment, current level and the strategies it may see.

Everything is keyed by the signed-in user (``client_id`` ``user:<id>``), so one client never reads another's
assessment. Strategies pass the audited suitability check one by one; a strategy above the client's level is
not listed at all, so its performance is never shown to a client it does not match.
"""

from __future__ import annotations

import math
from datetime import datetime

from tandem.compliance.suitability import CATEGORY_LABELS_EN, CATEGORY_LABELS_ZH, InvestorCategory
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError
from tandem.identity.models import User
from tandem.wealth.assessment import Assessment
from tandem.wealth.questionnaire import Questionnaire
from tandem.wealth.strategies import STRATEGIES
from tandem.wealth.strategy_backtest import StrategyBacktest
from tandem.web.i18n import Lang
from tandem.web.wealth_schemas import (
    AssessmentPublic,
    BacktestPublic,
    CurvePoint,
    LevelPublic,
    OptionPublic,
    QuestionnairePublic,
    QuestionPublic,
    StrategyListPublic,
    StrategyPublic,
)
from tandem.web.wealth_services import WealthServices

CURVE_POINTS = 80


def client_id_of(user: User) -> str:
    """The wealth client id of an app user (also the audit subject)."""
    return f"user:{user.id}"


def finite(x: float) -> float | None:
    """``x`` or None when it is NaN/inf (JSON has no NaN)."""
    return x if math.isfinite(x) else None


def label_of(category: InvestorCategory, lang: Lang) -> str:
    """The category's name in ``lang``."""
    return (CATEGORY_LABELS_ZH if lang == "zh" else CATEGORY_LABELS_EN)[category]


def questionnaire_public(q: Questionnaire, lang: Lang) -> QuestionnairePublic:
    """The questionnaire in one language, without scores."""
    zh = lang == "zh"
    return QuestionnairePublic(
        version=q.version,
        lang=lang,
        validity_days=q.validity_days,
        questions=[
            QuestionPublic(
                id=qu.id,
                text=qu.zh if zh else qu.en,
                options=[OptionPublic(key=o.key, text=o.zh if zh else o.en) for o in qu.options],
            )
            for qu in q.questions
        ],
    )


def assessment_public(a: Assessment, lang: Lang) -> AssessmentPublic:
    """A stored assessment for the client."""
    return AssessmentPublic(
        id=a.id,
        level=a.category.value,
        label=label_of(a.category, lang),
        lowest_category=a.lowest_category,
        forced_by=list(a.forced_by),
        assessed_at=a.assessed_at,
        valid_until=a.valid_until,
        questionnaire_version=a.questionnaire_version,
    )


def submit_assessment(svc: WealthServices, *, user: User, answers: dict[str, str], lang: Lang) -> AssessmentPublic:
    """Score, store and audit the caller's answers (incomplete answers raise naming the missing ids)."""
    cid = client_id_of(user)
    stored = svc.assessments.submit(actor=cid, client_id=cid, answers=answers)
    return assessment_public(stored, lang)


def level_public(svc: WealthServices, *, user: User, lang: Lang, now: datetime | None = None) -> LevelPublic:
    """The caller's latest level with its expiry; ``reassessment_needed`` when there is none or it expired."""
    latest = svc.assessments.latest(client_id=client_id_of(user))
    if latest is None:
        return LevelPublic(assessed=False, reassessment_needed=True)
    when = now or utcnow()
    expired = when >= latest.valid_until
    note = None
    if latest.lowest_category:
        note = (
            "您属于最低风险承受能力类别，只能购买R1级（低风险）产品。"
            if lang == "zh"
            else "You are in the lowest risk category and may only buy R1 (low-risk) products."
        )
    return LevelPublic(
        assessed=True,
        level=latest.category.value,
        label=label_of(latest.category, lang),
        lowest_category=latest.lowest_category,
        lowest_category_note=note,
        assessed_at=latest.assessed_at,
        valid_until=latest.valid_until,
        days_left=max(0, (latest.valid_until - when).days),
        expired=expired,
        reassessment_needed=expired,
    )


def require_category(svc: WealthServices, *, user: User, lang: Lang) -> InvestorCategory:
    """The caller's valid category, or a ConflictError (409) asking to take the questionnaire."""
    latest = svc.assessments.latest(client_id=client_id_of(user))
    if latest is None or utcnow() >= latest.valid_until:
        if lang == "zh":
            what = "您还没有完成风险测评" if latest is None else "您的风险测评已过期"
            raise ConflictError(f"{what}：请先完成风险承受能力问卷（POST /api/v1/wealth/assessments）")
        what = "no risk assessment yet" if latest is None else "your risk assessment expired"
        raise ConflictError(f"{what}: complete the risk questionnaire first (POST /api/v1/wealth/assessments)")
    return latest.category


def backtest_public(bt: StrategyBacktest) -> BacktestPublic:
    """Backtest statistics plus a down-sampled equity curve."""
    curve = bt.curve
    step = max(1, math.ceil(len(curve) / CURVE_POINTS))
    picked = list(range(0, len(curve), step))
    if picked and picked[-1] != len(curve) - 1:
        picked.append(len(curve) - 1)
    st = bt.stats
    return BacktestPublic(
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
        curve=[CurvePoint(date=curve.index[i], value=round(float(curve.iloc[i]), 6)) for i in picked],
    )


def list_strategies(svc: WealthServices, *, user: User, lang: Lang) -> StrategyListPublic:
    """Only the strategies the caller's level matches, each check audited, with their real backtests."""
    category = require_category(svc, user=user, lang=lang)
    cid = client_id_of(user)
    bundle = svc.bundle()
    with svc.computing():
        views = bundle.strategies.list_for(actor=cid, client_id=cid, category=category)
    zh = lang == "zh"
    return StrategyListPublic(
        level=category.value,
        items=[
            StrategyPublic(
                key=v.strategy.key,
                name=v.strategy.name_zh if zh else v.strategy.name_en,
                description=v.strategy.description_zh if zh else v.strategy.description_en,
                risk_level=v.strategy.risk.value,
                levels=[c.value for c in InvestorCategory if v.strategy.serves(c)],
                backtest=backtest_public(v.backtest),
            )
            for v in views
        ],
    )


def strategy_names(lang: Lang) -> dict[str, str]:
    """Strategy key → display name in ``lang``."""
    return {s.key: s.name_zh if lang == "zh" else s.name_en for s in STRATEGIES}
