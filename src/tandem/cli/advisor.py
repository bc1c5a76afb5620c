"""``tandem advisor``: the WeCom external-contact sync and the education-track catch-up from the event store.

``wecom-sync`` binds clients to their WeCom customers (see :mod:`tandem.advisor.wecom.directory`) and prints
counts and the client ids still not bound — never a name, phone or external id. ``education-reads`` applies the
``content_read`` events stored in ``<home>/events`` for the given days to the education tracks; the web ingests
reads as they come, so this is for events that reached the store another way (a Redis consumer, an import).
Applying the same days twice changes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from typing import Annotated

import httpx
import typer

from tandem.advisor.education import record_reads
from tandem.advisor.wecom.client import WeComClient, off_reason, wecom_config
from tandem.advisor.wecom.directory import sync
from tandem.cli.context import console, print_json, settings
from tandem.core.db import make_engine, make_sessionmaker, session_scope
from tandem.core.errors import UserError
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import CHANNELS_BY_NAME, Event, EventType

app = typer.Typer(help="Advisor workbench: WeCom directory sync, education track (投教).", no_args_is_help=True)


@app.command("wecom-sync")
def wecom_sync(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Read every advisor member's WeCom customers and bind clients by their binding codes (all or nothing)."""
    s = settings()
    config = wecom_config(s)
    if config is None:
        raise UserError(f"{off_reason(s)}; the directory sync calls the WeCom external-contact API")
    sessions = make_sessionmaker(make_engine(s.sqlalchemy_url))
    with httpx.Client(timeout=10) as http, session_scope(sessions) as db:
        report = sync(db, WeComClient(config, http=http))
    out = {
        "members": report.members,
        "bound": len(report.bound),
        "kept": len(report.kept),
        "lost": list(report.lost),
        "not_bound": list(report.not_bound),
        "unmatched_contacts": report.unmatched_contacts,
    }
    if as_json:
        print_json(out)
        return
    console.print(
        f"WeCom directory: {report.members} member(s); {len(report.bound)} newly bound, {len(report.kept)} kept, "
        f"{len(report.lost)} lost, {len(report.not_bound)} not bound, {report.unmatched_contacts} contact(s) "
        "matching no binding code"
    )
    if report.not_bound:
        console.print("not bound (no WeCom customer carries their code): " + ", ".join(map(str, report.not_bound)))


def _day(text: str, opt: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{opt}: {exc}; write the day as YYYY-MM-DD") from exc


@app.command("education-reads")
def education_reads(
    start: Annotated[str | None, typer.Option("--from", help="first day (YYYY-MM-DD); default 7 days back")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day (YYYY-MM-DD); default today")] = None,
) -> None:
    """Apply stored ``content_read`` events of the days to the education tracks (idempotent)."""
    s = settings()
    last = _day(end, "--to") if end else date.today()
    first = _day(start, "--from") if start else last - timedelta(days=7)
    if first > last:
        raise UserError(f"--from {first} is after --to {last}")
    frame = ParquetEventStore(event_store_root(s)).read(start=first, end=last)
    rows = frame.filter(frame["type"] == EventType.CONTENT_READ.value).to_dicts() if frame.height else []
    events = [
        Event(
            str(r["event_id"]),
            int(r["client_id"]),
            EventType.CONTENT_READ,
            r["object_id"],
            json.loads(r["properties"] or "{}"),
            r["client_time"].replace(tzinfo=UTC) if r["client_time"].tzinfo is None else r["client_time"],
            r["server_time"].replace(tzinfo=UTC) if r["server_time"].tzinfo is None else r["server_time"],
            str(r["session_id"]),
            CHANNELS_BY_NAME[str(r["channel"])],
        )
        for r in rows
    ]
    sessions = make_sessionmaker(make_engine(s.sqlalchemy_url))
    with session_scope(sessions) as db:
        added = record_reads(db, events)
    console.print(f"{len(events)} content_read event(s) from {first} to {last}; {added} lesson(s) newly read")
