"""The classification in force on a day: the latest snapshot on or before it, across two real Tushare lists and CSRC."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.marketdata.importing import import_paths
from tandem.marketdata.industries import snapshot_in_force
from tandem.marketdata.store import MarketStore

DATA = Path(__file__).parent / "data" / "instruments"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    root = tmp_path_factory.mktemp("pit") / "m"
    sources = ["wengowl_tushare_2016", "tushare_stock_basic_2023/stock_basic.csv", "csrc_industry_baostock_2026"]
    import_paths(root, [DATA / s for s in sources])
    return MarketStore.open(root)


def _one(store: MarketStore, day: dt.date, code: str) -> dict[str, object]:
    rows = store.industry_asof(day, [code]).to_dict(orient="records")
    return rows[0] if rows else {}


@pytest.mark.parametrize(
    ("day", "system", "industry", "backfilled"),
    [
        (dt.date(2015, 1, 5), "tushare", "建筑施工", True),  # before any list: the oldest, flagged
        (dt.date(2016, 9, 13), "tushare", "建筑施工", False),  # the 2016 list's own day
        (dt.date(2023, 8, 14), "tushare", "建筑施工", False),  # the day before the 2023 list
        (dt.date(2023, 8, 15), "tushare", "建筑工程", False),  # Tushare moved 正平股份 to 建筑工程
        (dt.date(2026, 3, 9), "csrc", "土木工程建筑业", False),  # the CSRC list from its updateDate on
    ],
)
def test_the_latest_list_on_or_before_the_day_is_in_force(
    store: MarketStore, day: dt.date, system: str, industry: str, backfilled: bool
) -> None:
    row = _one(store, day, "603843.SH")
    assert (row["system"], row["industry"], bool(row["backfilled"])) == (system, industry, backfilled)


def test_one_list_per_day_never_a_mix(store: MarketStore) -> None:
    day = dt.date(2020, 6, 1)
    table = store.industry_asof(day)
    assert set(table["system"]) == {"tushare"} and {str(d)[:10] for d in table["snapshot_date"]} == {"2016-09-13"}
    assert _one(store, day, "000001.SZ") == {}  # not in the 2016 list: no industry, not the 2023 one
    assert _one(store, dt.date(2023, 9, 1), "000001.SZ")["industry"] == "银行"
    assert _one(store, dt.date(2020, 6, 1), "002671.SZ")["industry"] == "其他建材"
    assert _one(store, dt.date(2024, 1, 2), "002671.SZ")["industry"] == "水泥"


def test_boards_follow_the_same_rule(store: MarketStore) -> None:
    early = store.boards_asof(dt.date(2025, 1, 2), ["600519.SH"])
    late = store.boards_asof(dt.date(2026, 3, 18), ["600519.SH"])
    assert len(early) == len(late) > 0
    assert early["backfilled"].all() and not late["backfilled"].any()
    assert "白酒" in set(late["board_name"])


def test_same_day_lists_prefer_csrc_and_no_lists_means_none() -> None:
    d = dt.date(2026, 3, 9)
    choice = snapshot_in_force([("tushare", d), ("csrc", d), ("tushare", dt.date(2023, 8, 15))], d)
    assert choice is not None and (choice.system, choice.snapshot_date, choice.backfilled) == ("csrc", d, False)
    assert snapshot_in_force([], d) is None


def test_a_store_without_lists_answers_from_instrument_data(tmp_path: Path) -> None:
    import_paths(tmp_path / "m", [DATA / "eastmoney_industry_csi500_2026"])
    table = MarketStore.open(tmp_path / "m").industry_asof(dt.date(2024, 1, 2))
    assert len(table) and set(table["system"]) == {"instruments"} and not table["backfilled"].any()
