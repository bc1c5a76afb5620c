"""What a WeCom send checks per recipient before anything is queued: binding, sender and monthly allowance.

A customer mass message goes from the member the customer added, so a recipient is refused when the directory has
not bound them (:mod:`~tandem.advisor.wecom.directory`; no id is guessed), when they are the contact of another
member than the sending advisor's (a previous advisor — WeCom's customer transfer moves the relation, Tandem does
not fake it), or when this text — one mass message per WeCom part — would take them past the allowance of the rule
in force (:mod:`~tandem.advisor.wecom.allowance`). What they already received is read from Tandem's own send
archive (``advisor_send_archive.mass_messages`` of rows sent on ``wecom`` since the period began), so the count
holds however many processes send, and survives WeCom's own records expiring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.models import SendArchiveRow
from tandem.advisor.wecom.allowance import MassSendRule
from tandem.advisor.wecom.directory import WeComContact, bound_contacts
from tandem.advisor.wecom.split import CUSTOMER_TEXT_LIMIT, SplitError, split_message
from tandem.core.errors import ValidationFailed

CHUNK = 2000


def mass_used(db: Session, ids: list[int], since: datetime) -> dict[int, int]:
    """WeCom mass messages each client received since ``since``, from the archive (Tandem's own count)."""
    a = SendArchiveRow
    out: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        q = (
            select(a.client_user_id, func.coalesce(func.sum(a.mass_messages), 0))
            .where(a.client_user_id.in_(ids[i : i + CHUNK]), a.channel == "wecom", a.decision == "sent", a.at >= since)
            .group_by(a.client_user_id)
        )
        out.update({int(c): int(n or 0) for c, n in db.execute(q)})
    return out


@dataclass(frozen=True, slots=True)
class WeComGate:
    """The facts of one WeCom send: recipients' contacts, what they used, this text's parts, the allowance."""

    member: str
    contacts: dict[int, WeComContact]
    used: dict[int, int]
    parts: int
    allowance: int
    renews: date

    def refusal(self, cid: int) -> str | None:
        """Why client ``cid`` may not get this text on WeCom, or None when they may."""
        contact = self.contacts.get(cid)
        if contact is None:
            return (
                "客户未绑定企业微信（未发送，未猜测 ID）/ client is not bound to a WeCom contact; issue a binding "
                "code and run the directory sync"
            )
        if contact.member_userid != self.member:
            return (
                "客户是其他成员的企业微信客户，请先在企业微信中转接 / client is the WeCom contact of another member "
                "(a previous advisor?); transfer the customer in WeCom and sync again"
            )
        used = self.used.get(cid, 0)
        if used + self.parts > self.allowance:
            return (
                f"企业微信群发额度已用完，{self.renews.isoformat()} 起恢复 / allowance exhausted until "
                f"{self.renews.isoformat()} ({used} of {self.allowance} used, this needs {self.parts})"
            )
        return None


def wecom_gate(
    db: Session,
    ids: list[int],
    *,
    text: str,
    protected: str,
    member: str,
    now: datetime,
    zone: ZoneInfo,
    rule: MassSendRule,
) -> WeComGate:
    """The gate for sending ``text`` from ``member`` to clients ``ids`` at ``now`` (unsplittable: refused whole)."""
    try:
        parts = len(split_message(text, limit=CUSTOMER_TEXT_LIMIT, protected=[protected]))
    except SplitError as err:
        raise ValidationFailed(f"this text cannot go out on WeCom: {err}") from err
    start, renews = rule.window(now.astimezone(zone).date())
    # in UTC: SQLite compares the stored UTC text, so a Shanghai-midnight bound must be converted, not just labelled
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return WeComGate(member, bound_contacts(db, ids), mass_used(db, ids, since), parts, rule.allowance(start), renews)
