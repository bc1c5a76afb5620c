"""The one point-in-time rule for fundamentals, and diagnosis, screener and store agreeing on it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.backtest.screener.sources import FrameScreenData, StoreScreenData
from tandem.diagnosis.snapshot import FUND_FIELDS, FUND_YEARS, _fundamentals
from tandem.marketdata import pit
from tandem.marketdata.store import MarketStore

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"


def _rows(*rows: tuple[str, str, str, str, float, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"code": c, "field": f, "value": v, "report_period": date.fromisoformat(p),
             "announce_date": date.fromisoformat(a), "source": s}
            for c, p, a, f, v, s in rows
        ]
    )  # fmt: skip


RESTATED = _rows(
    ("600000.SH", "2022-12-31", "2023-03-30", "roe_avg", 0.10, "a"),
    ("600000.SH", "2023-03-31", "2023-04-28", "roe_avg", 0.03, "a"),
    # the 2022 annual report restated on 2023-06-15; the Q1 report stays the newest period
    ("600000.SH", "2022-12-31", "2023-06-15", "roe_avg", 0.08, "a"),
    ("600000.SH", "2022-12-31", "2023-03-30", "np_margin", 0.30, "a"),
    ("600000.SH", "2022-12-31", "2023-03-30", "np_margin", 0.31, "b"),
)


def test_restatement_is_visible_only_from_its_announcement_day() -> None:
    def value(day: str, period: str) -> float:
        r = pit.ranked(RESTATED, date.fromisoformat(day))
        hit = r.filter((pl.col("field") == "roe_avg") & (pl.col("report_period") == date.fromisoformat(period)))
        return float(hit["value"].item())

    assert value("2023-04-01", "2022-12-31") == pytest.approx(0.10)  # original, before the restatement
    assert value("2023-06-14", "2022-12-31") == pytest.approx(0.10)
    assert value("2023-06-15", "2022-12-31") == pytest.approx(0.08)  # latest announcement wins from its day
    latest = pit.latest(RESTATED, date(2023, 6, 30)).row(0, named=True)
    assert latest["roe_avg"] == pytest.approx(0.03) and latest["report_period"] == date(2023, 3, 31)
    # two sources announcing the same period on the same day: the first source name, every time
    assert latest["np_margin"] == pytest.approx(0.30)
    assert pit.latest(RESTATED, date(2023, 3, 29)).is_empty()


def test_ranked_counts_periods_not_announcements() -> None:
    r = pit.ranked(RESTATED, date(2023, 7, 1)).filter(pl.col("field") == "roe_avg").sort("rank")
    assert r["rank"].to_list() == [1, 2] and r["value"].to_list() == pytest.approx([0.03, 0.08])
    assert pit.ranked(RESTATED, date(2023, 7, 1), depth=1).filter(pl.col("field") == "roe_avg").height == 1


def test_values_that_are_missing_are_not_announcements() -> None:
    rows = pl.concat([RESTATED, _rows(("600000.SH", "2023-06-30", "2023-08-20", "roe_avg", float("nan"), "a"))])
    assert pit.latest(rows, date(2023, 9, 1))["roe_avg"].item() == pytest.approx(0.03)


def test_the_store_applies_the_rule_to_a_restated_report(tmp_path: Path) -> None:
    store = MarketStore.open(tmp_path / "market")
    with store.versioned.transaction() as tx:
        tx.upsert("fundamentals", RESTATED.select("code", "report_period", "announce_date", "field", "value", "source"))
    rows = store.fundamentals_ranked("2023-06-20", fields=["roe_avg"])
    assert rows.loc[rows["rank"] == 2, "value"].item() == pytest.approx(0.08)
    assert store.fundamentals_asof("2023-06-01")["np_margin"].item() == pytest.approx(0.30)


@pytest.fixture(scope="module")
def sample_long() -> pl.DataFrame:
    return pl.read_parquet(SAMPLE_DIR / "fundamentals.parquet")


@pytest.fixture(scope="module")
def frame_source(sample_long: pl.DataFrame) -> FrameScreenData:
    """The screener's in-memory source fed the sample's reports as wide rows (one per source and announcement)."""
    wide = sample_long.pivot(
        on="field",
        index=["code", "report_period", "announce_date", "source"],
        values="value",
        aggregate_function="first",
    )
    bars = pd.DataFrame({"code": ["600000.SH"], "date": ["2020-01-02"], "close": [1.0]})
    return FrameScreenData(bars, wide.to_pandas())


def _value(frame: pd.DataFrame, code: str, field: str) -> float | None:
    row = frame[frame["code"] == code]
    if row.empty or field not in row.columns or pd.isna(row[field].iloc[0]):
        return None
    return float(row[field].iloc[0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_diagnosis_screener_and_store_agree_on_random_code_days(
    data: st.DataObject, sample_store: MarketStore, sample_long: pl.DataFrame, frame_source: FrameScreenData
) -> None:
    codes = sorted(set(sample_long["code"].to_list()))
    code = data.draw(st.sampled_from(codes), label="code")
    day = data.draw(st.dates(date(2015, 1, 1), date(2025, 6, 30)), label="day")
    asof = sample_store.fundamentals_asof(day, [code])
    store_screen = StoreScreenData(sample_store).fundamentals(day)
    framed = frame_source.fundamentals(day)
    diag = _fundamentals(sample_store, day)
    diag = diag[(diag["code"] == code) & (diag["rank"] == 1)].set_index("field")
    since = pd.Timestamp(day - timedelta(days=FUND_YEARS * 366))
    for field in sorted(set(sample_long.filter(pl.col("code") == code)["field"].to_list())):
        want = _value(asof, code, field)
        assert _value(store_screen, code, field) == want, (code, day, field)
        assert _value(framed, code, field) == want, (code, day, field)
        if field in FUND_FIELDS:
            known = pit.ranked(sample_long.filter((pl.col("code") == code) & (pl.col("field") == field)), day, depth=1)
            fresh = known.height and pd.Timestamp(known["report_period"].item()) >= since
            got = float(diag.at[field, "value"]) if field in diag.index else None
            assert got == (want if fresh else None), (code, day, field)
            assert want is None or np.isfinite(want)


def test_diagnosis_sees_the_later_of_two_differing_announcements(
    sample_store: MarketStore, sample_long: pl.DataFrame
) -> None:
    # The sample holds periods reported twice with different values (two sources, different days): from the
    # later day on, diagnosis must see the later value (it kept the first announced one before issue 10).
    groups = (
        sample_long.filter(pl.col("field").is_in(list(FUND_FIELDS)))
        .group_by("code", "field", "report_period")
        .agg(pl.col("announce_date").n_unique().alias("days"), pl.col("value").n_unique().alias("values"))
        .filter((pl.col("days") > 1) & (pl.col("values") > 1))
        .sort("code", "field", "report_period")
    )
    assert groups.height >= 5
    for code, field, period, *_ in groups.head(5).iter_rows():
        rows = sample_long.filter(
            (pl.col("code") == code) & (pl.col("field") == field) & (pl.col("report_period") == period)
        ).sort("announce_date", "source", descending=[True, False])
        day = rows["announce_date"][0]
        diag = _fundamentals(sample_store, day)
        hit = diag[
            (diag["code"] == code)
            & (diag["field"] == field)
            & (pd.to_datetime(diag["report_period"]) == pd.Timestamp(period))
        ]
        assert float(hit["value"].item()) == pytest.approx(rows["value"][0]), (code, field, period)
        assert pd.Timestamp(hit["announce_date"].item()).date() == day
