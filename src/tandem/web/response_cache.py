"""Finished JSON bodies of the quote, K-line and diagnosis endpoints, kept per store version.

Each of these answers depends only on the market store's data and the request's parameters, never on who asks:
the caller changes the headers (``Cache-Control``, set per request in :mod:`tandem.web.api.stocks`), not the
body. Under load the same few stocks are asked for again and again, and building the body (reading bars, pydantic
validation, JSON encoding) cost 5–10× the rest of the request (py-spy, benchmarks/RESULTS.md), so a repeat is a
dictionary look-up. The key is (endpoint, canonical code, parameters); an import makes a new store version and
the first request after it drops every body of the old one (:class:`~tandem.marketdata.versioned_cache.VersionedCache`).

Bodies are encoded exactly as FastAPI encodes a handler's return value for its response model (validate, then
pydantic's ``dump_json`` by alias), so a cached answer is byte-identical to an uncached one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import TypeAdapter

from tandem.marketdata.versioned_cache import VersionedCache

CAPACITY = {"quote": 8192, "bars": 512, "diagnosis": 1024}
"""Bodies kept per endpoint and worker: every listed stock's quote (~0.4 KB each); K-lines (~20 KB for a year,
more for a whole history) and diagnoses (~14 KB) for the stocks asked about most recently."""


@lru_cache(maxsize=32)
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def json_body(model: Any, value: object) -> bytes:
    """``value`` as FastAPI sends it for ``response_model=model``: validated, then dumped to JSON by alias."""
    adapter = _adapter(model)
    return adapter.dump_json(adapter.validate_python(value), by_alias=True)


def json_response(body: bytes) -> Response:
    """A 200 ``application/json`` response with ``body`` (the headers FastAPI's own JSON answer has)."""
    return Response(content=body, media_type="application/json")


class ResponseBodies:
    """Per-worker bodies of the market endpoints, one bounded LRU per endpoint, all keyed by the store version."""

    def __init__(self, version_of: Callable[[], str | None]) -> None:
        self._caches: dict[str, VersionedCache[Hashable, bytes]] = {
            name: VersionedCache(version_of, capacity=capacity) for name, capacity in CAPACITY.items()
        }

    async def body(self, endpoint: str, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The body of ``endpoint`` for ``key``: in place when built already, else ``build()`` in a worker thread.

        ``build`` runs at most once per (version, key) even when many requests miss at once (the others wait for
        it in their threads, not on the event loop); an exception (404, bad parameters) is raised, not cached.
        """
        cache = self._caches[endpoint]
        hit = cache.peek(key)
        if hit is not None:
            return hit
        return await run_in_threadpool(cache.get, key, build)

    def clear(self) -> None:
        """Drop every body (the next request of each rebuilds it)."""
        for cache in self._caches.values():
            cache.clear()
