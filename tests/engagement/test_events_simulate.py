"""The synthetic population: seeded, labelled synthetic, on the store's real items and trading days."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tandem.core.errors import UserError
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import EventType
from tandem.engagement.simulate import SimulationConfig, simulate, write_population
from tandem.marketdata.store import MarketStore


def test_same_seed_same_population_and_real_items(sample_store: MarketStore, tmp_path: Path) -> None:
    config = SimulationConfig(clients=60, days=15, seed=3)
    a, b = simulate(sample_store, config), simulate(sample_store, config)
    assert a.events.equals(b.events)
    assert not a.events.equals(simulate(sample_store, SimulationConfig(clients=60, days=15, seed=4)).events)
    frame = a.events.to_pandas()
    assert set(frame["type"]) <= {t.value for t in EventType}
    real_codes = set(sample_store.instruments("stock")["code"])
    stock_objects = set(frame.loc[frame["type"] == "stock_view", "object_id"])
    assert stock_objects and stock_objects <= real_codes
    trading = set(sample_store.trading_days(a.days[0], a.days[-1]))
    beijing_days = set((frame["client_time"] + pd.Timedelta(hours=8)).dt.date)
    assert beijing_days <= trading and len(a.days) == 15
    assert (frame.groupby("client_id")["type"].first() == "assessment_completed").all()
    assert set(a.clients["risk_category"]) <= {"C1", "C2", "C3", "C4", "C5"}
    assert frame["session_id"].str.startswith("syn-").all()

    root = write_population(a, tmp_path / "syn")
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["events"] == a.events.num_rows
    assert ParquetEventStore(root / "events").count() == a.events.num_rows
    assert (root / "latent" / "latent.parquet").exists()
    write_population(a, tmp_path / "syn")  # re-writing the same seed adds nothing (ids are seeded)
    assert ParquetEventStore(root / "events").count() == a.events.num_rows


def test_bad_config_is_refused() -> None:
    with pytest.raises(UserError, match="days must be"):
        SimulationConfig(days=1)
    with pytest.raises(UserError, match="clients must be"):
        SimulationConfig(clients=0)
