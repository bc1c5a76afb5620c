"""Which daily jobs run and when: ``TANDEM_SCHEDULE`` parsed into (job, time of day) entries in market time.

The schedule is a comma-separated list of ``job@HH:MM`` (Beijing time, the exchanges' clock, which has no daylight
saving): ``diagnosis@16:30,triggers@17:00``. A job is *due* on a day once that day's time has passed; the
scheduler claims each due job once per day (:mod:`tandem.compute.daily.claims`), so a scheduler started late, or
restarted, still runs the day's jobs that no one ran yet.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tandem.core.errors import UserError

MARKET_TZ = ZoneInfo("Asia/Shanghai")
_ENTRY = re.compile(r"^(?P<job>[a-z][a-z0-9-]{0,63})@(?P<h>\d{1,2}):(?P<m>\d{2})$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One daily job and the market-time moment of the day after which it is due."""

    job: str
    at: time


def parse_schedule(text: str, *, known: Collection[str]) -> list[Entry]:
    """The entries of ``text``; raises :class:`UserError` naming the bad entry and what is allowed."""
    entries: list[Entry] = []
    for raw in (p.strip() for p in text.split(",")):
        if not raw:
            continue
        m = _ENTRY.match(raw)
        if m is None:
            raise UserError(f"TANDEM_SCHEDULE: {raw!r} is not job@HH:MM (for example diagnosis@16:30)")
        hour, minute = int(m["h"]), int(m["m"])
        if hour > 23 or minute > 59:
            raise UserError(f"TANDEM_SCHEDULE: {raw!r}: {hour:02d}:{minute:02d} is not a time of day")
        if m["job"] not in known:
            raise UserError(f"TANDEM_SCHEDULE: unknown job {m['job']!r}; the daily jobs are {', '.join(sorted(known))}")
        if any(e.job == m["job"] for e in entries):
            raise UserError(f"TANDEM_SCHEDULE: {m['job']!r} is listed twice; a daily job runs once a day")
        entries.append(Entry(job=m["job"], at=time(hour, minute)))
    return entries


def market_day(now: datetime) -> date:
    """The calendar day in market time of the aware instant ``now``."""
    if now.tzinfo is None:
        raise ValueError("market_day needs an aware datetime (UTC or any zone)")
    return now.astimezone(MARKET_TZ).date()


def due(entries: list[Entry], now: datetime) -> list[Entry]:
    """The entries whose time of day has passed on ``now``'s market day, in schedule order."""
    local = now.astimezone(MARKET_TZ)
    return [e for e in entries if local.time() >= e.at]
