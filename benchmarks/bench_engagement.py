"""Engagement benchmarks: event ingest, profile update, top-10 for every client, and the offline evaluation.

(a) Ingest: ``--batches`` batches of 500 app events (valid, distinct ids) through ``EventIngestService`` into a
    ``ParquetEventStore`` in one thread — validation, Arrow conversion, one Parquet file per batch, rename —
    with fsync per file (``durable``) and without. Wall and CPU (``process_time``) rates are printed; the goal
    is ≥ 50,000 events/s on one core.
(b) Profile update: a SYNTHETIC population of ``--clients`` × ``--days`` (seeded) in a store; the time of
    ``ProfileService.update`` folding all of it (goal < 30 s for 10,000 × 90), then one more day incrementally.
(c) Top-10: ``EngagementRanker`` fitted on the population, then ``Recommender.top_k`` for every client with the
    suitability filter and its audit (in memory) — goal < 30 s for 10,000 clients.
(d) Evaluation: the time split (last 14 trading days held out) vs popularity and recent-interaction baselines,
    and MovieLens 100K under RecBole's default protocol (EASE; with ``--als`` also our ALS), training time beside.

Usage: .venv/bin/python benchmarks/bench_engagement.py [--clients 10000] [--days 90] [--batches 200] [--als]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import polars as pl
from sqlalchemy import create_engine

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import make_sessionmaker
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.ingest import EventIngestService
from tandem.engagement.profile_eval import top_industry_recovery
from tandem.engagement.profile_models import ProfileTagSuppression
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.engagement.recommend import Recommender, catalogue_candidates
from tandem.engagement.recommend_data import interactions
from tandem.engagement.recommend_models import ImplicitALS
from tandem.engagement.recommend_movielens import evaluate_movielens, load_recbole_inter
from tandem.engagement.recommend_train import EngagementRanker, evaluate_time_split
from tandem.engagement.simulate import SimulationConfig, simulate
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "tandem" / "sample_data"
MOVIELENS = Path("/work/shared/data/recsys/ml-100k")


def bench_ingest(tmp: Path, batches: int) -> None:
    now = datetime.now(UTC)
    when = (now - timedelta(minutes=1)).isoformat()
    raw = [
        [
            {
                "event_id": str(uuid.uuid4()),
                "client_id": 7,
                "type": ("stock_view", "brief_read", "search")[i % 3],
                "object_id": "600519.SH",
                "properties": ({}, {"dwell_ms": 30_000}, {"query": "贵州茅台"})[i % 3],
                "client_time": when,
                "session_id": "bench",
                "channel": "web",
            }
            for i in range(500)
        ]
        for _ in range(batches)
    ]
    for durable in (True, False):
        service = EventIngestService(sink=ParquetEventStore(tmp / f"ingest-{durable}", durable=durable))
        wall, cpu = time.perf_counter(), time.process_time()
        for batch in raw:
            service.ingest(batch, client_id=7)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n = batches * 500
        print(f"ingest durable={durable}: {n:,} events in {wall:.2f} s wall = {n / wall:,.0f} ev/s; "
              f"CPU {cpu:.2f} s = {n / cpu:,.0f} ev/s per core")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--als", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_ingest(tmp, args.batches)
        import_paths(tmp / "market", [SAMPLE])
        store = MarketStore.open(tmp / "market")
        start = time.perf_counter()
        population = simulate(store, SimulationConfig(clients=args.clients, days=args.days))
        print(f"simulate SYNTHETIC {args.clients:,} × {args.days} days: {population.events.num_rows:,} events "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        events_store = ParquetEventStore(tmp / "events", durable=False)
        last_day = population.days[-1]
        cut = datetime.combine(last_day, clock(0), UTC) - timedelta(hours=8)
        table = pl.from_arrow(population.events)
        assert isinstance(table, pl.DataFrame)
        events_store.append_table(table.filter(pl.col("client_time") < cut).to_arrow())
        engine = create_engine(f"sqlite:///{tmp / 'app.db'}")
        ProfileTagSuppression.__table__.create(engine)  # type: ignore[attr-defined]
        service = ProfileService(
            events=events_store,
            state=ProfileStateStore(tmp / "profiles"),
            sessions=make_sessionmaker(engine),
            catalogue=population.catalogue,
        )
        start = time.perf_counter()
        state = service.update()
        print(f"profile update, all {args.clients:,} clients × {args.days - 1} days "
              f"({table.filter(pl.col('client_time') < cut).height:,} events): {time.perf_counter() - start:.2f} s, "
              f"{state.tags.height:,} tag rows")  # fmt: skip
        recovery = top_industry_recovery(state, population.latent)
        print(f"profile top industry = hidden favourite for {recovery.agreement:.1%} of {recovery.clients:,} clients "
              f"(profile-free guess: {recovery.guess_floor:.1%})")  # fmt: skip
        events_store.append_table(table.filter(pl.col("client_time") >= cut).to_arrow())
        start = time.perf_counter()
        service.update()
        print(f"profile update, one more day incrementally: {time.perf_counter() - start:.2f} s")

        start = time.perf_counter()
        ranker = EngagementRanker().fit(table, population.catalogue, until=cut + timedelta(days=1))
        print(f"ranker fit (EASE + blend on validation): {time.perf_counter() - start:.2f} s, blend {ranker.blend_}")
        names = dict(zip(population.catalogue.items["object_id"], population.catalogue.items["name"], strict=True))
        rec = Recommender(ranker=ranker, suitability=SuitabilityService(audit=MemoryAuditLog()), names=names)
        candidates = catalogue_candidates(population.catalogue)
        clients = population.clients["client_id"].tolist()
        categories = {
            int(c): InvestorCategory(k)
            for c, k in population.clients[["client_id", "risk_category"]].itertuples(index=False)
        }
        start = time.perf_counter()
        rows = interactions(table, population.catalogue, now=cut + timedelta(days=1))
        top = rec.top_k(candidates, client_ids=clients, rows=rows, categories=categories)
        print(f"top-10 for {len(top):,} clients ({len(candidates)} candidates, suitability + audit, reasons): "
              f"{time.perf_counter() - start:.2f} s")  # fmt: skip

        split_at = datetime.combine(population.days[-14], clock(0), UTC) - timedelta(hours=8)
        start = time.perf_counter()
        result = evaluate_time_split(table, population.catalogue, split_at=split_at)
        print(f"SYNTHETIC time split at {split_at:%Y-%m-%d}, {result.clients:,} clients "
              f"({time.perf_counter() - start:.1f} s):")  # fmt: skip
        for name, r in (("popularity", result.popularity), ("recent", result.recent), ("learned", result.learned)):
            print(f"  {name:10s} recall@10 {r.recall:.4f}  ndcg@10 {r.ndcg:.4f}")
        print(f"  learned beats both: {result.learned_wins}; blend {result.blend}")
    if MOVIELENS.exists():
        als = ImplicitALS(factors=64, regularization=10.0, alpha=10.0, iterations=15) if args.als else None
        for r in evaluate_movielens(load_recbole_inter(MOVIELENS), als=als):
            print(f"MovieLens 100K {r.model:10s} recall@10 {r.recall:.4f}  ndcg@10 {r.ndcg:.4f}  "
                  f"train {r.train_seconds:.2f} s  {r.chosen}")  # fmt: skip


if __name__ == "__main__":
    main()
