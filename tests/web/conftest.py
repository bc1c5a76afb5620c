"""Fixtures for the web tests: an app on a temp SQLite DB over the bundled sample store, clients, and users."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from tandem.web.app import create_app

PASSWORD = "Correct-horse-42"


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    """Fresh data home with a fixed secret, so tests do not depend on a key file."""
    return Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789abcdef-0123456789")


@pytest.fixture
def app(web_settings: Settings, sample_store: MarketStore) -> FastAPI:
    """The real app, on a temp SQLite DB, over the bundled real-data sample."""
    return create_app(web_settings, store=sample_store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous client (errors are returned as responses, never raised)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A throwaway schema in the real PostgreSQL test database (dropped afterwards), so runs cannot collide."""
    schema = f"web_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., dict[str, str]]:
    """Create an account directly through the service and return a bearer header for it."""
    from tandem.web.accounts import create_user
    from tandem.web.security import issue_token

    state = app.state.tandem

    def make(username: str, role: str = "investor") -> dict[str, str]:
        with state.sessions() as db:
            user = create_user(db, state.keys, username=username, password=PASSWORD, role=role)  # type: ignore[arg-type]
            db.commit()
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def alice(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    """An investor's bearer header."""
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A second investor's bearer header."""
    return make_user("13812345678")
