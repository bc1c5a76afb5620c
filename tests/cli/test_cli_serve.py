"""``tandem serve`` hands uvicorn a deliberate worker health-check timeout and prepares the shared diagnosis table
(issue 19 items 4 and 5)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tandem.cli.main import main
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.marketdata.store import MarketStore


def _serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv("TANDEM_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["tandem", "serve", *args])
    try:
        main()
    except SystemExit as exc:
        assert not exc.code
    return seen


def test_serve_sets_the_health_check_timeout_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TANDEM_WORKER_HEALTHCHECK_TIMEOUT", "45")
    seen = _serve(monkeypatch, tmp_path, "--workers", "2")
    assert seen["timeout_worker_healthcheck"] == 45 and seen["workers"] == 2


def test_the_default_timeout_is_longer_than_uvicorns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TANDEM_WORKER_HEALTHCHECK_TIMEOUT", raising=False)
    seen = _serve(monkeypatch, tmp_path)
    assert seen["timeout_worker_healthcheck"] == 30 > uvicorn.Config("x:y").timeout_worker_healthcheck


def test_serve_scores_the_latest_session_before_the_workers_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_store: MarketStore
) -> None:
    """The workers find the day's table stored, so none of them scores the market on its first request."""
    (tmp_path / "market").symlink_to(sample_store.root)
    _serve(monkeypatch, tmp_path)
    version = str(sample_store.current_version())
    latest = DiagnosisService(sample_store).latest_day()
    assert TableFiles.under(tmp_path).load(version, latest) is not None


def test_serve_on_an_empty_store_prepares_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _serve(monkeypatch, tmp_path)
    assert not (tmp_path / "diagnosis" / "table-cache").exists()


def test_serve_bounds_the_graceful_shutdown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Open live streams never end on their own; uvicorn's default (None) would wait for them for ever."""
    from tandem.cli.serve import GRACEFUL_SHUTDOWN_S

    assert uvicorn.Config("x:y").timeout_graceful_shutdown is None
    assert _serve(monkeypatch, tmp_path)["timeout_graceful_shutdown"] == GRACEFUL_SHUTDOWN_S == 5


def test_idle_connections_outlive_the_proxys_upstream_keepalive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn's 5 s closed connections a client reused after a pause: resets under the soak (bench_soak.py)."""
    monkeypatch.delenv("TANDEM_KEEP_ALIVE_TIMEOUT", raising=False)
    assert _serve(monkeypatch, tmp_path)["timeout_keep_alive"] == 75 > uvicorn.Config("x:y").timeout_keep_alive
    nginx = (Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "tandem.conf").read_text(encoding="utf-8")
    upstream = re.search(r"^\s*keepalive_timeout\s+(\d+)s;", nginx, re.M)
    assert upstream is not None and int(upstream.group(1)) < 75  # the proxy lets go first
    monkeypatch.setenv("TANDEM_KEEP_ALIVE_TIMEOUT", "120")
    assert _serve(monkeypatch, tmp_path)["timeout_keep_alive"] == 120
