"""Import files into the market store: detect, parse, validate, quarantine, and commit atomically.

One call is one transaction: either every file's good rows land together in a new store version, or (on any error,
crash or kill) the store stays exactly as it was. ``strict=True`` rejects the whole import on the first file with
problems. Without it, bad rows are left out and written with their problems to a quarantine report.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from tandem.core.errors import UserError, ValidationFailed
from tandem.marketdata import st_periods
from tandem.marketdata.adjust import with_adj_factor
from tandem.marketdata.csvio import Problem
from tandem.marketdata.importers.base import Importer, LoadResult
from tandem.marketdata.importers.registry import discover, route
from tandem.marketdata.versioned import Transaction, VersionedStore

ProgressFn = Callable[[int, int, str], None]


@dataclass(slots=True)
class ImportReport:
    """Outcome of one import: counts, problems, where the quarantine report is, and whether the store changed."""

    files: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changed: bool = False
    version: str | None = None
    report_path: Path | None = None
    seconds: float = 0.0


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_paths(
    root: Path,
    paths: list[Path],
    *,
    strict: bool = False,
    progress: ProgressFn | None = None,
    reports_dir: Path | None = None,
) -> ImportReport:
    """Import every recognised file under ``paths`` into the store at ``root`` as one atomic transaction."""
    t0 = time.perf_counter()
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UserError(f"{p}: no such file or directory")
        files.extend(discover(p))
    if not files:
        raise UserError(f"no importable files under {', '.join(map(str, paths))}")
    report = ImportReport()
    results: list[LoadResult] = []
    store = VersionedStore(root)
    groups: dict[int, tuple[Importer, list[Path]]] = {}
    skipped: dict[str, list[Path]] = {}
    for f in files:
        importer, reason = route(f)
        if importer is None:
            skipped.setdefault(reason, []).append(f)
            continue
        groups.setdefault(id(importer), (importer, []))[1].append(f)
    report.skipped = [_skip_line(reason, fs) for reason, fs in skipped.items()]
    if not groups:
        raise UserError(f"nothing to import under {', '.join(map(str, paths))}: " + "; ".join(report.skipped))
    done = 0
    with store.transaction() as tx:
        new_bars: list[pl.DataFrame] = []
        # reference data is a patch table: apply older vintages first so newer sources win where both have a value
        ordered = sorted(groups.values(), key=lambda g: getattr(g[0], "priority", 0))
        for importer, batch in ordered:
            try:
                res = importer.load(batch)
            except (ValueError, KeyError) as exc:
                raise UserError(f"{batch[0].parent}: {exc}") from exc
            if strict and res.problems:
                raise ValidationFailed(
                    f"{len(res.problems)} problem(s) in {len({p.file for p in res.problems})} file(s); --strict "
                    "rejects them and nothing was imported",
                    [str(p) for p in res.problems],
                )
            for table, frame in res.tables.items():
                frame = frame.drop([c for c in ("_file", "_line") if c in frame.columns])
                if table == "daily_bars":
                    new_bars.append(frame)
                elif frame.height:
                    tx.upsert(table, frame)
            for f in batch:
                tx.log_import({"file": f.name, "sha256": _sha256(f), "importer": importer.name})
            results.append(res)
            report.files += len(batch)
            report.rows_read += res.rows_read
            report.rows_loaded += res.rows_loaded
            report.problems.extend(res.problems)
            if res.quarantined is not None:
                report.rows_quarantined += res.quarantined.height
            done += len(batch)
            if progress is not None:
                progress(done, len(files), batch[-1].name)
        _upsert_bars(tx, new_bars)
    report.changed = tx.changed
    report.version = tx.committed_version or store.current_version()
    if report.problems or any(r.quarantined is not None and r.quarantined.height for r in results):
        report.report_path = _write_quarantine(reports_dir or root / "reports", results)
    report.seconds = time.perf_counter() - t0
    return report


def _skip_line(reason: str, files: list[Path]) -> str:
    """One line per skip reason: the common folder, how many files, and why."""
    where = files[0] if len(files) == 1 else Path(*_common_parts(files))
    return f"{where} ({len(files)} file(s)): {reason}"


def _common_parts(files: list[Path]) -> tuple[str, ...]:
    parts = files[0].parent.parts
    for f in files[1:]:
        other = f.parent.parts
        n = 0
        while n < min(len(parts), len(other)) and parts[n] == other[n]:
            n += 1
        parts = parts[:n]
    return parts


def _upsert_bars(tx: Transaction, frames: list[pl.DataFrame]) -> None:
    """Upsert new daily bars once, with adjustment factors recomputed over each touched code's whole history."""
    frames = [f for f in frames if f.height]
    if not frames:
        return
    new = pl.concat(frames, how="diagonal_relaxed")
    old = tx.table("daily_bars")
    if old.height:
        old = old.filter(pl.col("code").is_in(new.get_column("code").unique().implode()))
        old = old.join(new.select("code", "date"), on=["code", "date"], how="anti")
        new = pl.concat([old, new.select([c for c in old.columns if c in new.columns])], how="diagonal_relaxed")
    tx.upsert("daily_bars", with_adj_factor(new))
    # the touched codes' ST periods, rebuilt from their complete histories in the same transaction (atomic)
    tx.replace("st_periods", st_periods.replace_for_codes(tx.table("st_periods"), new))


def _write_quarantine(directory: Path, results: list[LoadResult]) -> Path:
    """Write problems and rejected rows; the report never affects the store itself."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"import-{stamp}.txt"
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in results:
            for p in r.problems:
                fh.write(f"{p}\n")
        for r in results:
            if r.quarantined is not None and r.quarantined.height:
                fh.write("\n# quarantined rows (source columns; _file and _line say where)\n")
                fh.write(r.quarantined.write_csv())
    tmp.replace(path)
    return path
