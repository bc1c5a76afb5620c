"""``tandem engagement triggers``: after a session is imported, evaluate the session triggers for every client.

What the nightly job (or an operator after ``tandem data import``) runs: the session's 异动 on held and watched
stocks, diagnosis composite moves of followed stocks, and the clients' armed price alerts, for the real client
accounts; every candidate goes through the delivery policy (suitability, switches, quiet hours, caps; each decision
logged) into the outbox, and the fired alerts are disarmed, all in one transaction. Running it twice for the same
day adds nothing: the policy deduplicates by fact, and a fired alert is no longer armed. ``tandem engagement
dispatch`` then delivers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from tandem.cli.context import console, market_store, print_json, settings
from tandem.compliance.audit import SqlAuditLog
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.engagement.clients import client_books, client_contexts
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.service import PushService
from tandem.engagement.price_alerts import armed_alerts, disarm
from tandem.engagement.triggers.pipeline import push_session
from tandem.migrations.migrate import migrate_app_db


def register(app: typer.Typer) -> None:
    """Add ``triggers`` to the ``engagement`` sub-app."""

    @app.command("triggers")
    def triggers_cmd(
        day: Annotated[
            datetime | None, typer.Option("--day", formats=["%Y-%m-%d"], help="Session (default: the latest).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    ) -> None:
        """Evaluate one session's triggers over every client's watchlist, holdings and price alerts."""
        s = settings()
        migrate_app_db(s)
        store = market_store(s)
        diagnosis = DiagnosisService(store, table_files=TableFiles.under(s.home))
        target: date = day.date() if day is not None else diagnosis.latest_day()
        engine = make_engine(s.sqlalchemy_url)
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC)
        try:
            policy = DeliveryPolicy(
                config=PolicyConfig.from_settings(s), suitability=SuitabilityService(audit=SqlAuditLog(sessions))
            )
            with sessions() as db:
                books = client_books(db)
                alerts = armed_alerts(db)
                ids = {int(b.client_id) for b in books} | {int(a.client_id) for a in alerts}
                result = push_session(
                    db, push=PushService(policy=policy), diagnosis=diagnosis, day=target, books=books, alerts=alerts,
                    clients=client_contexts(db, ids, now=now), now=now,
                )  # fmt: skip
                disarmed = disarm(db, result.fired_alert_ids, day=target)
                db.commit()
        finally:
            engine.dispose()
        out = {"day": target.isoformat(), "clients": len(ids), "candidates": dict(result.candidates),
               "outcomes": dict(result.outcomes), "alerts_fired": disarmed}  # fmt: skip
        if fmt == "json":
            print_json(out)
            return
        console.print(
            f"{target}: {len(ids)} clients, candidates {dict(result.candidates) or 'none'}, "
            f"outcomes {dict(result.outcomes) or 'none'}, {disarmed} price alert(s) fired"
        )
