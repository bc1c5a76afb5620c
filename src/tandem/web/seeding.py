"""Seed the demo accounts into the application DB named by the settings (called by ``tandem accounts seed-demo``)."""

from __future__ import annotations

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.web.accounts import DEMO_PASSWORD, DemoAccount, seed_demo_accounts
from tandem.web.keys import load_secret, make_keys


def seed_demo(settings: Settings, password: str = DEMO_PASSWORD) -> tuple[str, list[DemoAccount]]:
    """Create or reset the demo accounts; returns the password and the accounts (idempotent)."""
    from tandem.web.app import ensure_schema

    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        ensure_schema(engine)
        keys = make_keys(load_secret(settings))
        with make_sessionmaker(engine)() as db:
            accounts = seed_demo_accounts(db, keys, password=password)
            db.commit()
    finally:
        engine.dispose()
    return password, accounts
