"""Personal data: masking for display and logs, encryption at rest, and a structlog processor that masks logs.

Masks keep just enough to recognise one's own data (138****5678, 1101**********1234) and nothing that identifies a
person to someone else.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

from cryptography.fernet import InvalidToken

from tandem.core.errors import ValidationFailed

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    """An 18-character resident ID → first 4 and last 4 kept, the rest starred."""
    s = id_number.strip()
    if len(s) <= 8:
        return "*" * len(s)
    return f"{s[:4]}{'*' * (len(s) - 8)}{s[-4:]}"


def normalize_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits (``+86`` and separators removed), or ValidationFailed."""
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ValidationFailed("phone must be a mainland mobile number of 11 digits starting 13–19, e.g. 13812345678")
    return digits


def normalize_id_number(raw: str) -> str:
    """An 18-character resident ID number (last character a digit or X) with a valid checksum."""
    s = raw.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", s):
        raise ValidationFailed("ID number must be 18 characters: 17 digits then a digit or X")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(s[:17], weights, strict=True)) % 11]
    if s[17] != check:
        raise ValidationFailed("ID number checksum does not match; check the number for a typo")
    return s


def normalize_login(raw: str) -> tuple[str, str]:
    """``(kind, value)`` for a login that is an e-mail (lower-cased) or a mainland mobile number."""
    s = raw.strip()
    if "@" in s:
        if not EMAIL_RE.fullmatch(s):
            raise ValidationFailed("username must be an e-mail such as name@example.com or an 11-digit mobile number")
        return "email", s.lower()
    return "phone", normalize_phone(s)


def display_login(kind: str, value: str) -> str:
    """How a login is shown: phones masked, e-mails as they are (they are the user's own, shown to them)."""
    return mask_phone(value) if kind == "phone" else value


def login_digest(key: bytes, value: str) -> str:
    """Deterministic keyed hash of a normalised login, so it can be looked up without storing it in clear."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class Cipher(Protocol):
    """Fernet's interface: :class:`~tandem.identity.keyring.PiiCipher` (the keyring) or a plain ``Fernet``."""

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt with the current key."""
        ...

    def decrypt(self, token: bytes) -> bytes:
        """Decrypt, raising ``InvalidToken`` when no key fits."""
        ...


def encrypt(fernet: Cipher, value: str) -> bytes:
    """Encrypt a personal-data field for storage."""
    return fernet.encrypt(value.encode())


def decrypt(fernet: Cipher, token: bytes) -> str:
    """Decrypt a stored field; a key mismatch is a configuration error, reported as such."""
    try:
        return fernet.decrypt(token).decode()
    except InvalidToken:
        raise RuntimeError(
            "stored personal data cannot be decrypted: TANDEM_SECRET_KEY or secret.key changed"
        ) from None
