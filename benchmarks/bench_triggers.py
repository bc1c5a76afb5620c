"""Triggers for one new session over 10,000 SYNTHETIC clients' watchlists and holdings (issue 12, goal < 5 s).

The market data is the bundled real sample (imported into a temporary store); the clients are SYNTHETIC, drawn
by a seeded generator: each watches 5–30 and holds 0–10 of the sample's stocks and has two price alerts within
±5 % of the previous close. Timed: reading the session's bars with limits and volume history
(``session_bars``), the diagnosis composite moves of followed stocks from the two market tables (built first,
as the import's diagnosis run does — that build is reported on its own line), and every session trigger with
its fan-out (``run_session_triggers``). ``--submit`` also times the delivery policy and the SQLite outbox write
for the candidates (one transaction).

Run: ``PYTHONPATH=src python benchmarks/bench_triggers.py [--clients 10000] [--day 2024-09-30] [--submit]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import Base, make_engine, make_sessionmaker, session_scope
from tandem.core.settings import Settings
from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.records import ClientContext
from tandem.engagement.delivery.service import PushService
from tandem.engagement.triggers.bars import session_bars
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.diagnosis_change import score_moves_from_service
from tandem.engagement.triggers.records import ClientBook, PriceAlert
from tandem.engagement.triggers.session import run_session_triggers
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data"


def synthetic_clients(
    codes: list[str], closes: dict[str, float], n: int, seed: int
) -> tuple[list[ClientBook], list[PriceAlert]]:
    """SYNTHETIC client books and alerts (seeded; not real clients)."""
    rng = np.random.default_rng(seed)
    books, alerts = [], []
    arr = np.array(codes)
    for i in range(n):
        cid = f"syn{i:05d}"
        watch = rng.choice(arr, size=int(rng.integers(5, 31)), replace=False)
        hold = rng.choice(arr, size=int(rng.integers(0, 11)), replace=False)
        books.append(ClientBook(cid, holdings=frozenset(map(str, hold)), watchlist=frozenset(map(str, watch))))
        for j, code in enumerate(rng.choice(watch, size=2, replace=False)):
            up = bool(rng.integers(0, 2))
            price = closes[str(code)] * (1 + (0.05 if up else -0.05) * float(rng.random()))
            alerts.append(PriceAlert(f"{cid}-{j}", cid, str(code), "above" if up else "below", round(price, 2)))
    return books, alerts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--day", type=date.fromisoformat, default=date(2024, 9, 30))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--submit", action="store_true")
    ap.add_argument("--min-delta", type=float, default=3.0, help="composite points (production default: 10)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "market"
        import_paths(root, [SAMPLE])
        store = MarketStore.open(root)
        service = DiagnosisService(store)
        t0 = time.perf_counter()
        service.table(args.day)
        sessions = store.session_days(sorted(store.instruments("stock")["code"]))
        prev = sessions[int(np.searchsorted(sessions, np.datetime64(args.day, "D"))) - 1]
        service.table(date.fromisoformat(str(prev)))
        t_tables = time.perf_counter() - t0
        warm = session_bars(store, args.day)
        closes = dict(zip(map(str, warm.codes), map(float, warm.preclose), strict=True))
        books, alerts = synthetic_clients(sorted(closes), closes, args.clients, args.seed)

        c0 = time.process_time()
        t0 = time.perf_counter()
        bars = session_bars(store, args.day)
        t_bars = time.perf_counter() - t0
        t0 = time.perf_counter()
        index = HolderIndex(books)
        t_index = time.perf_counter() - t0
        t0 = time.perf_counter()
        moves = score_moves_from_service(service, day=args.day, codes=index.codes, min_delta=args.min_delta)
        t_moves = time.perf_counter() - t0
        t0 = time.perf_counter()
        run = run_session_triggers(bars=bars, index=index, alerts=alerts, score_moves=moves)
        t_run = time.perf_counter() - t0
        total = t_bars + t_index + t_moves + t_run
        cpu_total = time.process_time() - c0
        cpu = os.cpu_count()
        print(f"session {args.day}: {len(bars.codes)} stocks (real sample), {args.clients:,} SYNTHETIC clients, "
              f"{len(alerts):,} alerts; machine: {cpu} cores; load {os.getloadavg()[0]:.2f}")  # fmt: skip
        print(f"  diagnosis tables for the session and the one before (import job, not counted): {t_tables:.2f} s")
        print(f"  session_bars (bars, limits, volume history)     {t_bars:.3f} s")
        print(f"  holder index of every client book                {t_index:.3f} s")
        print(
            f"  diagnosis composite moves of followed stocks     {t_moves:.3f} s"
            f"  ({len(moves)} moves >= {args.min_delta} pts)"
        )
        print(f"  triggers + fan-out                               {t_run:.3f} s  {run.counts}")
        print(f"  TOTAL triggers for one session                   {total:.3f} s  (goal < 5 s); CPU {cpu_total:.3f} s")
        print(f"  candidates: {len(run.candidates):,}")
        if args.submit:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'app.db'}")
            Base.metadata.create_all(engine)
            sessions_ = make_sessionmaker(engine)
            policy = DeliveryPolicy(
                config=PolicyConfig.from_settings(Settings(home=Path(tmp))),
                suitability=SuitabilityService(audit=MemoryAuditLog()),
            )
            clients = {b.client_id: ClientContext(b.client_id, InvestorCategory.C3) for b in books}
            now = datetime(2024, 9, 30, 8, tzinfo=UTC)  # 16:00 in Shanghai, after the close
            t0 = time.perf_counter()
            with session_scope(sessions_) as s:
                decisions = PushService(policy=policy).submit(s, candidates=run.candidates, clients=clients, now=now)
            t_sub = time.perf_counter() - t0
            enq = sum(d.enqueued for d in decisions)
            print(f"  policy + SQLite outbox (one transaction)         {t_sub:.3f} s  "
                  f"({len(decisions):,} decisions, {enq:,} pushes enqueued)")  # fmt: skip


if __name__ == "__main__":
    main()
