"""A labelled-synthetic campaign over the synthetic acquisition population, so its uplift can be read on the page.

The synthetic population (:mod:`tandem.operations.simulate`) has no campaign exposure, and real campaigns in a demo
reach a handful of accounts, so the uplift view would only ever say "too small to conclude". This adds one
campaign the way operations would run it — audience: synthetic clients who opened an account before the start
and had not deposited; a seeded control group held out with the same draw as real campaigns
(:func:`~tandem.operations.campaigns.in_control`); target step ``first_deposit`` — and simulates its effect:
each *treated* client who would not have deposited within the window does so with probability ``effect``
(lognormal delay, inside the window). Control clients get nothing. The campaign row, the audience snapshot and the
added events are all labelled synthetic (name ``SYNTHETIC …``, session ids ``syn-camp-…``, deterministic event ids
so a rerun adds nothing), and the stored uplift is then *measured* from the event store like any other campaign's —
nothing about the result is written down directly.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.models import ContentItem, ContentVersion
from tandem.core.errors import ConflictError, UserError
from tandem.engagement.event_store import EVENT_ARROW_SCHEMA, ParquetEventStore
from tandem.operations.campaign_service import segment_to_json
from tandem.operations.campaigns import CampaignSpec, Segment, in_control
from tandem.operations.models import Campaign, CampaignMember
from tandem.operations.scan import EventScan

_NAMESPACE = uuid.UUID("6f1d2c1e-58a4-4c59-9c51-2f8a4b3d7e10")


@dataclass(frozen=True, slots=True)
class SyntheticCampaignResult:
    """What was written: the group sizes and how many deposits the simulated effect added."""

    code: str
    treated: int
    control: int
    added_deposits: int


def simulate_campaign(
    db: Session,
    root: Path,
    *,
    code: str,
    starts_at: datetime,
    window_days: int = 14,
    control_share: float = 0.2,
    effect: float = 0.05,
    seed: int = 20_261_208,
    first_client_id: int = 2_000_000_000,
) -> SyntheticCampaignResult:
    """Define, snapshot and simulate one synthetic campaign (the caller commits ``db`` after the events are written)."""
    if not 0 <= effect <= 0.5:
        raise UserError(f"--effect must be 0…0.5 (an absolute rise of the deposit probability), got {effect}")
    if db.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        raise ConflictError(f"a campaign {code!r} already exists; choose another --code")
    content = _latest_approved(db)
    spec = CampaignSpec(
        code=code, channel="inapp", target_step="first_deposit", segment=Segment(stages=frozenset({"account_opened"})),
        starts_at=starts_at, ends_at=starts_at + timedelta(days=window_days), seed=seed, control_share=control_share,
        window=timedelta(days=window_days),
    )  # fmt: skip
    audience, deposited = _audience(EventScan(root / "events"), spec, first_client_id)
    if not audience:
        raise UserError(
            f"no synthetic client had opened an account without depositing before {starts_at:%Y-%m-%d}; "
            "run `tandem ops simulate` first or choose a later --start"
        )
    control = [c for c in audience if in_control(spec, c)]
    held = set(control)
    treated = [c for c in audience if c not in held]
    rng = np.random.default_rng(seed)
    candidates = np.array([c for c in treated if c not in deposited], dtype=np.int64)
    converts = candidates[rng.random(candidates.size) < effect]
    lag_s = np.minimum(rng.lognormal(np.log(2 * 86_400), 0.8, converts.size), window_days * 86_400 - 3600)
    row = Campaign(
        code=code, name=f"SYNTHETIC 入金激励（模拟，非真实客户）{code}", channel=spec.channel,
        target_step=spec.target_step, content_id=str(content[0]), content_version=content[1],
        audience=json.dumps(segment_to_json(spec.segment), ensure_ascii=False), control_share=control_share,
        seed=seed, starts_at=starts_at, ends_at=spec.ends_at, window_days=window_days, launched_at=starts_at,
    )  # fmt: skip
    db.add(row)
    db.flush()
    db.add_all(CampaignMember(campaign_id=row.id, client_id=c, control=c in held) for c in audience)
    db.flush()  # the rows are staged first: a failing event write leaves the caller a transaction to roll back
    _append_deposits(root, spec, converts, lag_s.astype(np.int64))
    return SyntheticCampaignResult(code, len(treated), len(control), int(converts.size))


def _latest_approved(db: Session) -> tuple[int, int]:
    found = db.execute(
        select(ContentItem.id, ContentVersion.version)
        .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.status == "approved")
        .order_by(ContentVersion.id.desc())
    ).first()
    if found is None:
        raise UserError(
            "no approved library item to pin the campaign to; `make run` seeds one (tandem accounts seed-demo)"
        )
    return int(found[0]), int(found[1])


def _audience(scan: EventScan, spec: CampaignSpec, first_client_id: int) -> tuple[list[int], set[int]]:
    """Synthetic clients with an account opened and no deposit before the start; and those depositing in the window."""
    if not scan.has_events():
        return [], set()
    base, params = scan.relation(types=("account_opened", "first_deposit"), first_day=None, last_day=None)
    start, end = spec.starts_at, spec.starts_at + spec.window
    sql = (
        "SELECT client_id, min(ts) FILTER (WHERE type = 'account_opened'), min(ts) FILTER (WHERE type = "
        f"'first_deposit') FROM ({base}) WHERE client_id >= ? GROUP BY client_id"
    )
    with scan.connect() as con:
        rows = con.execute(sql, [*params, first_client_id]).fetchall()
    audience, deposited = [], set()
    for client, opened, deposit in rows:
        if opened is None or opened >= start or (deposit is not None and deposit < start):
            continue
        audience.append(int(client))
        if deposit is not None and deposit <= end:
            deposited.add(int(client))
    return sorted(audience), deposited


def _append_deposits(root: Path, spec: CampaignSpec, clients: np.ndarray, lag_s: np.ndarray) -> None:
    if not clients.size:
        return
    tz = pa.timestamp("us", tz="UTC")
    base = np.datetime64(spec.starts_at.astimezone(UTC).replace(tzinfo=None), "us")
    when = base + lag_s.astype("timedelta64[s]").astype("timedelta64[us]")
    ids = [str(uuid.uuid5(_NAMESPACE, f"{spec.code}:{c}")) for c in clients.tolist()]
    table = pa.Table.from_pydict(
        {
            "event_id": ids,
            "client_id": clients,
            "type": ["first_deposit"] * clients.size,
            "object_id": [None] * clients.size,
            "properties": [json.dumps({"campaign_push": spec.code})] * clients.size,
            "client_time": pa.array(when, type=pa.timestamp("us")).cast(tz),
            "server_time": pa.array(when, type=pa.timestamp("us")).cast(tz),
            "session_id": [f"syn-camp-{spec.code}"] * clients.size,
            "channel": ["server"] * clients.size,
            "schema_version": np.ones(clients.size, dtype=np.int16),
        },
        schema=EVENT_ARROW_SCHEMA,
    )
    ParquetEventStore(root / "events", durable=False).append_table(table)
