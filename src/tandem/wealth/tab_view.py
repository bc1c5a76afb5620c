"""Everything the 财富 tab shows for one client, as plain values (the page validates them into its schemas).

The tab reads the same client-scoped functions the API uses, so the page can never show more than the API would:
the level, the questionnaire, the matching strategies once the level is valid (or why there are none), the latest
plan while it is proposed or accepted, and the simulated holdings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.compliance.disclaimers import Lang
from tandem.core.errors import ConflictError, UserError
from tandem.wealth import advisory, client
from tandem.wealth import presentation as present
from tandem.wealth.services import WealthServices


def strategies_view(svc: WealthServices, *, user_id: int, lang: Lang) -> tuple[dict[str, Any] | None, str | None]:
    """The matching strategies, or None and why (no valid level: None, None; no fund data: None, the message)."""
    try:
        category, views = client.matching_strategies(svc, user_id=user_id, lang=lang)
        return present.strategy_list_view(category, views, lang), None
    except ConflictError:
        return None, None
    except UserError as exc:
        return None, str(exc)


def tab_view(svc: WealthServices, db: Session, *, user_id: int, lang: Lang) -> dict[str, Any]:
    """The tab's sections for the client (``sparks``: each strategy's curve as SVG polyline points)."""
    level = present.level_view(client.client_level(svc, user_id=user_id), lang)
    valid = level["assessed"] and not level.get("expired", False)
    strategies, unavailable = strategies_view(svc, user_id=user_id, lang=lang) if valid else (None, None)
    rows, _ = advisory.list_plans(db, user_id=user_id, offset=0, limit=1)
    current = client.category_or_none(svc, user_id=user_id)
    plans = [present.plan_view(r, lang=lang, current=current) for r in rows]
    items = strategies["items"] if strategies else []
    return {
        "level": level,
        "questionnaire": present.questionnaire_view(svc.questionnaire, lang),
        "strategies": strategies,
        "unavailable": unavailable,
        "sparks": {s["key"]: present.sparkline([p["value"] for p in s["backtest"]["curve"]]) for s in items},
        "plan": plans[0] if plans and plans[0]["status"] in ("proposed", "accepted") else None,
        "holdings": present.holdings_view(advisory.holdings_of(svc, db, user_id=user_id), lang),
        "presets": present.AMOUNT_PRESETS,
        "class_labels": present.class_labels(lang),
    }
