"""Sending advice: suitability per recipient, the adviser's number on every text, outbox and archive rows.

A send is all-or-nothing as a request (no registration number on file, an empty recipient list: nothing is
written) and per recipient as an outcome: a client who left the advisor, a client without a valid assessment, or
a client whose level is below the item's audience risk is *rejected* with the reason, audited, archived — and
receives nothing. On WeCom two more outcomes: a client the external-contact directory has not bound
(:mod:`~tandem.advisor.wecom.directory`; no id is ever guessed) and a client whose monthly mass-send allowance
(:mod:`~tandem.advisor.wecom.allowance`) this text would exceed — counted from this archive's ``mass_messages``,
one per WeCom part — are refused, the latter with the date the allowance renews. Accepted recipients get one
engagement-outbox row each (the dispatcher and the :class:`~tandem.engagement.delivery.channels.base.Channel`
for ``channel`` deliver it, e.g. WeCom), written in the same transaction as the archive, so an archived "sent"
always has its outbox row and the reverse.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, own_client_ids, require_role
from tandem.advisor.content import ApprovedContent
from tandem.advisor.models import AdvisorProfile, SendArchiveRow
from tandem.advisor.snapshot import aware, wealth_id
from tandem.advisor.wecom.allowance import DEFAULT_RULE, MassSendRule
from tandem.advisor.wecom.gate import wecom_gate
from tandem.compliance.audit import AuditEntry, AuditSink
from tandem.compliance.disclaimers import DisclaimerKind, ai_content_label, data_date_line, risk_disclaimer
from tandem.compliance.suitability import InvestorCategory, ProductRisk, check_suitability, rules_in_force
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError, ValidationFailed
from tandem.engagement.delivery.models import OutboxRow
from tandem.identity import User
from tandem.wealth.models import PlanRow, RiskAssessmentRow

Source = Literal["content", "brief", "plan"]
_OUTBOX = cast(Table, OutboxRow.__table__)
_ARCHIVE = cast(Table, SendArchiveRow.__table__)
CHUNK = 2000
MAX_RECIPIENTS = 5000


@dataclass(frozen=True, slots=True)
class SendItem:
    """What is sent: an approved library version, a diagnosis brief or the client's plan."""

    source: Source
    title: str
    body: str
    product_risk: ProductRisk
    disclaimer_kind: DisclaimerKind
    data_date: date
    ai_generated: bool = False
    content_item_id: int | None = None
    content_version_id: int | None = None
    product_code: str | None = None


def item_from_content(content: ApprovedContent, *, data_date: date) -> SendItem:
    """An approved library version as a send item (its audience risk is the suitability bar)."""
    return SendItem(
        "content",
        content.title,
        content.body,
        content.audience_risk,
        "fund",
        data_date,
        content_item_id=content.item_id,
        content_version_id=content.version_id,
    )


@dataclass(frozen=True, slots=True)
class Rejection:
    """A recipient who received nothing, and why."""

    client_user_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class SendReport:
    """The outcome of one send for every recipient."""

    send_id: str
    sent: tuple[int, ...]
    rejected: tuple[Rejection, ...] = field(default_factory=tuple)


def advice_text(item: SendItem, *, advisor_name: str, registration_no: str) -> str:
    """The client's text: body, risk disclaimer (unless the body carries it), data date, AI label, adviser's number."""
    lines = [item.body.rstrip()]
    disclaimer = risk_disclaimer("zh", kind=item.disclaimer_kind)
    if disclaimer not in item.body:
        lines.append(disclaimer)
    lines.append(data_date_line(item.data_date))
    if item.ai_generated:
        lines.append(ai_content_label())
    lines.append(f"投资顾问：{advisor_name}（执业编号 {registration_no}）")
    return "\n".join(lines)


