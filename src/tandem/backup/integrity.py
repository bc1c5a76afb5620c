"""``tandem db check``: is this home a working system? Run after a restore, or any time an operator doubts it.

A restore that brings back the database but the wrong key would look fine until the first login; so besides the
database's own consistency and schema revision, every user's encrypted login is decrypted with the home's key and
its lookup digest recomputed, and the market store's live version must have every file its manifest names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import InvalidToken
from sqlalchemy import select, text

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.identity import User, keys_for, pii
from tandem.marketdata.versioned import VersionedStore
from tandem.migrations.runner import alembic_config


@dataclass(slots=True)
class IntegrityReport:
    """What was checked and every problem found (empty ``problems`` = healthy)."""

    db_revision: str | None = None
    head_revision: str | None = None
    users_checked: int = 0
    market_version: str | None = None
    market_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def check_integrity(settings: Settings) -> IntegrityReport:
    """Check the application DB, the key against the DB's encrypted data, and the market store's live version."""
    report = IntegrityReport()
    url = settings.sqlalchemy_url
    engine = make_engine(url)
    try:
        with engine.connect() as con:
            if url.startswith("sqlite"):
                verdict = con.execute(text("PRAGMA integrity_check")).scalar()
                if verdict != "ok":
                    report.problems.append(f"SQLite integrity_check: {verdict}")
            report.db_revision = MigrationContext.configure(con).get_current_revision()
        report.head_revision = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        if report.db_revision != report.head_revision:
            report.problems.append(
                f"database at revision {report.db_revision}, code expects {report.head_revision}: "
                "run `tandem db upgrade`"
            )
        else:
            _check_users(settings, engine, report)
    finally:
        engine.dispose()
    _check_market(settings, report)
    return report


def _check_users(settings: Settings, engine: object, report: IntegrityReport) -> None:
    keys = keys_for(settings)
    factory = make_sessionmaker(engine)  # type: ignore[arg-type]
    with factory() as db:
        for user in db.scalars(select(User)):
            report.users_checked += 1
            try:
                login = keys.fernet.decrypt(user.login_enc).decode()
            except InvalidToken:
                report.problems.append(f"user {user.id}: login does not decrypt with this home's key (wrong key file?)")
                continue
            if pii.login_digest(keys.lookup, login) != user.login_hash:
                report.problems.append(f"user {user.id}: login lookup digest does not match (wrong key file?)")


def _check_market(settings: Settings, report: IntegrityReport) -> None:
    vs = VersionedStore(settings.market_dir)
    report.market_version = vs.current_version()
    if report.market_version is None:
        return
    tables = vs.manifest(report.market_version)["tables"]
    assert isinstance(tables, dict)
    for table in tables:
        for path in vs.files(table, report.market_version):
            report.market_files += 1
            if not path.is_file():
                report.problems.append(f"market store version {report.market_version}: {path.name} is missing")
