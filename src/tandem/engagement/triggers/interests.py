"""异动 in what a client is interested in but does not follow: the one push built from an inferred profile.

Every other session trigger pushes about the client's explicit choices (a stock held or watched, an alert set).
This one reads the client's interest tags (:class:`~tandem.engagement.profile_service.ClientProfile`, boards and
industries only) and, when the session's movers include stocks carrying one of their strongest tags that they do
not already follow, proposes one push per client naming those stocks. It is marked ``Basis.PROFILE``, so the
delivery policy refuses it for a client who switched personalisation off (``personalisation_off``), and its
category is ``recommendation``, which a client may unsubscribe from on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from tandem.engagement.delivery.records import Basis, PushCandidate
from tandem.engagement.items import ItemCatalogue
from tandem.engagement.profile_service import ClientProfile
from tandem.engagement.profiles import item_tags, tag_label
from tandem.engagement.triggers.movers import TEXT
from tandem.engagement.triggers.records import Mover

RULE = "interest_movers/v1"
TOP_TAGS = 2
"""How many of a client's strongest board/industry tags are looked at."""
NAMED = 3
"""How many stocks a push names."""


def stock_tags(catalogue: ItemCatalogue) -> dict[str, list[str]]:
    """Each stock's board and industry tags (the ones this trigger matches movers on)."""
    rows = item_tags(catalogue)
    out: dict[str, list[str]] = {}
    for oid, tag in rows.iter_rows():
        if tag.startswith(("board:", "industry:")):
            out.setdefault(oid, []).append(tag)
    return out


def interest_candidates(
    movers: Sequence[Mover],
    *,
    profiles: Mapping[str, ClientProfile],
    stock_tags: Mapping[str, Sequence[str]],
    followed: Mapping[str, frozenset[str]],
    channel: str = "inapp",
) -> list[PushCandidate]:
    """At most one push per client: movers under their strongest tag that has any they do not already follow."""
    by_tag: dict[str, list[Mover]] = {}
    for m in movers:
        for key in stock_tags.get(m.code, ()):
            by_tag.setdefault(key, []).append(m)
    out: list[PushCandidate] = []
    for client_id, profile in profiles.items():
        mine = [t for t in profile.tags if t.key.startswith(("board:", "industry:"))][:TOP_TAGS]
        for tag in mine:
            fresh = [m for m in by_tag.get(tag.key, ()) if m.code not in followed.get(client_id, frozenset())]
            if not fresh:
                continue
            day = fresh[0].day
            seen: dict[str, Mover] = {}
            for m in fresh:
                seen.setdefault(m.code, m)
            named = list(seen.values())[:NAMED]
            label = tag_label(tag.key)
            out.append(
                PushCandidate(
                    client_id=client_id,
                    category="recommendation",
                    channel=channel,
                    title=f"你关注的{label}：{len(seen)} 只股票异动",
                    body="；".join(f"{m.name}（{m.code}）{TEXT[m.kind]}" for m in named)
                    + f"。{day.isoformat()} 收盘数据，依据你的兴趣标签「{label}」推送，可在「我的」删除该标签。",
                    rule=RULE,
                    dedup_key=f"interest_movers:{tag.key}:{day.isoformat()}",
                    data_date=day,
                    source_events=(f"session:{day.isoformat()}", f"profile:{tag.key}"),
                    evidence=MappingProxyType({"tag": tag.key, "codes": [m.code for m in seen.values()]}),
                    basis=Basis.PROFILE,
                )
            )
            break
    return out
