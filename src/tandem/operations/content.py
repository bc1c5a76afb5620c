"""The campaign content port: an approved item of the advisor's content library, seen through a small Protocol.

The advisor's library (``tandem.advisor``, built concurrently) is bound to :class:`ContentSource` by the
composition root; operations only needs an approved item's id, version, title and risk level. The in-memory
source below is what tests and demos use; a real binding implements the same one method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import NotFoundError


class ApprovedContent(Protocol):
    """An approved, versioned content item (compliance review already passed in the library)."""

    @property
    def id(self) -> str:
        """Stable content id."""
        ...

    @property
    def version(self) -> int:
        """The approved version a campaign pins (later edits need a new approval and a new campaign)."""
        ...

    @property
    def title(self) -> str:
        """Title shown in the push."""
        ...

    @property
    def risk_level(self) -> ProductRisk:
        """The highest product risk the content promotes (R1…R5): the delivery policy checks suitability on it."""
        ...


class ContentSource(Protocol):
    """Where approved content is looked up; implement ``approved`` to bind another library."""

    def approved(self, content_id: str, version: int) -> ApprovedContent:
        """The approved item, or :class:`~tandem.core.errors.NotFoundError` naming what is missing."""
        ...


@dataclass(frozen=True, slots=True)
class ContentItem:
    """A plain approved item (what :class:`InMemoryContent` holds)."""

    id: str
    version: int
    title: str
    risk_level: ProductRisk


class InMemoryContent:
    """An approved-content source held in memory: for tests, demos and the synthetic population."""

    def __init__(self, items: list[ContentItem]) -> None:
        self._items = {(i.id, i.version): i for i in items}

    def approved(self, content_id: str, version: int) -> ApprovedContent:
        """The item, or a clear not-found naming the approved versions that do exist."""
        item = self._items.get((content_id, version))
        if item is None:
            versions = sorted(v for c, v in self._items if c == content_id)
            hint = f"approved versions: {versions}" if versions else "no approved version exists"
            raise NotFoundError(f"content {content_id!r} version {version} is not approved ({hint})")
        return item
