"""Fixtures for the migration tests: a throwaway PostgreSQL schema (the drift check and the start-up lock use it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A throwaway schema in the real test database (dropped afterwards), so the run cannot collide with others."""
    schema = f"mig_{uuid.uuid4().hex[:10]}"
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
