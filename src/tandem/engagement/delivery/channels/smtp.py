"""The e-mail channel over SMTP (stdlib ``smtplib``), with a receipt ledger so a key is mailed once.

An SMTP server cannot de-duplicate, so before sending the channel checks the ledger and after the server
accepts it records the key; the ``Message-ID`` is derived from the key, so even the one unavoidable window (the
process dies between the server's acceptance and the receipt write) lets a mail client fold the copy. Addresses
come from an :class:`AddressBook` at send time, so the outbox never stores personal data; errors name the
client, never the address.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError, TransientChannelError
from tandem.engagement.delivery.channels.receipts import ReceiptLedger


class AddressBook(Protocol):
    """Where a client's e-mail address comes from (identity's PII vault in the app)."""

    def email_of(self, client_id: str) -> str | None:
        """The client's address, or ``None`` when there is none on file."""
        ...


class SmtpEmailChannel:
    """Send pushes as plain-text UTF-8 mail through one SMTP relay."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        addresses: AddressBook,
        receipts: ReceiptLedger,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._addresses = addresses
        self._receipts = receipts
        self._timeout = timeout

    def send(self, message: OutgoingMessage) -> None:
        """Mail once per key: skip a key with a receipt, record the receipt once the server accepted it."""
        if self._receipts.has(message.idempotency_key):
            return
        to = self._addresses.email_of(message.client_id)
        if not to:
            raise PermanentChannelError(f"client {message.client_id} has no e-mail address on file")
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = to
        mail["Subject"] = message.title
        mail["Message-ID"] = f"<{message.idempotency_key}@tandem.push>"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentChannelError(f"client {message.client_id}: the SMTP server refused the recipient") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientChannelError(f"SMTP {self._host}:{self._port} failed: {type(exc).__name__}: {exc}") from exc
        self._receipts.record(message.idempotency_key, f"smtp {self._host}:{self._port}")
