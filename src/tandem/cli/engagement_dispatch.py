"""``tandem engagement dispatch`` and ``tandem engagement dead-letters``: deliver the push outbox, handle failures.

The integrator calls :func:`register` on the ``engagement`` sub-app. This module is a composition root for the
push half: it picks the channels — in-app always (announced live on Redis streams when ``TANDEM_REDIS_URL`` is
set), e-mail when ``TANDEM_SMTP_HOST`` is set *and* the caller passes an address book factory (the identity
vault; until then e-mail rows stay queued, never dropped), and WeCom when it is configured: customers
(``wecom``, through the external-contact directory), staff members (``wecom_member``) and, with
``TANDEM_WECOM_ROBOTS``, group robots (``wecom_robot``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.wecom.channel import WeComChannel, WeComMemberChannel
from tandem.advisor.wecom.client import WeComClient, wecom_config
from tandem.advisor.wecom.directory import SqlContactDirectory, SqlMemberDirectory
from tandem.advisor.wecom.robot import WeComRobotChannel
from tandem.cli.context import console, print_json, settings
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.engagement.delivery.channels.base import Channel, OutgoingMessage
from tandem.engagement.delivery.channels.hub import RedisStreamHub
from tandem.engagement.delivery.channels.inapp import InAppChannel
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.channels.smtp import AddressBook, SmtpEmailChannel
from tandem.engagement.delivery.dead_letters import DeadLetter, list_dead_letters, replay_dead_letters
from tandem.engagement.delivery.dispatcher import DispatchConfig, Dispatcher, DispatchReport

AddressBookFactory = Callable[[Settings, sessionmaker[Session]], AddressBook]


@contextmanager
def _db_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        raise UserError(f"the push tables are not there ({exc.orig}); run `tandem db upgrade` first") from exc


def build_channels(
    s: Settings, sessions: sessionmaker[Session], address_book: AddressBookFactory | None
) -> dict[str, Channel]:
    """The channels this process can deliver on (rows of other channels stay queued for another dispatcher)."""
    hub = RedisStreamHub.from_url(s.redis_url) if s.redis_url else None
    channels: dict[str, Channel] = {"inapp": InAppChannel(sessions=sessions, hub=hub)}
    if s.smtp_host and address_book is not None:
        channels["email"] = SmtpEmailChannel(
            host=s.smtp_host,
            port=s.smtp_port,
            sender=s.smtp_from,
            addresses=address_book(s, sessions),
            receipts=ReceiptLedger(sessions=sessions, channel="email"),
        )
    config = wecom_config(s)
    if config is not None:  # one HTTP client for the process; it lives as long as the dispatcher
        wecom = WeComClient(config, http=httpx.Client(timeout=10))
        channels["wecom"] = WeComChannel(
            client=wecom,
            directory=SqlContactDirectory(sessions=sessions),
            receipts=ReceiptLedger(sessions=sessions, channel="wecom"),
        )
        channels["wecom_member"] = WeComMemberChannel(
            client=wecom,
            members=SqlMemberDirectory(sessions=sessions),
            receipts=ReceiptLedger(sessions=sessions, channel="wecom_member"),
        )
        if s.wecom_robots:
            channels["wecom_robot"] = WeComRobotChannel(
                client=wecom, robots=s.wecom_robots, receipts=ReceiptLedger(sessions=sessions, channel="wecom_robot")
            )
    return channels


def _summary(rounds: list[DispatchReport], channels: list[str]) -> Table:
    table = Table(title=f"push dispatch ({', '.join(channels)})")
    for col in ("round", "leased", "sent", "retried", "dead"):
        table.add_column(col, justify="right")
    for i, r in enumerate(rounds, 1):
        table.add_row(str(i), str(r.leased), str(r.sent), str(r.retried), str(r.dead))
    if len(rounds) > 1:
        total = [sum(getattr(r, k) for r in rounds) for k in ("leased", "sent", "retried", "dead")]
        table.add_row("total", *map(str, total))
    return table


def register(app: typer.Typer, *, address_book: AddressBookFactory | None = None) -> None:
    """Add ``dispatch`` and the ``dead-letters`` group to ``app`` (the ``engagement`` sub-app)."""
    dead = typer.Typer(help="Pushes that kept failing: list them, replay them.", no_args_is_help=True)
    app.add_typer(dead, name="dead-letters")

    @app.command("dispatch")
    def dispatch(
        loop: bool = typer.Option(False, "--loop", help="Keep dispatching until interrupted (or --max-rounds)."),
        interval: float = typer.Option(5.0, min=0.1, help="Seconds between rounds when a round found nothing."),
        max_rounds: int = typer.Option(0, min=0, help="With --loop: stop after this many rounds (0 = no limit)."),
        batch: int = typer.Option(100, min=1, max=10_000, help="Rows leased per round."),
        max_attempts: int = typer.Option(5, min=1, max=50, help="Attempts before a push is dead-lettered."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    ) -> None:
        """Deliver due pushes from the outbox once (default) or in a loop, with a progress bar per round."""
        s = settings()
        sessions = make_sessionmaker(make_engine(s.sqlalchemy_url))
        channels = build_channels(s, sessions, address_book)
        d = Dispatcher(
            sessions=sessions, channels=channels, config=DispatchConfig(batch=batch, max_attempts=max_attempts)
        )
        rounds: list[DispatchReport] = []
        try:
            with _db_errors():
                while True:
                    rounds.append(_round(d, batch, quiet=as_json))
                    if not loop or (max_rounds and len(rounds) >= max_rounds):
                        break
                    if not rounds[-1].leased:
                        time.sleep(interval)
        except KeyboardInterrupt:
            console.print("[yellow]interrupted; leased rows not delivered return to the queue when their lease ends")
        if as_json:
            print_json({"channels": sorted(channels), "rounds": [_report_dict(r) for r in rounds]})
            return
        console.print(_summary(rounds, sorted(channels)))
        if "email" not in channels:
            console.print(
                "e-mail: not configured here (TANDEM_SMTP_HOST and an address book); e-mail pushes stay queued"
            )
        for err in [e for r in rounds for e in r.errors][:10]:
            console.print(f"[red]{err}")

    @dead.command("list")
    def list_cmd(
        include_replayed: bool = typer.Option(False, "--all", help="Include dead letters already replayed."),
        limit: int = typer.Option(100, min=1, max=10_000),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Dead letters, oldest first: id, client, channel, attempts and the last error."""
        sessions = make_sessionmaker(make_engine(settings().sqlalchemy_url))
        with _db_errors():
            rows = list_dead_letters(sessions, include_replayed=include_replayed, limit=limit)
        if as_json:
            print_json([_dl_dict(r) for r in rows])
            return
        table = Table(title=f"dead letters ({len(rows)})")
        for col in ("id", "client", "channel", "category", "title", "attempts", "error", "dead at", "replayed"):
            table.add_column(col)
        for r in rows:
            replayed = r.replayed_at.isoformat(timespec="seconds") if r.replayed_at else ""
            table.add_row(
                str(r.id), r.client_id, r.channel, r.category, r.title, str(r.attempts), r.error[:80],
                r.dead_at.isoformat(timespec="seconds"), replayed,
            )  # fmt: skip
        console.print(table)

    @dead.command("replay")
    def replay_cmd(
        ids: Annotated[
            list[int] | None, typer.Argument(help="Dead-letter ids to re-queue (see `dead-letters list`).")
        ] = None,
        all_open: bool = typer.Option(False, "--all", help="Re-queue every dead letter not yet replayed."),
        actor: str = typer.Option("cli", help="Who replays (recorded on each dead letter)."),
    ) -> None:
        """Re-queue dead letters with fresh attempts (all named ids or none: a bad id changes nothing)."""
        sessions = make_sessionmaker(make_engine(settings().sqlalchemy_url))
        with _db_errors():
            chosen = [r.id for r in list_dead_letters(sessions, limit=100_000)] if all_open else list(ids or [])
            if not chosen:
                raise UserError("name the dead-letter ids to replay, or pass --all; list them with `dead-letters list`")
            n = replay_dead_letters(sessions, ids=chosen, actor=actor)
        console.print(f"re-queued {n} dead letter(s): {', '.join(map(str, chosen))}; run `dispatch` to deliver them")


def _round(d: Dispatcher, batch: int, *, quiet: bool) -> DispatchReport:
    if quiet:
        return d.run_once()
    with Progress(
        TextColumn("[bold]dispatch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("dispatch", total=batch, last="")

        def tick(msg: OutgoingMessage, outcome: str) -> None:
            progress.update(task, advance=1, last=f"{msg.channel} {outcome}")

        report = d.run_once(on_result=tick)
    return report


def _report_dict(r: DispatchReport) -> dict[str, object]:
    return {"leased": r.leased, "sent": r.sent, "retried": r.retried, "dead": r.dead, "errors": r.errors}


def _dl_dict(r: DeadLetter) -> dict[str, object]:
    return asdict(r)
