"""Advisor workbench figures on a SYNTHETIC book (seeded generator; simulated clients, not real clients).

* client book of 2,000 clients: one page (50 rows, default sort) over the whole book — goal < 300 ms;
* segment send of an approved R3 item to 1,000 clients on WeCom: suitability per recipient (audited), the
  external-contact directory (5 % of the segment not bound), the monthly mass-send allowance counted from the
  archive (10 % already at 4 this month), archive rows and outbox rows in one transaction — goal < 5 s;
* task rules over 10,000 clients (5 advisors × 2,000) — goal < 10 s.

SQLite file database under a temporary directory. Prints one line per figure (median of the runs shown).
Run: ``PYTHONPATH=src python benchmarks/bench_advisor.py`` (``--only send`` for the send figure alone).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, create_engine, insert
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from model_registry import import_all_models
from tandem.advisor.access import require_staff
from tandem.advisor.book import BookQuery, client_book
from tandem.advisor.content import create_item, get_approved, review, submit
from tandem.advisor.models import AdvisorProfile, ClientAssignment, SendArchiveRow, ServiceRecord, WeComContactRow
from tandem.advisor.sending import item_from_content, send
from tandem.advisor.tasks import run_rules
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.db import Base, make_sessionmaker
from tandem.engagement.models import WatchItem
from tandem.identity import User
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
CODES = ["600519", "000001", "300750", "601318", "000858", "600036"]


def t(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def populate(db: Session, *, advisors: int, per_advisor: int, seed: int = 7) -> list[int]:
    """Advisors with SYNTHETIC clients: assessments, accepted plans, holdings, watchlists, some contacts."""
    rng = random.Random(seed)
    staff_ids = []
    for a in range(advisors):
        u = User(
            login_hash=uuid.uuid4().hex,
            login_enc=b"x",
            login_kind="email",
            display_name=f"投顾{a}",
            role="advisor",
            password_hash="-",
        )
        db.add(u)
        db.flush()
        db.add(AdvisorProfile(user_id=u.id, registration_no=f"A01506200800{a:02d}", wecom_userid=f"member{a}"))
        staff_ids.append(u.id)
    n = advisors * per_advisor
    db.execute(
        insert(t(User)),
        [
            {
                "login_hash": uuid.uuid4().hex,
                "login_enc": b"x",
                "login_kind": "email",
                "display_name": f"模拟客户{i}",
                "role": "investor",
                "password_hash": "-",
                "token_version": 0,
                "failed_logins": 0,
                "non_personalised": False,
                "created_at": NOW - timedelta(days=400),
            }
            for i in range(n)
        ],
    )
    ids = [u for (u,) in db.execute(User.__table__.select().with_only_columns(User.id).where(User.role == "investor"))]
    db.execute(
        insert(t(ClientAssignment)),
        [
            {
                "client_user_id": c,
                "advisor_id": staff_ids[i % advisors],
                "assigned_at": NOW - timedelta(days=rng.randint(1, 300)),
                "assigned_by": "bench",
            }
            for i, c in enumerate(ids)
        ],
    )
    db.execute(
        insert(t(RiskAssessmentRow)),
        [
            {
                "client_id": f"user:{c}",
                "questionnaire_version": "bench",
                "answers": {},
                "score": 50,
                "category": f"C{rng.randint(1, 5)}",
                "lowest_category": False,
                "assessed_at": (at := NOW - timedelta(days=rng.randint(0, 420))),
                "valid_until": at + timedelta(days=365),
            }
            for c in ids
        ],
    )
    db.execute(
        insert(t(PlanRow)),
        [
            {
                "client_id": f"user:{c}",
                "level": "C3",
                "strategy": "balanced",
                "amount": 100_000.0,
                "status": "accepted",
                "synthetic": True,
                "rule_version": "bench",
                "payload": {
                    "holdings": [
                        {"code": "F1", "weight": 0.6, "risk_level": "R3"},
                        {"code": "F2", "weight": 0.4, "risk_level": "R2"},
                    ]
                },
                "created_at": NOW,
                "updated_at": NOW,
            }
            for c in ids
        ],
    )
    plan_of = {
        cid: pid for pid, cid in db.execute(PlanRow.__table__.select().with_only_columns(PlanRow.id, PlanRow.client_id))
    }
    holdings = []
    for c in ids:
        for code, w in (("F1", 0.6), ("F2", 0.4)):
            value = 100_000 * w * rng.uniform(0.8, 1.2)
            holdings.append(
                {
                    "client_id": f"user:{c}",
                    "plan_id": plan_of[f"user:{c}"],
                    "code": code,
                    "name": code,
                    "risk_level": "R3",
                    "asset_class": "equity",
                    "units": value,
                    "nav": 1.0,
                    "cost": 100_000 * w,
                    "subscribed_at": NOW,
                }
            )
    db.execute(insert(t(SimHoldingRow)), holdings)
    db.execute(
        insert(t(WatchItem)),
        [{"user_id": c, "code": code, "created_at": NOW} for c in ids for code in rng.sample(CODES, 2)],
    )
    db.execute(
        insert(t(ServiceRecord)),
        [
            {
                "client_user_id": c,
                "advisor_id": staff_ids[0],
                "at": NOW - timedelta(days=5),
                "kind": "call",
                "note": "回访",
            }
            for c in ids
            if rng.random() < 0.7
        ],
    )
    db.execute(
        insert(t(WeComContactRow)),
        [
            {
                "client_user_id": c,
                "binding_code": f"tdm-bench{c}",
                "issued_at": NOW - timedelta(days=30),
                "member_userid": f"member{i % advisors}",
                "external_userid": f"wmBENCH{c}",
                "source": "state/add_way:1",
            }
            for i, c in enumerate(ids)
            if rng.random() >= 0.05  # 5 % never added their advisor on WeCom: not bound
        ],
    )
    db.execute(
        insert(t(SendArchiveRow)),
        [
            {
                "send_id": f"old-{c}-{k}",
                "at": NOW - timedelta(hours=k + 1),
                "advisor_id": staff_ids[i % advisors],
                "client_user_id": c,
                "source": "content",
                "product_risk": "R1",
                "channel": "wecom",
                "title": "earlier",
                "decision": "sent",
                "reason": "allowed",
                "rule_version": "bench",
                "mass_messages": 1,
            }
            for i, c in enumerate(ids)
            if rng.random() < 0.10  # 10 % already received this month's four mass messages
            for k in range(4)
        ],
    )
    db.commit()
    return staff_ids


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", choices=("book", "send", "rules"), help="print one figure only")
    only = parser.parse_args().only
    import_all_models()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as db:
            advisors = populate(db, advisors=5, per_advisor=2_000)
            adv = require_staff(user_id=advisors[0], role="advisor")
            if only in (None, "book"):
                book = timed(lambda: client_book(db, adv, query=BookQuery(), now=NOW), 5)
                page = client_book(db, adv, query=BookQuery(), now=NOW)
                print(
                    f"client book, 2,000 SYNTHETIC clients, page of 50 (total {page.total}): "
                    f"median {statistics.median(book) * 1000:.0f} ms, "
                    f"runs {[round(x * 1000) for x in book]} ms (goal < 300 ms)"
                )
            if only not in (None, "send"):
                _rules(db, only)
                return

            author = require_staff(user_id=advisors[1], role="advisor")
            comp_user = User(
                login_hash=uuid.uuid4().hex, login_enc=b"x", login_kind="email", role="compliance", password_hash="-"
            )
            db.add(comp_user)
            db.flush()
            comp = require_staff(user_id=comp_user.id, role="compliance")
            audit = MemoryAuditLog()
            v = create_item(
                db,
                author,
                kind="article",
                title="组合再平衡说明",
                category="投顾",
                tags=[],
                audience_risk="R3",
                body="再平衡的思路。\n" + risk_disclaimer("zh", kind="fund"),
            )
            submit(db, author, item_id=v.item_id)
            review(db, comp, audit, version_id=v.id, approve=True, reasons=[])
            item = item_from_content(get_approved(db, item_id=v.item_id), data_date=date(2026, 5, 29))
            segment = [
                r.client_user_id for r in db.query(ClientAssignment).filter_by(advisor_id=adv.user_id).limit(1000)
            ]
            start = time.perf_counter()
            report = send(db, adv, audit, item=item, client_user_ids=segment, channel="wecom", now=NOW)
            db.commit()
            took = time.perf_counter() - start
            unbound = sum("not bound" in r.reason for r in report.rejected)
            exhausted = sum("allowance exhausted" in r.reason for r in report.rejected)
            print(
                f"segment send to {len(segment)} SYNTHETIC clients on WeCom (suitability + audit + directory + "
                f"monthly allowance + archive + outbox, commit): {took:.2f} s — {len(report.sent)} sent, "
                f"{len(report.rejected)} rejected ({unbound} not bound, {exhausted} allowance exhausted, the rest "
                "unsuitable or no valid assessment) (goal < 5 s)"
            )
            if only is None:
                _rules(db, only)


def _rules(db: Session, only: str | None) -> None:
    """Task rules over the whole SYNTHETIC book, then an idempotent re-run."""
    if only not in (None, "rules"):
        return
    start = time.perf_counter()
    summary = run_rules(db, now=NOW)
    db.commit()
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = run_rules(db, now=NOW)
    second = time.perf_counter() - start
    print(
        f"task rules over 10,000 SYNTHETIC clients: first run {first:.2f} s ({summary.created} tasks), "
        f"idempotent re-run {second:.2f} s ({again.created} new) (goal < 10 s)"
    )


if __name__ == "__main__":
    main()
