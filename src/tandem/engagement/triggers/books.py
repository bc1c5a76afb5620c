"""Who holds or watches each stock: an inverted index built once per trigger run from the clients' books."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from tandem.engagement.delivery.gcpause import cyclic_gc_paused
from tandem.engagement.triggers.records import ClientBook


class Follower(NamedTuple):
    """One client following one stock, and how (holding wins over watching in the text).

    A named tuple, not a dataclass: the index holds one per (client, stock) pair — 250,000 for 10,000 clients.
    """

    client_id: str
    held: bool


class HolderIndex:
    """``code → followers`` over every client book (a client both holding and watching appears once, as held).

    Followers of a code come in the books' order (holders of each book before its watchers).
    """

    def __init__(self, books: Iterable[ClientBook]) -> None:
        index: dict[str, list[Follower]] = {}
        with cyclic_gc_paused():
            for book in books:
                cid = book.client_id
                for code in book.holdings:
                    index.setdefault(code, []).append(Follower(cid, True))
                for code in book.watchlist - book.holdings:
                    index.setdefault(code, []).append(Follower(cid, False))
            self._index = {code: tuple(fs) for code, fs in index.items()}

    def followers(self, code: str) -> tuple[Follower, ...]:
        """Clients holding or watching ``code`` (empty when none)."""
        return self._index.get(code, ())

    @property
    def codes(self) -> frozenset[str]:
        """Every code somebody follows."""
        return frozenset(self._index)
