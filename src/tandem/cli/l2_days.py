"""``tandem l2 flow|book`` over directories of days × stocks: files decoded on worker processes, a progress bar.

The runner is the project's (``TANDEM_COMPUTE_WORKERS`` processes, or Ray with ``TANDEM_COMPUTE=ray``). Local
workers are forked: a fork server would start a fresh interpreter and import the CLI (seconds) to decode files
that take a fraction of that; the parent has read nothing yet when they fork, so no pyarrow thread is running.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tandem.cli.context import err_console, settings
from tandem.compute import LocalPoolRunner, runner_from_settings
from tandem.compute.runner import BatchRunner
from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.level2.book import OrderBook, price_band
from tandem.level2.days import DirectoryRead, level2_files, read_days
from tandem.level2.readers import coverage_warnings
from tandem.level2.snapshots import SnapshotBatch, read_snapshots
from tandem.level2.sources import SNAPSHOT_FORMATS, CsvTable, LayoutChoice, csv_members
from tandem.level2.thresholds import MAIN_FORCE_CLASSES, ThresholdSet
from tandem.level2.verify import verify


def _runner() -> BatchRunner:
    s = settings()
    if s.compute == "ray" or s.compute_workers == 1:
        return runner_from_settings(s)
    return LocalPoolRunner(s.compute_workers, start_method="fork")


@contextmanager
def _bar(total: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (stdout stays clean for ``--format csv|json``) fed by the runner."""
    with Progress(
        TextColumn("[bold]decoding[/bold]"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
        TimeElapsedColumn(), console=err_console, transient=not err_console.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task("files", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def read_directory(paths: list[Path], choice: LayoutChoice, *, trades_only: bool, code: str | None) -> DirectoryRead:
    """Every stock-day in ``paths`` (files and directories), filtered to ``code``; partial days warned about."""
    files = level2_files(paths)
    with _bar(len(files)) as progress, _runner() as runner:
        read = read_days(files, runner, choice=choice, trades_only=trades_only, progress=progress)
    days = read.days
    if code is not None:
        key = normalize_code(code)
        days = {k: v for k, v in days.items() if k[0] == key}
        if not days:
            raise UserError(
                f"no events for {key} in the given files; they hold {', '.join(sorted({k[0] for k in read.days}))}"
            )
    for (c, _), batch in days.items():
        for warning in coverage_warnings({c: batch}):
            print(f"warning: {warning}", file=sys.stderr)
    return DirectoryRead(days, read.files, read.skipped)


def flow_table(read: DirectoryRead, ts: ThresholdSet) -> pd.DataFrame:
    """Daily rows of every stock-day (the market store's capital-flow rows), in code then date order."""
    from tandem.level2.days import flow_days

    flows = flow_days(read.days, ts)
    return pd.concat([f.daily for f in flows.values()], ignore_index=True)


def print_flow(read: DirectoryRead, daily: pd.DataFrame, ts: ThresholdSet, fmt: str) -> None:
    """``--format csv|json``: the daily rows; text: one line per stock-day with the main-force net amount."""
    if fmt == "csv":
        print(daily.to_csv(index=False), end="")
        return
    if fmt == "json":
        rows = daily.assign(date=daily["date"].astype(str)).to_dict(orient="records")
        print(
            json.dumps({"threshold_set": ts.name, "days": len(read.days), "daily": rows}, ensure_ascii=False, indent=2)
        )
        return
    main = daily[daily["class"].isin(MAIN_FORCE_CLASSES)].groupby(["code", "date"], sort=False)["net_amount"].sum()
    total = daily.groupby(["code", "date"], sort=False)[["buy_amount", "sell_amount"]].sum()
    print(f"{len(read.days)} stock-days from {read.files} files (thresholds={ts.name}); 主力 = 超大单 + 大单")
    for (code, day), net in zip(main.index.tolist(), main.tolist(), strict=True):
        t = total.loc[(code, day)]
        print(
            f"  {code} {day}: 流入 {t['buy_amount']:>16,.0f}  流出 {t['sell_amount']:>16,.0f}  主力净额 {net:>15,.0f}"
        )
    if read.skipped:
        print(f"  ({len(read.skipped)} files without trade tables skipped)", file=sys.stderr)


def _snapshots(path: Path | None, read: DirectoryRead) -> dict[str, SnapshotBatch]:
    """Snapshots per code from ``path`` (file or directory), for the codes with exactly one day in ``read``.

    A snapshot batch carries no date, so a code seen on several days is not checked rather than checked against
    another day's snapshots.
    """
    if path is None:
        return {}
    days_per_code: dict[str, int] = {}
    for code, _ in read.days:
        days_per_code[code] = days_per_code.get(code, 0) + 1
    found: dict[str, SnapshotBatch] = {}
    for file in level2_files([path]):
        if any(t.fmt in SNAPSHOT_FORMATS for t in _members(file)):
            found.update(read_snapshots([file]))
    return {c: s for c, s in found.items() if days_per_code.get(c) == 1}


def _members(file: Path) -> list[CsvTable]:
    try:
        return list(csv_members(file))
    except UserError:  # not a Level-2 table at all: nothing to check against
        return []


def print_books(read: DirectoryRead, fmt: str, check_snapshots: Path | None = None) -> None:
    """One row per stock-day: events applied, whether the book needs a resync, anomalies, snapshot match rate."""
    snaps = _snapshots(check_snapshots, read)
    rows = []
    for (code, day), events in read.days.items():
        book = OrderBook(code, price_band(events), rules=events.rules)
        book.apply(events)
        rep = book.report()
        match = round(verify(events, snaps[code]).match_rate, 6) if code in snaps else None
        rows.append({
            "code": code, "date": day, "events": rep.events, "orders": events.n_orders, "trades": events.n_trades,
            "needs_resync": rep.needs_resync, "anomalies": rep.anomaly_counts, "snapshot_match_rate": match,
        })  # fmt: skip
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print(f"{len(rows)} stock-days from {read.files} files")
    for r in rows:
        print(
            f"  {r['code']} {r['date']}: {r['events']:,} events ({r['orders']:,} orders, {r['trades']:,} trades); "
            f"needs resync: {r['needs_resync']}; anomalies: {r['anomalies'] or 'none'}"
            + (
                f"; snapshot levels exact {r['snapshot_match_rate']:.4%}"
                if r["snapshot_match_rate"] is not None
                else ""
            )
        )
