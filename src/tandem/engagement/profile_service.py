"""Profiles as a service: fold new events in, persist the state atomically, show and delete a client's tags.

The state lives under ``<home>/engagement/profiles/`` as versioned Parquet snapshots (``state-<n>/`` plus a
``CURRENT`` pointer swapped with one rename, so a reader sees the old or the new snapshot, never half of one);
deletions live in the application database (:class:`ProfileTagSuppression`) because they are the client's
decisions and must survive any rebuild of the state.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope, utcnow
from tandem.core.errors import NotFoundError
from tandem.core.i18n import Joined, Message
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.items import ItemCatalogue
from tandem.engagement.profile_models import ALL_TAGS, ProfileTagSuppression
from tandem.engagement.profile_why import TagEvidence, tag_evidence
from tandem.engagement.profiles import (
    ASSESSMENT_VALIDITY,
    ProfileState,
    activity_level,
    drop_tags,
    fold,
    item_tags,
    tag_label,
    why_objects,
)


@dataclass(frozen=True, slots=True)
class Tag:
    """One interest tag as the client sees it: key (for deletion), words, and its share within its kind."""

    key: str
    label: str
    """The tag's words as the data names it (a board, an industry or a product kind: ``创业板``, ``白酒``)."""
    score: float
    share: float
    why: Message | None = None
    """For a board (``theme:``) tag: which of the client's stocks it came from (None for other tags)."""


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """What the account page shows and the recommender reads for one client."""

    client_id: int
    tags: tuple[Tag, ...]
    activity: str
    risk_category: str | None
    assessment_valid_until: datetime | None
    last_seen: datetime | None

    def top(self, kind: str, n: int = 3) -> list[Tag]:
        """The ``n`` strongest tags of one kind (``industry``, ``board``, ``style``, ``product``)."""
        return [t for t in self.tags if t.key.startswith(f"{kind}:")][:n]


