"""The push channels' address book reads e-mail logins from the vault; phones and unknown ids have none."""

from __future__ import annotations

from pathlib import Path

from tandem.core.db import make_engine, make_sessionmaker
from tandem.identity import VaultAddressBook, accounts, make_keys
from tandem.migrations.runner import upgrade


def test_email_of_decrypts_e_mail_logins_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    keys = make_keys(b"address-book-test-secret-0123456789abcdef")
    with sessions() as db:
        mail = accounts.create_user(db, keys, username="Li.Na@Example.com", password="Correct-horse-42")
        phone = accounts.create_user(db, keys, username="13912345678", password="Correct-horse-42")
        db.commit()
        ids = (str(mail.id), str(phone.id))
    book = VaultAddressBook(sessions, keys)
    assert book.email_of(ids[0]) == "li.na@example.com"
    assert book.email_of(ids[1]) is None
    assert book.email_of("999") is None and book.email_of("not-a-user") is None
    engine.dispose()
