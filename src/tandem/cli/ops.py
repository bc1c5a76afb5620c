"""``tandem ops``: the synthetic acquisition population and the operations analytics over the event store.

``simulate`` writes a labelled-synthetic population into ``<home>/events`` (or ``--dir``); ``funnel``, ``cohorts``
and ``attribution`` read the same store through DuckDB and print a table (``--format json`` for machines).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tandem.cli.context import console, print_json, settings
from tandem.core.errors import UserError
from tandem.engagement.event_factory import event_store_root
from tandem.operations.attribution import attribution as run_attribution
from tandem.operations.cohorts import cohorts as run_cohorts
from tandem.operations.funnel import FunnelQuery
from tandem.operations.funnel import funnel as run_funnel
from tandem.operations.scan import EventScan, Period
from tandem.operations.simulate import AcquisitionConfig, write_acquisition
from tandem.operations.steps import STEP_LABELS_ZH

app = typer.Typer(
    help="Customer operations: acquisition funnel, cohorts, attribution (开户导流).", no_args_is_help=True
)

StartOpt = Annotated[str | None, typer.Option("--from", help="first Beijing day (YYYY-MM-DD); default 90 days back")]
EndOpt = Annotated[str | None, typer.Option("--to", help="last Beijing day (YYYY-MM-DD); default today")]
DirOpt = Annotated[Path | None, typer.Option("--dir", help="event store root (default <home>/events)")]
FmtOpt = Annotated[str, typer.Option("--format", help="text or json")]


def _period(start: str | None, end: str | None) -> Period:
    try:
        last = date.fromisoformat(end) if end else date.today()
        first = date.fromisoformat(start) if start else last - timedelta(days=89)
        return Period(first, last)
    except ValueError as exc:
        raise UserError(f"--from/--to: {exc}; write days as YYYY-MM-DD with --from before --to") from exc


def _scan(root: Path | None) -> EventScan:
    return EventScan(root if root is not None else event_store_root(settings()))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


@app.command("simulate")
def simulate(
    visitors: Annotated[int, typer.Option(help="synthetic visitors")] = 50_000,
    days: Annotated[int, typer.Option(help="calendar days ending --end")] = 84,
    end: Annotated[str, typer.Option(help="last day (YYYY-MM-DD)")] = "2026-11-30",
    seed: Annotated[int, typer.Option(help="random seed")] = 20_261_207,
    out: Annotated[Path | None, typer.Option("--out", help="root to write (events/ below it); default <home>")] = None,
) -> None:
    """Write a seeded, labelled-SYNTHETIC acquisition population into the event store."""
    try:
        last = date.fromisoformat(end)
    except ValueError as exc:
        raise UserError(f"--end: {exc}; write it as YYYY-MM-DD") from exc
    root = out if out is not None else settings().home
    manifest = write_acquisition(AcquisitionConfig(visitors=visitors, days=days, end=last, seed=seed), root)
    console.print(f"SYNTHETIC: {manifest['events']:,} events ({manifest['stored']:,} new) under {root / 'events'}")


@app.command("funnel")
def funnel(
    start: StartOpt = None, end: EndOpt = None, root: DirOpt = None, fmt: FmtOpt = "text",
    window: Annotated[int, typer.Option(help="conversion window in days")] = 30,
    source: Annotated[str | None, typer.Option(help="only this source channel")] = None,
    partner: Annotated[str | None, typer.Option(help="only this partner")] = None,
    campaign: Annotated[str | None, typer.Option(help="only this campaign")] = None,
) -> None:  # fmt: skip
    """The ordered account-opening funnel with step conversion and time to convert."""
    q = FunnelQuery(period=_period(start, end), window=timedelta(days=window), source=source, partner=partner,
                    campaign=campaign)  # fmt: skip
    result = run_funnel(_scan(root), q)
    if fmt == "json":
        print_json([_row(s) for s in result.steps])
        return
    table = Table(title=f"开户漏斗 {q.period.start} – {q.period.end}")
    for col in ("step", "clients", "from previous", "from landing", "drop-off", "p50 h", "p90 h"):
        table.add_column(col)
    for s in result.steps:
        hours = (str(s.hours_p50 or "—"), str(s.hours_p90 or "—"))
        table.add_row(f"{STEP_LABELS_ZH[s.step]} ({s.step})", f"{s.clients:,}", _pct(s.from_previous),
                      _pct(s.from_start), f"{s.drop_off:,}", *hours)  # fmt: skip
    console.print(table)


def _row(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in getattr(obj, "__slots__", ())}


@app.command("cohorts")
def cohorts(
    start: StartOpt = None, end: EndOpt = None, root: DirOpt = None, fmt: FmtOpt = "text",
    weeks: Annotated[int, typer.Option(help="retention weeks")] = 8,
) -> None:  # fmt: skip
    """Weekly cohorts of opened accounts with retention (active / trading)."""
    rows = run_cohorts(_scan(root), period=_period(start, end), weeks=weeks)
    if fmt == "json":
        print_json([_row(r) for r in rows])
        return
    table = Table(title="周留存（活跃 / 交易）")
    table.add_column("cohort")
    table.add_column("size")
    for n in range(weeks + 1):
        table.add_column(f"W{n}")
    for r in rows:
        cells = [f"{_pct(a)} / {_pct(t)}" if a is not None else "—" for a, t in zip(r.active, r.trading, strict=True)]
        table.add_row(r.week.isoformat(), f"{r.size:,}", *cells)
    console.print(table)


@app.command("attribution")
def attribution(
    start: StartOpt = None, end: EndOpt = None, root: DirOpt = None, fmt: FmtOpt = "text",
    by: Annotated[str, typer.Option(help="source, partner or campaign")] = "source",
    target: Annotated[str, typer.Option(help="conversion step")] = "first_deposit",
) -> None:  # fmt: skip
    """Credit per source / partner / campaign: first touch, last touch and position-based (40/20/40)."""
    try:
        res = run_attribution(_scan(root), period=_period(start, end), dimension=by, target=target)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if fmt == "json":
        print_json({"dimension": res.dimension, "target": res.target, "conversions": res.conversions,
                    "unattributed": res.unattributed, "rows": [_row(r) for r in res.rows]})  # fmt: skip
        return
    table = Table(title=f"归因 ({by} → {target}): {res.conversions:,} conversions, {res.unattributed:,} untouched")
    for col in (by, "first touch", "last touch", "position 40/20/40", "touched"):
        table.add_column(col)
    for r in res.rows:
        table.add_row(r.value, f"{r.first_touch:,.1f}", f"{r.last_touch:,.1f}", f"{r.position:,.1f}", f"{r.touched:,}")
    console.print(table)


@app.command("simulate-campaign")
def simulate_campaign_cmd(
    code: Annotated[str, typer.Option(help="campaign code (a slug)")] = "syn-deposit-push",
    start: Annotated[str, typer.Option(help="launch day (YYYY-MM-DD), inside the population's period")] = "2026-11-02",
    window: Annotated[int, typer.Option(help="days in which a deposit counts")] = 14,
    control: Annotated[float, typer.Option(help="share held out as control")] = 0.2,
    effect: Annotated[float, typer.Option(help="simulated rise of the deposit probability for treated clients")] = 0.05,
    seed: Annotated[int, typer.Option(help="random seed")] = 20_261_208,
) -> None:
    """Add a labelled-SYNTHETIC first-deposit campaign with a control group over the synthetic population."""
    from tandem.core.db import make_engine, make_sessionmaker
    from tandem.migrations.migrate import migrate_app_db
    from tandem.operations.referrals import check_slug
    from tandem.operations.simulate_campaign import simulate_campaign

    problems: list[str] = []
    check_slug("--code", code, problems)
    if problems:
        raise UserError(problems[0])
    try:
        launch = datetime.combine(date.fromisoformat(start), time(1, 30), tzinfo=UTC)  # 09:30 Beijing
    except ValueError as exc:
        raise UserError(f"--start: {exc}; write it as YYYY-MM-DD") from exc
    s = settings()
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as db:
            result = simulate_campaign(
                db, s.home, code=code, starts_at=launch, window_days=window, control_share=control, effect=effect,
                seed=seed,
            )  # fmt: skip
            db.commit()
    finally:
        engine.dispose()
    console.print(
        f"SYNTHETIC campaign {result.code}: {result.treated:,} treated, {result.control:,} control, "
        f"{result.added_deposits:,} simulated extra deposits; uplift on /ops/campaigns"
    )
