"""WeCom channels for the engagement dispatcher: customers (``wecom``) and staff members (``wecom_member``).

``wecom`` delivers an advisor's message to a client as a customer mass message (客户群发,
``externalcontact/add_msg_template``) from the member who follows the client, both read from the external-contact
directory at delivery time (:mod:`~tandem.advisor.wecom.directory`); an unbound client, or one who is now another
member's contact than the sender's (``payload["wecom_sender"]``), is a permanent failure, never a guessed id. In
real WeCom the call creates the member's send task, which goes out when the member confirms it in the app; the
receipt records the hand-off. WeCom's ``fail_list`` naming the client (not the member's customer, or over the monthly
allowance) is permanent too. ``wecom_member`` delivers application messages (``message/send``) to staff, paced
within WeCom's per-member limits (:data:`~tandem.advisor.wecom.limits.APP_MEMBER_LIMITS`, which WeCom enforces
by dropping silently): a short wait is slept, a longer one hands the message back with ``retry_after``.

Both split a message into parts (:func:`~tandem.advisor.wecom.split.split_message`, the risk disclaimer named in
``payload["protected"]`` kept whole) and receipt every part, so a retry after a failure half-way sends only the
parts still missing — nothing twice. WeCom down is transient; 45009 (api freq out of limit) is transient with a
60-second ``retry_after`` (WeCom blocks a per-minute limit for 60 s); 42001/40014 were already retried once with
a fresh token by the client; any other errcode is permanent.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Protocol

import httpx

from tandem.advisor.wecom.client import MsgType, WeComApiError, WeComClient
from tandem.advisor.wecom.directory import WeComContact
from tandem.advisor.wecom.limits import APP_MEMBER_LIMITS, ERR_API_FREQ, FREQ_BLOCK_SECONDS, SlidingWindow
from tandem.advisor.wecom.split import APP_TEXT_LIMIT, CUSTOMER_TEXT_LIMIT, SplitError, split_message
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError, TransientChannelError


class ContactDirectory(Protocol):
    """Where a client's messages go (:class:`~tandem.advisor.wecom.directory.SqlContactDirectory`)."""

    def contact_of(self, client_id: str) -> WeComContact | None:
        """The bound contact of outbox client ``client_id``, or None when the client is not bound."""
        ...


class MemberDirectory(Protocol):
    """A staff user's WeCom member userid (:class:`~tandem.advisor.wecom.directory.SqlMemberDirectory`)."""

    def member_of(self, client_id: str) -> str | None:
        """The member userid of outbox recipient ``client_id`` (a staff user), or None."""
        ...


class Receipts(Protocol):
    """Which part keys were handed to WeCom (:class:`~tandem.engagement.delivery.channels.receipts.ReceiptLedger`)."""

    def has(self, key: str) -> bool:
        """Whether ``key`` was handed off."""
        ...

    def record(self, key: str, detail: str) -> None:
        """Record that ``key`` was handed off."""
        ...


def message_parts(message: OutgoingMessage, limit: int) -> list[tuple[str, str]]:
    """(receipt key, text) of each part of ``message`` within ``limit`` bytes; unsplittable is permanent."""
    protected = [str(p) for p in message.payload.get("protected", [])]
    try:
        parts = split_message(message.body, limit=limit, protected=protected)
    except SplitError as err:
        raise PermanentChannelError(f"WeCom: message {message.idempotency_key[:12]}: {err}") from err
    n = len(parts)
    return [
        (hashlib.sha256(f"{message.idempotency_key}:{i}/{n}".encode()).hexdigest(), p) for i, p in enumerate(parts, 1)
    ]


def wecom_failure(err: Exception) -> Exception:
    """The channel error for a failed WeCom call: rate limit and outage transient, anything else permanent."""
    if isinstance(err, WeComApiError):
        if err.errcode == ERR_API_FREQ:
            return TransientChannelError(
                f"{err}; backing off {FREQ_BLOCK_SECONDS:.0f} s", retry_after=FREQ_BLOCK_SECONDS
            )
        return PermanentChannelError(str(err))
    return TransientChannelError(f"WeCom unreachable or failing: {err}")


class WeComChannel:
    """Deliver client messages as customer mass messages from the client's member; idempotent per part."""

    name = "wecom"

    def __init__(self, *, client: WeComClient, directory: ContactDirectory, receipts: Receipts) -> None:
        self._client = client
        self._directory = directory
        self._receipts = receipts

    def send(self, message: OutgoingMessage) -> None:
        """Send every part not yet receipted to the client's bound contact."""
        contact = self._directory.contact_of(message.client_id)
        if contact is None:
            raise PermanentChannelError(
                f"WeCom: client {message.client_id} is not bound to a WeCom contact; issue a binding code and sync"
            )
        sender = message.payload.get("wecom_sender")
        if sender is not None and sender != contact.member_userid:
            raise PermanentChannelError(
                f"WeCom: client {message.client_id} is now the contact of another member than the advisor who sent; "
                "nothing is sent from the wrong advisor"
            )
        parts = message_parts(message, CUSTOMER_TEXT_LIMIT)
        for i, (key, part) in enumerate(parts, 1):
            if self._receipts.has(key):
                continue
            try:
                failed = self._client.add_msg_template(
                    sender=contact.member_userid, external_userid=[contact.external_userid], text=part
                )
            except (WeComApiError, httpx.HTTPError) as err:
                raise wecom_failure(err) from err
            if contact.external_userid in failed:
                raise PermanentChannelError(
                    f"WeCom refused client {message.client_id} (fail_list): not the member's customer any more, "
                    "or the monthly mass-send allowance is used up"
                )
            self._receipts.record(key, f"{message.idempotency_key[:40]} part {i}/{len(parts)}")


class WeComMemberChannel:
    """Deliver staff notifications as application messages, within each member's per-minute and hourly limits."""

    name = "wecom_member"

    def __init__(
        self,
        *,
        client: WeComClient,
        members: MemberDirectory,
        receipts: Receipts,
        msgtype: MsgType = "markdown",
        window: SlidingWindow | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 5.0,
    ) -> None:
        self._client = client
        self._members = members
        self._receipts = receipts
        self._msgtype = msgtype
        self._window = window or SlidingWindow(APP_MEMBER_LIMITS)
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait

    def _pace(self, touser: str) -> None:
        wait = self._window.delay(touser, self._clock())
        if wait > self._max_wait:
            raise TransientChannelError(
                f"WeCom: member {touser} is at the message limit; retry in {wait:.0f} s", retry_after=wait
            )
        if wait > 0:
            self._sleep(wait)

    def send(self, message: OutgoingMessage) -> None:
        """Send every part not yet receipted, pacing within the member's limits."""
        touser = self._members.member_of(message.client_id)
        if not touser:
            raise PermanentChannelError(f"WeCom: staff {message.client_id} has no WeCom member account on file")
        parts = message_parts(message, APP_TEXT_LIMIT)
        for i, (key, part) in enumerate(parts, 1):
            if self._receipts.has(key):
                continue
            self._pace(touser)
            try:
                self._client.send_app(touser=touser, msgtype=self._msgtype, content={"content": part})
            except (WeComApiError, httpx.HTTPError) as err:
                raise wecom_failure(err) from err
            self._window.record(touser, self._clock())
            self._receipts.record(key, f"{message.idempotency_key[:40]} part {i}/{len(parts)}")
