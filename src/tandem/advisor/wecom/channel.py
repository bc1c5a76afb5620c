"""``WeComChannel``: the engagement Channel port delivering advisor messages as WeCom application messages.

One outbox message becomes one or more parts (:func:`~tandem.advisor.wecom.split.split_message`, the risk
disclaimer named in ``payload["protected"]`` kept whole). Each part has its own receipt key, so a retry after
a failure half-way sends only the parts still missing — nothing twice. The per-member limits are counted before
each part (:class:`~tandem.advisor.wecom.limits.SlidingWindow`): a short wait is slept, a long one hands the
message back to the dispatcher as a transient failure to retry later. WeCom down or rate-limiting (45009) is
transient; an unmapped client, an unsplittable text or any other errcode is permanent (dead-lettered).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Protocol

import httpx

from tandem.advisor.wecom.client import MsgType, WeComApiError, WeComClient
from tandem.advisor.wecom.limits import APP_MEMBER_LIMITS, ERR_API_FREQ, SlidingWindow
from tandem.advisor.wecom.split import APP_TEXT_LIMIT, SplitError, split_message
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError, TransientChannelError


class ContactDirectory(Protocol):
    """Maps a Tandem client id to the WeCom user id messages go to (from the external-contact calls)."""

    def wecom_user_of(self, client_id: str) -> str | None:
        """The WeCom id of the client, or None when the client is not linked."""
        ...


class Receipts(Protocol):
    """Which part keys were handed to WeCom (:class:`~tandem.engagement.delivery.channels.receipts.ReceiptLedger`)."""

    def has(self, key: str) -> bool:
        """Whether ``key`` was handed off."""
        ...

    def record(self, key: str, detail: str) -> None:
        """Record that ``key`` was handed off."""
        ...


class WeComChannel:
    """Deliver outbox messages through WeCom ``message/send``; idempotent per part."""

    name = "wecom"

    def __init__(
        self,
        *,
        client: WeComClient,
        directory: ContactDirectory,
        receipts: Receipts,
        msgtype: MsgType = "markdown",
        window: SlidingWindow | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 5.0,
    ) -> None:
        self._client = client
        self._directory = directory
        self._receipts = receipts
        self._msgtype = msgtype
        self._window = window or SlidingWindow(APP_MEMBER_LIMITS)
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait

    def _parts(self, message: OutgoingMessage) -> list[str]:
        protected = [str(p) for p in message.payload.get("protected", [])]
        try:
            return split_message(message.body, limit=APP_TEXT_LIMIT, protected=protected)
        except SplitError as err:
            raise PermanentChannelError(f"WeCom: message {message.idempotency_key[:12]}: {err}") from err

    def _pace(self, touser: str) -> None:
        wait = self._window.delay(touser, self._clock())
        if wait > self._max_wait:
            raise TransientChannelError(f"WeCom: member {touser} is at the message limit; retry in {wait:.0f} s")
        if wait > 0:
            self._sleep(wait)

    def send(self, message: OutgoingMessage) -> None:
        """Send every part not yet receipted, pacing within the member's limits."""
        touser = self._directory.wecom_user_of(message.client_id)
        if not touser:
            raise PermanentChannelError(
                f"WeCom: client {message.client_id} is not linked to a WeCom contact; map it first"
            )
        parts = self._parts(message)
        for i, part in enumerate(parts, 1):
            key = hashlib.sha256(f"{message.idempotency_key}:{i}/{len(parts)}".encode()).hexdigest()
            if self._receipts.has(key):
                continue
            self._pace(touser)
            try:
                self._client.send_app(touser=touser, msgtype=self._msgtype, content={"content": part})
            except WeComApiError as err:
                if err.errcode == ERR_API_FREQ:
                    raise TransientChannelError(f"{err}; backing off before the next try") from err
                raise PermanentChannelError(str(err)) from err
            except httpx.HTTPError as err:
                raise TransientChannelError(f"WeCom unreachable or failing: {err}") from err
            self._window.record(touser, self._clock())
            self._receipts.record(key, f"{message.idempotency_key[:40]} part {i}/{len(parts)}")
