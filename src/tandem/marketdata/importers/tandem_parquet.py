"""Tandem's own Parquet export format (the bundled sample): one ``<table>.parquet`` per store table.

The files are already normalised, but they are still untrusted input: daily bars go through the same checks as any
source, and every file must match its table's declared columns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tandem.core.models import board_of
from tandem.marketdata.csvio import Problem
from tandem.marketdata.importers.base import LoadResult
from tandem.marketdata.tables import TABLES
from tandem.marketdata.validate import check_bars


class TandemParquet:
    """``<table>.parquet`` files → the table of that name."""

    name = "tandem-parquet"

    def load(self, paths: list[Path]) -> LoadResult:
        """Read each table file; validate daily bars; reject files whose name is not a table."""
        res = LoadResult(paths)
        for path in paths:
            if path.suffix != ".parquet":
                continue
            table = path.stem
            if table not in TABLES:
                raise ValueError(f"{path.name}: not a store table (known: {', '.join(sorted(TABLES))})")
            frame = pl.read_parquet(path)
            missing = set(TABLES[table].keys) - set(frame.columns)
            if missing:
                raise ValueError(f"{path.name}: key columns {sorted(missing)} missing")
            res.rows_read += frame.height
            if table == "daily_bars":
                frame = self._checked_bars(path, frame, res.problems, res)
            res.tables[table] = frame
        return res

    def _checked_bars(self, path: Path, frame: pl.DataFrame, problems: list[Problem], res: LoadResult) -> pl.DataFrame:
        boards = {c: board_of(c).value for c in frame.get_column("code").unique().to_list()}
        typed = frame.with_columns(
            pl.col("code").replace_strict(boards, default=None).alias("board"),
            pl.lit(path.name).alias("_file"),
            (pl.int_range(0, pl.len()) + 1).alias("_line"),
        )
        bad = check_bars(typed, problems)
        res.quarantined = frame.filter(bad)
        return frame.filter(~bad)
