"""Client profiles folded incrementally from events: interest tags, activity, risk category — pure polars.

A tag's score is the sum over the client's events about items carrying that tag of ``weight(type) ·
2^(-age / half_life)``: recent, deliberate acts (a watchlist add, a long read, a plan accepted) count most.
Because the decay is exponential, a new batch of events folds into yesterday's scores without re-reading history:
``score(T') = score(T) · 2^(-(T' - T)/h) + Σ new``. Tags: ``industry:<name>``, ``board:<code>`` (listing board),
``theme:<East Money board name>`` (the 概念/行业板块 a stock belongs to), ``style:<价值|成长|高股息>``,
``product:<stock|fund|strategy|content>``; plus the client's activity (decayed
event count, 7-day half-life) and risk category from the latest ``assessment_completed`` event (valid one year,
as the questionnaire says).

Deletions (:mod:`tandem.engagement.profile_models`) are applied inside the fold: evidence dated at or before a
deletion is dropped for that tag, so neither an incremental update nor a rebuild from all events brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from tandem.engagement.items import BOARD_LABELS, ItemCatalogue
from tandem.engagement.profile_models import ALL_TAGS

EVENT_WEIGHTS: dict[str, float] = {
    "stock_view": 1.0,
    "fund_view": 1.0,
    "strategy_view": 1.0,
    "search": 0.5,
    "brief_read": 1.0,
    "content_read": 1.0,
    "watchlist_add": 3.0,
    "watchlist_remove": -3.0,
    "plan_view": 1.5,
    "plan_accept": 4.0,
    "recommendation_click": 1.5,
    "push_open": 0.5,
    "backtest_run": 1.0,
}
HOLDING_WEIGHTS: dict[str, float] = {"holding_changed": 2.0}
"""Interest from what the client holds (a stock bought or sold): profiles only, so the recommender's interaction
matrix (:mod:`.recommend_data`, which reads :data:`EVENT_WEIGHTS`) and its published evaluation stay as they were."""
DWELL_BONUS_PER_MINUTE = 0.5  # reads: +0.5 per minute of dwell, capped at +2
INTEREST_HALF_LIFE = timedelta(days=30)
ACTIVITY_HALF_LIFE = timedelta(days=7)
ASSESSMENT_VALIDITY = timedelta(days=365)
KIND_LABELS = {"stock": "股票", "fund": "基金", "strategy": "投顾策略", "content": "投教内容"}

TAG_SCHEMA = pl.Schema({"client_id": pl.Int64(), "tag": pl.String(), "score": pl.Float64()})
OBJECT_SCHEMA = pl.Schema({"client_id": pl.Int64(), "object_id": pl.String(), "score": pl.Float64()})
"""Per-client evidence by item, decayed like the tags: what a tag's "why" line names (which stocks)."""
CLIENT_SCHEMA = pl.Schema(
    {
        "client_id": pl.Int64(),
        "activity": pl.Float64(),
        "last_seen": pl.Datetime("us", "UTC"),
        "risk_category": pl.String(),
        "assessed_at": pl.Datetime("us", "UTC"),
    }
)


@dataclass(frozen=True)
class ProfileState:
    """Every client's tag scores and client facts, all decayed to ``as_of``; ``seen`` = event files folded in.

    Tracking the store's (immutable, append-only) part files rather than a timestamp watermark means an event that
    was written late — a device buffer flushed after a day offline, a slow concurrent writer — is still folded in
    exactly once.
    """

    tags: pl.DataFrame
    clients: pl.DataFrame
    as_of: datetime | None
    seen: frozenset[str]
    objects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OBJECT_SCHEMA))

    @classmethod
    def empty(cls) -> ProfileState:
        """The state before any event."""
        return cls(pl.DataFrame(schema=TAG_SCHEMA), pl.DataFrame(schema=CLIENT_SCHEMA), None, frozenset())


