"""Backup and restore: a home comes back identical and working; every failure leaves the target as it was."""

from __future__ import annotations

import os
import shutil
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tandem.backup import BackupError, check_integrity, create_backup, restore_backup
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.identity import accounts, load_secret, make_keys
from tandem.marketdata.audit import audit_store
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade

PASS = "correct horse battery staple"


def _home(tmp_path: Path, sample_store: MarketStore, name: str, database_url: str | None = None) -> Settings:
    """A home with the sample market store, a migrated DB, two accounts and one extra state file."""
    s = Settings(home=tmp_path / name, database_url=database_url)
    s.home.mkdir(parents=True)
    shutil.copytree(sample_store.root, s.market_dir)
    upgrade(s.sqlalchemy_url)
    keys = make_keys(load_secret(s))
    engine = make_engine(s.sqlalchemy_url)
    with make_sessionmaker(engine)() as db:
        accounts.create_user(db, keys, username="13912345678", password="Backup-Test-2026!")
        accounts.create_user(db, keys, username="advisor@example.com", password="Backup-Test-2026!", role="advisor")
        db.commit()
    engine.dispose()
    (s.home / "engagement").mkdir()
    (s.home / "engagement" / "state.json").write_text('{"kept": true}', encoding="utf-8")
    (s.home / "render-cache").mkdir()
    (s.home / "render-cache" / "big.png").write_bytes(b"x" * 10)
    return s


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_sqlite_home_restores_identical_and_working(tmp_path: Path, sample_store: MarketStore) -> None:
    src = _home(tmp_path, sample_store, "src")
    archive = tmp_path / "b.tar"
    manifest = create_backup(src, archive, passphrase=PASS)
    assert manifest.db_kind == "sqlite"
    assert manifest.market_version == MarketStore.open(src.market_dir).current_version()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "keys/secret.key.enc" in names and not any("render-cache" in n for n in names)
    assert load_secret(src) not in archive.read_bytes(), "the key must not be in the archive in clear"

    dst = Settings(home=tmp_path / "dst")
    restore_backup(archive, dst, passphrase=PASS)
    report = check_integrity(dst)
    assert report.ok, report.problems
    assert report.users_checked == 2 and report.market_version == manifest.market_version
    assert audit_store(MarketStore.open(dst.market_dir)) == audit_store(MarketStore.open(src.market_dir))
    assert (dst.home / "engagement" / "state.json").read_text(encoding="utf-8") == '{"kept": true}'
    assert load_secret(dst) == load_secret(src) and oct((dst.home / "secret.key").stat().st_mode)[-3:] == "600"
    live = manifest.market_version
    assert _tree(dst.market_dir / "versions" / live) == _tree(src.market_dir / "versions" / live)
    engine = make_engine(dst.sqlalchemy_url)
    with make_sessionmaker(engine)() as db:
        user = accounts.authenticate(
            db, make_keys(load_secret(dst)), username="13912345678", password="Backup-Test-2026!"
        )
        assert user.role == "investor"
    engine.dispose()


def test_wrong_passphrase_restores_nothing(tmp_path: Path, sample_store: MarketStore) -> None:
    src = _home(tmp_path, sample_store, "src")
    create_backup(src, tmp_path / "b.tar", passphrase=PASS)
    dst = Settings(home=tmp_path / "dst")
    with pytest.raises(UserError, match="wrong passphrase"):
        restore_backup(tmp_path / "b.tar", dst, passphrase="not the passphrase")
    assert not dst.home.exists()
    assert [p.name for p in tmp_path.iterdir() if "restore" in p.name] == []


def test_a_damaged_archive_is_named_and_restores_nothing(tmp_path: Path, sample_store: MarketStore) -> None:
    src = _home(tmp_path, sample_store, "src")
    archive = tmp_path / "b.tar"
    create_backup(src, archive, passphrase=PASS)
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = tar.getmember("db/tandem.sqlite3")
    data[member.offset_data + 200] ^= 0xFF
    archive.write_bytes(bytes(data))
    dst = Settings(home=tmp_path / "dst")
    with pytest.raises(BackupError, match=r"db/tandem.sqlite3 does not match its checksum"):
        restore_backup(archive, dst, passphrase=PASS)
    assert not dst.home.exists()


