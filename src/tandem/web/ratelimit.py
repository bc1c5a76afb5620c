"""An in-memory sliding-window rate limiter (per process) for login and sign-up attempts and anonymous reads.

Per-process is enough as a first line: the durable protection of logins is the per-account lockout stored in the
DB, which every worker shares. With N workers a client gets at most N × ``limit`` hits per window per key. The
public market pages and endpoints use a second limiter keyed by client address for visitors without an account.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Allow at most ``limit`` hits per ``window`` seconds for each key (e.g. a client address)."""

    def __init__(
        self, limit: int, window: float, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit; return 0 when allowed, else the seconds until the next hit would be allowed."""
        t = self.clock() if now is None else now
        with self._lock:
            if len(self._hits) >= self.max_keys and key not in self._hits:
                self._hits.clear()  # bounded memory: forget everyone rather than grow without limit
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= t - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return q[0] + self.window - t
            q.append(t)
            return 0.0
