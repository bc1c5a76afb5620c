"""The pyarrow decoder against the pandas reference reader, its kernels, and every kind of bad input it refuses."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tandem.core.errors import ValidationFailed
from tandem.level2._text_kernels import ms_from_text, ticks_from_text
from tandem.level2.decode_events import decode_table
from tandem.level2.decode_snapshots import decode_snapshot_table
from tandem.level2.readers import read_events, read_table
from tandem.level2.schema import EVENT_COLUMNS, EventBatch, parse_time_ms, to_ticks
from tandem.level2.snapshots import read_snapshot_table, read_snapshots
from tandem.level2.sources import EVENT_FORMATS, SNAPSHOT_FORMATS, csv_members

SHARED_FILES = (
    "data/dolphinscheduler_integration/20230201.zip",
    "script/orderBookSnapshotEngine/SHorders.zip",
    "script/orderBookSnapshotEngine/SHtrans.zip",
    "data/DolphinDB_Python_Parser_Intro_for_Quantitative_Finance/tradeData.zip",
    "data/streaming_capital_flow_order_by_order/20200102_SH_trade.csv",
)
SSE_HEADER = "DataStatus,OrderIndex,OrderChannel,SecurityID,OrderTime,OrderType,OrderNO,OrderPrice,Balance,OrderBSFlag,BizIndex,LocalTime,SeqNo"  # noqa: E501
SSE_ROW = "0,68338,6,600519,09:15:00.220,A,1248,1801.00999999999999,100,B,76839,09:25:26.145,560196"


def _same(a: list[EventBatch], b: list[EventBatch]) -> int:
    assert [(x.code, x.rules, x.date) for x in a] == [(x.code, x.rules, x.date) for x in b]
    for x, y in zip(a, b, strict=True):
        for name in EVENT_COLUMNS:
            u, v = getattr(x, name), getattr(y, name)
            assert u.dtype == v.dtype, name
            np.testing.assert_array_equal(u, v, err_msg=f"{x.code} {name}")
    return sum(len(x) for x in a)


def _event_tables(path: Path) -> list:  # type: ignore[type-arg]
    return [t for t in csv_members(path) if t.fmt in EVENT_FORMATS]


@pytest.mark.parametrize(
    "name",
    [
        "sse_600519_20230201_0950.zip", "insight_601825_orders.zip", "insight_601825_trades.zip",
        "szse_000001_trades_head.zip", "simple_600000_20200102_head.zip", "dolphindb_600519_20230201_trades.zip",
        "insight_600519_20230201_trades.zip",
    ],
)  # fmt: skip
def test_bundled_files_decode_bit_identical_to_the_pandas_reader(fixtures: Path, name: str) -> None:
    tables = _event_tables(fixtures / name)
    assert tables
    for table in tables:
        assert _same(read_table(table), decode_table(table)) > 1000


@pytest.mark.parametrize("rel", SHARED_FILES)
def test_shared_full_files_decode_bit_identical_to_the_pandas_reader(shared_level2: Path, rel: str) -> None:
    """Full real days: 13-15 digit float artefacts, '0' prices of SZSE cancels, 12.449999999999999, 2 markets."""
    for table in _event_tables(shared_level2 / rel):
        assert _same(read_table(table), decode_table(table)) > 20_000
    merged = read_events([shared_level2 / rel])
    reference = read_events([shared_level2 / rel], reader=read_table)
    assert list(merged) == list(reference)
    _same(list(merged.values()), list(reference.values()))


def _text(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    arr = pa.array(values, pa.string())
    bufs = arr.buffers()
    return np.frombuffer(bufs[1], np.int32)[: len(arr) + 1], np.frombuffer(bufs[2], np.uint8)


def _ticks(values: list[str]) -> tuple[int, list[int]]:
    out = np.zeros(len(values), np.int64)
    bad = ticks_from_text(*_text(values), out)
    return bad, out.tolist()


def test_price_kernel_rounds_the_decimal_digits_exactly_like_rint_on_the_data() -> None:
    edge = ["1801.00999999999999", "1854.980000000000018", "1661.180000000000063", "12.449999999999999",
            "7.400000000000001", "5.450000000000001", "0", "1745", "14.5", " 9.99 ", "", "0.125", "0.135"]  # fmt: skip
    bad, ticks = _ticks(edge)
    assert bad == -1
    assert ticks[:10] == [180101, 185498, 166118, 1245, 740, 545, 0, 174500, 1450, 999]
    assert ticks[10:] == [0, 12, 14]  # empty = 0 as NaN was; exact halves go to the even tick
    assert ticks[:12] == to_ticks([float(v) if v.strip() else np.nan for v in edge[:12]]).tolist()
    rng = np.random.default_rng(7)
    cents = rng.integers(0, 300_000, 20_000)
    texts = (
        [repr(float(c) / 100) for c in cents] + [f"{c / 100:.17g}" for c in cents] + [f"{c / 100:.15f}" for c in cents]
    )
    bad, ticks = _ticks(texts)
    assert bad == -1 and ticks == to_ticks(np.array(texts, dtype=float)).tolist() == np.tile(cents, 3).tolist()


@pytest.mark.parametrize("text", ["abc", "1.2.3", "1e3", "12,5", "--1", ".", "9" * 16])
def test_price_kernel_names_the_first_unreadable_row(text: str) -> None:
    assert _ticks(["1.00", "2.5", text, "3"])[0] == 2


def test_time_kernel_matches_timedelta_parsing() -> None:
    values = ["09:15:00.020", "2023.02.01T09:25:00.940", "14:56:59", "9:30:00.5", "09:30:00.0209", "23:59:59.999"]
    out = np.zeros(len(values), np.int32)
    assert ms_from_text(*_text(values), out) == -1
    assert out.tolist() == parse_time_ms(values).tolist()
    for bad in ["09:15", "09:61:00", "0915:00", "09:15:00.", "09:15:00.x", "x", ""]:
        out = np.zeros(2, np.int32)
        assert ms_from_text(*_text(["09:15:00", bad]), out) == 1, bad


def _csv(tmp_path: Path, rows: list[str], header: str = SSE_HEADER, name: str = "entrust_20230201.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            SSE_ROW.replace("1801.00999999999999", "18O1.01"),
            r"entrust_20230201.csv:3: OrderPrice: '18O1.01' is not a decimal price",
        ),
        (
            SSE_ROW.replace("09:15:00.220", "09:15"),
            r"entrust_20230201.csv:3: OrderTime: '09:15' is not a time of day \(HH:MM:SS",
        ),
        (SSE_ROW.replace(",100,B,", ",1x0,B,"), r"entrust_20230201.csv:3: Balance: '1x0' is not a whole number"),
        (SSE_ROW.replace(",100,B,", ",,B,"), r"entrust_20230201.csv:3: Balance: empty \(a whole number is required\)"),
        (SSE_ROW.rsplit(",", 1)[0], r"entrust_20230201.csv:3: row: expected 13 fields, found 12"),
    ],
)
def test_a_bad_row_is_refused_with_file_line_and_field(tmp_path: Path, row: str, expected: str) -> None:
    path = _csv(tmp_path, [SSE_ROW, row, SSE_ROW])
    with pytest.raises(ValidationFailed, match=expected) as err:
        read_events([path])
    assert err.value.problems == [str(err.value)]


def test_a_bad_row_far_into_the_file_names_its_own_line(tmp_path: Path) -> None:
    rows = [SSE_ROW] * 150_000  # several 4 MiB blocks: the line counts across blocks
    rows[123_456] = SSE_ROW.replace("09:15:00.220", "09:15:00.2x0")
    with pytest.raises(
        ValidationFailed, match=r"entrust_20230201.csv:123458: OrderTime: '09:15:00.2x0' is not a time of day"
    ):
        read_events([_csv(tmp_path, rows)])


def test_a_gbk_export_is_refused_as_not_utf8(fixtures: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(fixtures / "insight_601825_orders.zip") as zf:
        name = zf.namelist()[0]
        text = zf.read(name).decode("utf-8")
    path = tmp_path / "SHorders.csv"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(ValidationFailed, match=r"SHorders.csv:2: Symbol: not UTF-8 text \(a GBK export"):
        read_events([path])


def test_a_truncated_zip_member_is_refused(fixtures: Path, tmp_path: Path) -> None:
    data = (fixtures / "sse_600519_20230201_0950.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("20230201/entrust.csv")
    cut = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    cut[start + info.compress_size // 2 : start + info.compress_size // 2 + 64] = bytes(64)  # damage mid-member
    path = tmp_path / "20230201.zip"
    path.write_bytes(bytes(cut))
    with pytest.raises(ValidationFailed, match=r"20230201.zip::20230201/entrust.csv:\d+: zip member: damaged or trunc"):
        read_events([path])


def test_insight_unknown_order_type_names_the_line(fixtures: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(fixtures / "insight_601825_orders.zip") as zf:
        lines = zf.read(zf.namelist()[0]).decode("utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("OrderType")] = "7"
    lines[5] = ",".join(row)
    path = tmp_path / "SHorders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"SHorders.csv:6: OrderType: \[7\] not understood"):
        read_events([path])


def test_a_bom_crlf_quoted_file_reads_like_the_reference(fixtures: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(fixtures / "sse_600519_20230201_0950.zip") as zf:
        lines = zf.read("20230201/entrust.csv").decode("utf-8").splitlines()[:500]
    lines[1:] = [",".join(f'"{v}"' if i == 9 else v for i, v in enumerate(x.split(","))) for x in lines[1:]]
    path = tmp_path / "entrust_20230201.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    (table,) = _event_tables(path)
    assert table.fmt == "sse_orders"
    assert _same(read_table(table), decode_table(table)) == 499


def test_a_header_only_file_gives_no_batches_like_the_reference(tmp_path: Path) -> None:
    (table,) = _event_tables(_csv(tmp_path, []))
    assert read_table(table) == decode_table(table) == []


SNAPSHOT_FILES = (
    "data/dolphinscheduler_integration/20230201.zip",
    "data/Real-Time_Stock_Price_Increase_Calculation/20211201snapshot_30stocks.zip",
    "script/orderBookSnapshotEngine/tick.zip",
    "data/DECIMAL_Calculation_Characteristics/tick.csv",
)
SNAPSHOT_FIELDS = ("time_ms", "phase", "bid_px", "bid_vol", "ask_px", "ask_vol", "trades", "total_bid", "total_ask")


def _same_snapshots(path: Path) -> int:
    rows = 0
    for table in csv_members(path):
        if table.fmt not in SNAPSHOT_FORMATS:
            continue
        a, b = read_snapshot_table(table), decode_snapshot_table(table)
        assert [x.code for x in a] == [x.code for x in b]
        for x, y in zip(a, b, strict=True):
            for name in (*SNAPSHOT_FIELDS, "wavg_bid", "wavg_ask"):
                u, v = getattr(x, name), getattr(y, name)
                assert (u is None) == (v is None), name
                if u is not None:
                    assert u.dtype == v.dtype, name
                    np.testing.assert_array_equal(u, v, err_msg=f"{x.code} {name}")
            rows += len(x)
    return rows


@pytest.mark.parametrize(
    "name", ["sse_600519_20230201_0950.zip", "mdl_snapshots_head.zip", "insight_sz_ticks_head.zip"]
)
def test_bundled_snapshots_decode_bit_identical_to_the_pandas_reader(fixtures: Path, name: str) -> None:
    assert _same_snapshots(fixtures / name) >= 300


@pytest.mark.parametrize("rel", SNAPSHOT_FILES)
def test_shared_snapshots_decode_bit_identical_to_the_pandas_reader(shared_level2: Path, rel: str) -> None:
    """SSE levels left empty (NaN) and counters, MDL levels 0..9, Insight phase codes and HTSCSecurityID."""
    assert _same_snapshots(shared_level2 / rel) > 2000


def test_a_bad_snapshot_price_is_refused_where_the_reference_read_it_as_empty(fixtures: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(fixtures / "mdl_snapshots_head.zip") as zf:
        lines = zf.read(zf.namelist()[0]).decode("utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("BidPrice0")] = "12.3.4"
    lines[3] = ",".join(row)
    path = tmp_path / "snapshots.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"snapshots.csv:4: BidPrice0: '12.3.4' is not a decimal price"):
        read_snapshots([path])


def test_a_layout_column_missing_beyond_the_markers_is_named(tmp_path: Path) -> None:
    header = SSE_HEADER.replace("OrderTime", "OrderTimeX")
    with pytest.raises(ValidationFailed, match=r"entrust_20230201.csv:1: OrderTime: missing from the header"):
        read_events([_csv(tmp_path, [SSE_ROW], header=header)])
