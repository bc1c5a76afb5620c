"""The channel port: one ``send`` method that delivers one message idempotently on its key.

How to add a channel (the advisor's WeCom sender, SMS …): write a class with a ``name`` (the value stored in
``engagement_outbox.channel``) and ``send(message)``; make ``send`` idempotent on ``message.idempotency_key`` —
either the far end de-duplicates on it, or the channel records a receipt and skips keys it has (see
:class:`~.receipts.ReceiptLedger`); raise :class:`TransientChannelError` for what a retry may fix (server down,
timeout) and :class:`PermanentChannelError` for what it cannot (no address on file). Register the instance in
the composition root's channel map (``cli/engagement_dispatch.py``); nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tandem.core.errors import TandemError


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One push as the dispatcher hands it to a channel."""

    idempotency_key: str
    client_id: str
    channel: str
    category: str
    title: str
    body: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    attempt: int = 1


class TransientChannelError(TandemError):
    """Delivery failed in a way a later retry may fix (the dispatcher backs off and retries).

    ``retry_after`` (seconds) is for a far end that said when it will take more — a rate limit such as WeCom's
    130101 robot block: the dispatcher retries exactly then and does not count the attempt, so being throttled
    never dead-letters a message.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentChannelError(TandemError):
    """Delivery can never succeed as it stands (the dispatcher dead-letters the push at once)."""


class Channel(Protocol):
    """Deliver one message; idempotent on ``message.idempotency_key``."""

    @property
    def name(self) -> str:
        """The channel name stored on outbox rows (``inapp``, ``email``, ``wecom``)."""
        ...

    def send(self, message: OutgoingMessage) -> None:
        """Deliver ``message`` or raise a :class:`TransientChannelError` / :class:`PermanentChannelError`."""
        ...
