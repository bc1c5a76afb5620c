"""How well profiles recover the synthetic clients' hidden tastes — the use the simulator keeps ``latent`` for.

The profile never sees ``latent``; this compares after the fact: the share of clients whose strongest
``industry:`` tag is their true favourite industry, and, as the floor to beat, the share a profile-free guess
(everyone gets the most common favourite) would reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import polars as pl

from tandem.engagement.profiles import ProfileState


@dataclass(frozen=True, slots=True)
class TagRecovery:
    """Top-industry agreement of profiles with the hidden truth, beside the best profile-free guess."""

    clients: int
    agreement: float
    guess_floor: float


def top_industry_recovery(state: ProfileState, latent: pd.DataFrame) -> TagRecovery:
    """Compare each profiled client's strongest industry tag with ``latent.top_industry``."""
    top = (
        state.tags.filter(pl.col("tag").str.starts_with("industry:"))
        .sort("score", descending=True)
        .group_by("client_id")
        .agg(pl.col("tag").first().str.strip_prefix("industry:").alias("profiled"))
    )
    truth = pl.from_pandas(latent[["client_id", "top_industry"]]).cast({"client_id": pl.Int64})
    joined = truth.join(top, on="client_id", how="inner")
    if joined.is_empty():
        return TagRecovery(0, 0.0, 0.0)
    agreement = float((joined["profiled"] == joined["top_industry"]).mean())  # type: ignore[arg-type]
    floor = float(joined["top_industry"].value_counts(sort=True)["count"][0] / joined.height)
    return TagRecovery(joined.height, agreement, floor)