def valid_categories(db: Session, ids: list[int], now: datetime) -> dict[int, InvestorCategory]:
    """Each client's level from their latest assessment, for those whose latest one is still valid at ``now``."""
    r = RiskAssessmentRow
    out: dict[int, InvestorCategory] = {}
    for i in range(0, len(ids), CHUNK):
        keys = [wealth_id(x) for x in ids[i : i + CHUNK]]
        stmt = select(r.client_id, r.category, r.valid_until).where(r.client_id.in_(keys)).order_by(r.assessed_at, r.id)
        for cid, category, valid in db.execute(stmt):
            uid = int(cid.removeprefix("user:"))
            until = aware(valid)
            if until is not None and until > now:
                out[uid] = InvestorCategory(category)
            else:
                out.pop(uid, None)  # the latest assessment decides; an expired one leaves no level
    return out


def send(
    db: Session,
    staff: Staff,
    audit: AuditSink,
    *,
    item: SendItem,
    client_user_ids: Sequence[int],
    channel: str,
    now: datetime | None = None,
    timezone: str = "Asia/Shanghai",
    mass_rule: MassSendRule = DEFAULT_RULE,
) -> SendReport:
    """Send ``item`` to each client (one, or a segment) on ``channel``; see the module docstring for outcomes.

    On ``wecom`` every message to a customer is a mass message (客户群发, ``add_msg_template``) from the advisor's
    own WeCom member account (a send without one on file is refused whole); a recipient who is not bound, bound
    to another member, or whose allowance under ``mass_rule`` this text would exceed is refused with that outcome
    (:mod:`tandem.advisor.wecom.gate`).
    """
    require_role(staff, "advisor")
    wanted = list(dict.fromkeys(client_user_ids))
    if not wanted or len(wanted) > MAX_RECIPIENTS:
        raise ValidationFailed(f"a send needs 1–{MAX_RECIPIENTS} recipients, not {len(wanted)}")
    profile = db.get(AdvisorProfile, staff.user_id)
    if profile is None:
        raise ConflictError(
            "your registration number (执业编号) is not on file; every advice text must carry it — ask operations "
            "to record it on your advisor profile before sending"
        )
    advisor = db.get(User, staff.user_id)
    name = (advisor.display_name if advisor is not None else None) or f"#{staff.user_id}"
    t = now or utcnow()
    rules = rules_in_force(t.date())
    mine = own_client_ids(db, staff, client_user_ids=wanted) if staff.role == "advisor" else set()
    levels = valid_categories(db, sorted(mine), t)
    text = advice_text(item, advisor_name=name, registration_no=profile.registration_no)
    send_id = str(uuid.uuid4())
    zone = ZoneInfo(timezone)
    local_day = t.astimezone(zone).date()
    protected = risk_disclaimer("zh", kind=item.disclaimer_kind)
    gate = None
    if channel == "wecom":
        if not profile.wecom_userid:
            raise ConflictError(
                "your WeCom member account (成员账号) is not on file, so WeCom cannot say who sends; ask operations to "
                "record it (PUT /api/v1/advisor/advisors/<id>/wecom) before sending on WeCom"
            )
        gate = wecom_gate(
            db,
            sorted(mine),
            text=text,
            protected=protected,
            member=profile.wecom_userid,
            now=t,
            zone=zone,
            rule=mass_rule,
        )
    audits: list[AuditEntry] = []
    archive: list[dict[str, object]] = []
    outbox: list[dict[str, object]] = []
    sent: list[int] = []
    rejected: list[Rejection] = []
    for cid in wanted:
        category = levels.get(cid)
        key: str | None = None
        if cid not in mine:
            decision, reason = "rejected", "客户不在您的客户名单中（已转出或未分配）/ client is not in your client book"
        elif category is None:
            decision, reason = "rejected", "客户无有效风险测评 / no valid risk assessment"
        else:
            verdict = check_suitability(category=category, product_risk=item.product_risk, rules=rules)
            audits.append(
                AuditEntry(
                    staff.actor,
                    "suitability.check",
                    f"client:{wealth_id(cid)}",
                    verdict.verdict.value,
                    verdict.rule_version,
                    {
                        "product": item.product_code or f"content:{item.content_item_id}",
                        "category": category.value,
                        "product_risk": item.product_risk.value,
                        "send_id": send_id,
                    },
                    at=t,
                )
            )
            refusal = gate.refusal(cid) if gate is not None and verdict.may_recommend else None
            if refusal is not None:
                decision, reason = "rejected", refusal
            elif verdict.may_recommend:
                decision, reason = "sent", verdict.verdict.value
                key = hashlib.sha256(f"advisor-send:{send_id}:{cid}".encode()).hexdigest()
            else:
                decision, reason = "rejected", verdict.message.render("zh")
        archive.append(
            {
                "send_id": send_id,
                "at": t,
                "advisor_id": staff.user_id,
                "client_user_id": cid,
                "source": item.source,
                "content_item_id": item.content_item_id,
                "content_version_id": item.content_version_id,
                "product_code": item.product_code,
                "product_risk": item.product_risk.value,
                "category": category.value if category else None,
                "channel": channel,
                "title": item.title[:200],
                "body": text if key else None,
                "decision": decision,
                "reason": reason[:300],
                "rule_version": rules.version,
                "outbox_key": key,
                "mass_messages": (gate.parts if key else 0) if gate is not None else None,
            }
        )
        if key is None:
            rejected.append(Rejection(cid, reason))
            continue
        sent.append(cid)
        outbox.append(
            {
                "idempotency_key": key,
                "client_id": wealth_id(cid),
                "channel": channel,
                "category": "advisor",
                "rule": f"advisor.{item.source}",
                "title": item.title[:200],
                "body": text,
                "payload": {
                    "send_id": send_id,
                    "advisor_id": staff.user_id,
                    "protected": [protected],
                    "wecom_sender": profile.wecom_userid if gate is not None else None,
                },
                "local_day": local_day,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": t,
                "created_at": t,
            }
        )
    if audits:  # first: the SQL audit log commits in its own session, before this session takes the write lock
        audit.append_many(audits)
    db.execute(insert(_ARCHIVE), archive)
    if outbox:
        db.execute(insert(_OUTBOX), outbox)
    db.flush()
    return SendReport(send_id, tuple(sent), tuple(rejected))


