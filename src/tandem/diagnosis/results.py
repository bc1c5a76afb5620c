"""Stored whole-market results: one Parquet file per day under ``<home>/diagnosis``, written atomically.

Parquet rather than a SQLAlchemy table: results are an analytical, append-per-day, column-oriented dataset (one
row per stock, a dozen score columns), always read a whole day at a time and compared across days; files need no
migration when a dimension is added, DuckDB/polars read them directly, and a write is a single atomic rename.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from pathlib import Path

import pandas as pd

from tandem.core.errors import NotFoundError

_NAME = re.compile(r"^scores-(\d{4}-\d{2}-\d{2})\.parquet$")


def results_dir(home: Path) -> Path:
    """Where the daily score files live."""
    return home / "diagnosis"


def save_scores(home: Path, summary: pd.DataFrame, as_of: date) -> Path:
    """Write one day's summary (``MarketTable.summary()``) atomically: temp file, fsync, rename."""
    folder = results_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"scores-{as_of.isoformat()}.parquet"
    tmp = folder / f".{final.name}.{uuid.uuid4().hex}.tmp"
    frame = summary.copy()
    for col in ("as_of", "data_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame.to_parquet(tmp, index=False)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def stored_days(home: Path) -> list[date]:
    """Days with stored results, oldest first."""
    folder = results_dir(home)
    if not folder.is_dir():
        return []
    days = [date.fromisoformat(m.group(1)) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return sorted(days)


def load_scores(home: Path, as_of: date) -> pd.DataFrame:
    """One stored day, or NotFoundError listing the stored days."""
    path = results_dir(home) / f"scores-{as_of.isoformat()}.parquet"
    if not path.is_file():
        days = ", ".join(d.isoformat() for d in stored_days(home)[-5:]) or "none"
        raise NotFoundError(f"no stored diagnosis for {as_of}; stored: {days}; run `tandem diagnose --all`")
    return pd.read_parquet(path)


def score_changes(home: Path, as_of: date, previous: date | None = None, *, top: int = 20) -> pd.DataFrame:
    """Whose composite changed most between the previous stored day (or ``previous``) and ``as_of``.

    Columns: code, name, composite_prev, composite, change, rank_prev, rank — sorted by |change| descending.
    """
    if previous is None:
        earlier = [d for d in stored_days(home) if d < as_of]
        if not earlier:
            raise NotFoundError(f"no stored diagnosis before {as_of} to compare with; run `tandem diagnose --all`")
        previous = earlier[-1]
    now = load_scores(home, as_of).set_index("code")
    before = load_scores(home, previous).set_index("code")
    out = pd.DataFrame(
        {
            "name": now["name"],
            "composite_prev": before["composite"].reindex(now.index),
            "composite": now["composite"],
            "rank_prev": before["rank"].reindex(now.index),
            "rank": now["rank"],
        }
    )
    out["change"] = out["composite"] - out["composite_prev"]
    out = out.dropna(subset=["change"])
    out = out.reindex(out["change"].abs().sort_values(ascending=False).index).head(top)
    return out.reset_index()
