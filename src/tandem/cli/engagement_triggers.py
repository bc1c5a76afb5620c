"""``tandem engagement triggers``: after a session is imported, evaluate the session triggers for every client.

What the nightly job (or an operator after ``tandem data import``) runs: the session's 异动 on held and watched
stocks (and, for clients with personalisation on, on stocks under their strongest interest tags), diagnosis
composite moves of followed stocks, the clients' armed price alerts and risk assessments about
to expire (30, 7, 1 days and on expiry), and accepted plans whose simulated holdings drifted beyond the band at
the catalogue's latest NAVs, for the real client accounts. Every candidate goes through the delivery policy
(suitability, switches, quiet hours, caps; each decision logged) into the outbox: the session's pushes and the
disarming of the fired alerts in one transaction, the daily reminders and drift pushes in a second. Running it
twice for the same day adds nothing: the policy deduplicates by fact, and a fired alert is no longer armed.
``tandem engagement dispatch`` then delivers.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from tandem.cli.context import console, market_store, print_json, settings
from tandem.compliance.audit import SqlAuditLog
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.engagement.clients import (
    assessment_statuses,
    client_books,
    client_contexts,
    investor_ids,
    plan_positions,
)
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.service import PushService
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.items import build_items
from tandem.engagement.price_alerts import armed_alerts, disarm
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.engagement.triggers.assessment import expiry_candidates
from tandem.engagement.triggers.interests import stock_tags
from tandem.engagement.triggers.pipeline import InterestInputs, push_session
from tandem.engagement.triggers.plan_drift import drift_candidates
from tandem.migrations.migrate import migrate_app_db
from tandem.wealth.services import WealthServices


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
            bundle = WealthServices(sessions=sessions, store=store).bundle()  # the catalogue's latest NAVs
            navs, nav_day = bundle.navs(), bundle.catalogue.end or target
            profiles = ProfileService(
                events=ParquetEventStore(event_store_root(s)),
                state=ProfileStateStore(s.home / "engagement" / "profiles"),
                sessions=sessions,
                catalogue=build_items(store, as_of=target),
            )
            folded = profiles.update()
            with sessions() as db:
                books = client_books(db)
                alerts = armed_alerts(db)
                investors = investor_ids(db)
                # the interest push reads profiles of clients with personalisation on only (the policy re-checks)
                contexts = client_contexts(db, investors, now=now)
                interests = InterestInputs(
                    profiles={c: profiles.profile(int(c), state=folded) for c, x in contexts.items() if x.personalised},
                    stock_tags=stock_tags(profiles.catalogue),
                )
                ids = {int(b.client_id) for b in books} | {int(a.client_id) for a in alerts} | set(investors)
                result = push_session(
                    db, push=PushService(policy=policy), diagnosis=diagnosis, day=target, books=books, alerts=alerts,
                    clients=contexts, now=now, interests=interests,
                )  # fmt: skip
                disarmed = disarm(db, result.fired_alert_ids, day=target)
                db.commit()
            # a second transaction: the suitability audit writes in its own session, which SQLite would block
            # behind this session's uncommitted writes (the policy decides before it writes, in each transaction)
            with sessions() as db:
                statuses = assessment_statuses(db)
                reminders = expiry_candidates(statuses, now=now)
                positions = plan_positions(db, navs=navs, as_of=nav_day)
                drift = drift_candidates(positions)
                daily = [s_.client_id for s_ in statuses] + [p.client_id for p in positions]
                contexts = client_contexts(db, [int(c) for c in daily], now=now)
                expiry = PushService(policy=policy).submit(db, candidates=reminders + drift, clients=contexts, now=now)
                db.commit()
        finally:
            engine.dispose()
        candidates = {**result.candidates, "risk_assessment": len(reminders), "plan_drift": len(drift)}
        outcomes = Counter(result.outcomes) + Counter(d.outcome.value for d in expiry)
        out = {"day": target.isoformat(), "clients": len(ids), "candidates": candidates,
               "outcomes": dict(outcomes), "alerts_fired": disarmed}  # fmt: skip
        if fmt == "json":
            print_json(out)
            return
        console.print(
            f"{target}: {len(ids)} clients, candidates {candidates}, outcomes {dict(outcomes) or 'none'}, "
            f"{disarmed} price alert(s) fired"
        )
