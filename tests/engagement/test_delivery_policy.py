"""The delivery policy: suitability, caps, quiet hours (hypothesis properties), switches, dedup and collapse."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from delivery_fixtures import NOON, SHANGHAI, candidate, client, config
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import UserError
from tandem.engagement.delivery.policy import DeliveryPolicy, PushHistory
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.records import Basis, Outcome, Reason


def _policy(audit: MemoryAuditLog | None = None, **kw: object) -> DeliveryPolicy:
    return DeliveryPolicy(config=config(**kw), suitability=SuitabilityService(audit=audit or MemoryAuditLog()))  # type: ignore[arg-type]


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC))
clock_times = st.times().map(lambda t: t.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(category=st.sampled_from(list(InvestorCategory)), risk=st.sampled_from(list(ProductRisk)))
def test_product_pushes_never_exceed_the_clients_level_and_every_check_is_audited(
    category: InvestorCategory, risk: ProductRisk
) -> None:
    audit = MemoryAuditLog()
    cand = candidate(category="recommendation", product_code="F001", product_risk=risk, basis=Basis.PROFILE)
    [d] = _policy(audit).decide(
        candidates=[cand], clients={"c1": client(risk_category=category)}, history=PushHistory(), now=NOON
    )
    assert d.enqueued == (risk.rank <= category.rank)
    if not d.enqueued:
        assert d.reason is Reason.SUITABILITY
    [entry] = audit.query(subject="client:c1", action="suitability.check")
    assert entry.detail == {"product": "F001", "category": category.value, "product_risk": risk.value}


def test_product_push_without_a_valid_assessment_is_refused() -> None:
    cand = candidate(category="recommendation", product_code="F001", product_risk=ProductRisk.R1)
    [d] = _policy().decide(
        candidates=[cand], clients={"c1": client(risk_category=None)}, history=PushHistory(), now=NOON
    )
    assert (d.outcome, d.reason) == (Outcome.REJECTED, Reason.NO_VALID_ASSESSMENT)


@settings(max_examples=150, deadline=None)
@given(
    start=clock_times,
    end=clock_times,
    now=moments,
)
def test_quiet_hours_defer_to_the_first_moment_outside_the_window(start: time, end: time, now: datetime) -> None:
    q = QuietHours(start, end, SHANGHAI)
    at = q.next_open(now)
    assert at >= now
    assert not q.contains(at)
    assert at - now <= timedelta(days=1)
    if not q.contains(now):
        assert at == now
    else:  # nothing earlier is open: one second before `at` is still quiet (the window is left exactly at `at`)
        assert q.contains(at - timedelta(seconds=1)) or at - timedelta(seconds=1) < now
        assert at.astimezone(SHANGHAI).time() == end


@settings(max_examples=150, deadline=None)
@given(start=clock_times, end=clock_times, now=moments)
def test_no_push_is_scheduled_inside_quiet_hours(start: time, end: time, now: datetime) -> None:
    policy = _policy(quiet=(start, end))
    decisions = policy.decide(candidates=[candidate()], clients={"c1": client()}, history=PushHistory(), now=now)
    [d] = decisions
    assert d.enqueued and d.deliver_at is not None
    assert not policy.quiet.contains(d.deliver_at)
    assert d.outcome is (Outcome.DEFERRED if policy.quiet.contains(now) else Outcome.ACCEPTED)


def test_quiet_hours_wrap_midnight_in_shanghai_time() -> None:
    q = QuietHours(time(22, 0), time(8, 0), SHANGHAI)
    late = datetime(2024, 3, 5, 23, 30, tzinfo=SHANGHAI)
    assert q.contains(late)
    assert q.next_open(late) == datetime(2024, 3, 6, 8, 0, tzinfo=SHANGHAI)
    assert not q.contains(datetime(2024, 3, 5, 21, 59, tzinfo=SHANGHAI))
    assert q.contains(datetime(2024, 3, 6, 7, 59, tzinfo=SHANGHAI))
    assert not q.contains(datetime(2024, 3, 6, 0, 0, tzinfo=UTC))  # 08:00 in Shanghai


@settings(max_examples=120, deadline=None)
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(["c1", "c2", "c3"]), st.sampled_from(["inapp", "email"]), st.integers(0, 71)),
        min_size=1,
        max_size=60,
    ),
    cap_client=st.integers(0, 6),
    cap_inapp=st.integers(0, 5),
    cap_email=st.integers(0, 3),
)
def test_caps_per_client_and_channel_per_local_day_hold_across_batches(
    plan: list[tuple[str, str, int]], cap_client: int, cap_inapp: int, cap_email: int
) -> None:
    policy = _policy(
        quiet=(time(0, 0), time(0, 0)), cap_client=cap_client, cap_channel={"inapp": cap_inapp, "email": cap_email}
    )
    caps = {"inapp": cap_inapp, "email": cap_email}
    history = PushHistory()
    clients = {c: client(c) for c in ("c1", "c2", "c3")}
    per_client: Counter[tuple[str, object]] = Counter()
    per_channel: Counter[tuple[str, str, object]] = Counter()
    for i, (cid, channel, hour) in enumerate(plan):
        now = NOON + timedelta(hours=hour)
        [d] = policy.decide(
            candidates=[candidate(cid, f"f{i}", channel=channel)], clients=clients, history=history, now=now
        )
        day = now.astimezone(SHANGHAI).date()
        if d.enqueued:
            per_client[(cid, day)] += 1
            per_channel[(cid, channel, day)] += 1
        elif d.reason is Reason.CAP_CLIENT:  # refused only once the client's cap is really reached
            assert per_client[(cid, day)] == cap_client
        else:
            assert d.reason is Reason.CAP_CHANNEL
            assert per_channel[(cid, channel, day)] == caps[channel]
    assert all(n <= cap_client for n in per_client.values())
    assert all(n <= caps[ch] for (_c, ch, _d), n in per_channel.items())


def test_unsubscribed_category_and_unreachable_channel_are_refused_with_reasons() -> None:
    clients = {"c1": client(unsubscribed=frozenset({"mover"}), channels=frozenset({"inapp"}))}
    ds = _policy().decide(
        candidates=[candidate(), candidate(fact="f2", category="price_alert", channel="email")],
        clients=clients,
        history=PushHistory(),
        now=NOON,
    )
    assert [(d.outcome, d.reason) for d in ds] == [
        (Outcome.REJECTED, Reason.UNSUBSCRIBED),
        (Outcome.REJECTED, Reason.CHANNEL_UNAVAILABLE),
    ]
    with pytest.raises(UserError, match="unknown unsubscribe categories"):
        client(unsubscribed=frozenset({"spam"}))


def test_personalisation_off_refuses_profile_pushes_but_keeps_the_clients_own_alerts() -> None:
    clients = {"c1": client(personalised=False)}
    ds = _policy().decide(
        candidates=[candidate(fact="p", basis=Basis.PROFILE, category="recommendation"), candidate(fact="e")],
        clients=clients,
        history=PushHistory(),
        now=NOON,
    )
    assert [(d.candidate.dedup_key, d.reason) for d in ds] == [
        ("mover:p", Reason.PERSONALISATION_OFF),
        ("mover:e", Reason.OK),
    ]


def test_repeated_fact_is_pushed_once_per_channel_and_collapse_merges_one_stocks_alerts() -> None:
    policy = _policy()
    history = PushHistory()
    clients = {"c1": client()}
    first = policy.decide(
        candidates=[candidate(), candidate(), candidate(channel="email")], clients=clients, history=history, now=NOON
    )
    assert [d.reason for d in first] == [Reason.OK, Reason.DUPLICATE, Reason.OK]
    again = policy.decide(candidates=[candidate()], clients=clients, history=history, now=NOON)
    assert again[0].reason is Reason.DUPLICATE
    alerts = [candidate(fact=f"a{i}", collapse_key="600000:2024-03-05") for i in range(3)]
    ds = policy.decide(candidates=alerts, clients=clients, history=history, now=NOON)
    heads = [d for d in ds if d.enqueued]
    assert len(heads) == 1 and len(heads[0].members) == 3
    assert heads[0].candidate.source_events == tuple(f"session:2024-03-05:a{i}" for i in range(3))
    assert sum(d.outcome is Outcome.COLLAPSED for d in ds) == 3
    assert all(m.title in heads[0].candidate.body for m in alerts)
    # one of the collapsed alerts arriving again later is a duplicate, not a second push
    later = policy.decide(candidates=[alerts[1]], clients=clients, history=history, now=NOON)
    assert later[0].reason is Reason.DUPLICATE


def test_candidate_must_be_traceable_and_well_formed() -> None:
    with pytest.raises(UserError, match="names no source events"):
        candidate(source_events=())
    with pytest.raises(UserError, match="push category 'ads' is unknown"):
        candidate(category="ads")
    with pytest.raises(UserError, match="product_code and product_risk go together"):
        candidate(product_code="F1")


def test_policy_reads_quiet_hours_and_caps_from_tandem_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from tandem.core.settings import load_settings
    from tandem.engagement.delivery.policy import PolicyConfig

    monkeypatch.setenv("TANDEM_PUSH_QUIET_START", "23:30")
    monkeypatch.setenv("TANDEM_PUSH_QUIET_END", "07:00")
    monkeypatch.setenv("TANDEM_PUSH_CAP_PER_CHANNEL_DAY", '{"inapp": 1, "email": 0}')
    cfg = PolicyConfig.from_settings(load_settings())
    assert (cfg.quiet.start, cfg.quiet.end, cfg.quiet.tz.key) == (time(23, 30), time(7, 0), "Asia/Shanghai")
    assert dict(cfg.cap_per_channel_day) == {"inapp": 1, "email": 0} and cfg.cap_per_client_day == 6
    monkeypatch.setenv("TANDEM_PUSH_TIMEZONE", "Mars/Olympus")
    with pytest.raises(UserError, match="TANDEM_PUSH_TIMEZONE='Mars/Olympus' is not a known IANA zone"):
        PolicyConfig.from_settings(load_settings())
