"""Clients' e-mail addresses for the push channels, read from the PII vault at send time.

The outbox stores only client ids; the address is decrypted at the moment of sending and never logged, so a push
row or a dead letter holds no personal data.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tandem.identity.keys import Keys
from tandem.identity.models import User


class VaultAddressBook:
    """``email_of(client_id)`` for accounts that log in with an e-mail address (phones have none on file)."""

    def __init__(self, sessions: sessionmaker[Session], keys: Keys) -> None:
        self._sessions = sessions
        self._keys = keys

    def email_of(self, client_id: str) -> str | None:
        """The client's e-mail, or ``None`` for an unknown id or a phone login."""
        if not client_id.isdigit():
            return None
        with self._sessions() as db:
            user = db.get(User, int(client_id))
            if user is None or user.login_kind != "email":
                return None
            return self._keys.fernet.decrypt(user.login_enc).decode()
