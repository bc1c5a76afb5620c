"""The reasons a dimension is missing, as catalogue sentences for the reports.

Scorers write their ``missing`` reasons in English (they appear in the API, logs and tests); a Chinese report
must not show them raw. Each known reason is one pattern here with its catalogue key (the key's English text is
the reason itself); an unknown reason keeps its English text after a Chinese lead-in, so nothing is hidden if a
scorer adds a reason and forgets this table.
"""

from __future__ import annotations

import re

from tandem.core.i18n import Message

_NAMES = {"000300.SH": "沪深300"}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^no ROE or net margin in fundamentals announced by this day$", "diag.missing.no_roe"),
        (r"^no profit YoY \(yoy_ni\) in fundamentals by this day$", "diag.missing.no_yoy"),
        (
            r"^no cash-flow data for this period, and no balance-sheet debt ratio \(debt_ratio\) announced within "
            r"(?P<days>\d+) days before this day$",
            "diag.missing.no_health",
        ),
        (r"^suspended on the snapshot day: price signals would describe an earlier day$", "diag.missing.suspended"),
        (r"^fewer than (?P<n>\d+) traded days before the snapshot day$", "diag.missing.few_days_before"),
        (r"^fewer than (?P<n>\d+) traded days$", "diag.missing.few_days"),
        (r"^fewer than (?P<n>\d+) traded days: volatility and drawdown undefined$", "diag.missing.few_days_vol"),
        (r"^no (?P<index>\S+) index bars in the store for these days$", "diag.missing.no_index"),
        (r"^no traded amount in the last (?P<n>\d+) days$", "diag.missing.no_amount"),
        (r"^no total_share in fundamentals: market value unknown$", "diag.missing.no_shares"),
        (r"^fewer than (?P<n>\d+) stocks of its industry in the store: no industry$", "diag.missing.no_industry"),
        (r"^fewer than (?P<n>\d+) stocks of its industry in the store: (?P<industry>.+)$", "diag.missing.few_peers"),
        (r"^no positive PE/PB/PS in daily_bars \(loss maker or no data\)$", "diag.missing.no_ratios"),
        (r"^score could not be computed from the available data$", "diag.missing.no_score"),
        (r"^not enough data to compute this dimension on this day$", "diag.missing.no_data"),
    )
)


def missing_reason(reason: str) -> Message:
    """A scorer's English ``missing`` reason as a catalogue sentence (its English rendering is the reason itself)."""
    for pattern, key in _PATTERNS:
        m = pattern.match(reason)
        if m:
            params: dict[str, object] = dict(m.groupdict())
            if "index" in params:
                params["index_name"] = _NAMES.get(str(params["index"]), params["index"])
            return Message(key, params)
    return Message("diag.missing.other", {"reason": reason})


def is_translated(reason: str) -> bool:
    """True when ``reason`` has a Chinese wording here (tests check every reason the scorers emit)."""
    return any(p.match(reason) for p, _ in _PATTERNS)
