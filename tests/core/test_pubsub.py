"""Pub/sub helpers: channels carry the Redis db index, revocation messages are parsed strictly, listeners deliver."""

from __future__ import annotations

import threading
import time

import pytest

from tandem.core.pubsub import Listener, channel_name, publish
from tandem.identity import BearerMemo, User, revocation_listener


def test_the_channel_names_the_database_index() -> None:
    assert channel_name("redis://127.0.0.1:6379/6", "auth-revoked") == "tandem:6:auth-revoked"
    assert channel_name("redis://cache.internal:6379", "store-version") == "tandem:0:store-version"


def test_publishing_to_a_redis_that_is_down_returns_none() -> None:
    assert publish("redis://127.0.0.1:1/0", "auth-revoked", "1") is None  # nothing listens on port 1


@pytest.mark.redis
def test_a_listener_gets_what_is_published_and_forgets_on_connect(redis_url: str) -> None:
    memo = BearerMemo(ttl=60)
    memo.remember(User(id=5, token_version=1, role="investor"), memo.generation())
    memo.remember(User(id=6, token_version=1, role="investor"), memo.generation())
    got: list[str] = []
    arrived = threading.Event()
    other = Listener(redis_url, "auth-revoked", lambda m: (got.append(m), arrived.set())).start()
    revocations = revocation_listener(redis_url, memo).start()
    try:
        assert len(memo) == 0  # connected: whatever it may have missed before is forgotten
        memo.remember(User(id=5, token_version=1, role="investor"), memo.generation())
        memo.remember(User(id=6, token_version=1, role="investor"), memo.generation())
        assert publish(redis_url, "auth-revoked", "5") == 2
        assert arrived.wait(10) and got == ["5"]
        deadline = time.monotonic() + 10
        while memo.lookup(5, 1) is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert memo.lookup(5, 1) is None and memo.lookup(6, 1) is not None
    finally:
        other.stop()
        revocations.stop()
