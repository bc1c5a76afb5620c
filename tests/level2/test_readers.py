from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tandem.core.errors import UserError
from tandem.level2.readers import read_events
from tandem.level2.schema import ADD, BUY, CANCEL, SELL, TRADE, parse_time_ms, to_ticks
from tandem.level2.snapshots import read_snapshots


def test_ticks_have_no_float_artefacts() -> None:
    assert to_ticks([1801.00999999999999, 1854.980000000000018, 7.400000000000001]).tolist() == [180101, 185498, 740]
    assert parse_time_ms(["09:15:00.020", "2023.02.01T09:25:00.940", "14:56:59"]).tolist() == [
        33300020,
        33900940,
        53819000,
    ]


def test_sse_native_zip_is_read_in_place_and_sorted(fixtures: Path) -> None:
    ev = read_events([fixtures / "sse_600519_20230201_0950.zip"])["600519.SH"]
    assert ev.rules == "SSE" and ev.date == 20230201
    assert ev.n_orders == 8233 and ev.n_trades == 3512
    assert np.all(np.diff(ev.seq) > 0)
    first = ev.take(np.flatnonzero(ev.order_no == 1248))
    assert first.price.tolist() == [180101] and first.side.tolist() == [BUY] and first.kind.tolist() == [ADD]
    assert set(np.unique(ev.side[ev.kind == TRADE])) == {-1, 0, 1}
    table = ev.to_arrow()
    assert table.num_rows == len(ev) and table.schema.field("price").type == "int64"


def test_insight_format_orders_cancels_and_flags(fixtures: Path) -> None:
    ev = read_events([fixtures / "insight_601825_orders.zip", fixtures / "insight_601825_trades.zip"])["601825.SH"]
    assert ev.date == 20230711 and ev.rules == "SSE"
    assert ev.n_orders == 2500 and ev.n_trades == 1500
    assert np.count_nonzero(ev.kind == CANCEL) > 0
    assert set(np.unique(ev.side[ev.kind == ADD])) == {BUY, SELL}


def test_szse_trades_with_cancels(fixtures: Path) -> None:
    ev = read_events([fixtures / "szse_000001_trades_head.zip"])["000001.SZ"]
    assert ev.rules == "SZSE"
    cancels = ev.take(np.flatnonzero(ev.kind == CANCEL))
    assert len(cancels) > 0 and np.all(cancels.order_no > 0)
    assert np.all(cancels.order_no == np.maximum(cancels.buy_no, cancels.sell_no))
    assert np.all(ev.side[ev.kind == TRADE] == 0)  # SZSE has no BS flag


def test_simple_trades_take_file_order_as_sequence(fixtures: Path) -> None:
    ev = read_events([fixtures / "simple_600000_20200102_head.zip"])["600000.SH"]
    assert ev.date == 20200102 and ev.seq.tolist()[:3] == [1, 2, 3] and ev.price[0] == 1248


@pytest.mark.parametrize(
    ("name", "code", "phases"),
    [
        ("sse_600519_20230201_0950.zip", "600519.SH", {"TRADE", "OCALL"}),
        ("mdl_snapshots_head.zip", "600103.SH", {"OCALL", "TRADE"}),
        ("insight_sz_ticks_head.zip", "300918.SZ", {"OCALL"}),
    ],
)
def test_snapshot_layouts(fixtures: Path, name: str, code: str, phases: set[str]) -> None:
    snaps = read_snapshots([fixtures / name])
    s = snaps[code]
    assert s.bid_px.shape == (len(s), 10)
    assert phases <= set(s.phase.tolist())
    assert np.all(np.diff(s.time_ms) >= 0)
    # in continuous trading a level is either empty or priced (auctions publish unmatched volume at price 0)
    cont = s.phase == "TRADE"
    assert np.all((s.bid_px[cont] == 0) == (s.bid_vol[cont] == 0))


def test_unknown_or_missing_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_events([tmp_path / "nope.csv"])
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match="no recognised Level-2 table"):
        read_events([bad])
