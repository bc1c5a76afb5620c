"""Dated industry lists, East Money boards and the BSE stock lists: real slices, their dates and each bad input."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from tandem.core.errors import UserError
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore
from tandem.marketdata.versioned import VersionedStore

DATA = Path(__file__).parent / "data" / "instruments"
CSRC = DATA / "csrc_industry_baostock_2026"
TUSHARE = DATA / "tushare_stock_basic_2023"


def _copy(tmp_path: Path, src: Path) -> Path:
    """A copy of a fixture dataset folder (same folder name, so the registry routes it), to damage one file."""
    dst = tmp_path / "in" / src.name
    shutil.copytree(src, dst)
    return dst


def test_csrc_and_boards_import_with_their_dates(tmp_path: Path) -> None:
    report = import_paths(tmp_path / "m", [CSRC])
    assert report.problems == [] and report.changed
    vs = VersionedStore(tmp_path / "m")
    ic = vs.read("industry_classification")
    assert set(ic["snapshot_date"].unique()) == {dt.date(2026, 3, 9)}  # the file's updateDate column
    moutai = ic.filter(pl.col("code") == "600519.SH").row(0, named=True)
    assert (moutai["system"], moutai["industry_code"], moutai["industry"]) == ("csrc", "C15", "酒、饮料和精制茶制造业")
    assert ic.filter(pl.col("code") == "600001.SH")["industry"].to_list() == [None]  # listed with no industry
    boards = vs.read("board_membership")
    assert set(boards["snapshot_date"].unique()) == {dt.date(2026, 3, 18)}  # source commit: the file has no date
    assert boards["date_basis"][0].startswith("source commit 2026-03-18")
    bse = boards.filter(pl.col("code") == "920002.BJ")  # a bare 920 code is read as the BSE listing it is
    assert set(bse["board_name"]) == {"融资融券", "专精特新", "机器人概念"}
    again = import_paths(tmp_path / "m", [CSRC])
    assert not again.changed  # idempotent


def test_a_gbk_file_is_refused_whole_with_how_to_fix_and_the_store_is_unchanged(tmp_path: Path) -> None:
    import_paths(tmp_path / "m", [CSRC])
    before = (tmp_path / "m" / "CURRENT").read_bytes()
    bad = _copy(tmp_path, CSRC)
    csv = bad / "stock_industry.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").encode("gbk"))
    (bad / "em_board_membership.csv").unlink()
    with pytest.raises(UserError) as err:
        import_paths(tmp_path / "m", [bad])
    msg = str(err.value)
    assert "stock_industry.csv: the file is GBK (GB18030), not UTF-8" in msg and "iconv -f GB18030 -t UTF-8" in msg
    assert (tmp_path / "m" / "CURRENT").read_bytes() == before  # atomic: nothing of the failed import landed


def test_a_code_without_its_exchange_is_refused_with_how_to_write_it(tmp_path: Path) -> None:
    bad = _copy(tmp_path, CSRC)
    csv = bad / "stock_industry.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("sh.600519", "600519"), encoding="utf-8")
    report = import_paths(tmp_path / "m", [bad / "stock_industry.csv"])
    line = 1 + next(i for i, t in enumerate(csv.read_text(encoding="utf-8").splitlines()) if ",600519," in t)
    assert (
        f"stock_industry.csv:{line}: code: '600519' has no exchange; write it as sh.600519, sz.600519 or bj.600519 "
        "(or 600519.SH …)"
    ) in [str(p) for p in report.problems]
    codes = VersionedStore(tmp_path / "m").read("industry_classification")["code"].to_list()
    assert "600519.SH" not in codes and "600000.SH" in codes  # the bad row quarantined, the rest imported
    strict = _copy(tmp_path / "s", CSRC)
    (strict / "stock_industry.csv").write_text(csv.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(UserError):
        import_paths(tmp_path / "strict", [strict], strict=True)
    assert VersionedStore(tmp_path / "strict").current_version() is None


def test_bad_board_codes_and_industries_are_named_by_line(tmp_path: Path) -> None:
    bad = _copy(tmp_path, CSRC)
    boards = bad / "em_board_membership.csv"
    lines = boards.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",BK", ",XX", 1)
    lines[2] = ",".join([*lines[2].split(",")[:2], "123", *lines[2].split(",")[3:]])
    boards.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ind = bad / "stock_industry.csv"
    ind.write_text(ind.read_text(encoding="utf-8").replace("J66货币金融服务", "货币金融服务", 1), encoding="utf-8")
    found = [str(p) for p in import_paths(tmp_path / "m", [bad]).problems]
    assert any(s.startswith("em_board_membership.csv:2: 板块代码: 'XX") for s in found), found
    assert any(s.startswith("em_board_membership.csv:3: code: '123' is not a six-digit stock code") for s in found)
    assert any(s.startswith("stock_industry.csv:") and ": industry: not a CSRC industry" in s for s in found), found


def test_bse_listings_old_and_new_codes_are_known_instruments(tmp_path: Path) -> None:
    report = import_paths(tmp_path / "m", [TUSHARE])
    assert report.problems == []
    store = MarketStore.open(tmp_path / "m")
    for code in ("430017.BJ", "830799.BJ", "920799.BJ", "920002.BJ"):
        inst = store.instrument(code)
        assert (inst.exchange.value, inst.board.value) == ("BJ", "BSE")
    assert store.instrument("bj.920002").name == "万达轴承"
    assert store.instrument("430017").list_date == dt.date(2023, 5, 31)
    rules = store.rules_for("430017.BJ", dt.date(2023, 5, 31))  # its first session: no band
    assert rules.price_limit_pct is None and (rules.min_buy, rules.buy_step) == (100, 1)
    assert store.rules_for("430017.BJ", dt.date(2023, 6, 1)).price_limit_pct == pytest.approx(0.30)
    snap = store.industry_snapshots()
    assert [(r.system, str(r.snapshot_date)[:10]) for r in snap.itertuples()] == [("tushare", "2023-08-15")]
