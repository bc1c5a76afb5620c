"""A per-worker memo of bearer-token checks, so a read endpoint does not open a DB session for every request.

A bearer token is valid while its ``token_version`` equals the account's. Checking that costs a session, a
connection checkout and a primary-key query per request (more than reading a quote). This memo remembers
"user *id* had token version *v* and role *r*" for ``ttl`` seconds after a DB check.

Revocation stays exact inside the worker: :func:`watch_revocations` hooks the app's session factory, and a commit
that changes a user's ``token_version`` or ``role`` (logout everywhere, password change, role change) drops that
user's entry at once. Another worker of the same server keeps its entry until it expires, so a revoked token can
still read market data there for at most ``ttl`` seconds; handlers that change data keep the full DB check.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from tandem.identity.models import User

DEFAULT_TTL = 5.0
_MAX_ENTRIES = 50_000
_CHANGED_KEY = "tandem.auth_changed_user_ids"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as a read-only endpoint needs it (no DB row attached)."""

    user_id: int
    role: str


@dataclass(frozen=True, slots=True)
class _Entry:
    token_version: int
    role: str
    expires: float


class BearerMemo:
    """Verified (user id, token version) pairs with their role, each for ``ttl`` seconds; thread-safe."""

    def __init__(self, ttl: float = DEFAULT_TTL) -> None:
        self.ttl = ttl
        self._entries: dict[int, _Entry] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def generation(self) -> int:
        """A counter bumped by every :meth:`forget`; read it before a DB check and pass it to :meth:`remember`."""
        with self._lock:
            return self._generation

    def lookup(self, user_id: int, token_version: int, now: float | None = None) -> Caller | None:
        """The caller if this pair was checked against the DB less than ``ttl`` seconds ago, else None."""
        t = time.monotonic() if now is None else now
        with self._lock:
            entry = self._entries.get(user_id)
        if entry is None or entry.expires <= t or entry.token_version != token_version:
            return None
        return Caller(user_id=user_id, role=entry.role)

    def remember(self, user: User, generation: int, now: float | None = None) -> None:
        """Record a user read from the DB, unless a revocation committed since ``generation`` (the read may be old)."""
        t = time.monotonic() if now is None else now
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v.expires > t}
                if len(self._entries) >= _MAX_ENTRIES:
                    self._entries.clear()
            self._entries[user.id] = _Entry(token_version=user.token_version, role=user.role, expires=t + self.ttl)

    def forget(self, user_ids: set[int]) -> None:
        """Drop these users' entries (their tokens were revoked or their role changed)."""
        with self._lock:
            self._generation += 1
            for uid in user_ids:
                self._entries.pop(uid, None)


def watch_revocations(sessions: sessionmaker[Session], memo: BearerMemo) -> None:
    """Make every commit through ``sessions`` that changes a user's token version or role forget that user."""

    def note_changes(session: Session, flush_context: Any, instances: Any) -> None:
        for obj in session.dirty:
            if isinstance(obj, User):
                state = inspect(obj)
                if state.attrs.token_version.history.has_changes() or state.attrs.role.history.has_changes():
                    session.info.setdefault(_CHANGED_KEY, set()).add(obj.id)

    def drop_after_commit(session: Session) -> None:
        changed: set[int] | None = session.info.pop(_CHANGED_KEY, None)
        if changed:
            memo.forget(changed)

    def clear_on_rollback(session: Session, previous_transaction: Any) -> None:
        session.info.pop(_CHANGED_KEY, None)

    event.listen(sessions, "before_flush", note_changes)
    event.listen(sessions, "after_commit", drop_after_commit)
    event.listen(sessions, "after_soft_rollback", clear_on_rollback)
