"""Main-force anomalies of a live replay become pushes to the stock's followers at once (real 600519 minutes)."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tandem.cli.main import main
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.engagement.delivery.models import OutboxRow
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.service import PushService
from tandem.engagement.live_flow import FlowPushes
from tandem.engagement.models import WatchItem
from tandem.engagement.triggers.flow import MainForceAnomalyDetector
from tandem.identity import User
from tandem.level2.live import MinuteUpdate
from tandem.migrations.runner import upgrade

FIXTURE = Path(__file__).resolve().parents[1] / "level2" / "fixtures" / "sse_600519_20230201_0950.zip"
DAY = date(2023, 2, 1)
NOON = datetime(2023, 2, 1, 4, 0, tzinfo=UTC)  # 12:00 Beijing: outside quiet hours


def _replay(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tandem", "l2", "replay", str(FIXTURE), "--speed", "0", *extra])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, sessionmaker[Session], int, int]:
    s = Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789abcdef-0123456789")
    s.home.mkdir()
    upgrade(s.sqlalchemy_url)
    monkeypatch.setenv("TANDEM_HOME", str(s.home))
    monkeypatch.setenv("TANDEM_SECRET_KEY", s.secret_key or "")
    sessions = make_sessionmaker(make_engine(s.sqlalchemy_url))
    with sessions() as db:
        ids = []
        for _ in range(2):
            u = User(
                login_hash=uuid.uuid4().hex, login_enc=b"x", login_kind="phone", role="investor", password_hash="-"
            )
            db.add(u)
            db.flush()
            ids.append(u.id)
        db.add(WatchItem(user_id=ids[0], code="600519.SH"))  # the second client follows nothing
        db.commit()
    return s, sessions, ids[0], ids[1]


def _push() -> PushService:
    config = PolicyConfig(QuietHours.parse(time(22), time(8), "Asia/Shanghai"), 10, {"inapp": 10})
    return PushService(policy=DeliveryPolicy(config=config, suitability=SuitabilityService(audit=MemoryAuditLog())))


def test_anomalies_push_to_followers_once(
    home: tuple[Settings, sessionmaker[Session], int, int], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _, sessions, watcher, other = home
    code, out, _ = _replay(monkeypatch, capsys)
    assert code == 0
    minutes = [MinuteUpdate(**json.loads(line)) for line in out.splitlines()]

    def feed() -> tuple[int, int]:
        detector = MainForceAnomalyDetector(day=DAY, window=10, warmup=5, z=2.0, min_amount=1_000_000.0)
        pushes = FlowPushes(sessions=sessions, push=_push(), day=DAY, names={"600519.SH": "贵州茅台"},
                            detector=detector, clock=lambda: NOON)  # fmt: skip
        decided = sum(len(pushes.observe(m)) for m in minutes)
        return pushes.anomalies, decided

    anomalies, decided = feed()
    assert anomalies >= 1 and decided == anomalies  # one follower, one decision per anomaly
    with sessions() as db:
        rows = db.scalars(select(OutboxRow)).all()
        assert rows and {r.client_id for r in rows} == {str(watcher)}
        assert str(other) not in {r.client_id for r in rows}
        first = len(rows)
    feed()  # the same day replayed: the same facts, nothing queued twice
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(OutboxRow)) == first


def test_the_cli_replays_with_push(
    home: tuple[Settings, sessionmaker[Session], int, int], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    code, out, err = _replay(monkeypatch, capsys, "--push")
    assert code == 0 and json.loads(out.splitlines()[-1])["code"] == "600519.SH"
    # the default detector (z = 3 over 30 minutes, 10 of warm-up) finds no anomaly in these first 20 minutes
    assert "anomaly" not in err
    _ = timedelta
