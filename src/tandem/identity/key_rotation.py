"""Re-encrypting stored personal data under the keyring's primary key, without downtime (the database half).

Every column whose ``info`` carries :data:`~tandem.identity.models.PII_COLUMN` is found in the models' metadata.
:func:`reencrypt` walks each such table in primary-key order, ``batch`` rows per transaction, and rewrites a
value only with a compare-and-set ``UPDATE … WHERE pk = :pk AND col = :old``: a request that changed the value
meanwhile (a new phone number) wins, and the row is simply counted as changed and picked up by the next pass.
Short transactions mean the app keeps serving throughout; old keys stay readable until :func:`retire` — which
refuses while any stored value still needs the key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, Table, and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import Base
from tandem.core.errors import ConflictError
from tandem.identity.keyring import PiiCipher, drop_key, load_keyring

BATCH = 500


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    """One encrypted column and the primary key of its table."""

    table: Table
    column: Column[bytes]
    pk: Column[int]

    @property
    def name(self) -> str:
        """``table.column``."""
        return f"{self.table.name}.{self.column.name}"


@dataclass(slots=True)
class ReencryptReport:
    """What a pass did per column: rewritten, already under the primary, changed meanwhile, unreadable."""

    rewritten: Counter[str] = field(default_factory=Counter)
    current: Counter[str] = field(default_factory=Counter)
    raced: Counter[str] = field(default_factory=Counter)
    unreadable: Counter[str] = field(default_factory=Counter)

    @property
    def done(self) -> bool:
        """Whether every stored value is now under the primary key."""
        return not sum(self.raced.values()) and not sum(self.unreadable.values())


def encrypted_columns() -> list[EncryptedColumn]:
    """Every keyring-encrypted column of the models (tables with a single integer primary key)."""
    out = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if col.info.get("pii") == "keyring":
                (pk,) = table.primary_key.columns
                out.append(EncryptedColumn(table, col, pk))
    return out


def _batches(db: Session, col: EncryptedColumn, batch: int) -> Iterator[list[tuple[int, bytes]]]:
    last: int | None = None
    while True:
        q = select(col.pk, col.column).where(col.column.is_not(None)).order_by(col.pk).limit(batch)
        if last is not None:
            q = q.where(col.pk > last)
        rows = [(int(pk), bytes(v)) for pk, v in db.execute(q)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def reencrypt(
    sessions: sessionmaker[Session],
    cipher: PiiCipher,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> ReencryptReport:
    """One pass over every encrypted column; run again until ``done`` (a second pass is normally a no-op)."""
    report = ReencryptReport()
    for col in encrypted_columns():
        with sessions() as reader:
            chunks = list(_batches(reader, col, batch))
        for rows in chunks:
            with sessions() as db, db.begin():
                for pk, old in rows:
                    if cipher.is_current(old):
                        report.current[col.name] += 1
                        continue
                    try:
                        new = cipher.rotate(old)
                    except InvalidToken:  # no key of the ring reads it: reported, never overwritten
                        report.unreadable[col.name] += 1
                        continue
                    done = db.execute(
                        update(col.table).where(and_(col.pk == pk, col.column == old)).values({col.column.name: new})
                    )
                    if getattr(done, "rowcount", 0) == 1:
                        report.rewritten[col.name] += 1
                    else:
                        report.raced[col.name] += 1
            if progress is not None:
                progress(col.name, len(rows))
    return report


def key_usage(sessions: sessionmaker[Session], cipher: PiiCipher, *, batch: int = BATCH) -> Counter[int | None]:
    """How many stored values each key id decrypts (``None``: no key of the ring)."""
    usage: Counter[int | None] = Counter()
    for col in encrypted_columns():
        with sessions() as db:
            for rows in _batches(db, col, batch):
                usage.update(cipher.key_of(v) for _, v in rows)
    return usage


def retire(sessions: sessionmaker[Session], cipher: PiiCipher, path: Path, legacy: bytes, key_id: int) -> None:
    """Remove ``key_id`` from the keyring once no stored value needs it (else a ConflictError with the count)."""
    ring = load_keyring(path, legacy)
    ring.entry(key_id)
    if key_id == ring.primary:
        raise ConflictError(f"key {key_id} is the primary; run `tandem keys rotate` first")
    still = key_usage(sessions, cipher)[key_id]
    if still:
        raise ConflictError(
            f"{still} stored value(s) are still encrypted with key {key_id}; run `tandem keys reencrypt` and retry"
        )
    drop_key(path, legacy, key_id)
