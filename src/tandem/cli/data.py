"""``tandem data``: import, inspect and validate the market-data store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tandem.cli.context import console, err_console, market_store, print_json, settings
from tandem.cli.display import as_count, import_hint
from tandem.core.errors import UserError
from tandem.marketdata.importing import import_paths
from tandem.marketdata.news.importer import import_news
from tandem.marketdata.version_bus import announce_version

app = typer.Typer(help="Import, inspect and validate market data.", no_args_is_help=True)


def _announce(changed: bool, version: str | None) -> None:
    """With Redis configured, tell every web worker the new version now (they would see it on their next read)."""
    url = settings().redis_url
    if changed and version and url:
        announce_version(url, version)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or dataset folders to import.")],
    strict: Annotated[bool, typer.Option("--strict", help="Reject the whole import on any problem.")] = False,
) -> None:
    """Import files atomically; bad rows are quarantined into a report (or, with --strict, nothing is imported)."""
    s = settings()
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]导入 import"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_progress(done: int, total: int, name: str) -> None:
            if time.perf_counter() - started > 1.0 or done == total:
                progress.update(task, completed=done, total=total, description=name)

        report = import_paths(s.market_dir, paths, strict=strict, progress=on_progress)
    _announce(report.changed, report.version)
    verb = "imported" if report.changed else "no change (already imported)"
    console.print(
        f"{verb}: {report.files} file(s), {report.rows_loaded:,} rows loaded, {report.rows_quarantined:,} quarantined, "
        f"{len(report.problems)} problem(s) in {report.seconds:.2f}s; store version {report.version}"
    )
    for p in report.problems[:20]:
        err_console.print(f"  {p}", markup=False, highlight=False)
    if len(report.problems) > 20:
        err_console.print(f"  … {len(report.problems) - 20} more in the report")
    if report.report_path:
        console.print(f"quarantine report: {report.report_path}")
    for skipped in report.skipped[:10]:
        err_console.print(f"  skipped: {skipped}", markup=False, highlight=False)


@app.command("import-news")
def import_news_(
    paths: Annotated[list[Path], typer.Argument(help="News JSON files or folders (East Money 快讯 scrapes).")],
) -> None:
    """Import real news items and tag the stocks they name; any bad file or item imports nothing."""
    report = import_news(settings().market_dir, paths)
    _announce(report.changed, report.version)
    verb = "imported" if report.changed else "no change (already imported)"
    console.print(
        f"{verb}: {report.files} file(s), {report.items_read} item(s), {report.articles} distinct article(s); the "
        f"store holds {report.stored} with {report.mentions} stock/industry mention(s); store version {report.version}"
    )


@app.command("info")
def info(fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text") -> None:
    """Counts and date range of what the store holds."""
    data = market_store().info()
    if fmt == "json":
        print_json(data)
        return
    if fmt != "text":
        raise UserError(f"--format must be text or json, not {fmt!r}")
    table = Table(title="Tandem market store")
    table.add_column("item")
    table.add_column("value", justify="right")
    for k in ("version", "instruments", "bars", "stocks_with_bars", "first_date", "last_date"):
        v = data[k]
        table.add_row(k, "—" if v is None else f"{v:,}" if isinstance(v, int) else str(v))
    tables = data["tables"]
    assert isinstance(tables, dict)
    for name, n in tables.items():
        table.add_row(f"table {name}", f"{as_count(n):,}")
    console.print(table)
    if data["version"] is None:
        console.print(import_hint(), markup=False, highlight=False, soft_wrap=True)


@app.command("validate")
def validate(fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text") -> None:
    """Re-check the stored daily bars (OHLC, prices, calendar, limits, gaps); exit 1 if any problem is found."""
    from tandem.marketdata.audit import audit_store

    problems = audit_store(market_store())
    if fmt == "json":
        print_json({"problems": [str(p) for p in problems], "count": len(problems)})
    else:
        for p in problems[:200]:
            console.print(str(p), markup=False, highlight=False)
        console.print(f"{len(problems)} problem(s)")
    if problems:
        raise typer.Exit(1)


@app.command("industries")
def industries(
    day: Annotated[str | None, typer.Option("--date", help="Show the list in force on this day (YYYY-MM-DD)")] = None,
    code: Annotated[str | None, typer.Option("--code", help="With --date: this stock's industry and boards")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """The dated industry lists the store holds, and which one (and which boards) were in force on a day."""
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    if code is not None and day is None:
        raise UserError("--code needs --date: an industry is always as of a day")
    store = market_store()
    snapshots = [
        {
            "system": str(r.system),
            "snapshot_date": str(r.snapshot_date)[:10],
            "date_basis": str(r.date_basis),
            "rows": int(str(r.rows)),
        }
        for r in store.industry_snapshots().itertuples()
    ]
    out: dict[str, object] = {"snapshots": snapshots}
    lines = [
        f"{s['system']!s:8} {s['snapshot_date']!s}  {s['rows']:>6,} rows  ({s['date_basis']!s})" for s in snapshots
    ]
    if day is not None:
        table = store.industry_asof(day, [code] if code else None)
        force = None
        if len(table):
            first = table.iloc[0]
            snap = first["snapshot_date"]
            force = {
                "system": str(first["system"]),
                "snapshot_date": None if snap is None or snap is pd.NaT else str(snap)[:10],
                "backfilled": bool(first["backfilled"]),
            }
        out["in_force"] = force
        lines.append(f"in force on {day}: {force}")
        if code is not None:
            industry = None if not len(table) else table["industry"].iloc[0]
            boards = store.boards_asof(day, [code])["board_name"].tolist()
            out.update(code=code, industry=industry, boards=boards)
            lines.append(f"{code}: {industry or 'no industry'}; boards: {', '.join(boards) or '—'}")
    if fmt == "json":
        print_json(out)
        return
    for line in lines:
        console.print(line, markup=False, highlight=False)
