"""Why the client has each tag: which of their own acts on which items built it (the account page's why-line).

A tag is only as explainable as its evidence, so this reads the same events and item tags the fold does and
applies the same deletions: an act from before the client deleted a tag is never cited for it again, just as it
no longer counts towards it (:mod:`tandem.engagement.profiles`). Only acts that carry weight are cited
(``EVENT_WEIGHTS`` with a positive weight); removals lower a score and are not a reason to have a tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from tandem.engagement.profile_models import ALL_TAGS
from tandem.engagement.profiles import EVENT_WEIGHTS

EXAMPLES = 3
"""How many items a why-line names (the most frequent first)."""


@dataclass(frozen=True, slots=True)
class TagEvidence:
    """The acts behind one tag: count per event type (strongest type first) and the items acted on most."""

    tag: str
    acts: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]


def tag_evidence(
    events: pl.DataFrame,
    *,
    item_tags: pl.DataFrame,
    names: Mapping[str, str],
    suppressions: pl.DataFrame,
    tags: list[str],
) -> dict[str, TagEvidence]:
    """Evidence for each of ``tags`` from one client's ``events`` (``client_id, type, object_id, client_time``).

    ``item_tags``: ``object_id → tag`` rows; ``suppressions``: that client's ``tag, deleted_at`` deletions
    (``*`` for all). A tag without surviving evidence is left out of the answer.
    """
    weighted = [t for t, w in EVENT_WEIGHTS.items() if w > 0]
    acts = events.filter(pl.col("type").is_in(weighted) & pl.col("object_id").is_not_null()).join(
        item_tags.filter(pl.col("tag").is_in(tags)), on="object_id", how="inner"
    )
    if not suppressions.is_empty():
        exact = suppressions.filter(pl.col("tag") != ALL_TAGS).select("tag", "deleted_at")
        every = suppressions.filter(pl.col("tag") == ALL_TAGS)["deleted_at"].max()
        acts = acts.join(exact, on="tag", how="left").filter(
            pl.col("deleted_at").is_null() | (pl.col("client_time") > pl.col("deleted_at"))
        )
        if every is not None:
            acts = acts.filter(pl.col("client_time") > every)
    out: dict[str, TagEvidence] = {}
    if acts.is_empty():
        return out
    by_type = acts.group_by("tag", "type").len().sort(["tag", "len", "type"], descending=[False, True, False])
    by_item = acts.group_by("tag", "object_id").len().sort(["tag", "len", "object_id"], descending=[False, True, False])
    for tag in tags:
        kinds = by_type.filter(pl.col("tag") == tag)
        if kinds.is_empty():
            continue
        items = by_item.filter(pl.col("tag") == tag)["object_id"].head(EXAMPLES).to_list()
        out[tag] = TagEvidence(
            tag,
            tuple((str(t), int(n)) for t, n in kinds.select("type", "len").iter_rows()),
            tuple(names.get(i, i) for i in items),
        )
    return out
