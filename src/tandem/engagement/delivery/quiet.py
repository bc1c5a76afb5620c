"""Quiet hours and the local push day, on the client-facing clock (Asia/Shanghai by default).

A window ``start``–``end`` may wrap midnight (22:00–08:00); ``start == end`` means no quiet hours. Pushes that
fall inside are deferred to the window's end, never dropped, so :meth:`QuietHours.next_open` is the one place
that decides when a deferred push may go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tandem.core.errors import UserError


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily do-not-disturb window in one time zone."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, start: time, end: time, tz: str) -> QuietHours:
        """Build from settings values; an unknown zone is a :class:`UserError` naming the setting."""
        try:
            zone = ZoneInfo(tz)
        except (KeyError, ValueError):
            raise UserError(f"TANDEM_PUSH_TIMEZONE={tz!r} is not a known IANA zone; use e.g. Asia/Shanghai") from None
        return cls(start, end, zone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` (aware) on the local clock."""
        if moment.tzinfo is None:
            raise UserError("quiet hours need an aware datetime (UTC); got a naive one")
        return moment.astimezone(self.tz)

    def local_day(self, moment: datetime) -> date:
        """The local calendar day caps are counted on."""
        return self.local(moment).date()

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside the quiet window (start inclusive, end exclusive)."""
        if self.start == self.end:
            return False
        t = self.local(moment).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself outside the window, else the window's end (UTC)."""
        if not self.contains(moment):
            return moment.astimezone(UTC)
        loc = self.local(moment)
        end = datetime.combine(loc.date(), self.end, self.tz)
        if end <= loc:
            end = datetime.combine(loc.date() + timedelta(days=1), self.end, self.tz)
        return end.astimezone(UTC)
