"""Subprocess for the crash test: dispatch e-mail through SMTP and SIGKILL itself right after the n-th send.

The kill lands after the SMTP server accepted the mail (and the channel wrote its receipt) but before the
dispatcher marked the outbox row sent: the worst moment for duplicates.
"""

from __future__ import annotations

import os
import signal
import sys

from delivery_smtp_fixtures import Addresses

from tandem.core.db import make_engine, make_sessionmaker
from tandem.engagement.delivery.channels.base import OutgoingMessage
from tandem.engagement.delivery.channels.receipts import ReceiptLedger
from tandem.engagement.delivery.channels.smtp import SmtpEmailChannel
from tandem.engagement.delivery.dispatcher import Dispatcher


class KillAfter:
    name = "email"

    def __init__(self, inner: SmtpEmailChannel, n: int) -> None:
        self._inner = inner
        self._left = n

    def send(self, message: OutgoingMessage) -> None:
        self._inner.send(message)
        self._left -= 1
        if self._left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    url, port, kill_after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sessions = make_sessionmaker(make_engine(url))
    smtp = SmtpEmailChannel(
        host="127.0.0.1",
        port=port,
        sender="noreply@tandem.local",
        addresses=Addresses(),
        receipts=ReceiptLedger(sessions=sessions, channel="email"),
    )
    Dispatcher(sessions=sessions, channels={"email": KillAfter(smtp, kill_after)}).run_once()


if __name__ == "__main__":
    main()
