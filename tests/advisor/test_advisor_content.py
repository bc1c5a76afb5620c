"""Content library: submission runs the phrase guard and the disclaimer rule, compliance decides (audited),
approved versions never change, and other packages read approved versions only."""

from __future__ import annotations

import pytest
from advisor_people import add_user
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, StaffOnlyError, require_staff
from tandem.advisor.content import (
    create_item,
    edit,
    get_approved,
    list_approved,
    review,
    review_queue,
    submit,
)
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed

GOOD = "定投是一种分散买入时点的方法。\n" + risk_disclaimer("zh", kind="fund")


def staff(db: Session, role: str) -> Staff:
    return require_staff(user_id=add_user(db, role).id, role=role)


def article(db: Session, author: Staff, body: str = GOOD, risk: str = "R2") -> int:
    v = create_item(
        db,
        author,
        kind="article",
        title="认识定投",
        category="投教",
        tags=["定投", "基金"],
        audience_risk=risk,
        body=body,
    )
    return v.item_id


def test_a_promise_of_returns_or_a_missing_disclaimer_is_refused_at_submission(db: Session) -> None:
    adv = staff(db, "advisor")
    item = article(db, adv, body="坚持定投，稳赚不赔！")
    with pytest.raises(ValidationFailed) as err:
        submit(db, adv, item_id=item)
    assert "'稳赚不赔'" in str(err.value) and "risk disclaimer is missing" in str(err.value)
    assert review_queue(db) == []  # still a draft
    edit(db, adv, item_id=item, body=GOOD)
    assert submit(db, adv, item_id=item).status == "submitted"
    assert [v.item_id for _, v in review_queue(db)] == [item]


def test_compliance_rejects_with_reasons_and_approves_audited(db: Session) -> None:
    adv, comp = staff(db, "advisor"), staff(db, "compliance")
    audit = MemoryAuditLog()
    item = article(db, adv)
    v = submit(db, adv, item_id=item)
    with pytest.raises(StaffOnlyError, match="needs role compliance"):
        review(db, adv, audit, version_id=v.id, approve=True, reasons=[])
    with pytest.raises(ValidationFailed, match="rejection needs at least one reason"):
        review(db, comp, audit, version_id=v.id, approve=False, reasons=[" "])
    review(db, comp, audit, version_id=v.id, approve=False, reasons=["标题需注明适合人群"])
    with pytest.raises(NotFoundError, match="no approved version"):
        get_approved(db, item_id=item)
    v2 = edit(db, adv, item_id=item, body=GOOD + "\n适合稳健型投资者。")
    assert v2.version == 2
    submit(db, adv, item_id=item)
    review(db, comp, audit, version_id=v2.id, approve=True, reasons=[])
    entries = audit.query(action="content.review")
    assert [(e.subject, e.decision) for e in entries] == [
        (f"content:{item}:v1", "rejected"),
        (f"content:{item}:v2", "approved"),
    ]
    assert entries[0].detail == {"version_id": v.id, "reasons": ["标题需注明适合人群"]}


def test_an_approved_version_is_immutable_and_keeps_serving_until_the_next_is_approved(db: Session) -> None:
    adv, comp = staff(db, "advisor"), staff(db, "compliance")
    audit = MemoryAuditLog()
    item = article(db, adv)
    v1 = submit(db, adv, item_id=item)
    review(db, comp, audit, version_id=v1.id, approve=True, reasons=[])
    with pytest.raises(ConflictError, match="only a submitted version"):
        review(db, comp, audit, version_id=v1.id, approve=False, reasons=["改主意"])
    v2 = edit(db, adv, item_id=item, body=GOOD + "\n新增一段。")
    assert (v2.version, v1.body) == (2, GOOD)
    served = get_approved(db, item_id=item)
    assert (served.version, served.body) == (1, GOOD)
    submit(db, adv, item_id=item)
    with pytest.raises(ConflictError, match="under compliance review"):
        edit(db, adv, item_id=item, body="x")
    review(db, comp, audit, version_id=v2.id, approve=True, reasons=[])
    assert get_approved(db, item_id=item).version == 2
    assert get_approved(db, item_id=item, version_id=v1.id).body == GOOD  # the archive can still cite v1


def test_list_approved_filters_by_kind_and_audience_risk(db: Session) -> None:
    adv, comp = staff(db, "advisor"), staff(db, "compliance")
    audit = MemoryAuditLog()
    low, high = article(db, adv, risk="R2"), article(db, adv, risk="R4")
    course = create_item(
        db,
        adv,
        kind="course",
        title="基金入门",
        category="投教",
        tags=[],
        audience_risk="R1",
        body=GOOD,
        lessons=["什么是基金", "如何看净值"],
    )
    draft_only = article(db, adv)
    for item in (low, high, course.item_id):
        review(db, comp, audit, version_id=submit(db, adv, item_id=item).id, approve=True, reasons=[])
    assert [c.item_id for c in list_approved(db)] == [course.item_id, high, low]
    assert draft_only not in [c.item_id for c in list_approved(db)]
    assert [c.item_id for c in list_approved(db, max_risk=ProductRisk.R3)] == [course.item_id, low]
    (c,) = list_approved(db, kind="course")
    assert c.lessons == ("什么是基金", "如何看净值")


def test_bad_fields_are_refused_with_every_problem(db: Session) -> None:
    adv = staff(db, "advisor")
    with pytest.raises(ValidationFailed) as err:
        create_item(db, adv, kind="podcast", title="", category="x", tags=[], audience_risk="R9", body=GOOD)
    assert len(err.value.problems) == 3
    with pytest.raises(ValidationFailed, match="a course needs at least one lesson"):
        create_item(db, adv, kind="course", title="空课程", category="x", tags=[], audience_risk="R1", body=GOOD)
