"""The bearer memo on its own: expiry, version mismatch, and reads older than a revocation are never remembered."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tandem.identity import BearerMemo
from tandem.identity.authcache import parse_user_ids


def test_memo_expires_and_ignores_reads_older_than_a_revocation() -> None:
    memo = BearerMemo(ttl=5.0)
    user = SimpleNamespace(id=7, token_version=3, role="investor")
    gen = memo.generation()
    memo.remember(user, gen, now=100.0)  # type: ignore[arg-type]
    assert memo.lookup(7, 3, now=104.9) is not None
    assert memo.lookup(7, 3, now=105.0) is None  # expired
    assert memo.lookup(7, 2, now=101.0) is None  # another version
    stale = memo.generation()
    memo.forget({7})
    assert memo.lookup(7, 3, now=101.0) is None
    memo.remember(user, stale, now=101.0)  # type: ignore[arg-type]  # read before the revocation committed
    assert memo.lookup(7, 3, now=101.0) is None


def test_revocation_messages_are_user_ids_only() -> None:
    assert parse_user_ids("3,1, 2") == {1, 2, 3}
    with pytest.raises(ValueError, match=r"'x' is not a user id"):
        parse_user_ids("1,x")
