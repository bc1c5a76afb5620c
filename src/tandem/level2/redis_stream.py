"""Redis Streams transport for live Level-2 events, with exactly-once effect across consumer restarts.

Producer: :class:`RedisStreamBus` ``XADD``s one entry per event (fields packed into one compact string).
Consumer: :class:`RedisStreamConsumer` reads through a consumer group. After each read it stores the engine
state (book + flow accumulators, :meth:`LiveEngine.state_bytes`) together with the last applied stream id
and ``XACK``s the entries **in one MULTI/EXEC transaction**. On restart it loads that checkpoint, re-reads its
pending entries first (delivered but not acknowledged when it died) and skips ids at or below the
checkpointed one — so nothing is lost (unacked entries are redelivered) and nothing is counted twice (the
state never contains an entry whose effect is not in the checkpoint, and vice versa).

:meth:`RedisStreamConsumer.minute_updates` is the live loop built on that: it applies a read, commits (checkpoint,
``XACK`` and the finished minutes written to a hash keyed by minute, ``<stream>:minutes:<group>``) and only then
hands the minutes out, so a consumer killed at any point and started again neither skips a minute nor announces one
twice. One consumer per group: the engine is sequential, so a group is one reader with a durable position.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import numpy as np

from tandem.level2.live import LiveEngine, MinuteUpdate
from tandem.level2.schema import EVENT_COLUMNS, EventBatch, Rules

_FIELDS = tuple(EVENT_COLUMNS)


def _sid(raw: bytes | str) -> tuple[int, int]:
    text = raw.decode() if isinstance(raw, bytes) else raw
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class RedisStreamBus:
    """Publishes event batches to one stream per security (``tandem:l2:<code>``)."""

    def __init__(self, client: Any, prefix: str = "tandem:l2:") -> None:
        self.client, self.prefix = client, prefix

    def stream(self, code: str) -> str:
        """Stream key of a security."""
        return f"{self.prefix}{code}"

    async def publish(self, batch: EventBatch) -> None:
        """``XADD`` every event of ``batch`` (pipelined)."""
        cols = np.column_stack([getattr(batch, f).astype(np.int64) for f in _FIELDS])
        pipe = self.client.pipeline(transaction=False)
        key = self.stream(batch.code)
        for row in cols:
            pipe.xadd(key, {"e": ",".join(map(str, row.tolist()))})
        await pipe.execute()


class RedisStreamConsumer:
    """Consumer-group reader that applies entries to a :class:`LiveEngine` and checkpoints it in Redis."""

    def __init__(
        self, client: Any, engine: LiveEngine, *, rules: Rules, group: str = "tandem-l2", consumer: str = "c1",
        prefix: str = "tandem:l2:", count: int = 500, block_ms: int = 200,
    ) -> None:  # fmt: skip
        self.client, self.engine, self.rules = client, engine, rules
        self.group, self.consumer, self.count, self.block_ms = group, consumer, count, block_ms
        self.stream = f"{prefix}{engine.code}"
        self.ckpt_key = f"{self.stream}:ckpt:{group}"
        self.minutes_key = f"{self.stream}:minutes:{group}"
        self.last_id: tuple[int, int] = (0, 0)
        self.applied = 0

    async def start(self) -> None:
        """Create the group if needed and load the checkpoint (engine state + last applied id)."""
        try:
            await self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except Exception as exc:  # BUSYGROUP: the group exists already
            if "BUSYGROUP" not in str(exc):
                raise
        saved = await self.client.hgetall(self.ckpt_key)
        if saved:
            self.engine.load_state(saved[b"state"])
            self.last_id = _sid(saved[b"last_id"])

    def _decode(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> tuple[EventBatch | None, list[bytes]]:
        ids = [eid for eid, _ in entries]
        fresh = [fields[b"e"] for eid, fields in entries if _sid(eid) > self.last_id]
        if not fresh:
            return None, ids
        rows = np.array([list(map(int, f.split(b","))) for f in fresh], dtype=np.int64)
        cols = {name: rows[:, i].astype(dt) for i, (name, dt) in enumerate(EVENT_COLUMNS.items())}
        batch = EventBatch(code=self.engine.code, rules=self.rules, date=self.engine.flow.date, **cols)
        return batch, ids

    async def _commit(self, ids: list[bytes], updates: Sequence[MinuteUpdate] = ()) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(
            self.ckpt_key,
            mapping={"state": self.engine.state_bytes(), "last_id": f"{self.last_id[0]}-{self.last_id[1]}"},
        )
        if updates:
            pipe.hset(self.minutes_key, mapping={u.minute: u.to_json() for u in updates})
        if ids:
            pipe.xack(self.stream, self.group, *ids)
        await pipe.execute()

    async def _read(self, start: str, block: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        resp = await self.client.xreadgroup(
            self.group, self.consumer, {self.stream: start}, count=self.count, block=block
        )
        return list(resp[0][1]) if resp else []

    async def minute_updates(self, *, feed_done: Callable[[], bool]) -> AsyncIterator[MinuteUpdate]:
        """Finished minutes, each handed out only after its entries are acknowledged and the engine checkpointed.

        Reads this consumer's pending entries first (a restart after a crash), then new ones. When a read comes back
        empty and ``feed_done()`` was already true before it, the feed has ended: the minute in progress is flushed
        (recorded in the minutes hash, not checkpointed, so a later run announces the day's last minute again with
        the same figures) and the iterator returns. An idle feed that has not ended only waits: it never closes a
        minute early.
        """
        pending = True
        while True:
            ended = feed_done()
            entries = await self._read("0" if pending else ">", None if pending else self.block_ms)
            if not entries:
                if pending:
                    pending = False
                    continue
                if ended:
                    break
                continue
            batch, ids = self._decode(entries)
            updates = self.engine.process(batch) if batch is not None else []
            self.applied += len(batch) if batch is not None else 0
            self.last_id = max(self.last_id, _sid(ids[-1]))
            await self._commit(ids, updates)
            for update in updates:
                yield update
        final = self.engine.flush()
        if final:
            await self.client.hset(self.minutes_key, mapping={u.minute: u.to_json() for u in final})
        for update in final:
            yield update

    async def batches(
        self, *, stop_when_idle: bool = True, max_entries: int | None = None
    ) -> AsyncIterator[EventBatch]:
        """Apply-ready batches; the checkpoint commit for a batch happens when the next one is requested.

        ``max_entries`` stops after about that many entries without committing the last read (used by tests
        to simulate a crash between processing and acknowledgement).
        """
        pending_first = True
        seen = 0
        while True:
            start = "0" if pending_first else ">"
            resp = await self.client.xreadgroup(
                self.group, self.consumer, {self.stream: start}, count=self.count,
                block=None if pending_first else self.block_ms,
            )  # fmt: skip
            entries = resp[0][1] if resp else []
            if pending_first and not entries:
                pending_first = False
                continue
            if not entries:
                if stop_when_idle:
                    return
                continue
            batch, ids = self._decode(entries)
            seen += len(ids)
            if batch is not None:
                yield batch
                self.applied += len(batch)
            self.last_id = max(self.last_id, _sid(ids[-1]))
            if max_entries is not None and seen >= max_entries:
                return
            await self._commit(ids)