def item_tags(catalogue: ItemCatalogue) -> pl.DataFrame:
    """``object_id → tag`` rows: each item's industry, board, styles and product kind."""
    rows: list[tuple[str, str]] = []
    for oid, kind, industry, board, styles in catalogue.items[
        ["object_id", "kind", "industry", "board", "styles"]
    ].itertuples(index=False):
        rows.append((oid, f"product:{kind}"))
        if industry:
            rows.append((oid, f"industry:{industry}"))
        if board in BOARD_LABELS:
            rows.append((oid, f"board:{board}"))
        rows.extend((oid, f"style:{s}") for s in styles)
    themes = catalogue.themes
    rows.extend((str(o), f"theme:{n}") for o, n in zip(themes["object_id"], themes["board_name"], strict=True) if n)
    return pl.DataFrame(rows, schema={"object_id": pl.String, "tag": pl.String}, orient="row").unique(
        maintain_order=True
    )


def tag_label(tag: str) -> str:
    """The words the account page shows for a tag (``board:CHINEXT`` → ``创业板``)."""
    kind, _, value = tag.partition(":")
    if kind == "board":
        return BOARD_LABELS.get(value, value)
    if kind == "product":
        return KIND_LABELS.get(value, value)
    return value


def fold(
    state: ProfileState,
    events: pl.DataFrame,
    *,
    tags: pl.DataFrame,
    suppressions: pl.DataFrame,
    files: frozenset[str] = frozenset(),
) -> ProfileState:
    """Fold ``events`` (read from the part ``files``) into ``state``; ``suppressions``: client_id, tag, deleted_at."""
    if events.is_empty():
        return (
            ProfileState(state.tags, state.clients, state.as_of, state.seen | files, state.objects) if files else state
        )
    new_as_of = _moment(events["client_time"].max())
    as_of = new_as_of if state.as_of is None or new_as_of > state.as_of else state.as_of
    age_s = (pl.lit(as_of) - pl.col("client_time")).dt.total_microseconds() / 1e6
    evidence, by_object = _evidence(events, tags, suppressions, age_s)
    old_tags, old_objects = state.tags, state.objects
    if state.as_of is not None:
        factor = 0.5 ** ((as_of - state.as_of).total_seconds() / INTEREST_HALF_LIFE.total_seconds())
        old_tags = old_tags.with_columns(pl.col("score") * factor)
        old_objects = old_objects.with_columns(pl.col("score") * factor)
    objects = (
        pl.concat([old_objects, by_object])
        .group_by("client_id", "object_id")
        .agg(pl.col("score").sum())
        .filter(pl.col("score") > 1e-3)
        .sort("client_id", "object_id")
    )
    merged = (
        pl.concat([old_tags, evidence])
        .group_by("client_id", "tag")
        .agg(pl.col("score").sum())
        .filter(pl.col("score") > 1e-3)
        .sort("client_id", "tag")
    )
    clients = _fold_clients(state, events, as_of, age_s)
    return ProfileState(merged, clients, as_of, state.seen | files, objects)


def _moment(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"event times must be timestamps, got {type(value).__name__}")
    return value


