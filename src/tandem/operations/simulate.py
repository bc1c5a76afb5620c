"""A seeded, labelled-synthetic acquisition population: referral landings through the account-opening funnel.

Visitors arrive on referral links (sources × partners × campaigns) with weekly seasonality (weekday weights per
source), then pass each step with a probability that depends on the source — heavy drop-offs, as in broker
funnels: most landings never sign up, roughly half of sign-ups finish identity checks, and so on. Some visitors
touch several links before converting (what multi-touch attribution needs). Opened accounts then show weekly
activity (``page_view``) and trading (``holding_changed``) that decays over the weeks, for cohort retention.

Nothing here is real: client ids start at ``first_client_id``, session ids are ``syn-ops-…`` and the written
``MANIFEST.json`` says ``"synthetic": true``. All arrays are drawn with numpy from ``seed`` (no Python per visitor).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tandem.core.errors import UserError
from tandem.engagement.event_store import EVENT_ARROW_SCHEMA, ParquetEventStore
from tandem.operations.steps import DIRECT, SOURCES, STEP_NAMES

# probability of reaching step s+1 from step s (sign_up … first_trade), per source
BASE_RATES = np.array([0.12, 0.55, 0.80, 0.70, 0.45, 0.60])
SOURCE_LIFT = {"partner_app": 1.25, "wechat": 1.0, "search": 0.9, "video": 0.7, "offline_qr": 1.4}
SOURCE_SHARE = {"partner_app": 0.35, "wechat": 0.25, "search": 0.15, "video": 0.2, "offline_qr": 0.05}
# weekday weights (Mon..Sun): partner apps and search peak on trading days, video at the weekend
WEEKDAY = {
    "partner_app": (1.2, 1.1, 1.1, 1.1, 1.0, 0.7, 0.6),
    "wechat": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "search": (1.3, 1.2, 1.1, 1.1, 1.0, 0.6, 0.6),
    "video": (0.8, 0.8, 0.8, 0.9, 1.0, 1.4, 1.5),
    "offline_qr": (0.9, 0.9, 0.9, 0.9, 1.0, 1.3, 1.2),
}
MEDIAN_LAG_HOURS = np.array([0.2, 6.0, 2.0, 20.0, 30.0, 48.0])  # lognormal step lags (median), heavy tailed
PARTNERS = ("ths", "xueqiu", "eastmoney")
CAMPAIGNS = (DIRECT, "spring-open", "etf-week")
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AcquisitionConfig:
    """How many visitors over how many calendar days ending ``end``, from which seed."""

    visitors: int = 50_000
    days: int = 84
    end: date = date(2026, 11, 30)
    seed: int = 20_261_207
    first_client_id: int = 2_000_000_000
    retention_weeks: int = 8

    def __post_init__(self) -> None:
        if not 10 <= self.visitors <= 20_000_000:
            raise UserError(f"visitors must be 10…20,000,000, got {self.visitors}")
        if not 7 <= self.days <= 730:
            raise UserError(f"days must be 7…730 calendar days, got {self.days}")
        if not 0 <= self.retention_weeks <= 52:
            raise UserError(f"retention_weeks must be 0…52, got {self.retention_weeks}")


@dataclass(frozen=True, slots=True)
class Link:
    """A synthetic referral link (the same fields as :class:`tandem.operations.models.ReferralLink`)."""

    code: str
    source: str
    partner: str
    campaign: str


def synthetic_links() -> list[Link]:
    """Every link of the synthetic world: each partner × campaign on ``partner_app``, own channels direct-partnered."""
    links = [Link(f"syn{p[:3]}{c[:3]}{i}", "partner_app", p, c) for i, (p, c) in
             enumerate((p, c) for p in PARTNERS for c in CAMPAIGNS)]  # fmt: skip
    for j, source in enumerate(s for s in SOURCES if s != "partner_app"):
        for k, campaign in enumerate(CAMPAIGNS):
            links.append(Link(f"syn{source[:3]}{k}{j}", source, DIRECT, campaign))
    return links


def simulate_acquisition(config: AcquisitionConfig) -> pa.Table:
    """The population's events in the stored event schema (ordered by visitor, then time)."""
    rng = np.random.default_rng(config.seed)
    links = synthetic_links()
    n = config.visitors
    start = datetime.combine(config.end - timedelta(days=config.days - 1), datetime.min.time(), tzinfo=UTC)
    link_src = np.array([SOURCES.index(lk.source) for lk in links])
    day_weekday = (np.arange(config.days) + start.weekday()) % 7
    # joint (link, day) draw: source share × weekday weight, spread evenly over the source's links
    per_link = np.array([SOURCE_SHARE[lk.source] / sum(x.source == lk.source for x in links) for lk in links])
    weights = per_link[:, None] * np.array([[WEEKDAY[lk.source][w] for w in day_weekday] for lk in links])
    cell = rng.choice(weights.size, size=n, p=(weights / weights.sum()).ravel())
    first_link, day = cell // config.days, cell % config.days
    t0 = day * 86_400 + rng.integers(0, 86_400, n) - 8 * 3600  # Beijing day → UTC seconds since start
    lift = np.array([SOURCE_LIFT[SOURCES[s]] for s in link_src])[first_link]
    times = np.full((n, len(STEP_NAMES)), -1, dtype=np.int64)
    times[:, 0] = t0
    alive = np.ones(n, dtype=bool)
    for s in range(1, len(STEP_NAMES)):
        rate = np.clip(BASE_RATES[s - 1] * (lift if s <= 3 else np.sqrt(lift)), 0, 0.97)
        alive &= rng.random(n) < rate
        lag = (MEDIAN_LAG_HOURS[s - 1] * 3600 * rng.lognormal(0.0, 1.0, n)).astype(np.int64) + 1
        times[alive, s] = times[alive, s - 1] + lag[alive]
    cols = _funnel_rows(times, first_link)
    extra = _extra_touches(rng, times, len(links))
    activity = _activity(rng, times, config.retention_weeks)
    return _table(config, rng, start, links, cols, extra, activity)


