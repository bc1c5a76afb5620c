"""The XSHG (Shanghai/Shenzhen) trading calendar, from exchange-calendars.

Built lazily on first use and cached for the process: constructing the calendar takes ~100 ms.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt


@lru_cache(maxsize=1)
def _sessions() -> npt.NDArray[np.datetime64]:
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange-calendars 4.13 trips a pandas 3.1 deprecation inside its constructor; not ours to fix.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        cal = xcals.get_calendar("XSHG", start="1990-12-19")
    return np.asarray(cal.sessions.values.astype("datetime64[D]"))


def sessions(start: date | None = None, end: date | None = None) -> npt.NDArray[np.datetime64]:
    """Trading days in ``[start, end]`` as ``datetime64[D]``."""
    s = _sessions()
    lo = 0 if start is None else int(np.searchsorted(s, np.datetime64(start, "D"), side="left"))
    hi = len(s) if end is None else int(np.searchsorted(s, np.datetime64(end, "D"), side="right"))
    return s[lo:hi]


def is_session(days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised: which of ``days`` are XSHG trading days."""
    d = np.asarray(days, dtype="datetime64[D]")
    s = _sessions()
    idx = np.clip(np.searchsorted(s, d), 0, len(s) - 1)
    return np.asarray(s[idx] == d)


def session_index(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Ordinal of each day in the calendar (for counting sessions between two days without a loop)."""
    d = np.asarray(days, dtype="datetime64[D]")
    return np.searchsorted(_sessions(), d, side="left").astype(np.int64)


def last_session_on_or_before(day: date) -> date:
    """The latest trading day not after ``day``."""
    s = _sessions()
    i = int(np.searchsorted(s, np.datetime64(day, "D"), side="right")) - 1
    if i < 0:
        raise ValueError(f"{day} is before the first XSHG session")
    return s[i].astype(object)  # type: ignore[no-any-return]
