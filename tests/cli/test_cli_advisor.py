"""``tandem advisor wecom-sync`` and ``education-reads`` as an operator runs them, against the WeCom emulator and
a real home: WeCom off is a clear exit 2; the sync binds by code and reports the rest; stored reads move the
track once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "advisor"))
from advisor_people import add_assessment, add_user
from wecom_emulator import CORP_ID, SECRET, FakeClock, running_emulator

from tandem.advisor.access import require_staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.education import enrol, set_lessons, track
from tandem.advisor.models import WeComContactRow
from tandem.advisor.wecom.directory import issue_binding_code, set_member_userid
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.migrations.runner import upgrade

NOW = datetime.now(UTC)


def tandem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args], capture_output=True, text=True, env=env, check=False
    )


def home_with_book(tmp_path: Path) -> tuple[dict[str, str], Settings]:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_WECOM")} | {"TANDEM_HOME": str(home)}
    settings = Settings(home=home)
    home.mkdir(parents=True)
    upgrade(settings.sqlalchemy_url)  # what `tandem db upgrade` runs, in process to spare a start-up
    return env, settings


def test_wecom_sync_from_the_command_line(tmp_path: Path) -> None:
    env, settings = home_with_book(tmp_path)
    r = tandem(env, "advisor", "wecom-sync")
    assert r.returncode == 2 and "WeCom channel off: set TANDEM_WECOM_CORP_ID" in r.stdout + r.stderr
    engine = make_engine(settings.sqlalchemy_url)
    with make_sessionmaker(engine)() as db:
        ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
        adv = require_staff(user_id=add_user(db, "advisor").id, role="advisor")
        set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080001")
        set_member_userid(db, ops, advisor_id=adv.user_id, userid="wang.advisor")
        a, b = add_user(db, "investor").id, add_user(db, "investor").id
        assign_clients(db, ops, client_user_ids=[a, b], advisor_id=adv.user_id, reason="分配")
        code = issue_binding_code(db, adv, client_user_id=a)
        issue_binding_code(db, adv, client_user_id=b)
        db.commit()
    with running_emulator(FakeClock()) as (url, state):
        state.add_contact("wang.advisor", "wmA", state=code)
        wecom = {"TANDEM_WECOM_CORP_ID": CORP_ID, "TANDEM_WECOM_SECRET": SECRET, "TANDEM_WECOM_AGENT_ID": "1000002"}
        r = tandem(env | wecom | {"TANDEM_WECOM_BASE_URL": url}, "advisor", "wecom-sync", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["members"], out["bound"], out["not_bound"], out["unmatched_contacts"]) == (1, 1, [b], 0)
    with make_sessionmaker(engine)() as db:
        assert db.get(WeComContactRow, a).external_userid == "wmA"  # type: ignore[union-attr]
    engine.dispose()


def test_education_reads_apply_stored_events_once(tmp_path: Path) -> None:
    env, settings = home_with_book(tmp_path)
    engine = make_engine(settings.sqlalchemy_url)
    audit = MemoryAuditLog()
    body = "认识风险。\n" + risk_disclaimer("zh", kind="fund")
    with make_sessionmaker(engine)() as db:
        ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
        adv = require_staff(user_id=add_user(db, "advisor").id, role="advisor")
        comp = require_staff(user_id=add_user(db, "compliance").id, role="compliance")
        ids = []
        for kind, title in (("article", "第一课"), ("course", "入门")):
            lessons = ["第一课"] if kind == "course" else None
            v = create_item(
                db,
                adv,
                kind=kind,
                title=title,
                category="投教",
                tags=[],
                audience_risk="R1",
                body=body,
                lessons=lessons,
            )
            submit(db, adv, item_id=v.item_id)
            review(db, comp, audit, version_id=v.id, approve=True, reasons=[], now=NOW - timedelta(hours=2))
            ids.append(v.item_id)
        set_lessons(db, adv, course_item_id=ids[1], lesson_item_ids=[ids[0]])
        c = add_user(db, "investor").id
        assign_clients(db, ops, client_user_ids=[c], advisor_id=adv.user_id, reason="分配")
        add_assessment(db, c, "C2", assessed=NOW - timedelta(days=1))
        enrol(db, adv, audit, course_item_id=ids[1], client_user_id=c, now=NOW - timedelta(hours=1))
        db.commit()
    at = NOW - timedelta(minutes=5)
    event = Event(
        str(uuid.uuid4()),
        c,
        EventType.CONTENT_READ,
        f"content:{ids[0]}",
        {"dwell_ms": 40_000},
        at,
        at,
        "s",
        Channel.IOS,
    )
    ParquetEventStore(settings.home / "events").append([event])
    day = at.date().isoformat()
    first = tandem(env, "advisor", "education-reads", "--from", day, "--to", day)
    assert first.returncode == 0, first.stderr
    assert "1 lesson(s) newly read" in first.stdout
    again = tandem(env, "advisor", "education-reads", "--from", day, "--to", day)
    assert "0 lesson(s) newly read" in again.stdout
    with make_sessionmaker(engine)() as db:
        (entry,) = track(db, client_user_id=c)
        assert entry.completed_at is not None
    bad = tandem(env, "advisor", "education-reads", "--from", "2026-13-01")
    assert bad.returncode == 2 and "--from" in bad.stdout + bad.stderr
    engine.dispose()
