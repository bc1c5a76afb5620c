"""Account services called directly (no web app): masking, lockout, staff actions and demo seeding."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.identity import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    AccountLockedError,
    AuthRequiredError,
    Keys,
    User,
    accounts,
    make_keys,
    pii,
    seed_demo_accounts,
)
from tandem.migrations.runner import upgrade

PASSWORD = "Correct-horse-42"


@pytest.fixture
def keys() -> Keys:
    return make_keys(b"identity-test-secret-0123456789abcdef")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def test_account_view_masks_personal_data_and_stores_only_ciphertext(db: Session, keys: Keys) -> None:
    user = accounts.create_user(db, keys, username="13812345678", password=PASSWORD)
    accounts.update_profile(db, keys, user=user, id_number="11010519491231002X")
    view = accounts.account_view(keys, user)
    assert (view.username, view.phone, view.id_number) == ("138****5678", "138****5678", "1101**********002X")
    assert b"13812345678" not in user.login_enc + (user.phone_enc or b"")
    assert pii.decrypt(keys.fernet, user.id_number_enc or b"") == "11010519491231002X"


def test_profile_update_none_keeps_and_empty_clears(db: Session, keys: Keys) -> None:
    user = accounts.create_user(db, keys, username="a@example.com", password=PASSWORD, display_name="A")
    accounts.update_profile(db, keys, user=user, phone="138 1234 5678")
    accounts.update_profile(db, keys, user=user, display_name=None, phone=None)
    assert user.display_name == "A" and user.phone_enc is not None
    accounts.update_profile(db, keys, user=user, phone="")
    assert user.phone_enc is None
    with pytest.raises(ValidationFailed, match="checksum"):
        accounts.update_profile(db, keys, user=user, id_number="110105194912310021")


def test_duplicate_login_in_another_spelling_is_a_conflict(db: Session, keys: Keys) -> None:
    accounts.create_user(db, keys, username="Alice@Example.com", password=PASSWORD)
    with pytest.raises(ConflictError):
        accounts.create_user(db, keys, username="alice@example.com", password=PASSWORD)


def test_five_wrong_passwords_lock_the_account_and_unlock_clears_it(db: Session, keys: Keys) -> None:
    user = accounts.create_user(db, keys, username="b@example.com", password=PASSWORD)
    t = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for _ in range(5):
        with pytest.raises(AuthRequiredError):
            accounts.authenticate(db, keys, username="b@example.com", password="wrong-pass-1", now=t)
    with pytest.raises(AccountLockedError) as locked:
        accounts.authenticate(db, keys, username="b@example.com", password=PASSWORD, now=t + timedelta(minutes=1))
    assert 0 < locked.value.retry_after <= 15 * 60
    accounts.unlock(db, user_id=user.id)
    assert accounts.authenticate(db, keys, username="b@example.com", password=PASSWORD, now=t).id == user.id


def test_role_change_revokes_tokens_and_refuses_unknown_roles_or_accounts(db: Session, keys: Keys) -> None:
    user = accounts.create_user(db, keys, username="c@example.com", password=PASSWORD)
    before = user.token_version
    assert accounts.set_role(db, user_id=user.id, role="advisor").token_version == before + 1
    with pytest.raises(ValidationFailed, match="role must be one of"):
        accounts.set_role(db, user_id=user.id, role="root")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="no account 999"):
        accounts.unlock(db, user_id=999)


def test_revoke_everywhere_ends_sessions(db: Session, keys: Keys) -> None:
    user = accounts.create_user(db, keys, username="d@example.com", password=PASSWORD)
    token = accounts.start_session(db, user=user)
    assert accounts.session_user(db, token=token) is user
    accounts.revoke_everywhere(db, user=user)
    assert accounts.session_user(db, token=token) is None


def test_demo_seeding_is_idempotent_and_resets_a_changed_password(db: Session, keys: Keys) -> None:
    seeded = seed_demo_accounts(db, keys)
    assert [(a.username, a.role) for a in seeded] == [(u, r) for u, r, _ in DEMO_ACCOUNTS]
    investor = accounts.find_user(db, keys, username="investor@demo.tandem")
    assert investor is not None
    accounts.change_password(db, user=investor, old_password=DEMO_PASSWORD, new_password="Something-else-1")
    seed_demo_accounts(db, keys)
    assert db.query(User).count() == len(DEMO_ACCOUNTS)
    assert accounts.authenticate(db, keys, username="investor@demo.tandem", password=DEMO_PASSWORD).role == "investor"
