"""A small thread-safe LRU map for the diagnosis service's per-process caches.

``functools.lru_cache`` would key on the service instance and cannot be cleared per store version or inspected
for hit counts, so the service keeps its own bounded maps: the scored market table per (store version, session)
and the finished report per (store version, code, session).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Hits, misses and size of one cache (for benchmarks and tests)."""

    hits: int
    misses: int
    size: int
    capacity: int


class LruCache(Generic[K, V]):
    """At most ``capacity`` entries; the least recently used one is dropped first. Safe across threads."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"cache capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: K) -> V | None:
        """The value of ``key`` (marked most recently used), or None."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self._misses += 1
                return None
            self._data.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key``, evicting the least recently used entries beyond capacity."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry (the counters stay)."""
        with self._lock:
            self._data.clear()

    def stats(self) -> CacheStats:
        """Current hit/miss counters and size."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._data), self.capacity)
