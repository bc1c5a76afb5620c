"""The typed CSV fast path: same values as the string path, and it steps aside whenever a byte is in doubt."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from tandem.marketdata.csvio import parse_batch
from tandem.marketdata.importing import import_paths

DAILY = Path(__file__).parent / "data/daily"
RAW = DAILY / "csi300_baostock_raw_2020_2025"
DTYPES: dict[str, type[pl.DataType]] = {"date": pl.Date, "open": pl.Float64, "close": pl.Float64, "volume": pl.Float64}


def _files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.is_file())


@pytest.mark.parametrize("folder", ["csi300_baostock_raw_2020_2025", "qfq_baostock_5stocks_to_2026"])
def test_typed_equals_string_path_cast(folder: str) -> None:
    paths = _files(DAILY / folder)
    typed = parse_batch(paths, dtypes=DTYPES)
    text = parse_batch(paths)
    assert typed.typed and not text.typed
    cast = text.frame.with_columns(
        pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"),
        *[pl.col(c).cast(pl.Float64) for c in ("open", "close", "volume")],
    )
    assert typed.frame.equals(cast)
    assert typed.frame.get_column("_line").head(2).to_list() == [2, 3]


def _variant(tmp_path: Path, name: str, field: str, value: str) -> list[Path]:
    """A gzipped copy of the 600519 fixture with one field of line 5 replaced, plus an untouched plain file."""
    lines = (RAW / "sh.600519.csv").read_text().split("\n")
    header = lines[0].split(",")
    fields = lines[4].split(",")
    fields[header.index(field)] = value
    lines[4] = ",".join(fields)
    dst = tmp_path / name / "sh.600519.csv.gz"
    dst.parent.mkdir(parents=True)
    dst.write_bytes(gzip.compress("\n".join(lines).encode()))
    return [dst, RAW / "sz.000792.csv"]


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("space", "open", " 1.0000"),  # typed float parsing would accept a leading space; the string path does not
        ("letters", "open", "1.0x00"),  # unparsable number
        ("slash_date", "date", "2020/01/08"),  # polars' typed dates accept this; the importer's format does not
        ("short_line", "time", "x\n2020-01-09,1"),  # a truncated line: typed parsing would pad it with nulls
        ("crlf", "time", "2020-01-08\r"),
        ("gbk", "code", "成交".encode("gbk").decode("latin-1")),
    ],
)
def test_doubtful_bytes_take_the_string_path(tmp_path: Path, name: str, field: str, value: str) -> None:
    paths = _variant(tmp_path, name, field, value)
    batch = parse_batch(paths, dtypes=DTYPES)
    assert not batch.typed
    assert batch.frame.schema["open"] == pl.String


def test_gzip_and_plain_files_parse_typed_together(tmp_path: Path) -> None:
    paths = _variant(tmp_path, "same", "open", "1.0000")
    batch = parse_batch(paths, dtypes=DTYPES)
    assert batch.typed
    assert set(batch.frame.get_column("_file").unique()) == {"sh.600519.csv.gz", "sz.000792.csv"}
    line5 = batch.frame.filter((pl.col("_line") == 5) & (pl.col("_file") == "sh.600519.csv.gz"))
    assert line5.get_column("open").to_list() == [1.0]


def test_quarantine_from_typed_batch_shows_source_text(tmp_path: Path) -> None:
    """A row that parses but fails validation is reported with the bytes of the source, not re-formatted floats."""
    lines = (RAW / "sh.600519.csv").read_text().split("\n")
    header = lines[0].split(",")
    fields = lines[12].split(",")
    fields[header.index("high")] = "1.0000"
    lines[12] = ",".join(fields)
    dst = tmp_path / "csi300_baostock_raw_2020_2025" / "sh.600519.csv"
    dst.parent.mkdir(parents=True)
    dst.write_text("\n".join(lines))
    assert parse_batch([dst], dtypes=DTYPES).typed
    report = import_paths(tmp_path / "store", [dst.parent], reports_dir=tmp_path / "reports")
    assert report.rows_quarantined == 1
    assert report.report_path is not None
    text = report.report_path.read_text()
    assert "sh.600519.csv:13: high: high is below open/close/low (OHLC inconsistent)" in text
    assert lines[12] + ",13,sh.600519.csv" in text


def test_corrupt_gzip_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "sh.600519.csv.gz"
    bad.write_bytes(gzip.compress((RAW / "sh.600519.csv").read_bytes())[:200])
    with pytest.raises(ValueError, match=r"sh\.600519\.csv\.gz: not a complete gzip file"):
        parse_batch([bad], dtypes=DTYPES)