class ProfileStateStore:
    """Versioned snapshots of :class:`ProfileState` under ``root`` (atomic swap through ``CURRENT``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive among every thread and process of this home (``flock`` on ``<root>/.lock``).

        Two web workers folding events at once otherwise both write ``state-<n+1>/`` and one removes the other's
        files mid-write. Not re-entrant: :meth:`save` takes it, :meth:`write_locked` expects it held.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def load(self) -> ProfileState:
        """The current snapshot, or the empty state.

        Read under a shared ``flock`` on ``<root>/.read.lock``: a writer removes old snapshots only when it can
        take that lock exclusively without waiting, so a reader never loses the snapshot it is reading.
        """
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return ProfileState.empty()
        with (self.root / ".read.lock").open("a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
            try:
                return self._read(self.root / pointer.read_text(encoding="utf-8").strip())
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _read(folder: Path) -> ProfileState:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        as_of = datetime.fromisoformat(meta["as_of"]) if meta["as_of"] else None
        seen = frozenset(meta["seen"])
        objects = folder / "objects.parquet"  # absent in snapshots written before why-lines existed
        return ProfileState(
            pl.read_parquet(folder / "tags.parquet"),
            pl.read_parquet(folder / "clients.parquet"),
            as_of,
            seen,
            pl.read_parquet(objects) if objects.exists() else ProfileState.empty().objects,
        )

    def save(self, state: ProfileState) -> None:
        """Write a new snapshot and point ``CURRENT`` at it; older snapshots are then removed (unless being read)."""
        with self.writing():
            self.write_locked(state)

    def write_locked(self, state: ProfileState) -> None:
        """:meth:`save` for a caller already inside :meth:`writing` (a read-fold-write that must not interleave)."""
        self.root.mkdir(parents=True, exist_ok=True)
        pointer = self.root / "CURRENT"
        previous = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None
        number = int(previous.split("-")[1]) + 1 if previous else 1
        folder = self.root / f"state-{number}"
        shutil.rmtree(folder, ignore_errors=True)  # left by a writer that crashed before its swap
        folder.mkdir()
        state.tags.write_parquet(folder / "tags.parquet")
        state.clients.write_parquet(folder / "clients.parquet")
        state.objects.write_parquet(folder / "objects.parquet")
        meta = {
            "as_of": state.as_of.isoformat() if state.as_of else None,
            "seen": sorted(state.seen),
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(folder.name, encoding="utf-8")
        tmp.replace(pointer)
        self._remove_old(keep=folder.name)

    def _remove_old(self, *, keep: str) -> None:
        """Remove every other snapshot unless a reader is on one (then the next write removes them)."""
        with (self.root / ".read.lock").open("a+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            try:
                for old in self.root.glob("state-*"):
                    if old.name != keep:
                        shutil.rmtree(old, ignore_errors=True)
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class ProfileService:
    """Update, read and edit profiles (keyword-only arguments throughout)."""

    def __init__(
        self,
        *,
        events: ParquetEventStore,
        state: ProfileStateStore,
        sessions: sessionmaker[Session],
        catalogue: ItemCatalogue,
    ) -> None:
        self._events = events
        self._state = state
        self._sessions = sessions
        self.catalogue = catalogue
        self._tags = item_tags(catalogue)
        self._names = dict(zip(catalogue.items["object_id"], catalogue.items["name"], strict=True))

    def update(self) -> ProfileState:
        """Fold every event received since the last update into the profiles and persist the result."""
        current = self._state.load()
        if not frozenset(self._events.files()) - current.seen:
            return current  # nothing new: no lock, the common case of a page view
        with self._state.writing():  # another worker may have folded the same files meanwhile: start from its result
            current = self._state.load()
            files = frozenset(self._events.files()) - current.seen
            new = self._events.read_files(sorted(files))
            folded = fold(current, new, tags=self._tags, suppressions=self._suppressions(), files=files)
            if folded is not current:
                self._state.write_locked(folded)
            return folded

    def rebuild(self) -> ProfileState:
        """Recompute every profile from all stored events (deletions still hold) and persist it."""
        files = self._events.files()
        folded = fold(
            ProfileState.empty(),
            self._events.read_files(files),
            tags=self._tags,
            suppressions=self._suppressions(),
            files=frozenset(files),
        )
        self._state.save(folded)
        return folded

    def profile(self, client_id: int, *, state: ProfileState | None = None) -> ClientProfile:
        """One client's profile; a client with no events yet gets an empty one."""
        st = state or self._state.load()
        return profile_of(st, client_id, carried=self._tags, names=self._names)

    def evidence(self, *, client_id: int, tags: list[str]) -> dict[str, TagEvidence]:
        """Which of the client's own acts built each of ``tags`` (deletions honoured), for the why-lines."""
        if not tags:
            return {}
        events = self._events.read(client_ids=[client_id], columns=["client_id", "type", "object_id", "client_time"])
        mine = self._suppressions().filter(pl.col("client_id") == client_id).select("tag", "deleted_at")
        return tag_evidence(events, item_tags=self._tags, names=self._names, suppressions=mine, tags=tags)

    def delete_tag(self, *, client_id: int, tag: str, at: datetime | None = None) -> None:
        """Delete one tag of the client, for good: recorded, then removed from the current state."""
        current = self._state.load()
        if (
            tag != ALL_TAGS
            and current.tags.filter((pl.col("client_id") == client_id) & (pl.col("tag") == tag)).is_empty()
        ):
            raise NotFoundError(f"client {client_id} has no tag {tag!r}; list the tags on the account page first")
        self._record(client_id, tag, at or utcnow())
        self._state.save(drop_tags(current, client_id=client_id, tags=None if tag == ALL_TAGS else [tag]))

    def delete_all_tags(self, *, client_id: int, at: datetime | None = None) -> None:
        """Delete every tag of the client (the "delete all" button)."""
        self.delete_tag(client_id=client_id, tag=ALL_TAGS, at=at)

    def _record(self, client_id: int, tag: str, at: datetime) -> None:
        with session_scope(self._sessions) as session:
            row = session.scalars(
                select(ProfileTagSuppression).where(
                    ProfileTagSuppression.client_id == client_id, ProfileTagSuppression.tag == tag
                )
            ).first()
            if row is None:
                session.add(ProfileTagSuppression(client_id=client_id, tag=tag, deleted_at=at))
            else:
                row.deleted_at = at

    def _suppressions(self) -> pl.DataFrame:
        with session_scope(self._sessions) as session:
            rows = session.execute(
                select(ProfileTagSuppression.client_id, ProfileTagSuppression.tag, ProfileTagSuppression.deleted_at)
            ).all()
        schema = pl.Schema({"client_id": pl.Int64(), "tag": pl.String(), "deleted_at": pl.Datetime("us", "UTC")})
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def theme_why(
    state: ProfileState, carried: pl.DataFrame, names: dict[str, str], *, client_id: int, tag: str
) -> Message | None:
    """The why-line of a board tag: the client's own stocks in that board, strongest first (None when none)."""
    stocks = [names.get(o, o) for o in why_objects(state, carried, client_id=client_id, tag=tag)]
    if not stocks:
        return None
    return Message("tag.theme_why", {"stocks": Joined(tuple(stocks))})


def profile_of(
    state: ProfileState,
    client_id: int,
    *,
    carried: pl.DataFrame | None = None,
    names: dict[str, str] | None = None,
) -> ClientProfile:
    """Read one client's profile out of a state (tags strongest first, shares within each tag kind).

    With ``carried`` (item → tag rows) (and item ``names``) board tags carry their why-line (:func:`theme_why`).
    """
    mine = state.tags.filter(pl.col("client_id") == client_id).with_columns(
        pl.col("tag").str.split(":").list.first().alias("kind")
    )
    mine = mine.with_columns((pl.col("score") / pl.col("score").sum().over("kind")).alias("share")).sort(
        "score", descending=True
    )
    tags = tuple(
        Tag(
            t,
            tag_label(t),
            round(s, 4),
            round(sh, 4),
            theme_why(state, carried, names or {}, client_id=client_id, tag=t)
            if carried is not None and t.startswith("theme:")
            else None,
        )
        for t, s, sh in mine.select("tag", "score", "share").iter_rows()
    )
    facts = state.clients.filter(pl.col("client_id") == client_id)
    if facts.is_empty():
        return ClientProfile(client_id, tags, activity_level(0.0), None, None, None)
    row = facts.row(0, named=True)
    assessed = row["assessed_at"]
    return ClientProfile(
        client_id,
        tags,
        activity_level(float(row["activity"] or 0.0)),
        row["risk_category"],
        assessed + ASSESSMENT_VALIDITY if assessed is not None else None,
        row["last_seen"],
    )
