"""The verified-token memo: a repeat skips the signature check, expiry is checked every time, forgeries are not kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tandem.identity import AuthRequiredError, VerifiedTokens, issue_token

KEY = b"k" * 32


def test_a_repeat_is_answered_without_decoding_and_expiry_still_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    issued = datetime.now(UTC) - timedelta(minutes=1)
    token, ttl = issue_token(KEY, user_id=7, token_version=2, now=issued)
    memo = VerifiedTokens()
    first = memo.verify(KEY, token)
    assert (first.user_id, first.token_version) == (7, 2)

    def no_decode(*_a: object, **_k: object) -> None:
        raise AssertionError("a remembered token must not be decoded again")

    monkeypatch.setattr(jwt, "decode", no_decode)
    assert memo.verify(KEY, token) == first
    expiry = first.expires_at.timestamp()
    assert memo.verify(KEY, token, now=expiry - 0.5) == first
    with pytest.raises(AuthRequiredError, match="expired"):
        memo.verify(KEY, token, now=expiry)  # PyJWT's rule: expired when exp <= now
    assert ttl > 0


def test_forged_tokens_and_other_keys_are_checked_in_full() -> None:
    token, _ = issue_token(KEY, user_id=7, token_version=0)
    memo = VerifiedTokens(capacity=2)
    memo.verify(KEY, token)
    with pytest.raises(AuthRequiredError, match="invalid"):
        memo.verify(b"x" * 32, token)  # the memo is per key: a rotated key does not inherit the old key's tokens
    with pytest.raises(AuthRequiredError, match="invalid"):
        memo.verify(KEY, token[:-2] + "AA")
    for uid in (8, 9, 10):  # past the capacity the memo starts over and still answers correctly
        other, _ = issue_token(KEY, user_id=uid, token_version=0)
        assert memo.verify(KEY, other).user_id == uid
    assert memo.verify(KEY, token).user_id == 7
    with pytest.raises(ValueError, match="capacity"):
        VerifiedTokens(capacity=0)
