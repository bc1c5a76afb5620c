"""A seeded synthetic client population (labelled synthetic) behaving on the store's real items and trading days.

Each synthetic client gets hidden, heterogeneous tastes — sparse Dirichlet weights over industries, boards and
styles, a mix over stocks / funds / strategies / courses, a risk category C1–C5 that pulls fund interest toward
matching grades, an activity level (share of days active, events per active day), a small watchlist of stocks
revisited often, and, for a third of the clients, an interest shift on one day. Events are drawn from those
tastes on the real trading days that end at the store's last bar, on the store's real instruments and funds.

Nothing here is market data: it is behaviour, generated from ``seed`` and labelled synthetic everywhere it is
written (a ``MANIFEST.json`` with ``"synthetic": true``, session ids ``syn-…``, client ids from
``first_client_id``). The hidden tastes (``latent``) are written apart from the events so a recommender or a
profile can be scored against the truth without ever having been fitted to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from tandem.core.errors import UserError
from tandem.engagement.event_store import EVENT_ARROW_SCHEMA, ParquetEventStore
from tandem.engagement.items import KINDS, STYLES, ItemCatalogue, build_items
from tandem.marketdata.store import MarketStore

CATEGORY_SHARES = (0.12, 0.25, 0.33, 0.20, 0.10)  # C1..C5
KIND_BASE = np.array([4.0, 2.0, 0.8, 0.4])  # Dirichlet mean mix over KINDS (stock, fund, strategy, content)
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """What to generate: how many clients over how many trading days, from which seed."""

    clients: int = 10_000
    days: int = 90
    seed: int = 20_261_207
    first_client_id: int = 1_000_000_000

    def __post_init__(self) -> None:
        if not 1 <= self.clients <= 1_000_000:
            raise UserError(f"clients must be 1…1,000,000, got {self.clients}")
        if not 2 <= self.days <= 750:
            raise UserError(f"days must be 2…750 trading days, got {self.days}")


@dataclass(frozen=True)
class Population:
    """A generated population: its events (stored schema), the clients' visible facts, and the hidden tastes."""

    config: SimulationConfig
    days: list[date]
    catalogue: ItemCatalogue
    events: pa.Table
    clients: pd.DataFrame
    latent: pd.DataFrame


class _ItemArrays:
    """The catalogue's attributes as index arrays, built once so a client's tastes are a few vector products."""

    BOARDS = ("SSE_MAIN", "SZSE_MAIN", "CHINEXT", "STAR")

    def __init__(self, cat: ItemCatalogue) -> None:
        items = cat.items
        self.industries = sorted({i for i in items["industry"] if i})
        where = {name: i for i, name in enumerate(self.industries)}
        self.industry = np.array([where.get(i, -1) for i in items["industry"]])
        self.board = np.array([self.BOARDS.index(b) if b in self.BOARDS else -1 for b in items["board"]])
        self.style = np.zeros((len(items), len(STYLES) + 1))
        for row, styles in enumerate(items["styles"]):
            for x in styles:
                self.style[row, STYLES.index(x)] = 1.0
            if not styles:
                self.style[row, -1] = 1.0
        self.risk = np.array([int(r[1]) if isinstance(r, str) else 0 for r in items["risk"]])
        self.offsets = {k: np.flatnonzero((items["kind"] == k).to_numpy()) for k in KINDS}


