"""WeCom client and the member channel against the local emulator: token expiry mid-batch, per-member limits,
outage, splitting, idempotent retries, external contacts (customers: test_wecom_directory; robots: test_wecom_robot)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from wecom_emulator import CORP_ID, SECRET, EmulatorState, FakeClock, running_emulator

from tandem.advisor.wecom.channel import WeComMemberChannel
from tandem.advisor.wecom.client import WeComApiError, WeComClient, WeComConfig, off_reason, wecom_config
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.settings import Settings
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError, TransientChannelError

DISCLAIMER = risk_disclaimer("zh", kind="stock")


class Ledger:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.keys

    def record(self, key: str, detail: str) -> None:
        self.keys.add(key)


class Directory:
    def member_of(self, client_id: str) -> str | None:
        return None if client_id == "user:0" else f"wm_{client_id.removeprefix('user:')}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[tuple[WeComClient, EmulatorState]]:
    with running_emulator(clock) as (url, state), httpx.Client(timeout=5) as http:
        yield WeComClient(WeComConfig(CORP_ID, SECRET, 1000002, url), http=http, clock=clock), state


def channel(client: WeComClient, clock: FakeClock, ledger: Ledger | None = None) -> WeComMemberChannel:
    return WeComMemberChannel(
        client=client, members=Directory(), receipts=ledger or Ledger(), clock=clock, sleep=clock.sleep, max_wait=120
    )


def msg(key: str, body: str, client: str = "user:7") -> OutgoingMessage:
    return OutgoingMessage(key, client, "wecom", "advisor", "诊断", body, {"protected": [DISCLAIMER]})


def test_without_configuration_the_channel_is_off_and_says_why(tmp_path: object) -> None:
    s = Settings(wecom_corp_id="ww1")
    assert wecom_config(s) is None
    assert off_reason(s) == "WeCom channel off: set TANDEM_WECOM_SECRET, TANDEM_WECOM_AGENT_ID"
    assert wecom_config(Settings(wecom_corp_id="ww1", wecom_secret="s", wecom_agent_id=1)) is not None


def test_token_is_cached_and_refreshed_once_when_it_expires_mid_batch(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    ch = channel(client, clock)
    for i in range(3):
        ch.send(msg(f"k{i}", f"第 {i} 条"))
        clock.now += 61
    assert state.token_calls == 1
    state.expire_tokens()
    for i in range(3, 6):
        ch.send(msg(f"k{i}", f"第 {i} 条"))
    assert state.token_calls == 2 and len(state.delivered) == 6


def test_a_long_brief_arrives_in_numbered_parts_within_2048_bytes(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    body = (
        "\n".join(f"第{i}项：评分 {50 + i % 40} 分，较前日 {i % 7 - 3:+d} 分。" for i in range(150)) + "\n" + DISCLAIMER
    )
    channel(client, clock).send(msg("long", body))
    parts = [d["markdown"]["content"] for d in state.delivered]
    assert len(parts) > 2 and all(len(p.encode()) <= 2048 for p in parts)
    assert parts[0].startswith(f"(1/{len(parts)})\n") and sum(DISCLAIMER in p for p in parts) == 1


def test_the_sender_stays_within_30_a_minute_so_nothing_is_dropped(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    ch = channel(client, clock)
    start = clock.now
    for i in range(65):
        ch.send(msg(f"r{i}", f"提醒 {i}"))
    assert state.dropped == 0 and len(state.delivered) == 65
    assert clock.now - start >= 120  # paced: 65 messages need three minutes' windows


def test_a_long_wait_hands_back_to_the_dispatcher_and_a_naive_sender_is_dropped(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    ch = WeComMemberChannel(
        client=client, members=Directory(), receipts=Ledger(), clock=clock, sleep=clock.sleep, max_wait=5
    )
    for i in range(30):
        ch.send(msg(f"a{i}", "x"))
    with pytest.raises(TransientChannelError, match="at the message limit") as held:
        ch.send(msg("a30", "x"))
    assert held.value.retry_after is not None and 55 <= held.value.retry_after <= 60
    for _ in range(3):  # bypassing the scheduler: WeCom drops silently
        client.send_app(touser="wm_7", msgtype="text", content={"content": "y"})
    assert state.dropped == 3


def test_wecom_down_or_rate_limited_is_transient_and_the_retry_sends_nothing_twice(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    ledger = Ledger()
    ch = channel(client, clock, ledger)
    body = "\n".join(f"第{i}行内容，数值 {i * 3.5:.1f}" for i in range(300))
    state.freq_errors = 0
    client.token()
    # fail on the third part with 45009, then retry
    original = client.send_app
    calls = {"n": 0}

    def flaky(**kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            state.freq_errors = 1
        return original(**kw)  # type: ignore[arg-type]

    client.send_app = flaky  # type: ignore[method-assign]
    with pytest.raises(TransientChannelError, match="45009") as held:
        ch.send(msg("retry", body))
    assert held.value.retry_after == 60
    delivered_before = len(state.delivered)
    assert delivered_before == 2
    ch.send(msg("retry", body))
    contents = [d["markdown"]["content"] for d in state.delivered]
    assert len(contents) == len(set(contents))  # no part twice
    n = int(contents[0].split("/")[1].split(")")[0])
    assert len(contents) == n
    state.down = True
    with pytest.raises(TransientChannelError, match="unreachable or failing"):
        ch.send(msg("down", "新消息"))


def test_unlinked_clients_and_unsplittable_texts_are_permanent(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, _ = emulator
    ch = channel(client, clock)
    with pytest.raises(PermanentChannelError, match="no WeCom member account"):
        ch.send(msg("u0", "x", client="user:0"))
    with pytest.raises(PermanentChannelError, match="outside a number"):
        ch.send(msg("num", "9" * 3000))


def test_a_revoked_token_40014_is_refreshed_once_and_a_second_failure_is_raised(
    emulator: tuple[WeComClient, EmulatorState], clock: FakeClock
) -> None:
    client, state = emulator
    ch = channel(client, clock)
    ch.send(msg("t1", "一"))
    state.tokens.clear()  # revoked: the next call answers 40014
    ch.send(msg("t2", "二"))
    assert state.token_calls == 2 and len(state.delivered) == 2
    state.token_ttl = 0  # every new token is born expired: refresh once, then give up with 42001
    state.expire_tokens()
    with pytest.raises(PermanentChannelError, match="42001"):
        ch.send(msg("t3", "三"))
    assert state.token_calls == 3 and len(state.delivered) == 2


def test_robot_limits_and_external_contacts(emulator: tuple[WeComClient, EmulatorState], clock: FakeClock) -> None:
    client, state = emulator
    with pytest.raises(WeComApiError, match="errcode 40058"):
        client.send_robot(key="k", markdown="长" * 1400)
    for _ in range(20):
        client.send_robot(key="k", markdown="晨报")
    with pytest.raises(WeComApiError) as err:
        client.send_robot(key="k", markdown="晨报")
    assert err.value.errcode == 130101
    clock.now += 61  # the minute has passed but the robot stays blocked for 10 minutes
    with pytest.raises(WeComApiError, match="130101"):
        client.send_robot(key="k", markdown="晨报")
    clock.now += 600
    client.send_robot(key="k", markdown="晨报")
    state.add_contact("advisor01", "wmEXT1")
    state.add_contact("advisor01", "wmEXT2")
    assert client.external_contacts(userid="advisor01") == ["wmEXT1", "wmEXT2"]
    assert client.external_contact(external_userid="wmEXT1")["external_contact"]["external_userid"] == "wmEXT1"
