"""A corrupted BaoStock file: precise per-line problems, strict rejection leaves the store untouched, quarantine."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from tandem.core.errors import ValidationFailed
from tandem.marketdata.importing import import_paths
from tandem.marketdata.versioned import VersionedStore

SRC = Path(__file__).parent / "data/daily/csi300_baostock_raw_2020_2025/sh.600519.csv"
DATASET = "csi300_baostock_raw_2020_2025"


def _corrupt(dst_dir: Path) -> Path:
    """Copy the real 600519 fixture and break one line per defect (line numbers are file lines, header = 1)."""
    lines = SRC.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    col = {name: i for i, name in enumerate(header)}

    def edit(line_no: int, **values: str) -> None:
        fields = lines[line_no - 1].split(b",")
        for name, v in values.items():
            fields[col[name]] = v.encode()
        lines[line_no - 1] = b",".join(fields)

    edit(3, date="2020-13-45")  # bad date
    edit(5, open="-1.0")  # negative price
    fields = lines[6].split(b",")
    fields[col["amount"]] = "成交额".encode("gbk")  # GBK bytes in a UTF-8 file
    lines[6] = b",".join(fields)
    lines[8] = lines[8][: len(lines[8]) // 2]  # truncated line 9
    d10 = lines[9].split(b",")[col["date"]].decode()
    edit(11, date=d10, time=d10)  # duplicate day (same date as line 10)
    edit(13, high="1.0000")  # high below open/close/low
    pre = float(lines[14].split(b",")[col["preclose"]])
    edit(15, close=f"{pre * 1.2:.2f}", high=f"{pre * 1.2:.2f}")  # +20%: beyond the 10% main-board limit
    edit(17, date="2020-01-25", time="2020-01-25")  # Saturday in the Spring Festival: not a trading day
    out = dst_dir / DATASET / SRC.name
    out.parent.mkdir(parents=True)
    out.write_bytes(b"\n".join(lines))
    return out


EXPECTED = {
    "sh.600519.csv:3: date: '2020-13-45' is not a date (expected YYYY-MM-DD)",
    "sh.600519.csv:5: open: '-1.0' is not a positive price",
    "sh.600519.csv:9: line: has 11 fields, expected 19 (truncated or malformed line)",
    "sh.600519.csv:13: high: high is below open/close/low (OHLC inconsistent)",
    "sh.600519.csv:17: date: not an XSHG trading day",
}


def _snapshot(root: Path) -> tuple[bytes, list[str]]:
    listing = sorted(str(p.relative_to(root)) for p in (root / "versions").rglob("*"))
    return (root / "CURRENT").read_bytes(), listing


def test_problems_are_precise(tmp_path: Path) -> None:
    bad = _corrupt(tmp_path / "src")
    report = import_paths(tmp_path / "store", [bad])
    got = [str(p) for p in report.problems]
    assert set(got) >= EXPECTED, sorted(set(got) - EXPECTED)
    assert any(g.startswith("sh.600519.csv:7: encoding: bytes ") and "looks like GBK" in g for g in got)
    assert {
        "sh.600519.csv:10: date: duplicate key (code, date): the same day appears twice",
        "sh.600519.csv:11: date: duplicate key (code, date): the same day appears twice",
    } <= set(got)
    assert any(g.startswith("sh.600519.csv:15: close: close ") and "beyond the 10% limit" in g for g in got)
    # nothing but the defects above and the gaps their removal leaves is reported
    lines = {3, 5, 7, 9, 10, 11, 13, 15, 17}
    for p in report.problems:
        assert p.line in lines or p.message.startswith("gap:"), str(p)


def test_default_quarantines_bad_rows_and_imports_the_rest(tmp_path: Path) -> None:
    bad = _corrupt(tmp_path / "src")
    report = import_paths(tmp_path / "store", [bad], reports_dir=tmp_path / "reports")
    bars = VersionedStore(tmp_path / "store").read("daily_bars")
    assert bars.height == 60 - 9 == report.rows_loaded
    assert report.rows_quarantined == 9
    text = report.report_path.read_text("utf-8") if report.report_path else ""
    assert "sh.600519.csv:13: high: high is below open/close/low" in text
    assert "# quarantined rows" in text
    assert not bars.filter(pl.col("open") < 0).height


def test_strict_rejects_and_leaves_the_store_byte_for_byte_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "store"
    import_paths(root, [SRC.parent.parent / "hfq_baostock_2012_2023_subset40"])
    before = _snapshot(root)
    before_bytes = {p: (root / "versions" / p).read_bytes() for p in before[1] if (root / "versions" / p).is_file()}
    bad = _corrupt(tmp_path / "src")
    with pytest.raises(ValidationFailed) as exc:
        import_paths(root, [bad], strict=True)
    assert set(exc.value.problems) >= EXPECTED
    assert _snapshot(root) == before
    assert {p: (root / "versions" / p).read_bytes() for p in before_bytes} == before_bytes


def test_reimport_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = import_paths(root, [SRC.parent])
    assert first.changed
    mtime = os.stat(root / "CURRENT").st_mtime_ns
    again = import_paths(root, [SRC.parent])
    assert not again.changed and again.version == first.version
    assert os.stat(root / "CURRENT").st_mtime_ns == mtime