def _funnel_rows(times: Ints, first_link: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    visitor, step = np.nonzero(times >= 0)
    link = np.where(step == 0, first_link[visitor], -1)
    return visitor, step, times[visitor, step], link


def _extra_touches(rng: np.random.Generator, times: Ints, n_links: int) -> tuple[Ints, Ints, Ints]:
    """Later landings on other links (0–3 per visitor) within two weeks of the first; attribution reads them."""
    count = rng.poisson(0.35, times.shape[0])
    visitor = np.repeat(np.arange(times.shape[0]), count)
    when = times[visitor, 0] + rng.integers(600, 14 * 86_400, visitor.size)
    return visitor, when, rng.integers(0, n_links, visitor.size)


def _activity(rng: np.random.Generator, times: Ints, weeks: int) -> tuple[Ints, Ints, Ints]:
    """Weekly activity after account opening: ``page_view`` (kind 0) and, once funded, ``holding_changed`` (1)."""
    opened, funded = times[:, 4], times[:, 5]
    parts: list[tuple[Ints, Ints, Ints]] = []
    for w in range(weeks + 1):
        for kind, base, decay, since in ((0, 0.7, 0.85, opened), (1, 0.45, 0.9, funded)):
            who = np.flatnonzero((since >= 0) & (rng.random(times.shape[0]) < base * decay**w))
            k = 1 + rng.poisson(1.5, who.size)
            v = np.repeat(who, k)
            when = since[v] + w * 7 * 86_400 + rng.integers(0, 7 * 86_400, v.size)
            parts.append((v, when, np.full(v.size, kind, dtype=np.int64)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]))  # fmt: skip


def _table(
    config: AcquisitionConfig,
    rng: np.random.Generator,
    start: datetime,
    links: list[Link],
    funnel: tuple[Ints, Ints, Ints, Ints],
    extra: tuple[Ints, Ints, Ints],
    activity: tuple[Ints, Ints, Ints],
) -> pa.Table:
    step_names = np.array([*STEP_NAMES, "page_view", "holding_changed"], dtype=object)
    fv, fs, ft, fl = funnel
    ev, et, el = extra
    av, at, ak = activity
    visitor = np.concatenate([fv, ev, av])
    when = np.concatenate([ft, et, at])
    kind = np.concatenate([fs, np.zeros(ev.size, dtype=np.int64), len(STEP_NAMES) + ak])
    link = np.concatenate([fl, el, np.full(av.size, -1)])
    order = np.lexsort((kind, when, visitor))
    order = order[when[order] < config.days * 86_400 - 8 * 3600]  # the world ends with the last Beijing day
    visitor, when, kind, link = visitor[order], when[order], kind[order], link[order]
    n = visitor.size
    link_props = np.array([json.dumps({"link": lk.code, "source": lk.source, "partner": lk.partner,
                                       "campaign": lk.campaign}) for lk in links] + ["{}"], dtype=object)  # fmt: skip
    props = link_props[link]
    props[kind == len(STEP_NAMES)] = '{"path":"/market"}'
    objects = np.full(n, None, dtype=object)
    objects[kind == len(STEP_NAMES) + 1] = "fund:510300"
    hi, lo = rng.integers(0, 2**63, n, dtype=np.int64), rng.integers(0, 2**63, n, dtype=np.int64)
    ids = [f"{a:016x}{b:016x}" for a, b in zip(hi.tolist(), lo.tolist(), strict=True)]
    ids = [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}" for h in ids]
    base = np.datetime64(start.replace(tzinfo=None), "us")
    client_time = base + when.astype("timedelta64[s]").astype("timedelta64[us]")
    server_time = client_time + rng.integers(50_000, 3_000_000, n).astype("timedelta64[us]")  # network delay
    tz = pa.timestamp("us", tz="UTC")
    client_ids = visitor + config.first_client_id
    return pa.Table.from_pydict(
        {
            "event_id": ids,
            "client_id": client_ids,
            "type": step_names[kind].tolist(),
            "object_id": objects.tolist(),
            "properties": props.tolist(),
            "client_time": pa.array(client_time, type=pa.timestamp("us")).cast(tz),
            "server_time": pa.array(server_time, type=pa.timestamp("us")).cast(tz),
            "session_id": [f"syn-ops-{c}" for c in client_ids.tolist()],
            "channel": np.where(kind < len(STEP_NAMES), "server", "h5").tolist(),
            "schema_version": np.ones(n, dtype=np.int16),
        },
        schema=EVENT_ARROW_SCHEMA,
    )


def write_acquisition(config: AcquisitionConfig, root: Path) -> dict[str, object]:
    """Generate the population into ``root/events`` (a :class:`ParquetEventStore`) with a synthetic manifest."""
    table = simulate_acquisition(config)
    root.mkdir(parents=True, exist_ok=True)
    stored = ParquetEventStore(root / "events", durable=False).append_table(table)
    manifest: dict[str, object] = {
        "synthetic": True,
        "label": "SYNTHETIC acquisition funnel generated by tandem.operations.simulate — not real clients",
        "config": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(config).items()},
        "events": table.num_rows,
        "stored": stored,
        "links": [asdict(lk) for lk in synthetic_links()],
        "written_at": datetime.now(UTC).isoformat(),
    }
    tmp = root / "MANIFEST.ops.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(root / "MANIFEST.ops.json")
    return manifest
