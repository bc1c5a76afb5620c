"""The in-app channel: store the notification (feed) and announce it on a hub (live page notification).

The stored row is the delivery; its unique key makes a redelivery a no-op. The hub announcement is best effort
and happens only when the row was new, so a redelivered push is never announced twice; if the process dies
between the two, the feed still has it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope, utcnow
from tandem.engagement.delivery.channels.base import OutgoingMessage, TransientChannelError
from tandem.engagement.delivery.channels.hub import LiveNotification, NotificationHub
from tandem.engagement.delivery.models import NotificationRow


class InAppChannel:
    """Deliver to ``engagement_notifications`` and, when a hub is given, to the client's open pages."""

    name = "inapp"

    def __init__(self, *, sessions: sessionmaker[Session], hub: NotificationHub | None = None) -> None:
        self._sessions = sessions
        self._hub = hub

    def send(self, message: OutgoingMessage) -> None:
        """Store once per key; announce only a newly stored notification."""
        row = NotificationRow(
            idempotency_key=message.idempotency_key,
            client_id=message.client_id,
            category=message.category,
            title=message.title,
            body=message.body,
            payload=dict(message.payload),
            created_at=utcnow(),
        )
        try:
            with session_scope(self._sessions) as s:
                exists = s.scalar(
                    select(NotificationRow.id).where(NotificationRow.idempotency_key == message.idempotency_key)
                )
                if exists is not None:
                    return
                s.add(row)
                s.flush()
                note_id = row.id
        except IntegrityError:
            return  # a concurrent delivery of the same key won; it is delivered
        except OSError as exc:
            raise TransientChannelError(f"in-app store unavailable: {exc}") from exc
        if self._hub is not None:
            self._hub.publish(
                LiveNotification(note_id, message.client_id, message.category, message.title, message.body)
            )


def notifications_for(sessions: sessionmaker[Session], *, client_id: str, limit: int = 50) -> list[NotificationRow]:
    """The client's stored notifications, newest first (the in-app feed reads these)."""
    stmt = (
        select(NotificationRow)
        .where(NotificationRow.client_id == client_id)
        .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
        .limit(limit)
    )
    with session_scope(sessions) as s:
        return list(s.scalars(stmt))


def notifications_after(
    sessions: sessionmaker[Session], *, client_id: str, after_id: int, limit: int = 50
) -> list[NotificationRow]:
    """The client's notifications stored after id ``after_id``, oldest first (what a resuming live page missed).

    Ids grow with every stored row, so "after the last id the page saw" is exact across reconnects, web workers and
    a dispatcher in another process.
    """
    stmt = (
        select(NotificationRow)
        .where(NotificationRow.client_id == client_id, NotificationRow.id > after_id)
        .order_by(NotificationRow.id)
        .limit(limit)
    )
    with session_scope(sessions) as s:
        return list(s.scalars(stmt))


def latest_notification_id(sessions: sessionmaker[Session], *, client_id: str) -> int:
    """The id of the client's newest notification (0 with none): where a fresh live page starts."""
    stmt = select(func.max(NotificationRow.id)).where(NotificationRow.client_id == client_id)
    with session_scope(sessions) as s:
        return int(s.scalar(stmt) or 0)
