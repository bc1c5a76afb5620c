"""The account-opening funnel's steps in order, and the acquisition sources a referral link may name.

One tuple is the truth for every reader: the funnel SQL, the simulator, the partner view and the pages all take
their step order from :data:`STEPS`, so a new step is one entry here (plus its event type in
:mod:`tandem.engagement.events`).
"""

from __future__ import annotations

from tandem.engagement.events import EventType

STEPS: tuple[EventType, ...] = (
    EventType.LANDING,
    EventType.SIGN_UP,
    EventType.IDENTITY_VERIFIED,
    EventType.RISK_QUESTIONNAIRE,
    EventType.ACCOUNT_OPENED,
    EventType.FIRST_DEPOSIT,
    EventType.FIRST_TRADE,
)
STEP_NAMES: tuple[str, ...] = tuple(s.value for s in STEPS)
STEP_LABELS_ZH: dict[str, str] = {
    "landing": "落地页访问",
    "sign_up": "注册",
    "identity_verified": "实名认证",
    "risk_questionnaire": "风险测评",
    "account_opened": "开户成功",
    "first_deposit": "首次入金",
    "first_trade": "首笔交易",
}
SOURCES: tuple[str, ...] = ("partner_app", "wechat", "search", "video", "offline_qr")
DIRECT = "direct"  # the partner / campaign value of a link that has none (own channels, evergreen links)
TRADE_TYPES: tuple[str, ...] = (EventType.HOLDING_CHANGED.value, EventType.FIRST_TRADE.value)


def step_index(name: str) -> int:
    """Position of a step by name; a clear error names the valid steps."""
    if name not in STEP_NAMES:
        raise ValueError(f"unknown funnel step {name!r}; the steps are {', '.join(STEP_NAMES)}")
    return STEP_NAMES.index(name)
