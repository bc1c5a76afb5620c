"""Session triggers on the bundled real sample: limit prices from the rulebook, diagnosis moves from the service."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from tandem.core.errors import UserError
from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.triggers.bars import session_bars
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.diagnosis_change import score_candidates, score_moves_from_service
from tandem.engagement.triggers.movers import detect_movers
from tandem.engagement.triggers.records import ClientBook
from tandem.marketdata.store import MarketStore

RALLY = date(2024, 9, 30)  # the sample's session with the most main-board limit-ups


def test_limit_up_hits_on_a_real_session_match_the_ten_percent_main_board_rule(sample_store: MarketStore) -> None:
    bars = session_bars(sample_store, RALLY)
    frame = sample_store.bars_between(list(bars.codes), RALLY, RALLY, ["close", "preclose", "is_st"])
    inst = sample_store.instruments("stock").set_index("code")
    frame["board"] = frame["code"].map(inst["board"])
    main = frame[frame["board"].isin(["SSE_MAIN", "SZSE_MAIN"]) & ~frame["is_st"].astype(bool)]
    limit = [
        float((Decimal(str(p)) * Decimal("1.1")).quantize(Decimal("0.01"), ROUND_HALF_UP)) for p in main["preclose"]
    ]
    expected = set(main.loc[main["close"].to_numpy() == limit, "code"])  # exchange rounding: half up to the fen
    sealed = {
        m.code
        for m in detect_movers(bars)
        if m.kind == "limit_up_hit" and inst.loc[m.code, "board"] in ("SSE_MAIN", "SZSE_MAIN")
    }
    assert len(expected) >= 10
    assert sealed == expected
    assert not pd.isna(bars.avg_volume).all() and bars.day == RALLY


def test_a_day_without_a_session_is_refused_with_the_last_session(sample_store: MarketStore) -> None:
    with pytest.raises(UserError, match=r"2024-10-01 is not a session .*last session: 2025-04-07"):
        session_bars(sample_store, date(2024, 10, 1))


def test_diagnosis_moves_come_from_the_service_for_followed_stocks(sample_store: MarketStore) -> None:
    service = DiagnosisService(sample_store)
    codes = [str(c) for c in session_bars(sample_store, RALLY).codes]
    moves = score_moves_from_service(service, day=RALLY, codes=codes, min_delta=1.0)
    assert moves, "a limit-up day moves some composites by a point"
    now = service.table(RALLY).composite["composite"]
    for m in moves:
        assert m.composite == pytest.approx(float(now[m.code]))
        assert abs(m.delta) >= 1.0 and m.prev_day < RALLY
    top = max(moves, key=lambda m: abs(m.delta))
    [cand] = score_candidates([top], HolderIndex([ClientBook("c1", watchlist=frozenset({top.code}))]))
    assert cand.source_events == (f"session:{RALLY}", f"diagnosis:{top.code}:{RALLY}")


def test_a_real_session_lands_in_the_outbox_through_the_policy(sample_store: MarketStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from delivery_fixtures import client, push_service, sqlite_sessions
    from sqlalchemy import select

    from tandem.core.db import session_scope
    from tandem.engagement.delivery.models import OutboxRow
    from tandem.engagement.triggers.pipeline import push_session
    from tandem.engagement.triggers.records import PriceAlert

    bars = session_bars(sample_store, RALLY)
    ups = [m.code for m in detect_movers(bars) if m.kind == "limit_up_hit"][:2]
    books = [ClientBook("c1", holdings=frozenset(ups[:1]), watchlist=frozenset(ups)), ClientBook("c2")]
    alerts = [PriceAlert("a1", "c2", ups[0], "above", 0.01), PriceAlert("a2", "c2", ups[0], "below", 0.01)]
    sessions = sqlite_sessions(str(tmp_path / "app.db"))
    now = datetime(2024, 9, 30, 8, tzinfo=UTC)  # 16:00 Shanghai
    with session_scope(sessions) as s:
        result = push_session(
            s, push=push_service(sessions), diagnosis=DiagnosisService(sample_store), day=RALLY, books=books,
            alerts=alerts, clients={"c1": client("c1"), "c2": client("c2")}, now=now,
        )  # fmt: skip
    assert result.fired_alert_ids == ("a1",)
    assert result.candidates["price_alert"] == 1 and result.candidates["mover"] == 2
    with session_scope(sessions) as s:
        rows = {(r.client_id, r.rule) for r in s.scalars(select(OutboxRow))}
    assert ("c2", "price_alert.cross/v1") in rows
    assert {r for r in rows if r[0] == "c1"} == {("c1", "mover.limit_up_hit/v1")} or len(
        [r for r in rows if r[0] == "c1"]
    ) >= 2
