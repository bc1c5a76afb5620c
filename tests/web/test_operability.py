"""Liveness, readiness and Prometheus metrics (issue 14 item 6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.engagement.delivery.models import OutboxRow


def test_livez_and_readyz_report_each_dependency(app: FastAPI, client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    redis = {"redis": "ok"} if app.state.tandem.settings.redis_url else {}  # checked when configured (production)
    assert ready.json()["checks"] == {"database": "ok", "market_store": "ok", **redis}


def test_readyz_is_503_naming_the_database_when_it_is_gone(app: FastAPI, client: TestClient) -> None:
    state = app.state.tandem
    real = state.sessions.kw["bind"]  # kept, not disposed: a worker thread may hold one of its connections now
    gone = __import__("sqlalchemy").create_engine("sqlite:////nonexistent/dir/x.db")
    state.sessions.configure(bind=gone)
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("error:")
    finally:
        state.sessions.configure(bind=real)  # the app's own teardown closes its connections (PostgreSQL warns else)
        gone.dispose()


def test_metrics_are_for_operations_or_an_allowed_scraper(
    app: FastAPI, client: TestClient, alice: dict[str, str], make_user: Callable[..., dict[str, str]]
) -> None:
    assert client.get("/metrics").status_code == 403  # TestClient's address is "testclient", not loopback
    assert client.get("/metrics", headers=alice).status_code == 403
    ops = make_user("ops@example.com", role="operations")
    client.get("/api/v1/stocks/600519.SH/quote", headers=alice)
    client.get("/api/v1/stocks/600520.SH/quote", headers=alice)
    client.get("/no/such/page/12345")
    body = client.get("/metrics", headers=ops).text
    assert (
        'tandem_http_request_duration_seconds_count{method="GET",route="/api/v1/stocks/{code}/quote",status="200"} 1.0'
        in body
    )
    assert 'route="/api/v1/stocks/{code}/quote",status="404"' in body
    assert 'route="unmatched"' in body and "12345" not in body, "raw paths must never become labels"
    assert 'tandem_backtest_jobs{status="queued"} 0.0' in body
    assert "tandem_push_outbox_pending 0.0" in body
    assert 'tandem_cache_hit_ratio{cache="diagnosis_reports"}' in body
    app.state.tandem.settings.metrics_scrape_hosts.append("testclient")
    assert client.get("/metrics").status_code == 200


def test_outbox_lag_is_the_age_of_the_oldest_due_push(app: FastAPI, client: TestClient) -> None:
    from tandem.engagement.delivery.stats import outbox_stats

    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with app.state.tandem.sessions() as db:
        for minutes, status in ((-30, "pending"), (-5, "pending"), (+10, "pending"), (-90, "sent")):
            db.add(
                OutboxRow(
                    idempotency_key=f"k{minutes}{status}", client_id="1", channel="in_app", category="alert",
                    rule="test", title="t", body="b", payload={}, local_day=now.date(), status=status,
                    next_attempt_at=now + timedelta(minutes=minutes),
                )
            )  # fmt: skip
        db.commit()
        stats = outbox_stats(db, now=now)
    assert stats.pending == 3 and stats.lag_seconds == 30 * 60 and stats.dead_letters == 0
