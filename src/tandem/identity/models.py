"""Tables of identity: accounts and browser sessions (on the shared :class:`tandem.core.db.Base`).

Personal data is never stored in clear: the login (phone or e-mail) is kept as an HMAC for lookup plus a Fernet
ciphertext for display; phone and ID number only as ciphertext. Everything is shown masked
(:mod:`tandem.identity.pii`). The table names predate the move out of the web package and stay as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow

Role = Literal["investor", "advisor", "operations", "compliance", "admin", "partner"]
ROLES: tuple[Role, ...] = ("investor", "advisor", "operations", "compliance", "admin", "partner")


PII_COLUMN = {"pii": "keyring"}
"""Column ``info`` marking a value encrypted with the personal-data keyring: key rotation finds such columns in
the models' metadata (:func:`tandem.identity.key_rotation.encrypted_columns`), so a new one needs no list edit."""


class User(Base):
    """An account of any role; ``token_version`` bumps on logout-everywhere and password change."""

    __tablename__ = "app_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    login_enc: Mapped[bytes] = mapped_column(LargeBinary, info=PII_COLUMN)
    login_kind: Mapped[str] = mapped_column(String(8))
    display_name: Mapped[str | None] = mapped_column(String(40), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="investor")
    password_hash: Mapped[str] = mapped_column(String(255))
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=PII_COLUMN)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=PII_COLUMN)
    non_personalised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSession(Base):
    """A browser session: the cookie holds a random token, the table only its SHA-256 (a DB leak is not a login)."""

    __tablename__ = "app_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
