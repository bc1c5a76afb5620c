"""Values derived from one version of the market store, dropped together when an import makes a new version.

Landing pages, catalogues, diagnosis tables and instrument memos all depend only on the store's data, so each
used to carry its own "remember the version, rebuild when it changes" code. This is that code, once: a value is
computed at most once per (version, key) — concurrent callers of the same key wait for the first one — and the
first call after a new version clears every entry of the old one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VersionedCache(Generic[K, V]):
    """A bounded map from key to value, valid for one store version (``version_of`` says which is live)."""

    def __init__(self, version_of: Callable[[], str | None], *, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError(f"cache capacity must be at least 1, got {capacity}")
        self._version_of = version_of
        self.capacity = capacity
        self._version: str | None = None
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[K, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def _current(self) -> str:
        """The live version; a change drops every entry (called with the lock held)."""
        version = self._version_of() or ""
        if version != self._version:
            self._version = version
            self._data.clear()
        return version

    def get(self, key: K, build: Callable[[], V]) -> V:
        """The value of ``key`` in the live version, built by ``build()`` on first use (exceptions are not cached)."""
        with self._lock:
            version = self._current()
            if key in self._data:
                self.hits += 1
                self._data.move_to_end(key)
                return self._data[key]
            self.misses += 1
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if self._current() == version and key in self._data:
                    return self._data[key]
            value = build()
            with self._lock:
                if self._current() == version:
                    self._data[key] = value
                    self._data.move_to_end(key)
                    while len(self._data) > self.capacity:
                        self._data.popitem(last=False)
                self._building.pop(key, None)
            return value

    def peek(self, key: K) -> V | None:
        """The value of ``key`` in the live version if it was built already, else None (never builds, never waits).

        For callers on an event loop: a hit answers in place, a miss goes to :meth:`get` in a worker thread.
        """
        with self._lock:
            self._current()
            value = self._data.get(key)
            if value is None:
                return None
            self.hits += 1
            self._data.move_to_end(key)
            return value

    def clear(self) -> None:
        """Drop every entry (the next call rebuilds)."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
