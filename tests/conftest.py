"""Suite-wide fixtures and the CI rule: under ``CI=true`` a skipped service-backed test fails the run.

``TANDEM_TEST_MODE=production`` runs the selected tests with the app on PostgreSQL, Redis and a two-node Ray
cluster instead of SQLite and in-process services (fixtures in :mod:`production_mode`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from production_mode import (
    production_database_per_module,
    production_database_per_test,
    production_services,
    require_production_services,
)
from tandem.core.settings import Settings
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

__all__ = [  # fixtures and hooks pytest finds by name
    "production_database_per_module",
    "production_database_per_test",
    "production_services",
]


def pytest_configure(config: pytest.Config) -> None:
    """Refuse production mode without its services (a usage error, so it cannot pass as skipped)."""
    require_production_services()


SERVICE_MARKERS = ("postgres", "redis", "browser", "ray")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Turn a skip of a service-backed test into a failure when running in CI."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    if report.skipped and any(item.get_closest_marker(m) for m in SERVICE_MARKERS):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true forbids skipping a service-backed test: {reason}"


@pytest.fixture
def postgres_url() -> str:
    """URL of the real PostgreSQL test database, or a skip with the reason."""
    url = os.environ.get("TANDEM_TEST_DATABASE_URL")
    if not url:
        pytest.skip("TANDEM_TEST_DATABASE_URL not set: no PostgreSQL service to test against")
    return url


@pytest.fixture
def redis_url() -> str:
    """URL of the real Redis test server, or a skip with the reason."""
    url = os.environ.get("TANDEM_TEST_REDIS_URL")
    if not url:
        pytest.skip("TANDEM_TEST_REDIS_URL not set: no Redis service to test against")
    return url


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    """A market store loaded once per test session from the bundled real-data sample (read-only use please)."""
    root = tmp_path_factory.mktemp("sample-home") / "market"
    import_paths(root, [SAMPLE_DIR])
    return MarketStore.open(root)


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh, empty data home."""
    return Settings(home=tmp_path / "home")
