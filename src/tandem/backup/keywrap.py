"""The key file in a backup is encrypted with a passphrase, so a stolen archive does not hand out the PII key.

scrypt (n=2^15, r=8, p=1: ~30 ms, 32 MiB) stretches the passphrase into a Fernet key; the salt travels with the
ciphertext. A wrong passphrase fails Fernet's MAC and is reported as such, never as corrupt data.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken

from tandem.core.errors import UserError

_N, _R, _P = 2**15, 8, 1
_SALT = 16
MIN_PASSPHRASE = 12


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    raw = hashlib.scrypt(passphrase.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024, dklen=32)
    return Fernet(base64.urlsafe_b64encode(raw))


def wrap(secret: bytes, passphrase: str) -> bytes:
    """``salt || Fernet(secret)`` under a key stretched from the passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(
            f"the backup passphrase must be at least {MIN_PASSPHRASE} characters (got {len(passphrase)}); "
            "it protects the key that decrypts clients' personal data"
        )
    salt = os.urandom(_SALT)
    return salt + _fernet(passphrase, salt).encrypt(secret)


def unwrap(blob: bytes, passphrase: str) -> bytes:
    """The secret back, or a clear error when the passphrase is wrong."""
    salt, token = blob[:_SALT], blob[_SALT:]
    try:
        return _fernet(passphrase, salt).decrypt(token)
    except InvalidToken:
        raise UserError("wrong passphrase for this backup's key file (nothing was restored)") from None
