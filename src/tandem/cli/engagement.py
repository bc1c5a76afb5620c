"""``tandem engagement``: the synthetic population, the ranker's training and its offline evaluation.

``simulate`` writes a SYNTHETIC population (labelled so in its manifest and in every line printed) under
``<home>/synthetic/engagement``; ``train`` fits the ranker from an event store (the synthetic one by default,
``--events`` for the real ``<home>/events``) and saves it to ``<home>/engagement/ranker.npz``; ``evaluate`` runs the
time-split evaluation against both baselines and, with ``--movielens``, the same code on MovieLens 100K under
RecBole's protocol; ``consume`` moves events from the Redis stream into the store when ``TANDEM_REDIS_URL`` is set.
Other engagement commands (``dispatch``) live in their own modules and register beside these.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from redis import Redis
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from tandem.cli.context import console, err_console, market_store, print_json, settings
from tandem.cli.engagement_dispatch import register as register_dispatch
from tandem.cli.engagement_triggers import register as register_triggers
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.items import ItemCatalogue, build_items
from tandem.engagement.recommend_movielens import evaluate_movielens, load_recbole_inter
from tandem.engagement.recommend_store import save_ranker
from tandem.engagement.recommend_train import EngagementRanker, evaluate_time_split
from tandem.engagement.redis_events import DEFAULT_STREAM, ConsumeResult, RedisStreamEventConsumer
from tandem.engagement.simulate import SimulationConfig, simulate, write_population
from tandem.identity import VaultAddressBook, keys_for

app = typer.Typer(
    help="Engagement: synthetic population, recommender training and evaluation, push dispatch.", no_args_is_help=True
)


def _vault_addresses(s: Settings, sessions: sessionmaker[Session]) -> VaultAddressBook:
    """E-mail addresses from identity's PII vault (the composition root chooses this adapter)."""
    return VaultAddressBook(sessions, keys_for(s))


register_dispatch(app, address_book=_vault_addresses)
register_triggers(app)

Population = Annotated[
    Path | None,
    typer.Option("--population", help="Synthetic population folder (default: <home>/synthetic/engagement)."),
]
Format = Annotated[str, typer.Option("--format", help="text or json.")]


def _population_dir(path: Path | None) -> Path:
    return path or settings().home / "synthetic" / "engagement"


def _manifest(root: Path) -> dict[str, object]:
    path = root / "MANIFEST.json"
    if not path.exists():
        raise UserError(f"{root}: no synthetic population here; run `tandem engagement simulate` first")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@app.command("simulate")
