"""Seed the demo accounts into the application DB named by the settings (called by ``tandem accounts seed-demo``)."""

from __future__ import annotations

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.web.accounts import DEMO_PASSWORD, DemoAccount, seed_demo_accounts
from tandem.web.keys import load_secret, make_keys
from tandem.web.migrate import migrate_app_db


def seed_demo(settings: Settings, password: str = DEMO_PASSWORD) -> tuple[str, list[DemoAccount]]:
    """Create or reset the demo accounts; returns the password and the accounts (idempotent).

    The DB is first brought to the latest migration, the same way the server does at start-up.
    """
    migrate_app_db(settings)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        keys = make_keys(load_secret(settings))
        with make_sessionmaker(engine)() as db:
            accounts = seed_demo_accounts(db, keys, password=password)
            db.commit()
    finally:
        engine.dispose()
    return password, accounts
