"""WeCom's sending limits as data, and a sliding-window scheduler that keeps each sender within them.

WeCom drops application messages beyond 30 a minute or 1,000 an hour per member *silently*, so the channel must
count before sending rather than react to errors (developer.work.weixin.qq.com/document/path/90454 访问频率限制:
"每应用对同一个成员不可超过30次/分钟，1000次/小时，超过部分会被丢弃不下发"; a minute limit blocks for 60 s). Robots
allow 20 a minute; beyond, errcode 130101 and the robot is refused for 10 minutes (群机器人配置说明:
"每个机器人发送的消息不能超过20条/分钟"). :class:`SlidingWindow` answers "how long until one more message may go"
for a key; the channel waits that long when it is short, or hands the message back to the dispatcher to retry later.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` messages in any ``seconds`` window."""

    count: int
    seconds: float


APP_MEMBER_LIMITS = (Limit(30, 60.0), Limit(1000, 3600.0))
ROBOT_LIMITS = (Limit(20, 60.0),)
ERR_API_FREQ = 45009
ERR_ROBOT_FREQ = 130101
ERR_TOO_LONG = 40058
FREQ_BLOCK_SECONDS = 60.0  # 45009: "按分钟拦截则被屏蔽60秒"
ROBOT_BLOCK_SECONDS = 600.0  # 130101: the robot is refused for 10 minutes


class SlidingWindow:
    """Per-key send times; ``delay`` is 0 when one more send stays within every limit."""

    def __init__(self, limits: tuple[Limit, ...]) -> None:
        self._limits = limits
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._horizon = max(limit.seconds for limit in limits)

    def delay(self, key: str, now: float) -> float:
        """Seconds to wait before the next send for ``key`` is allowed."""
        times = self._sent[key]
        while times and times[0] <= now - self._horizon:
            times.popleft()
        wait = 0.0
        for limit in self._limits:
            recent = [t for t in times if t > now - limit.seconds]
            if len(recent) >= limit.count:
                wait = max(wait, recent[-limit.count] + limit.seconds - now)
        return wait

    def record(self, key: str, now: float) -> None:
        """Count one send for ``key`` at ``now``."""
        self._sent[key].append(now)