class _Tastes:
    """One client's hidden weights, and the item-choice probabilities per kind they imply."""

    def __init__(self, rng: np.random.Generator, arrays: _ItemArrays, category: int) -> None:
        self.w_ind = rng.dirichlet(np.full(len(arrays.industries), 0.12))
        self.w_board = rng.dirichlet(np.full(len(arrays.BOARDS), 0.6))
        self.w_style = rng.dirichlet(np.full(len(STYLES) + 1, 0.5))
        mix = rng.dirichlet(KIND_BASE * 1.5)
        tilt = np.array([0.6 + 0.2 * category, 2.2 - 0.3 * category, 1.0, 1.0])
        self.mix = mix * tilt / (mix * tilt).sum()
        self.category = category

    def probabilities(self, arrays: _ItemArrays, popularity: Floats) -> dict[str, Floats]:
        style_w = arrays.style @ self.w_style
        out: dict[str, Floats] = {}
        for kind, off in arrays.offsets.items():
            p = popularity[off] ** 0.6
            if kind == "stock":
                ind = np.where(arrays.industry[off] >= 0, self.w_ind[arrays.industry[off]], 0.0)
                brd = np.where(arrays.board[off] >= 0, self.w_board[arrays.board[off]], 0.1)
                p = p * (0.01 + ind) * (0.05 + brd) * (0.05 + style_w[off])
            elif kind in ("fund", "strategy"):
                gap = arrays.risk[off] - self.category
                p = p * np.exp(-1.3 * np.abs(gap)) * np.where(gap > 0, 0.3, 1.0)
            else:
                p = p * (0.1 + style_w[off])
            out[kind] = p / p.sum()
        return out


