"""Key material: one secret (from settings or a 0600 file under the data home) derives the signing and PII keys.

Deriving separate keys per purpose (HMAC with a label) means a leaked JWT signing key does not decrypt PII and the
other way round, while operators manage a single secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tandem.core.settings import Settings
from tandem.identity.keyring import KEYRING_FILE, PiiCipher

SECRET_FILE = "secret.key"


@dataclass(frozen=True, slots=True)
class Keys:
    """Purpose-bound keys derived from the one secret."""

    jwt: bytes
    csrf: bytes
    lookup: bytes
    fernet: PiiCipher
    """Encrypts personal data with the keyring's primary key and decrypts with any of its keys."""


def _derive(secret: bytes, label: str) -> bytes:
    return hmac.new(secret, label.encode(), hashlib.sha256).digest()


def load_secret(settings: Settings) -> bytes:
    """``TANDEM_SECRET_KEY`` if set, else the key file under the home, created once (0600) by whichever process wins."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path: Path = settings.home / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write a complete temp file, then link it into place: several workers may race here, and a reader must
        # never see a half-written key. os.link fails if another worker won, and then we read theirs.
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_urlsafe(48).encode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = path.read_bytes().strip()
    if len(data) < 32:
        raise RuntimeError(f"{path} holds a key shorter than 32 bytes; delete it to generate a new one")
    return data


def make_keys(secret: bytes, keyring: Path | None = None) -> Keys:
    """Derive the JWT, CSRF and login-lookup keys from ``secret``; PII keys from the keyring at ``keyring``.

    Without a keyring file the PII key is the one derived from ``secret`` (key 1 of every keyring).
    """
    return Keys(
        jwt=_derive(secret, "tandem/jwt"),
        csrf=_derive(secret, "tandem/csrf"),
        lookup=_derive(secret, "tandem/login-lookup"),
        fernet=PiiCipher(keyring, derived_pii_key(secret)),
    )


def derived_pii_key(secret: bytes) -> bytes:
    """The Fernet key derived from the app secret (key 1 of the keyring)."""
    return base64.urlsafe_b64encode(_derive(secret, "tandem/pii-fernet"))


def keyring_path(settings: Settings) -> Path:
    """Where the data home keeps its personal-data keyring."""
    return settings.home / KEYRING_FILE


def keys_for(settings: Settings) -> Keys:
    """The keys of a data home: its secret and its keyring."""
    return make_keys(load_secret(settings), keyring_path(settings))
