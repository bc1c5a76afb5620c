"""Saved screens per user (SQLAlchemy model on the shared declarative base) and their small service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tandem.backtest.screener.syntax import parse
from tandem.core.db import Base, utcnow
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed


class SavedScreen(Base):
    """A named screen expression owned by one user."""

    __tablename__ = "saved_screens"
    __table_args__ = (UniqueConstraint("owner_user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(80))
    expression: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def save_screen(session: Session, *, owner_user_id: int, name: str, expression: str) -> SavedScreen:
    """Validate the syntax and store the screen; a duplicate name for the same user is a conflict."""
    if not name.strip() or len(name) > 80:
        raise ValidationFailed("a saved screen needs a name of 1..80 characters")
    parse(expression)
    dup = session.scalar(select(SavedScreen).where(SavedScreen.owner_user_id == owner_user_id,
                                                   SavedScreen.name == name))  # fmt: skip
    if dup is not None:
        raise ConflictError(f"you already have a screen named {name!r}; pick another name or delete it first")
    row = SavedScreen(owner_user_id=owner_user_id, name=name.strip(), expression=expression)
    session.add(row)
    session.flush()
    return row


def list_screens(session: Session, *, owner_user_id: int) -> list[SavedScreen]:
    """The user's screens, newest first."""
    q = select(SavedScreen).where(SavedScreen.owner_user_id == owner_user_id).order_by(SavedScreen.id.desc())
    return list(session.scalars(q))


def get_screen(session: Session, *, owner_user_id: int, screen_id: int) -> SavedScreen:
    """One of the user's screens (another user's screen is reported as not found)."""
    row = session.get(SavedScreen, screen_id)
    if row is None or row.owner_user_id != owner_user_id:
        raise NotFoundError(f"no saved screen {screen_id} for this user")
    return row


def delete_screen(session: Session, *, owner_user_id: int, screen_id: int) -> None:
    """Delete one of the user's screens (another user's screen is reported as not found)."""
    session.delete(get_screen(session, owner_user_id=owner_user_id, screen_id=screen_id))
