"""Anonymous visitors of referral links, and how their landings meet the account they later open.

A visitor who opens ``/r/<code>`` has no account yet, but the funnel counts *clients* from their first landing.
The landing is stored under a random visitor id from a range no database user id reaches (≥ 2**52; user ids
count up from 1), kept in a cookie so later landings on other links are touches of the same visitor. When the
visitor signs up, the new client emits one ``identify`` event naming the visitor id; the analytics scan
(:mod:`tandem.operations.scan`) then reads every event of that visitor as the client's. This is identity
stitching as product-analytics tools do it ("alias"), kept inside the append-only event store: nothing is
rewritten, and a replayed ``identify`` changes nothing.
"""

from __future__ import annotations

import secrets

VISITOR_COOKIE = "tandem_visitor"
VISITOR_ID_FLOOR = 2**52
"""The smallest visitor id; below it are user ids (a cookie naming one is ignored, so nobody can pose as a client)."""
VISITOR_ID_CEILING = 2**53  # exact in a JSON number and a JavaScript double
VISITOR_COOKIE_MAX_AGE = 90 * 24 * 3600  # a touch older than a quarter is not attributed any more


def new_visitor_id() -> int:
    """A fresh random visitor id in ``[VISITOR_ID_FLOOR, VISITOR_ID_CEILING)``."""
    return VISITOR_ID_FLOOR + secrets.randbelow(VISITOR_ID_CEILING - VISITOR_ID_FLOOR)


def visitor_from_cookie(value: str | None) -> int | None:
    """The visitor id a cookie holds, or ``None`` when it is absent, malformed or outside the visitor range."""
    if value is None or not value.isdigit() or len(value) > 16:
        return None
    visitor = int(value)
    return visitor if VISITOR_ID_FLOOR <= visitor < VISITOR_ID_CEILING else None
