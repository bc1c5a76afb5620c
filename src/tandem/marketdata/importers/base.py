"""What every importer returns, and the shared steps (typing string columns, quarantining bad rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from tandem.core.errors import UserError
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
        """Rows kept across all tables."""
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
    if not any(p.bad_lines for p in parsed):
        return frame, problems, pl.Series("bad_line", [False] * frame.height, pl.Boolean)
    bad = pl.DataFrame(
        {
            "_file": [p.path.name for p in parsed for _ in p.bad_lines],
            "_line": [ln for p in parsed for ln in p.bad_lines],
        },
        schema={"_file": pl.String, "_line": pl.Int64},
    ).with_columns(pl.lit(True).alias("_bad_line"))
    flag = frame.select("_file", pl.col("_line").cast(pl.Int64)).join(
        bad, on=["_file", "_line"], how="left", maintain_order="left"
    )
    return frame, problems, flag.get_column("_bad_line").fill_null(False).alias("bad_line")


def finish(res: LoadResult, raw: pl.DataFrame, bad: pl.Series, tables: dict[str, pl.DataFrame]) -> LoadResult:
    """Keep the good rows of each table (frames aligned with ``raw``) and quarantine the source rows of bad ones."""
    for name, frame in tables.items():
        res.tables[name] = frame.filter(~bad).drop([c for c in ("_file", "_line") if c in frame.columns])
    res.quarantined = raw.filter(bad)
    return res


def source_of(prefix: str) -> pl.Expr:
    """``source`` column value: the vendor prefix and the file each row came from."""
    return (pl.lit(prefix + ":") + pl.col("_file")).alias("source")


def code_map(raw: pl.Series, fn: Callable[[str], str | None]) -> pl.Series:
    """Apply a code normaliser over the (few) unique values of a column; failures become null."""
    uniq = raw.unique().drop_nulls().to_list()
    mapping: dict[str, str | None] = {}
    for u in uniq:
        try:
            mapping[u] = fn(u)
        except UserError:
            mapping[u] = None
    return raw.replace_strict(mapping, default=None, return_dtype=pl.String)


def check_codes(raw: pl.DataFrame, typed: pl.DataFrame, src: str, problems: list[Problem]) -> pl.Series:
    """Flag rows whose code is present in the source but could not be normalised."""
    failed = (raw.get_column(src).is_not_null() & (raw.get_column(src) != "")) & typed.get_column("code").is_null()
    missing = raw.get_column(src).is_null() | (raw.get_column(src) == "")
    if failed.any():
        msgs = "'" + raw.get_column(src).fill_null("") + "' is not a security code"
        for f, ln, m in zip(
            typed.get_column("_file").filter(failed),
            typed.get_column("_line").filter(failed),
            msgs.filter(failed),
            strict=True,
        ):
            problems.append(Problem(f, ln, "code", m))
    if missing.any():
        for f, ln in zip(
            typed.get_column("_file").filter(missing), typed.get_column("_line").filter(missing), strict=True
        ):
            problems.append(Problem(f, ln, "code", "missing code"))
    return failed | missing
