"""``tandem l2``: rebuild and check order books, compute capital flow, replay a recorded day as a live feed."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.cells import cell_len

from tandem.cli import l2_days
from tandem.cli.display import pad
from tandem.core.errors import UserError
from tandem.level2.book import price_band
from tandem.level2.flow import capital_flow
from tandem.level2.live import LiveEngine, MinuteUpdate, QueueSource, minute_updates
from tandem.level2.readers import coverage_warnings, read_events
from tandem.level2.schema import EventBatch
from tandem.level2.snapshots import read_snapshots
from tandem.level2.sources import EVENT_LAYOUTS, LayoutChoice
from tandem.level2.thresholds import CLASS_LABELS_ZH, MAIN_FORCE_CLASSES, threshold_set
from tandem.level2.verify import verify

app = typer.Typer(help="Level-2 逐笔数据: order book, capital flow (资金流向), live replay.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="text | json (| csv for flow)")]
LayoutOpt = Annotated[
    str | None,
    typer.Option(
        "--layout",
        help=f"read the 逐笔 files as this layout when their header is not recognised: {', '.join(EVENT_LAYOUTS)}",
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns", help="map layout columns to the file's: LAYOUT_COLUMN=FILE_COLUMN,… (e.g. TradPrice=Price)"
    ),
]


def _events(paths: list[Path], layout: str | None, columns: str | None) -> dict[str, EventBatch]:
    """Read the 逐笔 files with the user's layout choice; partial-day files are read and warned about on stderr."""
    events = read_events(paths, choice=LayoutChoice.parse(layout, columns, EVENT_LAYOUTS))
    for warning in coverage_warnings(events):
        print(f"warning: {warning}", file=sys.stderr)
    return events


def _one(events: dict[str, EventBatch], code: str | None) -> EventBatch:
    if code is not None:
        from tandem.core.models import normalize_code

        key = normalize_code(code)
        if key not in events:
            raise UserError(f"no events for {key} in the given files; they hold {', '.join(events)}")
        return events[key]
    if len(events) > 1:
        raise UserError(f"the files hold {len(events)} securities ({', '.join(events)}); pick one with --code")
    return next(iter(events.values()))


