"""What each advisor workbench screen shows, and the send form's submission, from the advisor services.

The pages (:mod:`tandem.web.pages.advisor`) only parse the request and render: the client screen, the task
queue and the send form are assembled here from the same services the JSON API uses, so every client-scoped read
goes through the object-level access check (another advisor's client is a NotFoundError before anything is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tandem.advisor import archive, oversight, send_form, sending, tasks, workbench
from tandem.advisor import client_page as pages
from tandem.advisor.access import Staff
from tandem.advisor.book import ScoreChanges
from tandem.advisor.form_values import oversight_filters, parse_id, sample_period
from tandem.advisor.models import SendArchiveRow
from tandem.advisor.wecom.allowance import rule_named
from tandem.advisor.wecom.client import off_reason
from tandem.compliance.audit import AuditSink
from tandem.compliance.models import AuditLogRow
from tandem.core.errors import ValidationFailed
from tandem.core.settings import Settings
from tandem.identity import Keys


class Delivery(Protocol):
    """Immediate WeCom delivery after a send (:class:`tandem.advisor.wecom.delivery.WeComDelivery`)."""

    def deliver_due(self) -> object:
        """Deliver what is due now."""


def client_screen(
    db: Session, staff: Staff, keys: Keys, *, client_user_id: int, changes: ScoreChanges | None
) -> dict[str, Any]:
    """The client screen: masked profile and history (``c``), plan and drift, the WeCom binding."""
    page = pages.client_page(db, staff, keys, client_user_id=client_user_id, changes=changes)
    return {
        "c": page,
        "plan": workbench.plan_view(db, staff, client_user_id=client_user_id),
        "wecom": workbench.wecom_binding_view(db, staff, client_user_id=client_user_id),
    }


def task_board(db: Session, staff: Staff) -> dict[str, Any]:
    """The advisor's actionable tasks, the team's overdue ones (team lead) and the clients' masked names."""
    mine = tasks.queue(db, staff)
    late = tasks.overdue(db, staff)
    names = workbench.masked_names(db, user_ids=sorted({t.client_user_id for t in [*mine, *late]}))
    return {"tasks": mine, "overdue": late, "names": names}


def send_screen(
    db: Session, staff: Staff, keys: Keys, settings: Settings, *, client_user_id: int | None, wecom_on: bool
) -> dict[str, Any]:
    """The send form's choices for one client (their watched stocks, their plan) or for a segment."""
    codes: tuple[str, ...] = ()
    name = None
    if client_user_id is not None:
        row = pages.client_page(db, staff, keys, client_user_id=client_user_id).summary
        codes, name = row.watch_codes, row.name
    return {
        "choices": send_form.choices(db, staff, client_user_id=client_user_id, codes=codes),
        "client_id": client_user_id,
        "client_name": name,
        "segments": workbench.SEGMENTS,
        "wecom_on": wecom_on,
        "wecom_off_reason": off_reason(settings),
    }


@dataclass(frozen=True, slots=True)
class SendRequest:
    """The send form as posted (strings as typed; the client id already parsed)."""

    source: str
    channel: str
    item_id: str
    code: str
    client_user_id: int | None
    segment: str


def submit_send(
    db: Session,
    staff: Staff,
    audit: AuditSink,
    diagnoser: send_form.Diagnoser,
    settings: Settings,
    *,
    form: SendRequest,
    delivery: Delivery | None,
) -> dict[str, Any]:
    """Send the chosen item to the recipients, commit, deliver WeCom at once; the report and each outcome.

    Bad input raises before anything is written (the caller rolls back); the recipients' suitability is checked
    one by one inside :func:`tandem.advisor.sending.send`.
    """
    if form.channel not in ("wecom", "inapp"):
        raise ValidationFailed(f"channel must be wecom or inapp, not {form.channel!r}")
    if form.channel == "wecom" and delivery is None:
        raise ValidationFailed(f"{off_reason(settings)}; send in-app, or ask operations to configure it")
    item = send_form.build_item(
        db, staff, diagnoser, source=form.source, item_id=parse_id(form.item_id, "item_id"), code=form.code or None,
        client_user_id=form.client_user_id,
    )  # fmt: skip
    ids = send_form.recipients(db, staff, client_user_id=form.client_user_id, segment=form.segment or None)
    report = sending.send(
        db, staff, audit, item=item, client_user_ids=ids, channel=form.channel,
        mass_rule=rule_named(settings.wecom_mass_send_rule),
    )  # fmt: skip
    db.commit()
    if form.channel == "wecom" and report.sent and delivery is not None:
        delivery.deliver_due()
    return {"report": report, "rows": send_form.outcome(db, staff, send_id=report.send_id), "item": item}


@dataclass(frozen=True, slots=True)
class OversightFilter:
    """The compliance searches' filters as typed (ids and days still text: they are checked here)."""

    client: str = ""
    advisor: str = ""
    product: str = ""
    since: str = ""
    until: str = ""


def audit_rows(db: Session, staff: Staff, f: OversightFilter) -> list[AuditLogRow]:
    """Suitability checks, warnings, confirmations and content reviews matching the filters."""
    values = oversight_filters(f.client, f.advisor, f.since, f.until)
    return oversight.audit_search(db, staff, product=f.product.strip() or None, **values)


def archive_rows(db: Session, staff: Staff, f: OversightFilter, *, limit: int) -> list[archive.ArchiveEntry]:
    """Archived recipients matching the filters, newest first, at most ``limit``."""
    values = oversight_filters(f.client, f.advisor, f.since, f.until)
    return archive.search(db, staff, product=f.product.strip() or None, limit=limit, **values)


def sample_rows(db: Session, staff: Staff, *, since: str, until: str, size: int, seed: int) -> list[SendArchiveRow]:
    """A reproducible sample of advice sent in the period (nothing until both ends are given)."""
    period = sample_period(since, until)
    if period is None:
        return []
    return oversight.sample_sent(db, staff, since=period[0], until=period[1], size=size, seed=seed)
