"""The external-contact directory: which WeCom customer (external_userid) each Tandem client is, and via whom.

Nothing is guessed. Tandem issues each client a binding code (:func:`issue_binding_code`); the advisor's 联系我
link carries it as ``state``, so when the client adds the advisor WeCom records it on the follow relation.
:func:`sync` reads every advisor member's customers with their follow relation
(``externalcontact/batch/get_by_user``, or ``externalcontact/list`` then ``externalcontact/get`` each) and binds
the client whose code the relation's ``state`` names, keeping the member, external_userid, unionid (when the
corp has one), follow time and source. A client whose code WeCom does not show is reported *not bound*; a bound
client who left the member's list is unbound again (reported *lost*). The sync reads everything from WeCom
before it writes, so a WeCom error mid-way changes nothing. The sender (:mod:`tandem.advisor.sending`) and the
channel read the directory; an unbound client gets a per-recipient "not bound" outcome, never a message to a
made-up id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.access import Staff, require_client_access, require_role
from tandem.advisor.models import AdvisorProfile, WeComContactRow
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import ValidationFailed

CODE_PREFIX = "tdm-"


class ExternalContactApi(Protocol):
    """The two external-contact calls the sync needs (:class:`~tandem.advisor.wecom.client.WeComClient`)."""

    def external_contacts(self, *, userid: str) -> list[str]:
        """``externalcontact/list``: a member's customers."""
        ...

    def external_contact(self, *, external_userid: str) -> dict[str, Any]:
        """``externalcontact/get``: one customer with its follow relations."""
        ...

    def external_contacts_batch(self, *, userid: str) -> list[dict[str, Any]]:
        """``externalcontact/batch/get_by_user``, all pages: each customer with this member's follow_info."""
        ...


@dataclass(frozen=True, slots=True)
class WeComContact:
    """Where a bound client's WeCom messages go: the member who follows them and their external_userid."""

    member_userid: str
    external_userid: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync found: client ids newly bound, still bound, lost, never bound; contacts matching no code."""

    bound: tuple[int, ...]
    kept: tuple[int, ...]
    lost: tuple[int, ...]
    not_bound: tuple[int, ...]
    unmatched_contacts: int
    members: int


def binding(db: Session, staff: Staff, *, client_user_id: int, now: datetime | None = None) -> WeComContactRow:
    """The client's directory row, issuing the binding code the first time (asking again returns the same)."""
    require_client_access(db, staff, client_user_id=client_user_id)
    row = db.get(WeComContactRow, client_user_id)
    if row is None:
        row = WeComContactRow(
            client_user_id=client_user_id, binding_code=CODE_PREFIX + secrets.token_hex(8), issued_at=now or utcnow()
        )
        db.add(row)
        db.flush()
    return row


def issue_binding_code(db: Session, staff: Staff, *, client_user_id: int, now: datetime | None = None) -> str:
    """The client's binding code (issued once; asking again returns the same code)."""
    return binding(db, staff, client_user_id=client_user_id, now=now).binding_code


def set_member_userid(db: Session, staff: Staff, *, advisor_id: int, userid: str) -> None:
    """Record the advisor's WeCom member userid (operations), which the sync lists customers of."""
    require_role(staff, "operations")
    text = userid.strip()
    if not text or len(text) > 64:
        raise ValidationFailed("a WeCom member userid is 1–64 characters (成员账号)")
    profile = db.get(AdvisorProfile, advisor_id)
    if profile is None:
        raise ValidationFailed(f"advisor {advisor_id} has no profile; record the registration number first")
    profile.wecom_userid = text
    db.flush()


def _follow(detail: dict[str, Any], member: str) -> dict[str, Any] | None:
    for f in detail.get("follow_user", []) or []:
        if isinstance(f, dict) and f.get("userid") == member:
            return f
    return None


def _relations(api: ExternalContactApi, member: str, *, batch: bool) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(external_contact, follow relation with ``member``) of each of the member's customers."""
    if batch:  # one call per 100 customers
        return [
            (dict(x.get("external_contact") or {}), dict(x.get("follow_info") or {}))
            for x in api.external_contacts_batch(userid=member)
        ]
    out = []
    for ext in api.external_contacts(userid=member):  # one call per customer
        detail = api.external_contact(external_userid=ext)
        contact = dict(detail.get("external_contact") or {}) or {"external_userid": ext}
        out.append((contact, _follow(detail, member) or {}))
    return out


