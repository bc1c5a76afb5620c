import threading

import pytest

from tandem.marketdata.versioned_cache import VersionedCache


def test_value_built_once_per_version_and_dropped_on_new_version() -> None:
    version = ["v1"]
    calls: list[str] = []
    cache: VersionedCache[str, str] = VersionedCache(lambda: version[0])

    def build() -> str:
        calls.append(version[0])
        return f"value@{version[0]}"

    assert cache.get("k", build) == "value@v1"
    assert cache.get("k", build) == "value@v1"
    assert calls == ["v1"]
    version[0] = "v2"
    assert cache.get("k", build) == "value@v2"
    assert calls == ["v1", "v2"]
    assert (cache.hits, cache.misses) == (1, 2)


def test_failed_build_is_not_cached() -> None:
    cache: VersionedCache[str, int] = VersionedCache(lambda: "v")

    def boom() -> int:
        raise RuntimeError("no data")

    with pytest.raises(RuntimeError):
        cache.get("k", boom)
    assert cache.get("k", lambda: 3) == 3


def test_capacity_bounds_entries() -> None:
    cache: VersionedCache[int, int] = VersionedCache(lambda: "v", capacity=2)
    for i in range(5):
        cache.get(i, lambda i=i: i)
    assert len(cache) == 2
    with pytest.raises(ValueError, match="capacity"):
        VersionedCache(lambda: "v", capacity=0)


def test_concurrent_callers_of_one_key_build_once() -> None:
    cache: VersionedCache[str, int] = VersionedCache(lambda: "v")
    started = threading.Event()
    calls = []

    def slow() -> int:
        calls.append(1)
        started.wait(0.2)
        return 7

    threads = [threading.Thread(target=lambda: cache.get("k", slow)) for _ in range(4)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert calls == [1]
    assert cache.get("k", slow) == 7


def test_peek_answers_built_values_only_and_never_builds() -> None:
    version = ["v1"]
    cache: VersionedCache[str, int] = VersionedCache(lambda: version[0])
    assert cache.peek("k") is None
    assert cache.get("k", lambda: 5) == 5
    assert cache.peek("k") == 5
    version[0] = "v2"
    assert cache.peek("k") is None, "a new version drops the old entries for peek too"
    assert (cache.hits, cache.misses) == (1, 1)
