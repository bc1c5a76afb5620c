"""Who a client is on WeCom: linking a client to a WeCom user id, and the channel's directory over those links.

:class:`SqlContactDirectory` is the :class:`~tandem.advisor.wecom.channel.ContactDirectory` the composition root
gives the WeCom channel. :func:`link_client` is how an advisor records the id for one of their own clients
(another advisor's client is not found, as everywhere in the workbench).
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.access import Staff, require_client_access
from tandem.advisor.wecom.models import WeComLink
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import ValidationFailed

_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def link_client(db: Session, staff: Staff, *, client_user_id: int, wecom_userid: str) -> WeComLink:
    """Record (or replace) the client's WeCom user id; refuses ids WeCom would not accept, naming the rule."""
    require_client_access(db, staff, client_user_id=client_user_id)
    value = wecom_userid.strip()
    if not _USERID.match(value):
        raise ValidationFailed(
            f"WeCom user id {wecom_userid!r} is not valid: use the 1–64 letters, digits or _ . @ - shown in the "
            "WeCom admin console (e.g. wm_zhangsan)"
        )
    row = db.get(WeComLink, client_user_id)
    if row is None:
        row = WeComLink(client_user_id=client_user_id, wecom_userid=value, linked_by=staff.actor, linked_at=utcnow())
        db.add(row)
    else:
        row.wecom_userid, row.linked_by, row.linked_at = value, staff.actor, utcnow()
    db.flush()
    return row


def linked_userid(db: Session, *, client_user_id: int) -> str | None:
    """The client's WeCom user id, or None when not linked."""
    row = db.get(WeComLink, client_user_id)
    return row.wecom_userid if row is not None else None


class SqlContactDirectory:
    """Read client → WeCom user id from ``advisor_wecom_links`` (one short session per lookup)."""

    def __init__(self, *, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def wecom_user_of(self, client_id: str) -> str | None:
        """The WeCom id of ``user:<id>``, or None (unknown client, or not linked yet)."""
        raw = client_id.removeprefix("user:")
        if not raw.isdigit():
            return None
        with session_scope(self._sessions) as s:
            return linked_userid(s, client_user_id=int(raw))