def _evidence(
    events: pl.DataFrame, tags: pl.DataFrame, suppressions: pl.DataFrame, age_s: pl.Expr
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """New tag scores, and the same evidence per item (after "delete all"s) for the tags' why-lines."""
    profile_weights = EVENT_WEIGHTS | HOLDING_WEIGHTS
    weights = pl.DataFrame({"type": list(profile_weights), "w": list(profile_weights.values())})
    dwell = pl.col("properties").str.json_path_match("$.dwell_ms").cast(pl.Float64, strict=False).fill_null(0.0)
    scored = (
        events.filter(pl.col("object_id").is_not_null())
        .join(weights, on="type", how="inner")
        .with_columns(
            (
                (pl.col("w") + (dwell / 60_000 * DWELL_BONUS_PER_MINUTE).clip(0, 2))
                * (0.5 ** (age_s / INTEREST_HALF_LIFE.total_seconds()))
            ).alias("score")
        )
        .select("client_id", "object_id", "client_time", "score")
    )
    by_object = scored
    if not suppressions.is_empty():
        every = suppressions.filter(pl.col("tag") == ALL_TAGS).select("client_id", pl.col("deleted_at").alias("all_at"))
        by_object = by_object.join(every, on="client_id", how="left").filter(
            pl.col("all_at").is_null() | (pl.col("client_time") > pl.col("all_at"))
        )
    by_object = by_object.group_by("client_id", "object_id").agg(pl.col("score").sum()).select(list(OBJECT_SCHEMA))
    scored = scored.join(tags, on="object_id", how="inner")
    if not suppressions.is_empty():
        exact = suppressions.filter(pl.col("tag") != ALL_TAGS).select("client_id", "tag", "deleted_at")
        every = suppressions.filter(pl.col("tag") == ALL_TAGS).select("client_id", pl.col("deleted_at").alias("all_at"))
        scored = (
            scored.join(exact, on=["client_id", "tag"], how="left")
            .join(every, on="client_id", how="left")
            .filter(
                (pl.col("deleted_at").is_null() | (pl.col("client_time") > pl.col("deleted_at")))
                & (pl.col("all_at").is_null() | (pl.col("client_time") > pl.col("all_at")))
            )
        )
    return scored.group_by("client_id", "tag").agg(pl.col("score").sum()).select(list(TAG_SCHEMA)), by_object


def _fold_clients(state: ProfileState, events: pl.DataFrame, as_of: datetime, age_s: pl.Expr) -> pl.DataFrame:
    activity = events.group_by("client_id").agg(
        (0.5 ** (age_s / ACTIVITY_HALF_LIFE.total_seconds())).sum().alias("activity_new"),
        pl.col("client_time").max().alias("seen_new"),
    )
    assessed = (
        events.filter(pl.col("type") == "assessment_completed")
        .sort("client_time")
        .group_by("client_id")
        .agg(
            pl.col("properties").last().str.json_path_match("$.category").alias("category_new"),
            pl.col("client_time").last().alias("assessed_new"),
        )
    )
    old = state.clients
    if state.as_of is not None:
        factor = 0.5 ** ((as_of - state.as_of).total_seconds() / ACTIVITY_HALF_LIFE.total_seconds())
        old = old.with_columns(pl.col("activity") * factor)
    joined = (
        old.join(activity, on="client_id", how="full", coalesce=True)
        .join(assessed, on="client_id", how="left")
        .select(
            "client_id",
            (pl.col("activity").fill_null(0.0) + pl.col("activity_new").fill_null(0.0)).alias("activity"),
            pl.max_horizontal("last_seen", "seen_new").alias("last_seen"),
            pl.coalesce("category_new", "risk_category").alias("risk_category"),
            pl.coalesce("assessed_new", "assessed_at").alias("assessed_at"),
        )
    )
    return joined.cast(CLIENT_SCHEMA).sort("client_id")


def drop_tags(state: ProfileState, *, client_id: int, tags: list[str] | None) -> ProfileState:
    """The state without ``tags`` of ``client_id`` (all of them when ``tags`` is None): a deletion, applied now."""
    mine = pl.col("client_id") == client_id
    keep = ~mine if tags is None else ~(mine & pl.col("tag").is_in(tags))
    objects = state.objects.filter(pl.col("client_id") != client_id) if tags is None else state.objects
    return ProfileState(state.tags.filter(keep), state.clients, state.as_of, state.seen, objects)


def why_objects(state: ProfileState, item_tags: pl.DataFrame, *, client_id: int, tag: str, n: int = 3) -> list[str]:
    """The ``n`` items (object ids) of the client's own evidence that carry ``tag``, strongest first."""
    carrying = item_tags.filter(pl.col("tag") == tag).select("object_id")
    mine = state.objects.filter(pl.col("client_id") == client_id).join(carrying, on="object_id", how="inner")
    return mine.sort(["score", "object_id"], descending=[True, False]).head(n).get_column("object_id").to_list()


def activity_level(activity: float) -> str:
    """高 / 中 / 低 / 沉默 from the 7-day-decayed event count."""
    if activity >= 20:
        return "高"
    if activity >= 5:
        return "中"
    if activity > 0.5:
        return "低"
    return "沉默"
