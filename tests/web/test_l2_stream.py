"""The Level-2 panel's API: availability, and the recorded day replayed live over SSE (bundled real sample)."""

from __future__ import annotations

import json

import numpy as np

from tandem.level2.replay import MAX_GAP_MS, replay_chunks

PROBLEM = "application/problem+json"


def _events(client, headers, url):
    """Parsed SSE events ``(name, data)`` of a whole stream."""
    out, name = [], None
    with client.stream("GET", url, headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                out.append((name, json.loads(line[6:])))
    return out


def test_overview_has_the_recorded_day_and_daily_flow(client, alice) -> None:
    body = client.get("/api/v1/stocks/600519/l2", headers=alice).json()
    assert body["replay_date"] == "2023-02-01" and body["flow_date"] == "2023-02-01"
    assert [r["label_zh"] for r in body["daily_flow"]] == ["超大单", "大单", "中单", "小单"]
    main = sum(r["net_amount"] for r in body["daily_flow"][:2])
    assert abs(body["main_net"] - main) < 1e-6 and "主力 = 超大单 + 大单" in body["method"]
    other = client.get("/api/v1/stocks/000001.SZ/l2", headers=alice).json()
    assert other["replay_date"] is None and len(other["daily_flow"]) == 4
    none = client.get("/api/v1/stocks/000002.SZ/l2", headers=alice).json()
    assert none["replay_date"] is None and none["daily_flow"] == [] and none["main_net"] is None


def test_replay_streams_minutes_that_add_up_to_the_daily_flow(client, alice, sample_store) -> None:
    events = _events(client, alice, "/api/v1/stocks/600519.SH/l2/stream?speed=0")
    first_name, first = events[0]
    assert first_name == "minute" and first["code"] == "600519.SH" and first["minute"] == "09:15"  # call auction
    assert set(first["net_amount"]) == {"super_large", "large", "medium", "small"}
    traded = next(e for n, e in events if n == "minute" and e["last_price"] > 0)
    assert traded["minute"] == "09:25" and 1700 < traded["last_price"] < 1900  # the opening auction print
    assert events[-1] == ("end", {"done": True})
    minutes = [e for n, e in events if n == "minute"]
    assert [m["minute"] for m in minutes] == sorted({m["minute"] for m in minutes})  # each minute once, in order
    assert minutes[-1]["minute"] == "15:00" and not minutes[-1]["needs_resync"]
    daily = sample_store.capital_flow("600519.SH").set_index("class")
    for cls in ("super_large", "large", "medium", "small"):  # the live engine agrees with the stored batch flow
        assert abs(sum(m["net_amount"][cls] for m in minutes) - daily.loc[cls, "net_amount"]) < 1.0, cls
    main = daily.loc[["super_large", "large"], "net_amount"].sum()
    assert abs(minutes[-1]["cum_main_net"] - main) < 1.0


def test_first_minute_arrives_at_replay_speed(client, alice) -> None:
    with client.stream("GET", "/api/v1/stocks/600519/l2/stream?speed=600", headers=alice) as r:
        for line in r.iter_lines():
            if line.startswith("data: ") and "minute" in line:
                assert json.loads(line[6:])["minute"] == "09:15"
                break


def test_stream_errors(client, alice) -> None:
    r = client.get("/api/v1/stocks/000002.SZ/l2/stream", headers=alice)
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM) and "Level-2" in r.json()["detail"]
    assert client.get("/api/v1/stocks/600519/l2/stream").status_code == 401
    assert client.get("/api/v1/stocks/600519/l2/stream?speed=-1", headers=alice).status_code == 422
    assert client.get("/api/v1/stocks/999999/l2/stream", headers=alice).status_code == 404


def test_replay_shortens_long_pauses_and_keeps_feed_order() -> None:
    t = np.array([9 * 3600_000, 9 * 3600_000 + 500, 11 * 3600_000 + 1800_000, 13 * 3600_000, 13 * 3600_000 + 100])
    chunks, due = replay_chunks(t, speed=10, tick_s=0.1)
    assert np.concatenate(chunks).tolist() == list(range(5))
    assert due[-1] * 1000 * 10 <= 500 + 2 * MAX_GAP_MS + 100  # the lunch break became one minute of market time
    assert [len(c) for c in replay_chunks(t, speed=0)[0]] == [5]
