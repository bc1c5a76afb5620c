"""A per-worker memo of bearer-token checks, so a read endpoint does not open a DB session for every request.

A bearer token is valid while its ``token_version`` equals the account's. Checking that costs a session, a
connection checkout and a primary-key query per request (more than reading a quote). This memo remembers
"user *id* had token version *v* and role *r*" for ``ttl`` seconds after a DB check.

Revocation stays exact inside the worker: :func:`watch_revocations` hooks the app's session factory, and a commit
that changes a user's ``token_version`` or ``role`` (logout everywhere, password change, role change) drops that
user's entry at once. Without Redis another worker of the same server keeps its entry until it expires, so a
revoked token can still read market data there for at most ``ttl`` seconds; handlers that change data keep the
full DB check.

With ``TANDEM_REDIS_URL`` (production mode) the same commit hook also publishes the user ids on the
``auth-revoked`` channel (:func:`redis_announcer`), after the commit, and every worker runs a
:func:`revocation_listener` that forgets them the moment the message arrives: no worker accepts the revoked token
once the revoking request has answered. A listener that reconnects after losing Redis forgets every entry (it may
have missed messages), so the worst case stays the ``ttl`` of the embedded mode.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.pubsub import Listener, publish
from tandem.identity.models import User

DEFAULT_TTL = 5.0
_MAX_ENTRIES = 50_000
_CHANGED_KEY = "tandem.auth_changed_user_ids"
REVOKED_TOPIC = "auth-revoked"
"""The pub/sub topic carrying the ids (comma-separated) of users whose tokens or role changed."""


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

    def forget_all(self) -> None:
        """Drop every entry (a listener that was disconnected may have missed revocations)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def watch_revocations(
    sessions: sessionmaker[Session], memo: BearerMemo, *, announce: Callable[[set[int]], None] | None = None
) -> None:
    """Make every commit through ``sessions`` that changes a user's token version or role forget that user.

    ``announce`` (production mode: :func:`redis_announcer`) tells the other workers, after this worker forgot.
    """

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
            if announce is not None:
                announce(changed)

    def clear_on_rollback(session: Session, previous_transaction: Any) -> None:
        session.info.pop(_CHANGED_KEY, None)

    event.listen(sessions, "before_flush", note_changes)
    event.listen(sessions, "after_commit", drop_after_commit)
    event.listen(sessions, "after_soft_rollback", clear_on_rollback)


def redis_announcer(url: str) -> Callable[[set[int]], None]:
    """An ``announce`` for :func:`watch_revocations` publishing the ids on Redis (best effort, logged on failure)."""

    def announce(user_ids: set[int]) -> None:
        publish(url, REVOKED_TOPIC, ",".join(str(u) for u in sorted(user_ids)))

    return announce


def parse_user_ids(message: str) -> set[int]:
    """The user ids of a revocation message; raises ValueError naming the bad part."""
    ids: set[int] = set()
    for part in message.split(","):
        text = part.strip()
        if not text.isdigit():
            raise ValueError(f"revocation message {message[:80]!r}: {text!r} is not a user id")
        ids.add(int(text))
    return ids


def revocation_listener(url: str, memo: BearerMemo) -> Listener:
    """A (not yet started) listener that makes ``memo`` forget the users every revocation message names."""
    return Listener(
        url, REVOKED_TOPIC, lambda message: memo.forget(parse_user_ids(message)), on_connect=memo.forget_all
    )
