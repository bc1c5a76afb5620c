"""Finished JSON bodies of the quote, K-line and diagnosis endpoints, kept per store version.

Each of these answers depends only on the market store's data and the request's parameters, never on who asks:
the caller changes the headers (``Cache-Control``, set per request in :mod:`tandem.web.api.stocks`), not the
body. Under load the same few stocks are asked for again and again, and building the body (reading bars, pydantic
validation, JSON encoding) cost 5–10× the rest of the request (py-spy, benchmarks/RESULTS.md), so a repeat is a
dictionary look-up. The key is (endpoint, canonical code, parameters); an import makes a new store version and
the first request after it drops every body of the old one (:class:`~tandem.marketdata.versioned_cache.VersionedCache`).

Bodies are encoded exactly as FastAPI encodes a handler's return value for its response model (validate, then
pydantic's ``dump_json`` by alias), so a cached answer is byte-identical to an uncached one. A client that accepts
gzip (every browser) gets the body compressed once per version too, with the bytes and headers the app's
``GZipMiddleware`` would produce (zlib's gzip stream carries no timestamp, so compressing again gives the same
bytes); the middleware passes an answer that already names its encoding through untouched.
"""

from __future__ import annotations

import zlib
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


GZIP_MINIMUM_SIZE = 800
"""Bodies smaller than this are sent uncompressed (the app's GZipMiddleware uses the same bound)."""
GZIP_LEVEL = 5
"""zlib level of every compressed answer: 9 takes twice the CPU for ~1 % fewer bytes on the K-line JSON."""


def gzip_bytes(body: bytes) -> bytes:
    """``body`` compressed exactly as Starlette's GZipMiddleware compresses a complete body at ``GZIP_LEVEL``."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


def accepts_gzip(accept_encoding: str | None) -> bool:
    """The middleware's own test of the request's first ``Accept-Encoding`` header."""
    return "gzip" in (accept_encoding or "")


@lru_cache(maxsize=32)
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def json_body(model: Any, value: object) -> bytes:
    """``value`` as FastAPI sends it for ``response_model=model``: validated, then dumped to JSON by alias."""
    adapter = _adapter(model)
    return adapter.dump_json(adapter.validate_python(value), by_alias=True)


def json_response(body: bytes) -> Response:
    """A 200 ``application/json`` response with ``body`` (the headers FastAPI's own JSON answer has).

    For a compressed ``body`` the caller adds its own headers, then :func:`finish_gzip`.
    """
    return Response(content=body, media_type="application/json")


def finish_gzip(response: Response) -> Response:
    """The headers GZipMiddleware adds after the handler's own: ``Vary: Accept-Encoding``, ``Content-Encoding``."""
    response.headers.add_vary_header("Accept-Encoding")
    response.headers["Content-Encoding"] = "gzip"
    return response


class ResponseBodies:
    """Per-worker bodies of the market endpoints, one bounded LRU per endpoint, all keyed by the store version."""

    def __init__(self, version_of: Callable[[], str | None]) -> None:
        self._caches: dict[str, VersionedCache[Hashable, bytes]] = {}
        for name, capacity in CAPACITY.items():
            self._caches[name] = VersionedCache(version_of, capacity=capacity)
            self._caches[f"{name}.gz"] = VersionedCache(version_of, capacity=capacity)

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

    async def answer(
        self, endpoint: str, key: Hashable, build: Callable[[], bytes], *, gzip: bool
    ) -> tuple[bytes, bool]:
        """The body to send and whether it is compressed.

        Compressed (once per body) when the client accepts gzip and the body is as large as the middleware's bound.
        """
        return self._encoded(endpoint, key, await self.body(endpoint, key, build), gzip=gzip)

    def cached(self, endpoint: str, key: Hashable, *, gzip: bool) -> tuple[bytes, bool] | None:
        """What :meth:`answer` would send when the body is built already, else None (never builds, never waits).

        The ASGI fast path (:mod:`tandem.web.fast_path`) answers from this without a thread-pool hop.
        """
        body = self._caches[endpoint].peek(key)
        return None if body is None else self._encoded(endpoint, key, body, gzip=gzip)

    def _encoded(self, endpoint: str, key: Hashable, body: bytes, *, gzip: bool) -> tuple[bytes, bool]:
        if not gzip or len(body) < GZIP_MINIMUM_SIZE:
            return body, False
        gz = self._caches[f"{endpoint}.gz"]
        gz_key = (key, body)  # the body itself: a compressed copy never outlives the body it was made from
        compressed = gz.peek(gz_key)
        if compressed is None:
            compressed = gz.get(gz_key, lambda: gzip_bytes(body))  # ~0.4 ms for a year's K-line, once
        return compressed, True

    def clear(self) -> None:
        """Drop every body (the next request of each rebuilds it)."""
        for cache in self._caches.values():
            cache.clear()
