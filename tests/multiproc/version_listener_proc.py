"""A web worker's view of the market store for the multi-process tests: it never reads, it only listens.

Run as ``python version_listener_proc.py REDIS_URL MARKET_DIR``: prints ``{"ready": version}`` once subscribed, then
``{"new_version": v}`` when the store dropped its caches for a new version, and exits (after 120 s at the latest).
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from tandem.marketdata.store import MarketStore
from tandem.marketdata.version_bus import version_listener


class Watcher:
    """Stands for a version-dependent cache: records the version the store told it about."""

    def __init__(self) -> None:
        self.seen = threading.Event()

    def dropped(self, version: str | None) -> None:
        sys.stdout.write(json.dumps({"new_version": version}) + "\n")
        sys.stdout.flush()
        self.seen.set()


def main(url: str, root: str) -> None:
    """Listen until the store announces a new version."""
    store = MarketStore.open(Path(root))
    ready = store.refresh()
    watcher = Watcher()
    store.on_new_version(watcher.dropped)
    listener = version_listener(url, store).start()
    sys.stdout.write(json.dumps({"ready": ready}) + "\n")
    sys.stdout.flush()
    watcher.seen.wait(120)
    listener.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
