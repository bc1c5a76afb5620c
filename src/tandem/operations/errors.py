"""Typed refusals of operations requests; the web layer maps ``ValidationFailed`` to 422, ``NotFoundError`` to 404."""

from __future__ import annotations

from tandem.core.errors import ConflictError, ValidationFailed


class ReferralParamsError(ValidationFailed):
    """A referral URL's parameters are malformed; ``problems`` names each bad parameter and the allowed form."""


class CampaignEndedError(ConflictError):
    """The link belongs to a campaign that has ended (or not started); the landing is refused, nothing recorded."""


class SegmentError(ValidationFailed):
    """A campaign audience segment names an unknown field or an impossible value."""


class PartnerScopeError(ConflictError):
    """A partner asked for links that are not its own; it gets nothing, not even whether they exist."""
