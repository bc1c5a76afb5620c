"""BaoStock daily bars kept for their ST history (``daily/st_history_baostock_2010_2024``).

The files are ordinary BaoStock raw bars (``adjustflag`` 3) and land in ``daily_bars`` like any other; what they are
imported for is the per-day ``isST`` flag, from which the import rebuilds the dated ``st_periods`` table, and the
``tradestatus`` flag of their long suspensions. So this importer is stricter than the generic BaoStock one: a file
without ``isST`` or ``tradestatus`` is refused whole (bars without the flag would silently read as "never ST"),
and a code without its exchange (``600732`` instead of ``sh.600732``) is refused rather than guessed.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tandem.marketdata.csvio import read_bytes
from tandem.marketdata.importers.baostock import BaostockDaily
from tandem.marketdata.importers.base import LoadResult

SOURCE_PREFIX = "baostock-st-history"
REQUIRED = ("date", "code", "open", "high", "low", "close", "preclose", "volume", "tradestatus", "isST")


def _header(path: Path) -> list[str]:
    """The first line's column names (BOM and surrounding spaces dropped; GBK bytes are reported later per line)."""
    text = read_bytes(path)[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    return [c.strip() for c in first.split(",")]


class BaostockStHistory:
    """Raw BaoStock bars with ``isST`` and ``tradestatus`` → ``daily_bars`` (and so ``st_periods``)."""

    name = "baostock-st-history"

    def __init__(self) -> None:
        self._bars = BaostockDaily(name=self.name, require_exchange=True)

    def load(self, paths: list[Path]) -> LoadResult:
        """Refuse files lacking the flags the ST history is for, then parse and validate like BaoStock daily bars."""
        for path in paths:
            missing = [c for c in REQUIRED if c not in _header(path)]
            if missing:
                raise ValueError(
                    f"{path.name}:1: header: column(s) {', '.join(missing)} missing; an ST history file is a BaoStock "
                    "query_history_k_data_plus export with at least " + ",".join(REQUIRED)
                )
        res = self._bars.load(paths)
        if "vendor_adjusted_bars" in res.tables:
            raise ValueError(
                f"{paths[0].name}: adjusted prices (adjustflag 1 or 2); the ST history needs raw bars (adjustflag 3), "
                "whose closes can be checked against the limit bands"
            )
        bars = res.tables.get("daily_bars")
        if bars is not None:
            # name the dataset in each row's source, so the sample's provenance and st_periods say where ST came from
            res.tables["daily_bars"] = bars.with_columns(
                pl.col("source").str.replace(r"^baostock:", SOURCE_PREFIX + ":").alias("source")
            )
        return res