def simulate(
    store: MarketStore, config: SimulationConfig, *, progress: Callable[[int], None] | None = None
) -> Population:
    """Generate the population; ``progress`` is called with the number of clients finished so far."""
    days = _last_trading_days(store, config.days)
    catalogue = build_items(store, as_of=days[-1])
    rng = np.random.default_rng(config.seed)
    popularity = rng.lognormal(0.0, 1.0, len(catalogue.items))
    object_ids = np.array(catalogue.ids, dtype=object)
    arrays = _ItemArrays(catalogue)
    kind_offsets = arrays.offsets
    chunks: list[dict[str, object]] = []
    clients, latent = [], []
    for n in range(config.clients):
        cid = config.first_client_id + n
        category = int(rng.choice(5, p=CATEGORY_SHARES)) + 1
        tastes = _Tastes(rng, arrays, category)
        probs = tastes.probabilities(arrays, popularity)
        shift_day = int(rng.integers(len(days) // 3, len(days))) if rng.random() < 1 / 3 else None
        later = _Tastes(rng, arrays, category).probabilities(arrays, popularity) if shift_day else probs
        active = rng.beta(1.2, 3.0)
        per_day = rng.lognormal(1.0, 0.6)
        watch = kind_offsets["stock"][
            rng.choice(len(probs["stock"]), size=min(3 + rng.poisson(3), 12), p=probs["stock"], replace=False)
        ]
        chunks.append(_client_events(rng, cid, category, days, probs, later, shift_day, active, per_day, watch,
                                     tastes.mix, kind_offsets))  # fmt: skip
        clients.append((cid, f"C{category}", round(float(active), 4), round(float(per_day), 3)))
        affinity = np.zeros(len(object_ids))
        for kind, off in kind_offsets.items():
            affinity[off] = tastes.mix[KINDS.index(kind)] * later[kind]
        top = np.argsort(-affinity)[:20]
        latent.append((cid, arrays.industries[int(np.argmax(tastes.w_ind))], STYLES[int(np.argmax(tastes.w_style[:3]))],
                       KINDS[int(np.argmax(tastes.mix))], [str(object_ids[i]) for i in top]))  # fmt: skip
        if progress is not None and (n + 1) % 250 == 0:
            progress(n + 1)
    if progress is not None:
        progress(config.clients)
    events = _to_table(chunks, days, catalogue, rng)
    client_frame = pd.DataFrame(clients, columns=["client_id", "risk_category", "active_share", "events_per_day"])
    latent_frame = pd.DataFrame(latent, columns=["client_id", "top_industry", "top_style", "top_kind", "top_items"])
    return Population(config, days, catalogue, events, client_frame, latent_frame)


def _last_trading_days(store: MarketStore, count: int) -> list[date]:
    span = store.info().get("daily_bars_end") or store.info().get("end")
    end = span if isinstance(span, date) else _last_bar_day(store)
    days = [d for d in store.trading_days(end - timedelta(days=count * 2 + 30), end) if d <= end][-count:]
    if len(days) < count:
        raise UserError(f"the market store has only {len(days)} trading days up to {end}; ask for fewer days")
    return days


def _last_bar_day(store: MarketStore) -> date:
    spans = [store.bar_span(code) for code in store.instruments("stock")["code"][:20]]
    ends = [s[1] for s in spans if s is not None]
    if not ends:
        raise UserError("the market store has no daily bars; run `tandem data import` first")
    return max(ends)


def _client_events(
    rng: np.random.Generator, cid: int, category: int, days: list[date], probs: dict[str, Floats],
    later: dict[str, Floats], shift_day: int | None, active: float, per_day: float,
    watch: npt.NDArray[np.int64], mix: Floats, offsets: dict[str, npt.NDArray[np.int64]],
) -> dict[str, object]:  # fmt: skip
    on = np.flatnonzero(rng.random(len(days)) < active)
    if on.size == 0:
        on = np.array([int(rng.integers(len(days)))])
    counts = 1 + rng.poisson(per_day, on.size)
    day_idx = np.repeat(on, counts)
    total = day_idx.size
    kinds = rng.choice(len(KINDS), size=total, p=mix)
    item = np.empty(total, dtype=np.int64)
    for k, kind in enumerate(KINDS):
        sel = np.flatnonzero(kinds == k)
        if sel.size == 0:
            continue
        before = sel if shift_day is None else sel[day_idx[sel] < shift_day]
        after = sel[day_idx[sel] >= shift_day] if shift_day is not None else sel[:0]
        for part, p in ((before, probs[kind]), (after, later[kind])):
            if part.size:
                item[part] = offsets[kind][rng.choice(p.size, size=part.size, p=p)]
    revisit = (kinds == 0) & (rng.random(total) < 0.45)
    item[revisit] = watch[rng.integers(0, watch.size, int(revisit.sum()))]
    seconds = rng.integers(9 * 3600, 22 * 3600, total)
    etype = np.empty(total, dtype=object)
    u = rng.random(total)
    stock, strategy = kinds == 0, kinds == 2
    etype[stock] = np.where(u[stock] < 0.6, "stock_view", np.where(u[stock] < 0.9, "brief_read", "search"))
    etype[kinds == 1] = "fund_view"
    etype[strategy] = np.where(u[strategy] < 0.8, "strategy_view", "backtest_run")
    etype[kinds == 3] = "content_read"
    order = np.lexsort((seconds, day_idx))
    day_idx, seconds, item, etype = day_idx[order], seconds[order], item[order], etype[order]
    seen_watch = np.flatnonzero(np.isin(item, watch) & (etype == "stock_view"))
    _, first = np.unique(item[seen_watch], return_index=True)
    etype[seen_watch[first]] = "watchlist_add"
    # the server records the questionnaire result just before the first event
    day_idx = np.concatenate([[day_idx[0]], day_idx])
    seconds = np.concatenate([[max(int(seconds[0]) - 60, 0)], seconds])
    item = np.concatenate([[-1], item])
    etype = np.concatenate([np.array(["assessment_completed"], dtype=object), etype])
    return {"client": np.full(item.size, cid, dtype=np.int64), "category": category, "day": day_idx, "sec": seconds,
            "item": item, "type": etype, "dwell": rng.gamma(2.0, 25_000, item.size).astype(np.int64)}  # fmt: skip


def _to_table(
    chunks: list[dict[str, object]], days: list[date], catalogue: ItemCatalogue, rng: np.random.Generator
) -> pa.Table:
    """Concatenate the per-client arrays into the stored event schema."""
    client = np.concatenate([c["client"] for c in chunks])  # type: ignore[misc]
    day = np.concatenate([c["day"] for c in chunks])  # type: ignore[misc]
    sec = np.concatenate([c["sec"] for c in chunks])  # type: ignore[misc]
    item = np.concatenate([c["item"] for c in chunks])  # type: ignore[misc]
    etype = np.concatenate([c["type"] for c in chunks])  # type: ignore[misc]
    dwell = np.concatenate([c["dwell"] for c in chunks])  # type: ignore[misc]
    category = np.concatenate([np.full(len(c["client"]), c["category"]) for c in chunks])  # type: ignore[arg-type]
    n = client.size
    day_us = np.array([np.datetime64(d, "us") for d in days])
    when = day_us[day] + (sec - 8 * 3600).astype("timedelta64[s]").astype("timedelta64[us]")  # Beijing → UTC
    ids = np.array([*catalogue.ids, None], dtype=object)
    names = np.array([*catalogue.items["name"], ""], dtype=object)
    objects = ids[item]
    props = np.full(n, "{}", dtype=object)
    reads = np.isin(etype, ["brief_read", "content_read"])
    props[reads] = [f'{{"dwell_ms":{d}}}' for d in dwell[reads]]
    searches = etype == "search"
    props[searches] = [json.dumps({"query": q}, ensure_ascii=False) for q in names[item[searches]]]
    runs = etype == "backtest_run"
    props[runs] = [f'{{"strategy":"{str(o).split(":", 1)[1]}"}}' for o in objects[runs]]
    objects[runs] = None
    assess = etype == "assessment_completed"
    props[assess] = [f'{{"category":"C{c}"}}' for c in category[assess]]
    hi, lo = rng.integers(0, 2**63, n, dtype=np.int64), rng.integers(0, 2**63, n, dtype=np.int64)
    event_ids = [f"{a:016x}{b:016x}" for a, b in zip(hi.tolist(), lo.tolist(), strict=True)]
    event_ids = [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}" for h in event_ids]
    sessions = [f"syn-{c}-{d}" for c, d in zip(client.tolist(), day.tolist(), strict=True)]
    channel = np.where(assess, "server", np.where(client % 3 == 0, "ios", np.where(client % 3 == 1, "android", "h5")))
    when_arrow = pa.array(when, type=pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
    return pa.Table.from_pydict(
        {
            "event_id": event_ids,
            "client_id": client,
            "type": etype.tolist(),
            "object_id": objects.tolist(),
            "properties": props.tolist(),
            "client_time": when_arrow,
            "server_time": when_arrow,
            "session_id": sessions,
            "channel": channel.tolist(),
            "schema_version": np.ones(n, dtype=np.int16),
        },
        schema=EVENT_ARROW_SCHEMA,
    )


def write_population(population: Population, root: Path) -> Path:
    """Write events (a :class:`ParquetEventStore` under ``root/events``), clients, latent tastes and the manifest.

    The latent tastes go to ``root/latent/`` — apart from everything a profile or recommender reads.
    """
    root.mkdir(parents=True, exist_ok=True)
    ParquetEventStore(root / "events", durable=False).append_table(population.events)
    population.clients.to_parquet(root / "clients.parquet", index=False)
    (root / "latent").mkdir(exist_ok=True)
    population.latent.to_parquet(root / "latent" / "latent.parquet", index=False)
    population.catalogue.items.assign(styles=population.catalogue.items["styles"].map(list)).to_parquet(
        root / "items.parquet", index=False
    )
    manifest = {
        "synthetic": True,
        "label": "SYNTHETIC behaviour generated by tandem.engagement.simulate — not real clients",
        "config": asdict(population.config),
        "first_day": population.days[0].isoformat(),
        "last_day": population.days[-1].isoformat(),
        "events": population.events.num_rows,
        "written_at": datetime.now(UTC).isoformat(),
    }
    tmp = root / "MANIFEST.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(root / "MANIFEST.json")
    return root
