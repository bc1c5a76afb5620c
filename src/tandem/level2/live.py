"""Live mode: the batch book and flow kernels fed incrementally, emitting one update per finished minute.

The web layer calls :func:`minute_updates` with a :class:`LiveEngine` and any async iterator of
:class:`EventBatch` (an in-process :class:`QueueSource` by default, or
:meth:`tandem.level2.redis_stream.RedisStreamConsumer.batches` when Redis is configured) and pushes each
:class:`MinuteUpdate` over SSE. Engine state is a set of arrays, so it checkpoints cheaply (:meth:`state`).

Closing a minute is idempotent, keyed by the minute: the engine remembers the last minute it announced and never
announces it (or an earlier one) again, and the cumulative main-force figure is read from the flow accumulator rather
than added up per announcement, so a repeated close (an idle feed flushed twice, a consumer restarted from its
checkpoint) can neither repeat a minute nor count its amount twice.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tandem.level2.book import OrderBook
from tandem.level2.flow import minute_label
from tandem.level2.flow_live import FlowAccumulator
from tandem.level2.schema import TRADE, EventBatch, Rules
from tandem.level2.thresholds import CLASSES, MAIN_FORCE_CLASSES, ThresholdSet


@dataclass(frozen=True, slots=True)
class MinuteUpdate:
    """Capital flow of one finished minute (CNY) plus book status, ready to serialise for the app."""

    code: str
    minute: str
    buy_amount: dict[str, float]
    sell_amount: dict[str, float]
    net_amount: dict[str, float]
    main_net: float  # 主力 = super_large + large
    cum_main_net: float
    last_price: float
    best_bid: float
    best_ask: float
    needs_resync: bool

    def to_json(self) -> str:
        """Compact JSON (for an SSE ``data:`` line)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


class LiveEngine:
    """Order book + capital flow of one security, advanced by event batches in sequence order."""

    def __init__(
        self, code: str, band: tuple[int, int], thresholds: ThresholdSet, *, rules: Rules = "SSE",
        date: int | None = None, check_gaps: bool = False,
    ) -> None:  # fmt: skip
        self.book = OrderBook(code, band, rules=rules, check_gaps=check_gaps)
        self.flow = FlowAccumulator(code, date, thresholds)
        self.code = code
        self.minute = -1  # the latest minute-of-day with an event
        self.closed = -1  # the latest minute announced; announcements are keyed by minute and never repeat
        self.last_price = 0

    def process(self, batch: EventBatch) -> list[MinuteUpdate]:
        """Apply a batch; return one update for every minute that finished before the batch's last event."""
        if len(batch) == 0:
            return []
        minutes = batch.time_ms // 60_000
        if minutes[0] == minutes[-1]:
            return self._process_minute(batch, int(minutes[0]))
        out: list[MinuteUpdate] = []
        bounds = np.flatnonzero(np.diff(minutes)) + 1
        for part in np.split(np.arange(len(batch)), bounds):
            out += self._process_minute(batch.take(part), int(minutes[part[0]]))
        return out

    def _process_minute(self, batch: EventBatch, minute: int) -> list[MinuteUpdate]:
        out = self._close_minute() if 0 <= self.minute < minute else []
        self.book.apply(batch)
        self.flow.apply(batch)
        trades = np.flatnonzero(batch.kind == TRADE)
        if trades.size:
            self.last_price = int(batch.price[trades[-1]])
        self.minute = max(self.minute, minute)
        return out

    def flush(self) -> list[MinuteUpdate]:
        """The update for the minute in progress (end of feed); nothing if that minute was announced already."""
        return self._close_minute() if self.minute >= 0 else []

    def _close_minute(self) -> list[MinuteUpdate]:
        if self.minute <= self.closed:
            return []
        self.closed = self.minute
        fen = self.flow.acc
        main = [CLASSES.index(c) for c in MAIN_FORCE_CLASSES]
        row = fen[self.minute] / 100.0
        main_net = float(row[main, 0].sum() - row[main, 1].sum())
        upto = fen[: self.minute + 1, main]  # every fen counted so far, whatever minute closes repeated
        cum_main = int(upto[..., 0].sum() - upto[..., 1].sum())
        bp, _, ap, _ = self.book.levels(1)
        return [
            MinuteUpdate(
                code=self.code, minute=str(minute_label(np.array([self.minute]))[0]),
                buy_amount={c: float(row[i, 0]) for i, c in enumerate(CLASSES)},
                sell_amount={c: float(row[i, 1]) for i, c in enumerate(CLASSES)},
                net_amount={c: float(row[i, 0] - row[i, 1]) for i, c in enumerate(CLASSES)},
                main_net=main_net, cum_main_net=cum_main / 100.0, last_price=self.last_price / 100.0,
                best_bid=int(bp[0]) / 100.0, best_ask=int(ap[0]) / 100.0, needs_resync=self.book.needs_resync,
            )
        ]  # fmt: skip

    def state_bytes(self) -> bytes:
        """The whole engine (book, flow accumulators, minute cursor) as one ``.npz`` blob."""
        arrays: dict[str, Any] = {f"book.{k}": v for k, v in self.book.state().items() if isinstance(v, np.ndarray)}
        arrays |= {f"flow.{k}": v for k, v in self.flow.state().items()}
        scalars = {"minute": self.minute, "closed": self.closed, "last_price": self.last_price}
        arrays["scalars"] = np.array(json.dumps(scalars))
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    def load_state(self, blob: bytes) -> None:
        """Restore what :meth:`state_bytes` saved (same code, band and thresholds)."""
        with np.load(io.BytesIO(blob)) as data:
            book = {k.removeprefix("book."): data[k] for k in data.files if k.startswith("book.")}
            flow = {k.removeprefix("flow."): data[k] for k in data.files if k.startswith("flow.")}
            scalars = json.loads(str(data["scalars"]))
        book |= {"code": self.book.code, "rules": self.book.rules}
        self.book = OrderBook.from_state(book)
        self.flow.restore(flow)
        self.minute, self.last_price = scalars["minute"], scalars["last_price"]
        self.closed = scalars.get("closed", -1)  # checkpoints from before announcements were keyed by minute


class QueueSource:
    """In-process event feed: producers ``await put(batch)``, then ``await close()``; iterate with ``batches``."""

    def __init__(self, maxsize: int = 0) -> None:
        self.queue: asyncio.Queue[EventBatch | None] = asyncio.Queue(maxsize)

    async def put(self, batch: EventBatch) -> None:
        """Enqueue a batch (one event or many)."""
        await self.queue.put(batch)

    async def close(self) -> None:
        """Signal the end of the feed."""
        await self.queue.put(None)

    async def batches(self) -> AsyncIterator[EventBatch]:
        """Batches until :meth:`close` was called."""
        while True:
            item = await self.queue.get()
            if item is None:
                return
            yield item


async def minute_updates(engine: LiveEngine, batches: AsyncIterator[EventBatch]) -> AsyncIterator[MinuteUpdate]:
    """Live minute updates for the app: iterate and push each one (e.g. as SSE ``data: update.to_json()``)."""
    async for batch in batches:
        for update in engine.process(batch):
            yield update
    for update in engine.flush():
        yield update
