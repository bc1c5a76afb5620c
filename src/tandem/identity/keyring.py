"""The personal-data keyring: encryption keys that can be rotated while the app keeps running.

Why a keyring: personal data (logins, phone and ID numbers) was encrypted with one Fernet key derived from the
app secret, so replacing that key meant downtime and a bulk re-encryption. Now:

* ``<home>/pii-keyring.json`` (0600, written atomically) lists keys by id; the **primary** encrypts, every listed
  key decrypts. Without the file the keyring is the one derived key (id 1), exactly the old behaviour, so
  existing data needs no migration.
* :class:`PiiCipher` is what the app holds (``Keys.fernet``): Fernet's ``encrypt``/``decrypt`` over the keyring.
  It re-reads the file when its modification time changes (one ``stat`` per call), and once more when a token
  does not decrypt — so a worker sees a key added by ``tandem keys rotate`` in another process at once, and no
  request fails during a rotation.
* Rotation is three steps, each safe to repeat: ``rotate`` adds a new primary (old keys stay readable),
  ``reencrypt`` rewrites every encrypted column in batches with compare-and-set updates (a row changed
  meanwhile is left to the next pass, never overwritten), ``retire`` removes an old key only when no stored value
  needs it any more. :mod:`tandem.identity.key_rotation` does the database part.

Fernet tokens do not name their key, so "which key" is answered by trying them (a keyring holds a handful).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from tandem.core.errors import ConflictError, UserError

KEYRING_FILE = "pii-keyring.json"
FORMAT = 1
LEGACY_ID = 1
"""The id of the key derived from the app secret (the only key before the first rotation)."""


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key of the ring; ``derived`` keys are not written to the file (they come from the app secret)."""

    id: int
    key: bytes
    created_at: str
    derived: bool = False


@dataclass(frozen=True, slots=True)
class Keyring:
    """The keys by id and which one encrypts."""

    primary: int
    entries: tuple[KeyEntry, ...]

    def entry(self, key_id: int) -> KeyEntry:
        """The key of ``key_id`` or a clear error listing the ids."""
        for e in self.entries:
            if e.id == key_id:
                return e
        raise UserError(f"no key {key_id} in the keyring; its keys are {', '.join(str(e.id) for e in self.entries)}")


def load_keyring(path: Path | None, legacy: bytes) -> Keyring:
    """The keyring at ``path`` (the derived ``legacy`` key is always present unless retired), or the legacy key."""
    derived = KeyEntry(LEGACY_ID, legacy, "", derived=True)
    if path is None or not path.is_file():
        return Keyring(LEGACY_ID, (derived,))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        stored = tuple(KeyEntry(int(k["id"]), k["key"].encode(), str(k["created_at"])) for k in data["keys"])
        retired = set(data.get("retired", []))
        primary = int(data["primary"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path} is not a readable keyring ({exc}); restore it from a backup") from None
    entries = ((derived,) if LEGACY_ID not in retired else ()) + stored
    if primary not in {e.id for e in entries}:
        raise UserError(f"{path}: primary key {primary} is not in the keyring; restore it from a backup")
    return Keyring(primary, entries)


def save_keyring(path: Path, ring: Keyring) -> None:
    """Write ``ring`` atomically with mode 0600 (temp file, fsync, rename); derived keys are only referenced."""
    retired = [] if any(e.derived for e in ring.entries) else [LEGACY_ID]
    data = {
        "format": FORMAT,
        "primary": ring.primary,
        "retired": retired,
        "keys": [
            {"id": e.id, "key": e.key.decode(), "created_at": e.created_at} for e in ring.entries if not e.derived
        ],
    }
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def add_primary(path: Path, legacy: bytes) -> KeyEntry:
    """Add a fresh random key and make it the primary; every older key stays readable."""
    ring = load_keyring(path, legacy)
    new = KeyEntry(max(e.id for e in ring.entries) + 1, Fernet.generate_key(), datetime.now(UTC).isoformat())
    save_keyring(path, Keyring(new.id, (*ring.entries, new)))
    return new


def drop_key(path: Path, legacy: bytes, key_id: int) -> None:
    """Remove a non-primary key from the file (the caller has checked that nothing needs it)."""
    ring = load_keyring(path, legacy)
    ring.entry(key_id)
    if key_id == ring.primary:
        raise ConflictError(f"key {key_id} is the primary; rotate to a new key first")
    save_keyring(path, Keyring(ring.primary, tuple(e for e in ring.entries if e.id != key_id)))


class PiiCipher:
    """Fernet-compatible ``encrypt``/``decrypt`` over the keyring, following the file as other processes change it."""

    def __init__(self, path: Path | None, legacy: bytes) -> None:
        self._path = path
        self._legacy = legacy
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._ring = load_keyring(path, legacy)
        self._fernets: dict[int, Fernet] = {}
        self._install(self._ring, self._mtime())

    # ------------------------------------------------------------------ state
    def _mtime(self) -> float | None:
        try:
            return self._path.stat().st_mtime_ns if self._path is not None else None
        except FileNotFoundError:
            return None

    def _install(self, ring: Keyring, stamp: float | None) -> None:
        self._ring, self._stamp = ring, stamp
        self._fernets = {e.id: Fernet(e.key) for e in ring.entries}

    def _refresh(self, *, force: bool = False) -> None:
        stamp = self._mtime()
        if force or stamp != self._stamp:
            with self._lock:
                self._install(load_keyring(self._path, self._legacy), stamp)

    @property
    def keyring(self) -> Keyring:
        """The keyring as last read."""
        self._refresh()
        return self._ring

    # ------------------------------------------------------------------ Fernet interface
    def encrypt(self, data: bytes) -> bytes:
        """Encrypt with the primary key."""
        self._refresh()
        return self._fernets[self._ring.primary].encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """Decrypt with whichever key made ``token`` (primary first); InvalidToken when none did."""
        self._refresh()
        try:
            return self._try_all(token)
        except InvalidToken:
            self._refresh(force=True)  # a key written a moment ago by another process
            return self._try_all(token)

    def _try_all(self, token: bytes) -> bytes:
        fernets = self._fernets
        order = [self._ring.primary, *(k for k in fernets if k != self._ring.primary)]
        for key_id in order:
            try:
                return fernets[key_id].decrypt(token)
            except InvalidToken:
                continue
        raise InvalidToken

    def key_of(self, token: bytes) -> int | None:
        """The id of the key that decrypts ``token`` (None when no key of the ring does)."""
        self._refresh()
        for key_id, f in self._fernets.items():
            try:
                f.decrypt(token)
                return key_id
            except InvalidToken:
                continue
        return None

    def is_current(self, token: bytes) -> bool:
        """Whether ``token`` is under the primary key (nothing to re-encrypt)."""
        self._refresh()
        try:
            self._fernets[self._ring.primary].decrypt(token)
            return True
        except InvalidToken:
            return False

    def rotate(self, token: bytes) -> bytes:
        """``token``'s plaintext encrypted with the primary key."""
        return self.encrypt(self.decrypt(token))