@app.command("book")
def book(
    orders: Annotated[Path, typer.Argument(help="逐笔委托 file (.csv or .zip), or a directory of days × stocks")],
    trades: Annotated[Path | None, typer.Argument(help="逐笔成交 file (.csv or .zip; may be the same zip)")] = None,
    check_snapshots: Annotated[
        Path | None, typer.Option("--check-snapshots", help="10-level snapshot file to verify")
    ] = None,
    code: Annotated[str | None, typer.Option("--code", help="security when files hold several")] = None,
    fmt: FormatOpt = "text",
    layout: LayoutOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Rebuild the order book and report the share of snapshot levels that match exactly.

    Given a directory (of days × stocks), every stock-day in it is rebuilt (files decoded on worker processes,
    with a progress bar) and reported with its anomalies; with ``--check-snapshots`` (a file or a directory), each
    security that has snapshots there and one day in the run is also checked against them.
    """
    if orders.is_dir() or (trades is not None and trades.is_dir()):
        paths = [orders, *([trades] if trades is not None and trades != orders else [])]
        choice = LayoutChoice.parse(layout, columns, EVENT_LAYOUTS)
        read = l2_days.read_directory(paths, choice, trades_only=False, code=code)
        l2_days.print_books(read, fmt, check_snapshots)
        return
    if trades is None or check_snapshots is None:
        raise UserError("pass the 逐笔成交 file and --check-snapshots SNAPSHOTS (or a directory to rebuild every day)")
    paths = [orders] if orders == trades else [orders, trades]
    events = _one(_events(paths, layout, columns), code)
    snaps = read_snapshots([check_snapshots])
    if events.code not in snaps:
        raise UserError(f"{check_snapshots}: no snapshots for {events.code}")
    v = verify(events, snaps[events.code])
    report = v.book
    out = {
        "code": v.code, "match_rate": round(v.match_rate, 6), "levels": v.levels, "matched_levels": v.matched_levels,
        "snapshots": v.snapshots, "exact_snapshots": v.exact_snapshots, "alignment": v.alignment,
        "mismatches": v.mismatches, "timestamp_cut_match_rate": round(v.timestamp_cut_match_rate, 6),
        "needs_resync": report.needs_resync if report else False,
        "anomalies": report.anomaly_counts if report else {},
        "anomaly_examples": [{"kind": a.kind, "seq": a.seq} for a in (report.anomalies[:20] if report else [])],
        "mismatch_examples": v.examples,
    }  # fmt: skip
    if fmt == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(f"{v.code}: {v.matched_levels}/{v.levels} levels exact = {v.match_rate:.4%} ({v.snapshots} snapshots)")
    print(f"alignment: {v.alignment}; timestamp-cut match rate {v.timestamp_cut_match_rate:.4%}")
    print(f"mismatch classes: {v.mismatches or 'none'}")
    print(f"book anomalies: {out['anomalies'] or 'none'}; needs resync: {out['needs_resync']}")


@app.command("flow")
def flow(
    trades: Annotated[list[Path], typer.Argument(help="逐笔成交 file(s) (.csv or .zip), or directories of them")],
    orders: Annotated[Path | None, typer.Option("--orders", help="逐笔委托 file (optional)")] = None,
    thresholds: Annotated[
        str, typer.Option("--thresholds", help="eastmoney | amount_only | shares_only")
    ] = "eastmoney",
    code: Annotated[str | None, typer.Option("--code", help="security when files hold several")] = None,
    save: Annotated[bool, typer.Option("--save", help="write the daily rows to the market store")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text | csv | json")] = "text",
    layout: LayoutOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Per-minute and daily capital flow by order-size class (主力 = 超大单 + 大单).

    Given directories (of days × stocks), every stock-day in them is computed (files decoded on worker processes,
    with a progress bar) and reported with its daily rows; ``--save`` writes them all.
    """
    ts = threshold_set(thresholds)
    if any(p.is_dir() for p in trades):
        choice = LayoutChoice.parse(layout, columns, EVENT_LAYOUTS)
        read = l2_days.read_directory(trades, choice, trades_only=True, code=code)
        table = l2_days.flow_table(read, ts)
        if save:
            from tandem.cli.context import market_store

            market_store().write_capital_flow(table)
            print(f"saved {len(table)} daily rows for {len(read.days)} stock-days to the market store", file=sys.stderr)
        l2_days.print_flow(read, table, ts, fmt)
        return
    events = _one(_events([*trades, *([orders] if orders else [])], layout, columns), code)
    res = capital_flow(events, ts)
    daily = res.daily
    total = daily.assign(minute="total")[["minute", "class", "buy_amount", "sell_amount", "net_amount"]]
    rows = pd.concat([res.minutes, total], ignore_index=True)
    if save:
        from tandem.cli.context import market_store

        market_store().write_capital_flow(daily)
        print(f"saved {len(daily)} daily rows for {events.code} to the market store", file=sys.stderr)
    main = daily[daily["class"].isin(MAIN_FORCE_CLASSES)]["net_amount"].sum()
    if fmt == "csv":
        print(rows.to_csv(index=False), end="")
    elif fmt == "json":
        payload = {
            "code": events.code, "date": str(daily["date"].iloc[0]), "threshold_set": ts.name,
            "threshold_source": ts.source, "main_force": "super_large + large", "main_net_amount": float(main),
            "total_amount": res.total_amount, "trades": res.trades,
            "minutes": res.minutes.to_dict(orient="records"), "daily": total.to_dict(orient="records"),
        }  # fmt: skip
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        head = f"{events.code} {daily['date'].iloc[0]} thresholds={ts.name}"
        print(f"{head}: {res.trades} trades, {res.total_amount:,.0f} 元")
        label_w = max(cell_len(CLASS_LABELS_ZH[c]) for c in daily["class"])
        for _, r in daily.iterrows():
            label = pad(CLASS_LABELS_ZH[r["class"]], label_w)
            amounts = f"流入 {r['buy_amount']:>16,.0f}  流出 {r['sell_amount']:>16,.0f}  净额 {r['net_amount']:>15,.0f}"
            print(f"  {label}: {amounts}")
        print(f"  主力(超大单+大单) 净额 {main:,.0f} 元")


def _speed(text: str) -> float:
    try:
        value = float(text.lower().removesuffix("x"))
    except ValueError:
        raise UserError(f"--speed {text!r}: write a factor such as 10x, 1x or 0 for as fast as possible") from None
    if value < 0:
        raise UserError(f"--speed {text!r} must not be negative")
    return value


@app.command("replay")
def replay(
    files: Annotated[list[Path], typer.Argument(help="recorded 逐笔 files (.csv or .zip)")],
    speed: Annotated[str, typer.Option("--speed", help="time factor, e.g. 10x; 0 = as fast as possible")] = "10x",
    thresholds: Annotated[str, typer.Option("--thresholds")] = "eastmoney",
    code: Annotated[str | None, typer.Option("--code")] = None,
    redis_url: Annotated[
        str | None,
        typer.Option("--redis", help="publish to this Redis (Streams) and consume through a consumer group"),
    ] = None,
    group: Annotated[str, typer.Option("--group", help="consumer group (with --redis)")] = "tandem-l2",
    prefix: Annotated[str, typer.Option("--prefix", help="stream key prefix (with --redis)")] = "tandem:l2:",
    layout: LayoutOpt = None,
    columns: ColumnsOpt = None,
    push: Annotated[
        bool, typer.Option("--push", help="push main-force anomalies to the stock's holders and watchers")
    ] = False,
) -> None:
    """Replay a recorded day through the live engine, printing one JSON line per finished minute.

    With ``--push`` every main-force net-inflow anomaly (a minute far above the stock's recent minutes) is pushed at
    once, through the delivery policy, to the clients who hold or watch the stock; a line per anomaly on stderr.

    With ``--redis`` the day is published to the stream ``tandem:l2:<code>`` and read back through a consumer group
    that checkpoints the engine with every acknowledgement: stop it (even with ``kill -9``) and run it again, and it
    publishes what is missing, resumes from the checkpoint and prints every minute once, without losing or double
    counting events.
    """
    factor = _speed(speed)
    events = _one(_events(files, layout, columns), code)
    engine = LiveEngine(
        events.code, price_band(events), threshold_set(thresholds), rules=events.rules, date=events.date
    )
    on_minute = _flow_pusher(events) if push else None
    if redis_url is None:
        asyncio.run(_replay(engine, events, factor, on_minute))
    else:
        asyncio.run(_replay_redis(engine, events, factor, redis_url, group, prefix, on_minute))


def _flow_pusher(events: EventBatch) -> Callable[[MinuteUpdate], None]:
    """The composition of ``--push``: the app DB, the delivery policy with the SQL audit log, the stock's name."""
    from tandem.cli.context import market_store, settings
    from tandem.compliance.audit import SqlAuditLog
    from tandem.compliance.suitability_service import SuitabilityService
    from tandem.core.db import make_engine, make_sessionmaker
    from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
    from tandem.engagement.delivery.service import PushService
    from tandem.engagement.live_flow import FlowPushes
    from tandem.migrations.migrate import migrate_app_db

    s = settings()
    migrate_app_db(s)
    sessions = make_sessionmaker(make_engine(s.sqlalchemy_url))
    policy = DeliveryPolicy(
        config=PolicyConfig.from_settings(s), suitability=SuitabilityService(audit=SqlAuditLog(sessions))
    )
    try:
        name = market_store(s).instrument(events.code).name
    except UserError:
        name = events.code
    if events.date is None:
        raise UserError(f"{events.code}: the file carries no trading date; --push needs the day of the pushes")
    day = date(events.date // 10_000, events.date // 100 % 100, events.date % 100)
    pushes = FlowPushes(sessions=sessions, push=PushService(policy=policy), day=day, names={events.code: name})

    def on_minute(update: MinuteUpdate) -> None:
        decisions = pushes.observe(update)
        if decisions:
            counts = {o: sum(d.outcome.value == o for d in decisions) for o in {d.outcome.value for d in decisions}}
            print(json.dumps({"anomaly": update.minute, "code": update.code, "pushes": counts}), file=sys.stderr)

    return on_minute


async def _paced(events: EventBatch, factor: float) -> AsyncIterator[EventBatch]:
    """The recorded events in time-stamp chunks, released at ``factor`` times the recorded pace (0 = at once)."""
    start_wall, start_ev = time.monotonic(), int(events.time_ms[0])
    bounds = np.flatnonzero(np.diff(events.time_ms)) + 1
    for chunk in np.split(np.arange(len(events)), bounds):
        if factor > 0:
            due = (int(events.time_ms[chunk[0]]) - start_ev) / 1000 / factor
            delay = due - (time.monotonic() - start_wall)
            if delay > 0:
                await asyncio.sleep(delay)
        yield events.take(chunk)


async def _replay_redis(
    engine: LiveEngine, events: EventBatch, factor: float, url: str, group: str, prefix: str,
    on_minute: Callable[[MinuteUpdate], None] | None = None,
) -> None:  # fmt: skip
    import redis.asyncio as aioredis

    from tandem.level2.redis_stream import RedisStreamBus, RedisStreamConsumer

    client = aioredis.from_url(url)
    try:
        await client.ping()
    except Exception as exc:  # connection refused, bad URL, auth: a user error with the URL named
        raise UserError(f"cannot reach Redis at {url}: {exc}") from exc
    bus = RedisStreamBus(client, prefix)
    stream = bus.stream(events.code)
    try:
        published = await _published(client, stream, events)
        consumer = RedisStreamConsumer(client, engine, rules=events.rules, group=group, prefix=prefix)
        await consumer.start()
        done = asyncio.Event()

        async def produce() -> None:
            # one entry per event, in order, so a restart publishes exactly the events the stream is missing
            if published < len(events):
                async for chunk in _paced(events.take(slice(published, None)), factor):
                    await bus.publish(chunk)
            done.set()

        task = asyncio.create_task(produce())
        try:
            async for update in consumer.minute_updates(feed_done=done.is_set):
                print(update.to_json(), flush=True)
                if on_minute is not None:
                    on_minute(update)
        finally:
            await task
    finally:
        await client.aclose()  # type: ignore[attr-defined]
    print(json.dumps({"stream": stream, "group": group, "applied": consumer.applied}), file=sys.stderr)


async def _published(client: Any, stream: str, events: EventBatch) -> int:
    """How many of the day's events the stream already holds; a stream of another day or security is refused."""
    day = f"{events.code} {events.date}"
    await client.set(f"{stream}:day", day, nx=True)
    held = (await client.get(f"{stream}:day") or b"").decode()
    count = int(await client.xlen(stream))
    if held != day or count > len(events):
        raise UserError(
            f"Redis stream {stream} holds {held or 'another feed'} ({count} entries), not the {len(events)} events of"
            f" {day}: replay with another --prefix, or delete its keys (redis-cli --scan --pattern '{stream}*')"
        )
    return count


async def _replay(
    engine: LiveEngine, events: EventBatch, factor: float, on_minute: Callable[[MinuteUpdate], None] | None = None
) -> None:
    source = QueueSource(maxsize=10_000)

    async def produce() -> None:
        async for chunk in _paced(events, factor):
            await source.put(chunk)
        await source.close()

    task = asyncio.create_task(produce())
    async for update in minute_updates(engine, source.batches()):
        print(update.to_json(), flush=True)
        if on_minute is not None:
            on_minute(update)
    await task