def sync(db: Session, api: ExternalContactApi, *, now: datetime | None = None, batch: bool = True) -> SyncReport:
    """Bind clients to the WeCom customers whose follow relation carries their code (see the module docstring).

    ``batch`` reads customers with ``batch/get_by_user`` (100 a call); without it, ``list`` then ``get`` each.
    """
    t = now or utcnow()
    members = [m for m in db.scalars(select(AdvisorProfile.wecom_userid)) if m]
    seen: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}  # state → (member, contact, follow)
    listed: set[tuple[str, str]] = set()
    unmatched = 0
    for member in members:  # read everything first: a WeCom error here leaves the directory as it was
        for contact, follow in _relations(api, member, batch=batch):
            listed.add((member, str(contact.get("external_userid", ""))))
            state = str(follow.get("state") or "")
            if state.startswith(CODE_PREFIX):
                seen[state] = (member, contact, follow)
            else:
                unmatched += 1
    rows = list(db.scalars(select(WeComContactRow).order_by(WeComContactRow.client_user_id)))
    codes = {r.binding_code for r in rows}
    unmatched += sum(1 for s in seen if s not in codes)
    bound: list[int] = []
    kept: list[int] = []
    lost: list[int] = []
    not_bound: list[int] = []
    claimed = {seen[r.binding_code][1].get("external_userid") for r in rows if r.binding_code in seen}
    for r in rows:  # free ids about to move, so the unique external_userid never collides mid-flush
        if r.external_userid in claimed and r.binding_code not in seen:
            r.external_userid = None
    db.flush()
    for r in rows:
        hit = seen.get(r.binding_code)
        if hit is not None:
            member, contact, follow = hit
            ext = str(contact.get("external_userid", ""))
            (kept if (r.external_userid, r.member_userid) == (ext, member) else bound).append(r.client_user_id)
            created = follow.get("createtime")
            r.member_userid, r.external_userid = member, ext
            r.unionid = str(contact["unionid"]) if contact.get("unionid") else None
            r.follow_at = datetime.fromtimestamp(int(created), UTC) if created else None
            r.source = f"state/add_way:{follow.get('add_way', '?')}"[:32]
            r.synced_at = t
        elif r.external_userid is not None and (r.member_userid, r.external_userid) not in listed:
            lost.append(r.client_user_id)
            r.external_userid, r.synced_at = None, t
        elif r.external_userid is None:
            not_bound.append(r.client_user_id)
        else:
            kept.append(r.client_user_id)
    db.flush()
    return SyncReport(tuple(bound), tuple(kept), tuple(lost), tuple(not_bound), unmatched, len(members))


def bound_contacts(db: Session, client_user_ids: list[int]) -> dict[int, WeComContact]:
    """The bound clients among ``client_user_ids`` and where their messages go."""
    out: dict[int, WeComContact] = {}
    for i in range(0, len(client_user_ids), 2000):
        q = select(WeComContactRow).where(
            WeComContactRow.client_user_id.in_(client_user_ids[i : i + 2000]),
            WeComContactRow.external_userid.is_not(None),
        )
        for r in db.scalars(q):
            if r.member_userid and r.external_userid:
                out[r.client_user_id] = WeComContact(r.member_userid, r.external_userid)
    return out


class SqlContactDirectory:
    """The channel's view of the directory, read at delivery time (a client unbound since the send gets nothing)."""

    def __init__(self, *, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def contact_of(self, client_id: str) -> WeComContact | None:
        """The contact of outbox client ``user:<n>`` (the wealth tables' key), or None when not bound."""
        tail = client_id.removeprefix("user:")
        if not tail.isdigit():
            return None
        with session_scope(self._sessions) as s:
            return bound_contacts(s, [int(tail)]).get(int(tail))


class SqlMemberDirectory:
    """Staff users' WeCom member userids (``advisor_profiles.wecom_userid``) for the member channel."""

    def __init__(self, *, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def member_of(self, client_id: str) -> str | None:
        """The member userid of staff user ``user:<n>``, or None."""
        tail = client_id.removeprefix("user:")
        if not tail.isdigit():
            return None
        with session_scope(self._sessions) as s:
            profile = s.get(AdvisorProfile, int(tail))
            return profile.wecom_userid if profile is not None else None
