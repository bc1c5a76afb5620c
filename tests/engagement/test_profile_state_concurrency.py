"""The profile snapshot store under concurrent writers and readers (two web workers, many request threads).

Found by the soak benchmark (benchmarks/bench_soak.py): two ``/news`` requests folding events at once both wrote
``state-<n+1>/`` and one removed the other's files mid-write (FileNotFoundError, a 500); a reader could also lose
the snapshot it was reading when a writer swapped ``CURRENT`` and removed the previous one.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from tandem.engagement.profile_service import ProfileStateStore
from tandem.engagement.profiles import ProfileState

WRITERS = 6
SAVES_EACH = 15


def _state(i: int) -> ProfileState:
    empty = ProfileState.empty()
    return ProfileState(
        empty.tags, empty.clients, datetime(2025, 1, 1, tzinfo=UTC), frozenset({f"f{i}"}), empty.objects
    )


def _hammer(root: Path, *, readers: int) -> list[BaseException]:
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(w: int) -> None:
        store = ProfileStateStore(root)  # one store per worker process, as in the app
        try:
            for k in range(SAVES_EACH):
                store.save(_state(w * SAVES_EACH + k))
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    def read() -> None:
        store = ProfileStateStore(root)
        try:
            while not stop.is_set():
                store.load()
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    reader_threads = [threading.Thread(target=read) for _ in range(readers)]
    writer_threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for t in reader_threads + writer_threads:
        t.start()
    for t in writer_threads:
        t.join(120)
    stop.set()
    for t in reader_threads:
        t.join(30)
    return errors


def test_concurrent_saves_each_land_whole_and_numbered(tmp_path: Path) -> None:
    root = tmp_path / "profiles"
    assert _hammer(root, readers=0) == []
    current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    assert current == f"state-{WRITERS * SAVES_EACH}"  # every save got its own number
    assert len(ProfileStateStore(root).load().seen) == 1
    assert [p.name for p in root.iterdir() if p.name.startswith("state-")] == [current]  # no reader: all removed


def test_readers_never_lose_the_snapshot_they_are_reading(tmp_path: Path) -> None:
    root = tmp_path / "profiles"
    ProfileStateStore(root).save(_state(-1))
    assert _hammer(root, readers=4) == []
