"""Daily runs: one claim per (job, day), a lapsed lease taken over once, the schedule's bad entries named."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tandem.compute.daily.claims import claim, finish, release, renew, runs_of
from tandem.compute.daily.models import RunStatus
from tandem.compute.daily.plan import Entry, due, market_day, parse_schedule
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import UserError
from tandem.migrations.runner import upgrade

DAY = date(2026, 12, 8)
T0 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def test_only_the_first_claim_of_a_day_wins(sessions: sessionmaker[Session]) -> None:
    assert claim(sessions, job="diagnosis", day=DAY, owner="a", lease=300, now=T0)
    assert not claim(sessions, job="diagnosis", day=DAY, owner="b", lease=300, now=T0 + timedelta(seconds=1))
    assert claim(sessions, job="triggers", day=DAY, owner="b", lease=300, now=T0)  # another job
    assert claim(sessions, job="diagnosis", day=DAY + timedelta(days=1), owner="b", lease=300, now=T0)  # next day
    assert finish(sessions, job="diagnosis", day=DAY, owner="a", ok=True, detail="exit 0")
    assert not claim(sessions, job="diagnosis", day=DAY, owner="c", lease=0, now=T0 + timedelta(hours=5))  # done
    (run, _) = runs_of(sessions, day=DAY)
    assert (run.job, run.status, run.owner, run.attempts) == ("diagnosis", RunStatus.DONE, "a", 1)


def test_a_stalled_run_is_taken_over_once_and_the_old_owner_cannot_finish_it(sessions: sessionmaker[Session]) -> None:
    assert claim(sessions, job="diagnosis", day=DAY, owner="a", lease=60, now=T0)
    assert renew(sessions, job="diagnosis", day=DAY, owner="a")  # heartbeat now (the real clock, after T0)
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert claim(sessions, job="diagnosis", day=DAY, owner="b", lease=60, now=later)
    assert not claim(sessions, job="diagnosis", day=DAY, owner="c", lease=60, now=later)  # b's fresh lease
    assert not renew(sessions, job="diagnosis", day=DAY, owner="a")
    assert not finish(sessions, job="diagnosis", day=DAY, owner="a", ok=True)
    assert finish(sessions, job="diagnosis", day=DAY, owner="b", ok=False, detail="exit 1")
    (run,) = runs_of(sessions, day=DAY)
    assert (run.status, run.owner, run.attempts, run.detail) == (RunStatus.FAILED, "b", 2, "exit 1")


def test_a_released_run_is_claimed_again_the_same_day(sessions: sessionmaker[Session]) -> None:
    assert claim(sessions, job="triggers", day=DAY, owner="a", lease=300, now=T0)
    assert not release(sessions, job="triggers", day=DAY, owner="b")  # only the owner may give it up
    assert release(sessions, job="triggers", day=DAY, owner="a")
    assert claim(sessions, job="triggers", day=DAY, owner="b", lease=300, now=T0)
    assert finish(sessions, job="triggers", day=DAY, owner="b", ok=True)
    assert not release(sessions, job="triggers", day=DAY, owner="b")  # a finished run stays recorded


def test_schedule_parsing_and_what_is_due_in_market_time() -> None:
    entries = parse_schedule(" diagnosis@16:30, triggers@17:00 ,", known={"diagnosis", "triggers"})
    assert entries == [Entry("diagnosis", time(16, 30)), Entry("triggers", time(17, 0))]
    at_1645_beijing = datetime(2026, 12, 8, 8, 45, tzinfo=UTC)
    assert [e.job for e in due(entries, at_1645_beijing)] == ["diagnosis"]
    assert market_day(datetime(2026, 12, 8, 16, 30, tzinfo=UTC)) == date(2026, 12, 9)  # 00:30 in Beijing
    for bad, match in [
        ("diagnosis", "not job@HH:MM"),
        ("diagnosis@25:00", "not a time of day"),
        ("backtests@01:00", "unknown job 'backtests'"),
        ("diagnosis@01:00,diagnosis@02:00", "listed twice"),
    ]:
        with pytest.raises(UserError, match=match):
            parse_schedule(bad, known={"diagnosis", "triggers"})
