"""Which industry classification and which board membership were in force on a day: the one point-in-time rule.

Industry classifications and East Money boards arrive as *snapshots*: a whole-market list of (code → industry) or
(board → members) as one vendor published it on one day (``snapshot_date``; where the file carries no date, the day
its source repository committed it, which is the earliest day the list is verifiably known — so using it never
looks ahead). The store keeps every snapshot (tables ``industry_classification`` and ``board_membership``).

The rule, shared by the diagnosis, the screener and the engagement tags so they can never disagree:

* **In force on day D** = the latest snapshot dated on or before D. A classification snapshot is a whole
  (system, date) list, not a per-code merge: every stock of one day's cross-section is classified by the same
  list, so peer groups never mix two vocabularies. When two systems published on the same day the higher
  :data:`SYSTEM_PRIORITY` wins (the CSRC list over a vendor's own).
* **Before the oldest snapshot** there is no classification known at the time. Rather than leave every older day
  without peers, the oldest snapshot is used and the answer is flagged ``backfilled=True`` (the diagnosis shows
  "分类取自 <date> 快照，晚于诊断日"), so a reader knows the grouping is later knowledge applied to an earlier day.
* A code absent from the snapshot in force has no industry that day (``None``): it is never filled from another
  snapshot, which would mix vocabularies again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

SYSTEM_PRIORITY: dict[str, int] = {"csrc": 2, "tushare": 1}
"""Tie-break between classification systems whose snapshots share a date (higher wins)."""

CLASSIFICATION_COLUMNS = ("code", "industry_code", "industry", "system", "snapshot_date", "backfilled")
BOARD_COLUMNS = ("code", "board_code", "board_name", "snapshot_date", "backfilled")


@dataclass(frozen=True, slots=True)
class SnapshotChoice:
    """The snapshot in force on a day: its system (None for boards), date, and whether it postdates the day."""

    system: str | None
    snapshot_date: date
    backfilled: bool


def snapshot_in_force(snapshots: list[tuple[str | None, date]], day: date) -> SnapshotChoice | None:
    """The latest ``(system, date)`` on or before ``day``; the oldest, flagged ``backfilled``, when all are later.

    ``None`` only when there are no snapshots at all.
    """
    if not snapshots:
        return None
    ordered = sorted(set(snapshots), key=lambda s: (s[1], SYSTEM_PRIORITY.get(s[0] or "", 0)))
    known = [s for s in ordered if s[1] <= day]
    if known:
        return SnapshotChoice(known[-1][0], known[-1][1], False)
    return SnapshotChoice(ordered[0][0], ordered[0][1], True)


def classification_on(rows: pl.DataFrame, day: date) -> pl.DataFrame:
    """Rows of the ``industry_classification`` snapshot in force on ``day`` (columns :data:`CLASSIFICATION_COLUMNS`)."""
    pairs = rows.select("system", "snapshot_date").unique().rows()
    choice = snapshot_in_force([(str(s), d) for s, d in pairs], day)
    if choice is None:
        return pl.DataFrame(
            schema={
                "code": pl.String,
                "industry_code": pl.String,
                "industry": pl.String,
                "system": pl.String,
                "snapshot_date": pl.Date,
                "backfilled": pl.Boolean,
            }
        )
    return (
        rows.filter((pl.col("system") == choice.system) & (pl.col("snapshot_date") == choice.snapshot_date))
        .with_columns(pl.lit(choice.backfilled).alias("backfilled"))
        .select(CLASSIFICATION_COLUMNS)
        .sort("code")
    )


def boards_on(rows: pl.DataFrame, day: date) -> pl.DataFrame:
    """Membership rows of the ``board_membership`` snapshot in force on ``day`` (columns :data:`BOARD_COLUMNS`)."""
    dates = rows.get_column("snapshot_date").unique().to_list()
    choice = snapshot_in_force([(None, d) for d in dates], day)
    if choice is None:
        return pl.DataFrame(
            schema={
                "code": pl.String,
                "board_code": pl.String,
                "board_name": pl.String,
                "snapshot_date": pl.Date,
                "backfilled": pl.Boolean,
            }
        )
    return (
        rows.filter(pl.col("snapshot_date") == choice.snapshot_date)
        .with_columns(pl.lit(choice.backfilled).alias("backfilled"))
        .select(BOARD_COLUMNS)
        .sort("code", "board_code")
    )
