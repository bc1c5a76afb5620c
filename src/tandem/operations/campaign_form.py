"""A campaign draft from the operations page's HTML form: every unparsable field named, Beijing local times.

The JSON API takes typed values; the page's form sends strings (``datetime-local`` in the operator's Beijing
time, comma-separated tags, checkbox lists). This turns them into a :class:`CampaignDraft` or one
:class:`~tandem.core.errors.ValidationFailed` naming each field that could not be read, so the page shows every
problem at once and :func:`~tandem.operations.campaign_service.create_campaign` checks the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from tandem.core.errors import ValidationFailed
from tandem.operations.campaign_service import CampaignDraft

BEIJING = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


def draft_from_form(form: Mapping[str, Sequence[str]]) -> CampaignDraft:
    """Read the form fields (each a list of submitted values, as multi-valued forms arrive)."""
    problems: list[str] = []

    def one(name: str, default: str = "") -> str:
        values = form.get(name) or [default]
        return values[0].strip()

    def parsed(name: str, parse: Callable[[str], T], fallback: T, hint: str) -> T:
        raw = one(name)
        try:
            return parse(raw)
        except ValueError:
            problems.append(f"{name}: {raw!r} is not {hint}")
            return fallback

    def local_time(raw: str) -> datetime:
        return datetime.fromisoformat(raw).replace(tzinfo=BEIJING).astimezone(UTC)

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    draft = CampaignDraft(
        code=one("code"),
        name=one("name"),
        channel=one("channel", "inapp"),
        target_step=one("target_step", "first_deposit"),
        content_id=parsed("content_id", int, 0, "a content item; pick one from the approved library"),
        segment={
            "tags_all": [t.strip() for t in one("tags").replace("，", ",").split(",") if t.strip()],
            "tiers": [v for v in form.get("tiers", []) if v],
            "stages": [v for v in form.get("stages", []) if v],
            "min_active_days_30": parsed("min_active_days_30", int, 0, "a whole number of days 0…30"),
        },
        starts_at=parsed("starts_at", local_time, epoch, "a date and time such as 2026-12-08T09:00"),
        ends_at=parsed("ends_at", local_time, epoch, "a date and time such as 2026-12-22T18:00"),
        control_share=parsed("control_share", float, 0.1, "a share such as 0.1"),
        window_days=parsed("window_days", int, 14, "a whole number of days 1…90"),
    )
    if problems:
        raise ValidationFailed("the campaign form has fields that cannot be read", problems)
    return draft
