"""``WeComRobotChannel`` (``wecom_robot``): group-robot webhook messages, paced within 20 a minute per robot.

WeCom answers a robot's 21st message within a minute with errcode 130101 and then refuses that robot for
10 minutes (:data:`~tandem.advisor.wecom.limits.ROBOT_BLOCK_SECONDS`). The channel counts each robot's sends in a
sliding window (clock injected, so tests run without sleeping) and sleeps a short wait; a longer one, or a
130101 all the same (another process shares the robot), hands the message back to the dispatcher with
``retry_after`` — the rest of the block — so the outbox row waits and nothing is lost, and until the block ends
the channel does not call WeCom for that robot at all. Outbox rows name the robot in ``payload["robot"]``; the
webhook keys are secrets given to the constructor, never stored with the message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

import httpx

from tandem.advisor.wecom.channel import Receipts, message_parts, wecom_failure
from tandem.advisor.wecom.client import WeComApiError
from tandem.advisor.wecom.limits import ERR_ROBOT_FREQ, ROBOT_BLOCK_SECONDS, ROBOT_LIMITS, SlidingWindow
from tandem.advisor.wecom.split import ROBOT_MARKDOWN_LIMIT
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError, TransientChannelError


class RobotApi(Protocol):
    """The webhook call (:meth:`tandem.advisor.wecom.client.WeComClient.send_robot`)."""

    def send_robot(self, *, key: str, markdown: str) -> object:
        """Post one markdown message to the robot's group."""
        ...


class WeComRobotChannel:
    """Deliver outbox rows to group robots, within each robot's rate and its 10-minute blocks."""

    name = "wecom_robot"

    def __init__(
        self,
        *,
        client: RobotApi,
        robots: Mapping[str, str],
        receipts: Receipts,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 5.0,
    ) -> None:
        self._client = client
        self._robots = dict(robots)
        self._receipts = receipts
        self._window = SlidingWindow(ROBOT_LIMITS)
        self._blocked_until: dict[str, float] = {}
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait

    def blocked_for(self, robot: str) -> float:
        """Seconds until ``robot`` may be called again after a 130101 (0 when it is not blocked)."""
        return max(0.0, self._blocked_until.get(robot, 0.0) - self._clock())

    def _pace(self, robot: str) -> None:
        blocked = self.blocked_for(robot)
        if blocked > 0:
            raise TransientChannelError(f"WeCom robot {robot} is blocked for {blocked:.0f} s", retry_after=blocked)
        wait = self._window.delay(robot, self._clock())
        if wait > self._max_wait:
            raise TransientChannelError(
                f"WeCom robot {robot} is at 20 a minute; retry in {wait:.0f} s", retry_after=wait
            )
        if wait > 0:
            self._sleep(wait)

    def send(self, message: OutgoingMessage) -> None:
        """Post every part not yet receipted to the robot named in the payload."""
        robot = str(message.payload.get("robot", ""))
        key = self._robots.get(robot)
        if key is None:
            raise PermanentChannelError(
                f"WeCom robot {robot!r} is not configured here; known: {', '.join(self._robots)}"
            )
        parts = message_parts(message, ROBOT_MARKDOWN_LIMIT)
        for i, (receipt, part) in enumerate(parts, 1):
            if self._receipts.has(receipt):
                continue
            self._pace(robot)
            try:
                self._client.send_robot(key=key, markdown=part)
            except WeComApiError as err:
                if err.errcode == ERR_ROBOT_FREQ:
                    self._blocked_until[robot] = self._clock() + ROBOT_BLOCK_SECONDS
                    raise TransientChannelError(
                        f"{err}; robot {robot} blocked, retry in {ROBOT_BLOCK_SECONDS:.0f} s",
                        retry_after=ROBOT_BLOCK_SECONDS,
                    ) from err
                raise wecom_failure(err) from err
            except httpx.HTTPError as err:
                raise wecom_failure(err) from err
            self._window.record(robot, self._clock())
            self._receipts.record(receipt, f"{message.idempotency_key[:40]} part {i}/{len(parts)}")