def test_restore_refuses_an_occupied_home_and_leaves_it_alone(tmp_path: Path, sample_store: MarketStore) -> None:
    src = _home(tmp_path, sample_store, "src")
    create_backup(src, tmp_path / "b.tar", passphrase=PASS)
    other = _home(tmp_path, sample_store, "other")
    before = _tree(other.home)
    with pytest.raises(BackupError, match="fresh home"):
        restore_backup(tmp_path / "b.tar", other, passphrase=PASS)
    assert _tree(other.home) == before


def test_backups_are_never_overwritten_and_need_a_real_passphrase(tmp_path: Path, sample_store: MarketStore) -> None:
    src = _home(tmp_path, sample_store, "src")
    with pytest.raises(UserError, match="at least 12 characters"):
        create_backup(src, tmp_path / "b.tar", passphrase="short")
    assert not (tmp_path / "b.tar").exists()
    (tmp_path / "b.tar").write_bytes(b"old")
    with pytest.raises(BackupError, match="already exists"):
        create_backup(src, tmp_path / "b.tar", passphrase=PASS)
    assert (tmp_path / "b.tar").read_bytes() == b"old"
    with pytest.raises(BackupError, match="not a Tandem backup"):
        restore_backup(tmp_path / "b.tar", Settings(home=tmp_path / "dst"), passphrase=PASS)


def test_the_integrity_check_catches_a_home_with_the_wrong_key(tmp_path: Path, sample_store: MarketStore) -> None:
    s = _home(tmp_path, sample_store, "src")
    (s.home / "secret.key").write_text("a-completely-different-secret-of-enough-length-000", encoding="utf-8")
    report = check_integrity(s)
    assert not report.ok and report.users_checked == 2
    assert all("wrong key file" in p for p in report.problems)


@pytest.fixture
def pg_databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """Two fresh databases on the PostgreSQL server of the test URL (source and restore target), dropped after."""
    base = sa.engine.make_url(postgres_url)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"tandem_backup_{uuid.uuid4().hex[:8]}_{k}" for k in ("src", "dst")]
    with admin.connect() as con:
        for n in names:
            con.execute(sa.text(f'CREATE DATABASE "{n}"'))
    try:
        yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    finally:
        with admin.connect() as con:
            for n in names:
                con.execute(sa.text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgresql_home_restores_into_an_empty_database(
    tmp_path: Path, sample_store: MarketStore, pg_databases: tuple[str, str]
) -> None:
    src_url, dst_url = pg_databases
    src = _home(tmp_path, sample_store, "src", database_url=src_url)
    archive = tmp_path / "pg.tar"
    assert create_backup(src, archive, passphrase=PASS).db_kind == "postgresql"
    dst = Settings(home=tmp_path / "dst", database_url=dst_url)
    restore_backup(archive, dst, passphrase=PASS)
    report = check_integrity(dst)
    assert report.ok, report.problems
    assert report.users_checked == 2
    with pytest.raises(BackupError, match="fresh home"):
        restore_backup(archive, dst, passphrase=PASS)
    assert os.environ.get("TANDEM_TEST_DATABASE_URL")


def test_cli_backup_restore_and_check(
    tmp_path: Path, sample_store: MarketStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from tandem.cli.main import main

    def run(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["tandem", *args])
        try:
            main()
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    src = _home(tmp_path, sample_store, "src")
    monkeypatch.setenv("TANDEM_BACKUP_PASSPHRASE", PASS)
    monkeypatch.setenv("TANDEM_HOME", str(src.home))
    assert run("backup", str(tmp_path / "cli.tar")) == 0
    monkeypatch.setenv("TANDEM_HOME", str(tmp_path / "fresh"))
    assert run("restore", str(tmp_path / "cli.tar")) == 0
    assert "integrity check passed" in capsys.readouterr().out
    assert run("db", "check") == 0
    assert run("restore", str(tmp_path / "cli.tar")) == 2
    assert "fresh home" in capsys.readouterr().err