def item_from_brief(
    *, code: str, name: str, text: str, data_date: date, product_risk: ProductRisk, ai_generated: bool
) -> SendItem:
    """A stock diagnosis brief (个股诊断报告) with the stock disclaimer, data date and, if machine-written, AI label.

    ``product_risk`` is the firm's grade for single-stock content, checked against each recipient.
    """
    if not text.strip():
        raise ValidationFailed(f"the brief of {code} is empty; generate it before sending")
    return SendItem(
        "brief",
        f"{code} {name} 个股诊断",
        text,
        product_risk,
        "stock",
        data_date,
        ai_generated=ai_generated,
        product_code=code,
    )


def item_from_plan(plan: PlanRow) -> SendItem:
    """The client's advisory plan: its explanation and holdings; the riskiest holding sets the suitability bar."""
    payload = plan.payload
    holdings = [h for h in payload.get("holdings", []) if isinstance(h, dict)]
    if not holdings:
        raise ValidationFailed(f"plan {plan.id} holds no funds; there is nothing to send")
    risk = ProductRisk.of_rank(max(ProductRisk(str(h["risk_level"])).rank for h in holdings))
    lines = [str(payload.get("explanation_zh", "")).strip()]
    lines += [f"- {h.get('name', h['code'])}（{h['code']}）{float(h.get('weight', 0)):.0%}" for h in holdings]
    end = str(payload.get("expected", {}).get("end", "")) if isinstance(payload.get("expected"), dict) else ""
    as_of = date.fromisoformat(end) if end else (aware(plan.created_at) or utcnow()).date()
    return SendItem(
        "plan",
        f"投顾方案 #{plan.id}",
        "\n".join(x for x in lines if x),
        risk,
        "fund",
        as_of,
        product_code=f"plan:{plan.id}",
    )
