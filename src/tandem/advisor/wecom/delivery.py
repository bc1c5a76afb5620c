"""Deliver advisor sends on WeCom right after they are archived (the send form), when the channel is configured.

``tandem engagement dispatch`` delivers queued ``wecom`` rows in its own rounds; the staff send form also runs one
round right after a send, so the advisor sees each recipient's delivery on the page instead of "queued". The
channel is the customer channel (:class:`~tandem.advisor.wecom.channel.WeComChannel`: a mass message from the
client's member, read from the external-contact directory at delivery time, so a client unbound since the send is
dead-lettered, never sent to a guessed id).

The composition root builds one :class:`WeComDelivery` per process from ``TANDEM_WECOM_*`` (or none, and the
pages say the channel is off with :func:`~tandem.advisor.wecom.client.off_reason`). ``deliver_due`` runs one
dispatcher round over the ``wecom`` outbox rows only — the same :class:`~tandem.engagement.delivery.dispatcher.
Dispatcher` that ``tandem engagement dispatch`` runs, so retries, dead letters and per-part receipts behave the
same whether a send is delivered at once from the page or later by the dispatcher process.
"""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.wecom.channel import WeComChannel
from tandem.advisor.wecom.client import WeComClient, wecom_config
from tandem.advisor.wecom.directory import SqlContactDirectory
from tandem.core.settings import Settings
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.dispatcher import Dispatcher, DispatchReport


class WeComDelivery:
    """The WeCom channel of this process and a dispatcher limited to it."""

    def __init__(self, *, sessions: sessionmaker[Session], channel: WeComChannel, http: httpx.Client) -> None:
        self._sessions = sessions
        self._http = http
        self.channel = channel

    def close(self) -> None:
        """Close the HTTP connections to WeCom (the app's lifespan calls this on shutdown)."""
        self._http.close()

    def deliver_due(self) -> DispatchReport:
        """One dispatcher round over due ``wecom`` rows (this send's and any others waiting)."""
        return Dispatcher(sessions=self._sessions, channels={"wecom": self.channel}).run_once()


def wecom_delivery(settings: Settings, sessions: sessionmaker[Session], http: httpx.Client) -> WeComDelivery | None:
    """The delivery for ``settings`` (owning ``http``), or None when the WeCom settings are incomplete (channel off)."""
    config = wecom_config(settings)
    if config is None:
        return None
    channel = WeComChannel(
        client=WeComClient(config, http=http),
        directory=SqlContactDirectory(sessions=sessions),
        receipts=ReceiptLedger(sessions=sessions, channel="wecom"),
    )
    return WeComDelivery(sessions=sessions, channel=channel, http=http)
