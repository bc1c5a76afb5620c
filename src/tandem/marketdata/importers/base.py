"""What every importer returns, and the shared steps (typing string columns, quarantining bad rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from tandem.marketdata.csvio import ParsedFile, Problem


@dataclass(slots=True)
class LoadResult:
    """Rows to upsert per table, the problems found, and the rejected source rows (for the quarantine report)."""

    paths: list[Path]
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    quarantined: pl.DataFrame | None = None
    rows_read: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(f.height for f in self.tables.values())


class Importer(Protocol):
    """Turns one source file into table rows. Implementations must not touch the store."""

    name: str

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse and validate a batch of files of this format; never raise for bad rows — report them as problems.

        Batches exist for speed: per-file work is parsing only, checks run once over all rows.
        """
        ...


def to_float(col: str) -> pl.Expr:
    """String column → float, empty → null, unparsable → null (caught by the parse check)."""
    return pl.col(col).replace("", None).cast(pl.Float64, strict=False)


def to_date(col: str, fmt: str = "%Y-%m-%d") -> pl.Expr:
    """String column → date with an explicit format, unparsable → null (caught by the parse check)."""
    return pl.col(col).replace("", None).str.strptime(pl.Date, fmt, strict=False)


def concat_parsed(parsed: list[ParsedFile]) -> tuple[pl.DataFrame, list[Problem], pl.Series]:
    """Stack parsed files; returns the frame, their byte-level problems and a mask of rows on bad lines."""
    frame = pl.concat([p.frame for p in parsed], how="diagonal_relaxed")
    problems = [q for p in parsed for q in p.problems]
    bad_keys = [f"{p.path.name}:{ln}" for p in parsed for ln in p.bad_lines]
    key = frame.get_column("_file") + ":" + frame.get_column("_line").cast(pl.String)
    return frame, problems, key.is_in(bad_keys)
