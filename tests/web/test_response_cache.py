"""Finished bodies of quote, K-line and diagnosis: built once per store version, byte-identical, errors not kept."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from tandem.core.errors import NotFoundError
from tandem.web.api import stocks
from tandem.web.response_cache import ResponseBodies, gzip_bytes, json_body
from tandem.web.schemas import QuotePublic


def test_bodies_are_built_once_per_version_and_failures_are_not_kept() -> None:
    version = ["v1"]
    bodies = ResponseBodies(lambda: version[0])
    calls: list[str] = []

    def build() -> bytes:
        calls.append(version[0])
        return f"body@{version[0]}".encode()

    def failing() -> bytes:
        raise NotFoundError("no bars")

    async def run() -> list[bytes]:
        out = [await bodies.body("quote", "600519.SH", build), await bodies.body("quote", "600519.SH", build)]
        version[0] = "v2"
        out.append(await bodies.body("quote", "600519.SH", build))
        with pytest.raises(NotFoundError):
            await bodies.body("bars", ("000001.SZ", "qfq", None, None), failing)
        out.append(await bodies.body("bars", ("000001.SZ", "qfq", None, None), build))
        return out

    assert asyncio.run(run()) == [b"body@v1", b"body@v1", b"body@v2", b"body@v2"]
    assert calls == ["v1", "v2", "v2"]


def test_json_body_is_what_fastapi_sends(client, alice) -> None:
    r = client.get("/api/v1/stocks/600519.SH/quote", headers=alice)
    assert r.status_code == 200
    assert json_body(QuotePublic, QuotePublic.model_validate(r.json())) == r.content


def test_repeat_requests_reuse_the_body_and_keep_per_caller_headers(client, alice, monkeypatch) -> None:
    calls: list[str] = []
    real = stocks.quote

    def counting(store, code):  # type: ignore[no-untyped-def]
        calls.append(code)
        return real(store, code)

    monkeypatch.setattr(stocks, "quote", counting)
    signed_in = client.get("/api/v1/stocks/600036.SH/quote", headers=alice)
    visitor = client.get("/api/v1/stocks/600036/quote")
    again = client.get("/api/v1/stocks/sh600036/quote", headers=alice)
    assert calls == ["600036.SH"], "every spelling of the code shares one body"
    assert signed_in.content == visitor.content == again.content
    assert signed_in.headers["cache-control"] == "private, no-cache"
    assert visitor.headers["cache-control"].startswith("public")
    assert signed_in.headers["content-type"] == "application/json"
    assert signed_in.headers["vary"].startswith("Authorization, Cookie")


def test_bars_and_diagnosis_bodies_are_keyed_by_their_parameters(client, alice) -> None:
    one = client.get("/api/v1/stocks/600519.SH/bars", params={"start": "2024-06-03"}, headers=alice)
    other = client.get("/api/v1/stocks/600519.SH/bars", params={"start": "2024-06-03", "adjust": "none"}, headers=alice)
    assert one.status_code == other.status_code == 200
    assert one.json()["adjust"] == "qfq" and other.json()["adjust"] == "none"
    last = client.get("/api/v1/stocks/600519.SH/diagnosis", headers=alice).json()
    earlier = client.get("/api/v1/stocks/600519.SH/diagnosis", params={"as_of": "2024-06-28"}, headers=alice).json()
    assert earlier["as_of"] == "2024-06-28" and last["as_of"] != earlier["as_of"]


def test_gzip_answers_are_the_middlewares_bytes_and_headers(client, alice) -> None:
    url = "/api/v1/stocks/600519.SH/bars?start=2024-04-01"
    plain = client.get(url, headers={**alice, "accept-encoding": "identity"})
    for _ in range(2):  # the first compresses the cached body, the second reuses the compressed copy
        with client.stream("GET", url, headers={**alice, "accept-encoding": "gzip"}) as r:
            raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["vary"] == "Authorization, Cookie, Accept-Encoding"
        assert int(r.headers["content-length"]) == len(raw)
        assert raw == gzip_bytes(plain.content) and gzip.decompress(raw) == plain.content
    small = client.get("/api/v1/stocks/600519.SH/quote", headers={**alice, "accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers, "below the middleware's minimum size nothing is compressed"
