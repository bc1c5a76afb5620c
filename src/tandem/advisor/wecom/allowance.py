"""How many customer mass messages (客户群发) one external contact may receive, as named rules with their source.

WeCom counts what an enterprise mass-sends to each customer (``externalcontact/add_msg_template``) and silently
stops delivering beyond the allowance, so Tandem counts first, from its own send archive
(``advisor_send_archive.mass_messages``), and refuses a recipient whose allowance is used up with the date it
renews. The rules, as WeCom documents them:

* ``four-per-month`` — "同一个企业每个自然月内仅可针对一个客户/客户群发送4条消息"
  (the 创建企业群发 page as it long read, developer.work.weixin.qq.com/document/path/92135, quoted by SDK docs).
  **The default**: it is the strictest, so staying within it stays within every rule a tenant may be on.
* ``month-days`` — "每位客户/每个客户群每月最多可接收条数为当月天数" (the same page, last updated 2025-11-17).
* ``seven-per-week`` / ``one-per-day`` — the two settings an enterprise may choose instead ("可在企业微信-群发助手-设置
  群发规则中调整为每周接收七条或每天接收一条"); Tandem takes the week as Monday to Sunday.

Periods are calendar periods in the firm's timezone (Asia/Shanghai). To follow a tenant's setting, pass another
rule (``TANDEM_WECOM_MASS_SEND_RULE``); to add one, add a :class:`MassSendRule` to :data:`RULES`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tandem.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class MassSendRule:
    """At most ``count`` mass messages per customer per calendar ``period`` (``count`` None: days in the month)."""

    name: str
    period: Literal["month", "week", "day"]
    count: int | None
    source: str

    def window(self, day: date) -> tuple[date, date]:
        """The period holding ``day``: first day and the day the allowance renews (exclusive end)."""
        if self.period == "day":
            return day, day + timedelta(days=1)
        if self.period == "week":
            start = day - timedelta(days=day.weekday())
            return start, start + timedelta(days=7)
        start = day.replace(day=1)
        end = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return start, end

    def allowance(self, day: date) -> int:
        """How many mass messages one customer may receive in the period holding ``day``."""
        if self.count is not None:
            return self.count
        return calendar.monthrange(day.year, day.month)[1]


_DOC = "developer.work.weixin.qq.com/document/path/92135"
RULES: dict[str, MassSendRule] = {
    r.name: r
    for r in (
        MassSendRule("four-per-month", "month", 4, f"{_DOC}: 每个自然月内仅可针对一个客户发送4条消息"),
        MassSendRule("month-days", "month", None, f"{_DOC} (2025-11-17): 每位客户每月最多可接收条数为当月天数"),
        MassSendRule("seven-per-week", "week", 7, f"{_DOC}: 群发规则 每周接收七条"),
        MassSendRule("one-per-day", "day", 1, f"{_DOC}: 群发规则 每天接收一条"),
    )
}
DEFAULT_RULE = RULES["four-per-month"]


def rule_named(name: str) -> MassSendRule:
    """The rule called ``name``, or a ValidationFailed listing the known ones."""
    if name not in RULES:
        raise ValidationFailed(f"unknown WeCom mass-send rule {name!r}; use one of {', '.join(RULES)}")
    return RULES[name]
