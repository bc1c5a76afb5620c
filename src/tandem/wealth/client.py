"""The client's side of wealth: identity, assessment, current level and the strategies the level may see.

Everything is keyed by the signed-in user (``client_id`` ``user:<id>``), so one client never reads another's
assessment. Strategies pass the audited suitability check one by one; a strategy above the client's level is
not listed at all, so its performance is never shown to a client it does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.compliance.disclaimers import Lang
from tandem.compliance.suitability import InvestorCategory
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError
from tandem.core.i18n import Message, translate
from tandem.wealth.assessment import Assessment
from tandem.wealth.services import WealthServices
from tandem.wealth.strategy_service import StrategyView


def client_id_of(user_id: int) -> str:
    """The wealth client id of an app user (also the audit subject)."""
    return f"user:{user_id}"


@dataclass(frozen=True, slots=True)
class ClientLevel:
    """The client's latest assessment as of ``now`` (``latest`` None: never assessed)."""

    latest: Assessment | None
    now: datetime

    @property
    def expired(self) -> bool:
        """Whether the latest assessment's validity has run out (False when there is none)."""
        return self.latest is not None and self.now >= self.latest.valid_until

    @property
    def reassessment_needed(self) -> bool:
        """No assessment yet, or an expired one."""
        return self.latest is None or self.expired

    @property
    def days_left(self) -> int:
        """Whole days of validity left (0 when expired or never assessed)."""
        return max(0, (self.latest.valid_until - self.now).days) if self.latest is not None else 0


def client_level(svc: WealthServices, *, user_id: int, now: datetime | None = None) -> ClientLevel:
    """The caller's latest level with its expiry state."""
    return ClientLevel(latest=svc.assessments.latest(client_id=client_id_of(user_id)), now=now or utcnow())


def submit_assessment(svc: WealthServices, *, user_id: int, answers: dict[str, str]) -> Assessment:
    """Score, store and audit the caller's answers (incomplete answers raise naming the missing ids)."""
    cid = client_id_of(user_id)
    return svc.assessments.submit(actor=cid, client_id=cid, answers=answers)


def require_category(svc: WealthServices, *, user_id: int, lang: Lang) -> InvestorCategory:
    """The caller's valid category, or a ConflictError (409) asking to take the questionnaire."""
    latest = svc.assessments.latest(client_id=client_id_of(user_id))
    if latest is None or utcnow() >= latest.valid_until:
        what = Message("wealth.no_assessment" if latest is None else "wealth.assessment_expired")
        raise ConflictError(translate(lang, "wealth.assessment_first", what=what))
    return latest.category


def category_or_none(svc: WealthServices, *, user_id: int) -> InvestorCategory | None:
    """The caller's valid category, or None when there is none (for views that still render)."""
    try:
        return require_category(svc, user_id=user_id, lang="en")
    except ConflictError:
        return None


def matching_strategies(
    svc: WealthServices, *, user_id: int, lang: Lang
) -> tuple[InvestorCategory, list[StrategyView]]:
    """The caller's category and only the strategies it matches, each check audited, with their real backtests."""
    category = require_category(svc, user_id=user_id, lang=lang)
    cid = client_id_of(user_id)
    bundle = svc.bundle()
    with svc.computing():
        views = bundle.strategies.list_for(actor=cid, client_id=cid, category=category)
    return category, list(views)
