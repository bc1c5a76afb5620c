"""Session triggers: 异动 rules on hand-built bars, price alerts, fan-out to holders/watchers, end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from delivery_fixtures import NOON, client, push_service, sqlite_sessions
from sqlalchemy import select
from triggers_fixtures import DAY, bars

from tandem.core.db import session_scope
from tandem.core.errors import UserError
from tandem.engagement.delivery.models import OutboxRow, PushDecisionRow
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.diagnosis_change import score_candidates, score_moves
from tandem.engagement.triggers.movers import detect_movers, mover_candidates
from tandem.engagement.triggers.price_alerts import alert_candidates, fired_alerts
from tandem.engagement.triggers.records import ClientBook, PriceAlert
from tandem.engagement.triggers.session import run_session_triggers


def test_each_mover_rule_fires_on_its_case_and_nowhere_else() -> None:
    found = {(m.code, m.kind) for m in detect_movers(bars())}
    assert found == {
        ("600001.SH", "limit_up_hit"),
        ("600002.SH", "limit_up_opened"),
        ("600003.SH", "limit_down_hit"),
        ("600004.SH", "limit_down_opened"),
        ("600005.SH", "volume_spike"),
        ("600006.SH", "gap_up"),
        ("600007.SH", "gap_down"),
        ("600003.SH", "gap_down"),  # opened at 9.5, 0.3 below the previous low of 9.8: a gap as well
        ("600004.SH", "gap_down"),
    }


def test_price_alerts_fire_on_the_sessions_range_only() -> None:
    alerts = [
        PriceAlert("a1", "c1", "600005.SH", "above", 10.3),  # high 10.3: fires
        PriceAlert("a2", "c1", "600005.SH", "above", 10.31),  # not reached
        PriceAlert("a3", "c2", "600005.SH", "below", 9.9),  # low 9.9: fires
        PriceAlert("a4", "c2", "000001.SZ", "below", 100.0),  # no bar that session
    ]
    assert [a.alert_id for a in fired_alerts(alerts, bars())] == ["a1", "a3"]
    [c1, _c3] = alert_candidates(alerts, bars())
    assert c1.dedup_key == "price_alert:a1" and c1.source_events == ("alert:a1", "bar:600005.SH:2024-03-05")
    with pytest.raises(UserError, match="direction must be 'above' or 'below'"):
        PriceAlert("x", "c", "600005.SH", "up", 1.0)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="price must be a positive number"):
        PriceAlert("x", "c", "600005.SH", "above", float("nan"))


def test_fan_out_reaches_holders_and_watchers_once_each() -> None:
    books = [
        ClientBook("h", holdings=frozenset({"600001.SH"}), watchlist=frozenset({"600001.SH"})),
        ClientBook("w", watchlist=frozenset({"600001.SH", "600008.SH"})),
        ClientBook("x", watchlist=frozenset({"600008.SH"})),
    ]
    movers = [m for m in detect_movers(bars()) if m.code == "600001.SH"]
    cands = mover_candidates(movers, HolderIndex(books))
    assert sorted((c.client_id, c.title.split()[0]) for c in cands) == [("h", "持仓"), ("w", "自选")]
    assert all(c.rule == "mover.limit_up_hit/v1" and "涨停封板" in c.body for c in cands)


def test_diagnosis_moves_of_followed_stocks_only() -> None:
    import pandas as pd

    now = pd.Series({"600001.SH": 80.0, "600002.SH": 55.0, "600003.SH": 40.0, "600004.SH": float("nan")})
    prev = pd.Series({"600001.SH": 65.0, "600002.SH": 50.0, "600003.SH": 52.0, "600004.SH": 30.0})
    moves = score_moves(now, prev, day=DAY, prev_day=DAY, codes=["600001.SH", "600003.SH", "600004.SH"])
    assert [(m.code, m.delta) for m in moves] == [("600001.SH", 15.0), ("600003.SH", -12.0)]
    [c] = score_candidates(moves[:1], HolderIndex([ClientBook("c1", holdings=frozenset({"600001.SH"}))]))
    assert "65 分" in c.body and "80 分" in c.body and c.title.endswith("上升 15 分")


def test_a_new_session_ends_as_one_collapsed_push_per_stock_traceable_to_its_events(tmp_path: Path) -> None:
    books = [ClientBook("c1", holdings=frozenset({"600003.SH"}), watchlist=frozenset({"600001.SH"}))]
    alerts = [PriceAlert("a9", "c1", "600003.SH", "below", 9.2)]
    run = run_session_triggers(bars=bars(), index=HolderIndex(books), alerts=alerts)
    assert run.counts == {"price_alert": 1, "mover": 2, "diagnosis_change": 0}
    sessions = sqlite_sessions(str(tmp_path / "app.db"))
    with session_scope(sessions) as s:
        push_service(sessions).submit(s, candidates=run.candidates, clients={"c1": client()}, now=NOON)
    with session_scope(sessions) as s:
        out = {r.rule: r for r in s.scalars(select(OutboxRow))}
        assert set(out) == {"collapse/v1", "mover.limit_up_hit/v1"}
        merged = out["collapse/v1"]  # 600003: the alert, limit-down and gap down as one push
        assert set(merged.payload["source_events"]) == {"alert:a9", "bar:600003.SH:2024-03-05", "session:2024-03-05"}
        assert merged.payload["members"] == ["price_alert.cross/v1", "mover.limit_down_hit/v1"]
        [mover] = merged.payload["evidence"]["collapsed"][1:]
        assert mover["rules"] == ["mover.limit_down_hit/v1", "mover.gap_down/v1"]
        trace = s.scalars(select(PushDecisionRow).where(PushDecisionRow.outbox_key == merged.idempotency_key)).all()
        assert sorted(t.outcome for t in trace) == ["accepted", "collapsed", "collapsed"]


def test_session_bars_reject_ragged_columns() -> None:
    b = bars()
    with pytest.raises(UserError, match="column high has 1 rows"):
        type(b)(**{**{f: getattr(b, f) for f in b.__dataclass_fields__}, "high": np.array([1.0])})


def test_mover_evidence_is_json_safe_where_a_stock_has_no_band() -> None:
    import json

    from triggers_fixtures import NAN

    row = ("688002.SH", 30.0, 33.0, 29.0, 32.0, 30.0, 5e6, 1e6, NAN, NAN, NAN, NAN)  # listing week: no band
    [m] = detect_movers(bars([row]))
    assert m.kind == "volume_spike" and m.evidence["limit_up"] is None
    [c] = mover_candidates([m], HolderIndex([ClientBook("c1", watchlist=frozenset({"688002.SH"}))]))
    json.dumps(dict(c.evidence), allow_nan=False)
    assert "量比 5.00" in c.body
