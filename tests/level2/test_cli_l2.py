from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tandem.cli.main import main


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tandem", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_book_json(fixtures: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    z = str(fixtures / "sse_600519_20230201_0950.zip")
    code, out, _ = run(monkeypatch, capsys, "l2", "book", z, z, "--check-snapshots", z, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert 0.99 <= data["match_rate"] <= 1 and isinstance(data["mismatches"], dict)


def test_flow_csv_and_json(fixtures: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    z = str(fixtures / "simple_600000_20200102_head.zip")
    code, out, _ = run(monkeypatch, capsys, "l2", "flow", z, "--format", "csv", "--thresholds", "amount_only")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "minute,class,buy_amount,sell_amount,net_amount"
    assert sum(1 for x in lines if x.startswith("total,")) == 4
    code, out, _ = run(monkeypatch, capsys, "l2", "flow", z, "--format", "json")
    data = json.loads(out)
    assert data["threshold_set"] == "eastmoney" and data["main_force"] == "super_large + large"


def test_replay_prints_minute_updates(
    fixtures: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    z = str(fixtures / "simple_600000_20200102_head.zip")
    code, out, _ = run(monkeypatch, capsys, "l2", "replay", z, "--speed", "0")
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert first["code"] == "600000.SH" and first["minute"] == "09:30"


@pytest.mark.parametrize(
    "args",
    [
        ["l2", "flow", "/nonexistent/trades.csv"],
        ["l2", "flow", "{z}", "--thresholds", "nope"],
        ["l2", "replay", "{z}", "--speed", "fast"],
    ],
)
def test_user_errors_exit_2(
    fixtures: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    z = str(fixtures / "simple_600000_20200102_head.zip")
    code, _, err = run(monkeypatch, capsys, *[a.format(z=z) for a in args])
    assert code == 2 and err.startswith("error:")


@pytest.mark.redis
def test_replay_through_redis_equals_in_process_and_resumes_without_double_counting(
    fixtures: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uuid

    import redis as redis_sync

    z = str(fixtures / "simple_600000_20200102_head.zip")
    group = f"test-{uuid.uuid4().hex[:8]}"
    client = redis_sync.Redis.from_url(redis_url)
    client.delete("tandem:l2:600000.SH", f"tandem:l2:600000.SH:ckpt:{group}")
    try:
        code, local, _ = run(monkeypatch, capsys, "l2", "replay", z, "--speed", "0")
        assert code == 0
        code, via_redis, err = run(
            monkeypatch, capsys, "l2", "replay", z, "--speed", "0", "--redis", redis_url, "--group", group
        )
        assert code == 0, err
        assert [json.loads(x) for x in via_redis.splitlines()] == [json.loads(x) for x in local.splitlines()]
        applied = json.loads(err.strip().splitlines()[-1])["applied"]
        assert applied > 0
        # A second run finds the whole day published and checkpointed: nothing is applied twice.
        code, again, err = run(
            monkeypatch, capsys, "l2", "replay", z, "--speed", "0", "--redis", redis_url, "--group", group
        )
        assert code == 0 and json.loads(err.strip().splitlines()[-1])["applied"] == 0
        # the restored engine only re-announces the day's last open minute, with the same totals as before
        assert [json.loads(x) for x in again.splitlines()] == [json.loads(via_redis.splitlines()[-1])]
        assert client.xlen("tandem:l2:600000.SH") == applied
    finally:
        client.delete(
            "tandem:l2:600000.SH", f"tandem:l2:600000.SH:ckpt:{group}", f"tandem:l2:600000.SH:minutes:{group}"
        )
        client.close()
