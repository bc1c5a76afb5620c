"""Personal-data key rotation without downtime: a new primary is seen by every process at once, old data stays
readable until re-encrypted, re-encryption never overwrites a concurrent change, a key is retired only when
nothing needs it, and a backup taken after a rotation restores a working home."""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from tandem.backup import check_integrity, create_backup, restore_backup
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, UserError
from tandem.core.settings import Settings
from tandem.identity import KEYRING_FILE, User, accounts, derived_pii_key, keyring_path, keys_for, load_secret
from tandem.identity.key_rotation import encrypted_columns, key_usage, reencrypt, retire
from tandem.identity.keyring import add_primary, load_keyring
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade

PASSWORD = "Rotate-Keys-2026!"
PASS = "correct horse battery staple"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    s = Settings(home=tmp_path / "home")
    s.home.mkdir()
    upgrade(s.sqlalchemy_url)
    engine = make_engine(s.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    keys = keys_for(s)
    with sessions() as db:
        for i in range(7):
            u = accounts.create_user(db, keys, username=f"1391234{i:04d}", password=PASSWORD)
            accounts.update_profile(db, keys, user=u, phone=f"1371234{i:04d}", id_number="11010519491231002X")
        accounts.create_user(db, keys, username="ops@example.com", password=PASSWORD, role="operations")
        db.commit()
    yield s, sessions
    engine.dispose()


def _legacy(s: Settings) -> bytes:
    return derived_pii_key(load_secret(s))


def _logins(s: Settings, sessions: sessionmaker[Session]) -> list[str]:
    """Every account's decrypted (masked) login, phone and ID number, as a fresh process reads them."""
    keys = keys_for(s)
    with sessions() as db:
        views = [accounts.account_view(keys, u) for u in db.scalars(sa.select(User))]
        return sorted(f"{v.username}|{v.phone}|{v.id_number}" for v in views)


def test_the_encrypted_columns_are_found_in_the_models() -> None:
    names = {c.name for c in encrypted_columns()}
    assert {"app_users.login_enc", "app_users.phone_enc", "app_users.id_number_enc"} <= names


def test_rotate_reencrypt_retire_keeps_every_value_readable(home: tuple[Settings, sessionmaker[Session]]) -> None:
    s, sessions = home
    before = _logins(s, sessions)
    worker = keys_for(s).fernet  # a running worker, built before the rotation
    old_token = worker.encrypt(b"13700000000")
    new = add_primary(keyring_path(s), _legacy(s))
    assert new.id == 2 and oct(keyring_path(s).stat().st_mode)[-3:] == "600"
    # the running worker follows the file: it encrypts under the new key and still reads the old tokens
    assert worker.key_of(worker.encrypt(b"x")) == 2 and worker.decrypt(old_token) == b"13700000000"
    assert key_usage(sessions, worker)[1] == 8 + 7 + 7  # logins, phones, ID numbers: all under key 1
    with pytest.raises(ConflictError, match="still encrypted with key 1"):
        retire(sessions, worker, keyring_path(s), _legacy(s), 1)

    report = reencrypt(sessions, worker, batch=3)  # several short transactions per column
    assert report.done and sum(report.rewritten.values()) == 22
    again = reencrypt(sessions, worker)
    assert sum(again.rewritten.values()) == 0 and sum(again.current.values()) == 22  # idempotent
    assert key_usage(sessions, worker) == {2: 22}
    assert _logins(s, sessions) == before

    retire(sessions, worker, keyring_path(s), _legacy(s), 1)
    assert [e.id for e in load_keyring(keyring_path(s), _legacy(s)).entries] == [2]
    assert _logins(s, sessions) == before  # a fresh process reads everything with key 2 alone
    with pytest.raises(ConflictError, match="primary"):
        retire(sessions, worker, keyring_path(s), _legacy(s), 2)
    with pytest.raises(UserError, match="no key 9"):
        retire(sessions, worker, keyring_path(s), _legacy(s), 9)


def test_reencryption_never_overwrites_a_concurrent_change(
    home: tuple[Settings, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, sessions = home
    add_primary(keyring_path(s), _legacy(s))
    cipher = keys_for(s).fernet
    with sessions() as db:
        victim = db.scalars(sa.select(User).where(User.phone_enc.is_not(None)).order_by(User.id)).first()
        assert victim is not None
        victim_id, victim_phone = victim.id, victim.phone_enc
    real_rotate = cipher.rotate
    changed: list[bytes] = []

    def rotate_while_the_user_edits(token: bytes) -> bytes:
        out = real_rotate(token)
        if token == victim_phone and not changed:  # the client saves a new phone between our read and our write
            with sessions() as other:
                user = other.get(User, victim_id)
                assert user is not None
                accounts.update_profile(other, keys_for(s), user=user, phone="13800000000")
                other.commit()
                changed.append(user.phone_enc or b"")
        return out

    monkeypatch.setattr(cipher, "rotate", rotate_while_the_user_edits)
    report = reencrypt(sessions, cipher)
    assert not report.done and sum(report.raced.values()) == 1
    with sessions() as db:
        user = db.get(User, victim_id)
        assert user is not None and user.phone_enc == changed[0]  # the user's change won
    monkeypatch.undo()
    assert reencrypt(sessions, keys_for(s).fernet).done  # the next pass finishes


def test_a_damaged_keyring_is_a_clear_error(home: tuple[Settings, sessionmaker[Session]]) -> None:
    s, _ = home
    keyring_path(s).write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="not a readable keyring"):
        keys_for(s)


def test_a_backup_after_rotation_restores_a_working_home(
    home: tuple[Settings, sessionmaker[Session]], tmp_path: Path, sample_store: MarketStore
) -> None:
    s, sessions = home
    shutil.copytree(sample_store.root, s.market_dir)
    add_primary(keyring_path(s), _legacy(s))
    assert reencrypt(sessions, keys_for(s).fernet).done
    retire(sessions, keys_for(s).fernet, keyring_path(s), _legacy(s), 1)
    archive = tmp_path / "after-rotation.tar"
    create_backup(s, archive, passphrase=PASS)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert f"keys/{KEYRING_FILE}.enc" in names and f"home/{KEYRING_FILE}" not in names
    assert keyring_path(s).read_bytes() not in archive.read_bytes(), "the keyring must not be in the archive in clear"
    dst = Settings(home=tmp_path / "restored")
    restore_backup(archive, dst, passphrase=PASS)
    report = check_integrity(dst)
    assert report.ok, report.problems
    engine = make_engine(dst.sqlalchemy_url)
    with make_sessionmaker(engine)() as db:
        assert accounts.authenticate(db, keys_for(dst), username="13912340003", password=PASSWORD).role == "investor"
    engine.dispose()


def test_the_cli_rotates_reencrypts_and_retires(
    home: tuple[Settings, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import sys

    from tandem.cli.main import main

    s, sessions = home

    def run(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["tandem", *args])
        try:
            main()
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    monkeypatch.setenv("TANDEM_HOME", str(s.home))
    before = _logins(s, sessions)
    assert run("keys", "rotate") == 0 and "key 2 is now the primary" in capsys.readouterr().out
    assert run("keys", "retire", "1") == 2 and "still encrypted with key 1" in capsys.readouterr().err
    assert run("keys", "reencrypt", "--batch", "2") == 0
    assert "every stored value is under the primary key" in capsys.readouterr().out
    assert run("keys", "status", "--format", "json") == 0
    status = json.loads(capsys.readouterr().out)
    assert [(k["id"], k["primary"], k["values"]) for k in status["keys"]] == [(1, False, 0), (2, True, 22)]
    assert run("keys", "retire", "1") == 0
    assert _logins(s, sessions) == before