def simulate_cmd(
    clients: Annotated[int, typer.Option(help="How many synthetic clients.")] = 10_000,
    days: Annotated[int, typer.Option(help="How many trading days, ending at the store's last bar.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same population.")] = 20_261_207,
    out: Population = None,
) -> None:
    """Generate a seeded SYNTHETIC client population on the store's real instruments and trading days."""
    config = SimulationConfig(clients=clients, days=days, seed=seed)
    store = market_store()
    root = _population_dir(out)
    start = time.perf_counter()
    with Progress(
        TextColumn("SYNTHETIC clients"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("simulate", total=clients)
        population = simulate(store, config, progress=lambda n: progress.update(task, completed=n))
    write_population(population, root)
    console.print(
        f"SYNTHETIC population written to {root}: {clients:,} clients × {days} trading days "
        f"({population.days[0]} … {population.days[-1]}), {population.events.num_rows:,} events, seed {seed}, "
        f"{time.perf_counter() - start:.1f} s. Hidden tastes kept apart in {root / 'latent'}."
    )


def _events_and_catalogue(
    population: Path | None, events: bool
) -> tuple[pl.DataFrame, ItemCatalogue, dict[str, object] | None]:
    """The events to learn from and the catalogue as of their last day (real store, or the synthetic population)."""
    store = market_store()
    if events:
        root = event_store_root(settings())
        frame = ParquetEventStore(root).read()
        if frame.is_empty():
            raise UserError(f"{root}: the event store is empty; ingest events or use the synthetic population")
        last_day = (_last_time(frame) + timedelta(hours=8)).date()
        sessions = store.trading_days(last_day - timedelta(days=30), last_day)
        if not sessions:
            raise UserError(f"no trading day in the 30 days before {last_day}; import market data first")
        return frame, build_items(store, as_of=sessions[-1]), None
    root = _population_dir(population)
    manifest = _manifest(root)
    last = datetime.fromisoformat(str(manifest["last_day"])).date()
    return ParquetEventStore(root / "events").read(), build_items(store, as_of=last), manifest


@app.command("train")
def train_cmd(
    population: Population = None,
    events: Annotated[bool, typer.Option("--events", help="Train on the real event store instead.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to save (default <home>/engagement/ranker.npz).")
    ] = None,
) -> None:
    """Fit the ranker on all events and save it for serving."""
    with err_console.status("reading events"):
        frame, catalogue, manifest = _events_and_catalogue(population, events)
    until = _last_time(frame) + timedelta(seconds=1)
    start = time.perf_counter()
    with err_console.status("training EASE and choosing the blend on the last 14 days"):
        ranker = EngagementRanker().fit(frame, catalogue, until=until)
    path = save_ranker(ranker, out or settings().home / "engagement" / "ranker.npz")
    label = "SYNTHETIC population" if manifest is not None else "event store"
    console.print(
        f"trained on the {label}: {frame.height:,} events, {ranker.data_.clients.size:,} clients, "
        f"{len(catalogue.ids)} items in {time.perf_counter() - start:.1f} s; blend {ranker.blend_}; saved {path}"
    )


@app.command("evaluate")
def evaluate_cmd(
    population: Population = None,
    test_days: Annotated[int, typer.Option(help="Trading days held out at the end as the test window.")] = 14,
    movielens: Annotated[
        Path | None, typer.Option("--movielens", help="Also evaluate on this MovieLens 100K folder (RecBole format).")
    ] = None,
    output: Format = "text",
) -> None:
    """Time-split Recall@10 / NDCG@10: learned ranker vs popularity and recent-interaction baselines."""
    root = _population_dir(population)
    manifest = _manifest(root)
    with err_console.status("reading the synthetic population"):
        frame, catalogue, _ = _events_and_catalogue(root, False)
    days = sorted(frame.select((pl.col("client_time") + pl.duration(hours=8)).dt.date().unique())[:, 0].to_list())
    if test_days >= len(days) - 14:
        raise UserError(f"--test-days {test_days} leaves too little training history in {len(days)} days")
    split_at = datetime.combine(days[-test_days], clock(0), UTC) - timedelta(hours=8)
    with Progress(TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console) as progress:
        progress.add_task("evaluating on the SYNTHETIC population")
        result = evaluate_time_split(frame, catalogue, split_at=split_at)
    rows = [
        ("popularity", result.popularity.recall, result.popularity.ndcg),
        ("recent interaction", result.recent.recall, result.recent.ndcg),
        ("learned (EASE + blend)", result.learned.recall, result.learned.ndcg),
    ]
    ml = []
    if movielens is not None:
        with err_console.status("MovieLens 100K under RecBole's protocol"):
            ml = evaluate_movielens(load_recbole_inter(movielens))
    if output == "json":
        print_json(
            {
                "synthetic": True,
                "population": str(root),
                "seed": manifest.get("config"),
                "split_at": result.split_at.isoformat(),
                "clients": result.clients,
                "rows": [{"model": m, "recall@10": r, "ndcg@10": n} for m, r, n in rows],
                "learned_wins": result.learned_wins,
                "movielens": [_ml(r) for r in ml],
            }
        )
        return
    table = Table(
        title=f"SYNTHETIC population, test from {result.split_at:%Y-%m-%d %H:%M} UTC, {result.clients:,} clients"
    )
    for col in ("model", "Recall@10", "NDCG@10"):
        table.add_column(col)
    for m, r, n in rows:
        table.add_row(m, f"{r:.4f}", f"{n:.4f}")
    console.print(table)
    console.print("learned ranker beats both baselines" if result.learned_wins else "learned ranker does NOT beat both")
    if ml:
        t = Table(title="MovieLens 100K, RecBole default protocol (RecBole BPR: recall@10 0.2368, ndcg@10 0.2768)")
        for col in ("model", "Recall@10", "NDCG@10", "train s", "chosen"):
            t.add_column(col)
        for res in ml:
            t.add_row(res.model, f"{res.recall:.4f}", f"{res.ndcg:.4f}", f"{res.train_seconds:.2f}", res.chosen)
        console.print(t)


def _last_time(frame: pl.DataFrame) -> datetime:
    value = frame["client_time"].max()
    if not isinstance(value, datetime):
        raise UserError("the events carry no client times; is this an event store?")
    return value


def _ml(r: object) -> dict[str, object]:
    return {k: getattr(r, k) for k in ("model", "recall", "ndcg", "train_seconds", "chosen")}


@app.command("consume")
def consume_cmd(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep reading (block for new entries) until stopped.")
    ] = False,
    consumer: Annotated[str, typer.Option(help="This consumer's name within the group.")] = "c1",
    stream: Annotated[str, typer.Option(help="Stream key the ingest service publishes to.")] = DEFAULT_STREAM,
) -> None:
    """Move events from the Redis stream (``TANDEM_REDIS_URL``) into the event store, at least once, by id."""
    s = settings()
    if not s.redis_url:
        raise UserError("TANDEM_REDIS_URL is not set: events go straight to the store and there is nothing to consume")
    reader = RedisStreamEventConsumer(
        Redis.from_url(s.redis_url), store=ParquetEventStore(event_store_root(s)), stream=stream, consumer=consumer
    )
    reader.ensure_group()
    total = reader.drain()
    if follow:  # until stopped; a dropped Redis connection is retried, not fatal
        step = reader.follow(lambda: False, block_ms=5_000)
        total = ConsumeResult(total.read + step.read, total.stored + step.stored, total.dead + step.dead)
    console.print(
        f"read {total.read:,} entries, stored {total.stored:,} new events, {total.dead:,} to the dead letters"
    )
