"""Telling every worker that the market store has a new version, the moment an import commits.

Every reader already re-reads the store's ``CURRENT`` file before it uses a cache (:meth:`MarketStore._sync`,
:class:`~tandem.marketdata.versioned_cache.VersionedCache`), so a new version is always seen on the next read, in
every process and on every host. With ``TANDEM_REDIS_URL`` the importing process also publishes the new version's
id on the ``store-version`` channel (:func:`announce_version`); each web worker's :func:`version_listener` then
calls :meth:`MarketStore.refresh`, which frees the old version's frames and DuckDB views and empties the caches
registered with :meth:`MarketStore.on_new_version` at once instead of at the next request.

A worker that missed messages (Redis restarted, the listener reconnecting) refreshes on every reconnection and
still catches up on its own file check, so a lost message only delays freeing memory.
"""

from __future__ import annotations

import structlog

from tandem.core.pubsub import Listener, publish
from tandem.marketdata.store import MarketStore

log = structlog.get_logger(__name__)

VERSION_TOPIC = "store-version"
"""The pub/sub topic carrying the id of a newly committed store version."""


def announce_version(url: str, version: str) -> int | None:
    """Publish ``version`` as the store's new live version; how many workers heard it (None: Redis failed)."""
    return publish(url, VERSION_TOPIC, version)


def version_listener(url: str, store: MarketStore) -> Listener:
    """A (not yet started) listener that refreshes ``store`` on every announced version and on reconnection."""

    def on_version(version: str) -> None:
        live = store.refresh()
        if live != version:  # an older message, or the file not yet visible on this host: the file wins
            log.info("store version announced but not live here", announced=version, live=live)

    def on_connect() -> None:
        store.refresh()

    return Listener(url, VERSION_TOPIC, on_version, on_connect=on_connect)
