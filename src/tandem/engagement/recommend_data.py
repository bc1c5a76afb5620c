"""From stored events to the matrices the rankers learn from, and the time split the evaluation holds out.

Only events that name an item of the catalogue count (a view, a read, a watchlist add, a plan accept …), with
the profile's event weights (:data:`tandem.engagement.profiles.EVENT_WEIGHTS`) so a deliberate act counts more
than a glance. The time split is honest: everything before ``split_at`` trains, the distinct items each client
touched from ``split_at`` on are the truth, and a client is evaluated only if they had history before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import sparse

from tandem.engagement.items import ItemCatalogue
from tandem.engagement.profiles import EVENT_WEIGHTS

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class InteractionData:
    """Client × item matrices over one catalogue: summed weights, and the recency of each last interaction."""

    clients: Ints
    item_ids: list[str]
    weights: sparse.csr_matrix
    recency: sparse.csr_matrix

    def row_of(self, client_id: int) -> int | None:
        """Row index of a client, or None when they have no interactions."""
        pos = int(np.searchsorted(self.clients, client_id))
        return pos if pos < self.clients.size and self.clients[pos] == client_id else None


def interactions(
    events: pl.DataFrame, catalogue: ItemCatalogue, *, clients: Ints | None = None, now: datetime | None = None
) -> InteractionData:
    """Aggregate ``events`` per client × item; ``clients`` fixes the row order (default: those in the events)."""
    ids = catalogue.ids
    index = pl.DataFrame({"object_id": ids, "item": np.arange(len(ids), dtype=np.int64)})
    weights = pl.DataFrame({"type": list(EVENT_WEIGHTS), "w": list(EVENT_WEIGHTS.values())})
    per_pair = (
        events.join(weights, on="type", how="inner")
        .filter(pl.col("w") > 0)
        .join(index, on="object_id", how="inner")
        .group_by("client_id", "item")
        .agg(pl.col("w").sum(), pl.col("client_time").max().alias("last"))
    )
    rows = np.unique(per_pair["client_id"].to_numpy()) if clients is None else np.asarray(clients, dtype=np.int64)
    rows = np.sort(rows)
    pos = np.searchsorted(rows, per_pair["client_id"].to_numpy())
    keep = (pos < rows.size) & (rows[np.minimum(pos, rows.size - 1)] == per_pair["client_id"].to_numpy())
    r, c = pos[keep], per_pair["item"].to_numpy()[keep]
    w = per_pair["w"].to_numpy()[keep]
    ref = now or per_pair["last"].max()
    age_days = (
        per_pair.select((pl.lit(ref) - pl.col("last")).dt.total_seconds())[:, 0].to_numpy()[keep] / 86_400
        if per_pair.height
        else w * 0
    )
    shape = (rows.size, len(ids))
    return InteractionData(
        rows,
        ids,
        sparse.csr_matrix((np.log1p(w), (r, c)), shape=shape),
        sparse.csr_matrix((1.0 / (1.0 + age_days), (r, c)), shape=shape),
    )


@dataclass(frozen=True)
class TimeSplit:
    """Train on the past, test on what the same clients did after ``split_at``."""

    train: InteractionData
    test: sparse.csr_matrix
    split_at: datetime


def time_split(events: pl.DataFrame, catalogue: ItemCatalogue, *, split_at: datetime) -> TimeSplit:
    """Split at ``split_at``: rows are the clients with history before it; truth = distinct items touched after."""
    past = events.filter(pl.col("client_time") < split_at)
    future = events.filter(pl.col("client_time") >= split_at)
    train = interactions(past, catalogue, now=split_at)
    test = interactions(future, catalogue, clients=train.clients)
    truth = test.weights.copy()
    truth.data[:] = 1.0
    return TimeSplit(train, truth, split_at)
