"""Account services: sign-up, login with lockout, sessions, password change, profile, staff actions.

Queries take the DB session and keys explicitly (keyword-only) so handlers stay thin and tests can call these
directly. Wrong-password and unknown-account failures read the same to the caller. What leaves this module for
display is an :class:`AccountView` with personal data already masked; the ORM row never needs decrypting elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.identity import pii
from tandem.identity.authcache import BearerMemo
from tandem.identity.credentials import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_TTL,
    burn_verify_time,
    check_password_policy,
    hash_password,
    new_session_token,
    session_digest,
    verify_password,
    verify_token,
)
from tandem.identity.errors import AccountLockedError, AuthRequiredError
from tandem.identity.keys import Keys
from tandem.identity.models import ROLES, Role, User, WebSession

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as it may be shown: to its owner or to staff, personal data masked."""

    id: int
    username: str
    display_name: str | None
    role: Role
    phone: str | None
    id_number: str | None
    non_personalised: bool
    created_at: datetime


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def find_user(db: Session, keys: Keys, *, username: str) -> User | None:
    """The account with this login (phone or e-mail, any common spelling), if any."""
    try:
        _, value = pii.normalize_login(username)
    except ValidationFailed:
        return None
    return db.scalar(select(User).where(User.login_hash == pii.login_digest(keys.lookup, value)))


def create_user(
    db: Session,
    keys: Keys,
    *,
    username: str,
    password: str,
    role: Role = "investor",
    display_name: str | None = None,
) -> User:
    """Create an account; a duplicate login is a ConflictError and stores nothing."""
    kind, value = pii.normalize_login(username)
    check_password_policy(password)
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    digest = pii.login_digest(keys.lookup, value)
    if db.scalar(select(User.id).where(User.login_hash == digest)) is not None:
        raise ConflictError("an account with this phone or e-mail already exists; log in or reset the password")
    user = User(
        login_hash=digest,
        login_enc=pii.encrypt(keys.fernet, value),
        login_kind=kind,
        display_name=(display_name or "").strip() or None,
        role=role,
        password_hash=hash_password(password),
        phone_enc=pii.encrypt(keys.fernet, value) if kind == "phone" else None,
    )
    db.add(user)
    db.flush()
    log.info("account.created", user_id=user.id, role=role)
    return user


def authenticate(db: Session, keys: Keys, *, username: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials; counts failures and locks the account after too many."""
    t = now or datetime.now(UTC)
    user = find_user(db, keys, username=username)
    if user is None:
        burn_verify_time(password)
        raise AuthRequiredError("wrong username or password")
    locked = _aware(user.locked_until)
    if locked is not None and locked > t:
        raise AccountLockedError(
            f"too many wrong passwords: the account is locked until {locked:%H:%M} UTC; try again later",
            retry_after=int((locked - t).total_seconds()) + 1,
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = t + LOCKOUT
            user.failed_logins = 0
            log.warning("account.locked", user_id=user.id)
        db.commit()  # the failure count must persist even though the request fails
        raise AuthRequiredError("wrong username or password")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = t
    return user


def change_password(db: Session, *, user: User, old_password: str, new_password: str) -> None:
    """Set a new password and revoke every token and session issued before."""
    if not verify_password(user.password_hash, old_password):
        raise AuthRequiredError("the current password is wrong")
    check_password_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))


def revoke_everywhere(db: Session, *, user: User) -> None:
    """Invalidate every bearer token (version bump) and every browser session of ``user``."""
    user.token_version += 1
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))


def bearer_user(db: Session, keys: Keys, *, token: str, memo: BearerMemo) -> User:
    """The user of a valid, unrevoked bearer token (remembered in ``memo``), else AuthRequiredError."""
    claims = verify_token(keys.jwt, token)
    generation = memo.generation()
    user = db.get(User, claims.user_id)
    if user is None or user.token_version != claims.token_version:
        raise AuthRequiredError("the bearer token was revoked (logout or password change); log in again")
    memo.remember(user, generation)
    return user


def start_session(db: Session, *, user: User, now: datetime | None = None) -> str:
    """A new browser session for ``user``; returns the cookie value."""
    token, digest = new_session_token()
    t = now or datetime.now(UTC)
    db.add(WebSession(token_hash=digest, user_id=user.id, created_at=t, expires_at=t + SESSION_TTL))
    return token


def session_user(db: Session, *, token: str, now: datetime | None = None) -> User | None:
    """The user of a live browser session, or None (unknown or expired)."""
    row = db.get(WebSession, session_digest(token))
    if row is None:
        return None
    expires = _aware(row.expires_at)
    if expires is None or expires <= (now or datetime.now(UTC)):
        db.delete(row)
        return None
    return db.get(User, row.user_id)


def end_session(db: Session, *, token: str) -> None:
    """Log a browser session out."""
    db.execute(delete(WebSession).where(WebSession.token_hash == session_digest(token)))


def update_profile(
    db: Session,
    keys: Keys,
    *,
    user: User,
    display_name: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
) -> None:
    """Set display name, phone and ID number (validated, stored encrypted); ``None`` keeps a field, ``""`` clears it."""
    if display_name is not None:
        user.display_name = display_name.strip() or None
    if phone is not None:
        user.phone_enc = pii.encrypt(keys.fernet, pii.normalize_phone(phone)) if phone else None
    if id_number is not None:
        user.id_number_enc = pii.encrypt(keys.fernet, pii.normalize_id_number(id_number)) if id_number else None
    db.flush()


def account_view(keys: Keys, user: User) -> AccountView:
    """The account as its owner (or staff) sees it, personal data masked."""
    login = pii.decrypt(keys.fernet, user.login_enc)
    return AccountView(
        id=user.id,
        username=pii.display_login(user.login_kind, login),
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]
        phone=pii.mask_phone(pii.decrypt(keys.fernet, user.phone_enc)) if user.phone_enc else None,
        id_number=pii.mask_id_number(pii.decrypt(keys.fernet, user.id_number_enc)) if user.id_number_enc else None,
        non_personalised=user.non_personalised,
        created_at=_aware(user.created_at) or datetime.now(UTC),
    )


def list_accounts(db: Session, *, offset: int, limit: int) -> tuple[list[User], int]:
    """One page of accounts in id order, and the total count (for staff views)."""
    total = db.scalar(select(func.count()).select_from(User)) or 0
    rows = list(db.scalars(select(User).order_by(User.id).offset(offset).limit(limit)))
    return rows, int(total)


def _get(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no account {user_id}")
    return user


def set_role(db: Session, *, user_id: int, role: Role) -> User:
    """Change an account's role and revoke its tokens so the new role applies at once."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    user = _get(db, user_id)
    user.role = role
    user.token_version += 1
    return user


def unlock(db: Session, *, user_id: int) -> User:
    """Clear an account's lockout and failure count."""
    user = _get(db, user_id)
    user.locked_until = None
    user.failed_logins = 0
    return user


def set_non_personalised(db: Session, *, user: User, value: bool) -> None:
    """Store the feed's personalisation switch (on: the feed never ranks by behaviour or holdings)."""
    user.non_personalised = value
