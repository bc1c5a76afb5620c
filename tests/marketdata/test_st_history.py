"""The ST history importer and the dated ``st_periods`` it feeds, on real BaoStock rows (see data/README.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest

from tandem.core.errors import UserError, ValidationFailed
from tandem.core.rulebook import limit_prices
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

SLICE = Path(__file__).parent / "data" / "daily" / "st_history_baostock_2010_2024"
FOLDER = "st_history_baostock_2010_2024"


def _copy(tmp_path: Path, name: str = FOLDER) -> Path:
    dst = tmp_path / "src" / name
    shutil.copytree(SLICE, dst)
    return dst


def _lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines(keepends=True)


def _write(path: Path, lines: list[str] | bytes) -> None:
    raw = lines if isinstance(lines, bytes) else "".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(raw, mtime=0))


@pytest.fixture
def store(tmp_path: Path) -> MarketStore:
    report = import_paths(tmp_path / "market", [SLICE], reports_dir=tmp_path / "reports")
    assert report.files == 2 and report.rows_quarantined == 0
    assert not report.problems
    return MarketStore.open(tmp_path / "market")


def test_periods_are_the_runs_of_the_isst_flag(store: MarketStore) -> None:
    periods = store.st_periods()
    rows = {(r.code, r.start.date(), r.end.date(), r.sessions) for r in periods.itertuples()}
    # 601919.SH (*ST中远) entered on 2013-03-29 and left after 2014-04-02; 600732.SH is ST to the slice's end
    assert rows == {
        ("601919.SH", dt.date(2013, 3, 29), dt.date(2014, 4, 2), 243),
        ("600732.SH", dt.date(2015, 4, 29), dt.date(2016, 1, 29), 188),
    }
    assert set(periods["source"]) == {"baostock-st-history:601919", "baostock-st-history:600732"}


@pytest.mark.parametrize(
    ("code", "day", "st", "band"),
    [
        ("601919.SH", "2013-03-28", False, 0.10),  # last day before the risk warning
        ("601919.SH", "2013-03-29", True, 0.05),  # entering ST: the 5% main-board band
        ("601919.SH", "2014-04-02", True, 0.05),
        ("601919.SH", "2014-04-03", False, 0.10),  # leaving ST: back to 10%
        ("600732.SH", "2015-09-15", True, 0.05),  # a halted day inside the period is still ST
        ("600732.SH", "2016-01-05", True, 0.05),  # the resumption day keeps the band (rulebook docstring)
    ],
)
def test_rules_for_reads_the_dated_status(store: MarketStore, code: str, day: str, st: bool, band: float) -> None:
    assert store.is_st(code, day) is st
    rules = store.rules_for(code, day)
    assert (rules.is_st, rules.price_limit_pct) == (st, band)


def test_vectorised_flags_match_the_bars_own_flags(store: MarketStore) -> None:
    codes = ["601919.SH", "600732.SH"]
    bars = store.bars_between(codes, dt.date(2013, 3, 1), dt.date(2016, 1, 29), ["is_st"])
    wide = bars.pivot(index="date", columns="code", values="is_st")[codes]
    flags = store.st_flags(codes, wide.index.to_numpy())
    has_bar = wide.notna().to_numpy()
    assert (flags[has_bar] == wide.to_numpy()[has_bar].astype(bool)).all()
    assert flags.sum() == 243 + 188  # every flagged bar, nothing more on the days with bars
    assert [store.is_st(c, wide.index[20].date()) for c in codes] == list(flags[20])


def test_resumption_after_a_long_halt_sits_at_the_st_limit(store: MarketStore) -> None:
    bars = store.daily_bars("600732.SH", "2015-08-21", "2016-01-05")
    halted = bars[bars["suspended"].astype(bool)]
    assert len(halted) == 88 and str(halted["date"].iloc[0])[:10] == "2015-08-24"
    back = bars.iloc[-1]
    assert str(back["date"])[:10] == "2016-01-05" and not back["suspended"]
    up5, _ = limit_prices(back["preclose"], 0.05)
    up10, _ = limit_prices(back["preclose"], 0.10)
    assert (back["preclose"], float(up5), float(up10)) == (7.71, 8.10, 8.48)
    # a one-price session at the 5% limit-up: the band held on the first day back
    assert back["open"] == back["high"] == back["low"] == back["close"] == pytest.approx(8.10)


def test_reimport_is_idempotent(store: MarketStore, tmp_path: Path) -> None:
    before = store.current_version()
    again = import_paths(store.root, [SLICE], reports_dir=tmp_path / "reports")
    assert not again.changed and store.current_version() == before


def test_periods_are_rebuilt_from_the_whole_history_not_patched(tmp_path: Path) -> None:
    # the later half first: its period starts at its first row; the earlier half then moves the start back, and the
    # period that started on 2013-07-01 must disappear rather than linger next to the real one
    src = _copy(tmp_path)
    lines = _lines(src / "601919.csv.gz")
    head, rows = lines[0], lines[1:]
    late, early = tmp_path / "late" / FOLDER, tmp_path / "early" / FOLDER
    for folder, part in (
        (late, [r for r in rows if r >= "2013-07-01"]),
        (early, [r for r in rows if r < "2013-07-01"]),
    ):
        folder.mkdir(parents=True)
        _write(folder / "601919.csv.gz", [head, *part])
    root = tmp_path / "market"
    import_paths(root, [late], reports_dir=tmp_path / "r")
    store = MarketStore.open(root)
    assert store.st_periods()["start"].dt.date.tolist() == [dt.date(2013, 7, 1)]
    import_paths(root, [early], reports_dir=tmp_path / "r")
    periods = store.st_periods()
    assert [(r.start.date(), r.end.date()) for r in periods.itertuples()] == [
        (dt.date(2013, 3, 29), dt.date(2014, 4, 2))
    ]


def test_codes_without_an_exchange_are_refused_with_the_fix(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    lines = _lines(src / "601919.csv.gz")
    lines[3] = lines[3].replace("sh.601919", "601919")
    _write(src / "601919.csv.gz", lines)
    report = import_paths(tmp_path / "market", [src], reports_dir=tmp_path / "reports")
    msg = [str(p) for p in report.problems if p.field == "code"]
    assert msg == [
        "601919.csv.gz:4: code: '601919' has no exchange prefix or suffix; write it as BaoStock does (sh.600732 for "
        "Shanghai, sz.000792 for Shenzhen) or as 600732.SH"
    ]
    assert report.rows_quarantined == 1
    bars = MarketStore.open(tmp_path / "market").daily_bars("601919.SH")
    day = lines[3].split(",")[0]
    assert day not in {str(d)[:10] for d in bars["date"]}
    with pytest.raises(ValidationFailed, match="--strict rejects them and nothing was imported"):
        import_paths(tmp_path / "strict", [src], strict=True, reports_dir=tmp_path / "reports")
    assert not (tmp_path / "strict" / "CURRENT").exists()


def test_gbk_bytes_get_the_encoding_hint(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    lines = _lines(src / "600732.csv.gz")
    raw = "".join(lines[:5]).encode("utf-8") + lines[5].rstrip("\n").encode("utf-8") + " 上海新梅\n".encode("gbk")
    _write(src / "600732.csv.gz", raw + "".join(lines[6:]).encode("utf-8"))
    report = import_paths(tmp_path / "market", [src], reports_dir=tmp_path / "reports")
    hints = [str(p) for p in report.problems if "GBK" in p.message]
    assert len(hints) == 1 and hints[0].startswith("600732.csv.gz:6: ") and "re-save as UTF-8" in hints[0]


def test_a_file_without_isst_fails_the_whole_import_and_leaves_the_store(store: MarketStore, tmp_path: Path) -> None:
    before = store.current_version()
    periods = store.st_periods()
    src = _copy(tmp_path)
    lines = _lines(src / "600732.csv.gz")
    _write(src / "600732.csv.gz", [",".join(line.rstrip("\n").split(",")[:-1]) + "\n" for line in lines])
    with pytest.raises(UserError, match=r"600732\.csv\.gz:1: header: column\(s\) isST missing"):
        import_paths(store.root, [src], reports_dir=tmp_path / "reports")
    assert store.current_version() == before
    assert store.st_periods().equals(periods)


def test_days_missing_inside_a_halt_are_not_a_gap_but_missing_traded_days_are(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    lines = _lines(src / "600732.csv.gz")
    halted = {"2015-10-12", "2015-10-13"}  # inside the 2015-08-24 .. 2016-01-04 halt (tradestatus 0 both sides)
    traded = {"2015-05-05", "2015-05-06"}
    assert all(",0," in ln for ln in lines if ln[:10] in halted)
    kept = [ln for ln in lines if ln[:10] not in halted | traded]
    _write(src / "600732.csv.gz", kept)
    report = import_paths(tmp_path / "market", [src], reports_dir=tmp_path / "reports")
    gaps = [str(p) for p in report.problems]
    line = next(i for i, ln in enumerate(kept, 1) if ln.startswith("2015-05-07"))
    assert gaps == [f"600732.csv.gz:{line}: date: gap: 2 trading day(s) missing before this row"]
