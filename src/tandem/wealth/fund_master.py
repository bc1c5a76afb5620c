"""Funds' own minimum purchase from the Tushare ``fund_basic`` master (``funds/tushare_fund_basic_2022``).

Why a separate reader: the plan builder must use a fund's *real* initial minimum where the master states one,
and the master states it in an unusual unit. Tushare documents ``min_amount`` as 起点金额 in **万元** (ten
thousands of yuan); the staged file agrees — 0.0001 (¥1), 0.001 (¥10) and 0.01 (¥100) are the common values,
which read as yuan would mean minimums of a fraction of a fen. This module converts to yuan once, here.

Rules, each reported as ``file:line: field: what is wrong`` when broken:

- ``ts_code`` must be a six-digit code with an optional suffix (``015345.OF``); the key is the bare code;
- an empty ``min_amount`` means "not stated" (the caller uses the documented default); so does ``0`` — the
  master's one zero (008404.OF) is a missing figure, not a free fund;
- a negative, non-numeric or non-finite ``min_amount`` is a problem and the row is left out;
- a code listed twice with different minimums is a problem; the first row is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tandem.core.errors import NotFoundError, UserError

WAN = 10_000.0
"""Yuan per 万元, the unit of ``min_amount`` in Tushare ``fund_basic``."""

_CODE = re.compile(r"^(\d{6})(\.[A-Z]{2})?$")


@dataclass(frozen=True)
class FundMaster:
    """Stated minimums in yuan by bare fund code, and the rows that could not be read."""

    minimums: dict[str, float]
    problems: tuple[str, ...] = ()


def parse_min_amount(raw: object, *, where: str) -> float | None:
    """``min_amount`` (万元) as yuan; ``None`` when not stated (empty or zero). Raises :class:`UserError` if bad."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    text = str(raw).strip()
    if text == "" or text.lower() == "nan":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{where}: min_amount: {text!r} is not a number (万元)") from None
    if not math.isfinite(value) or value < 0:
        raise UserError(f"{where}: min_amount: {text!r} must be a finite amount ≥ 0 in 万元")
    if value == 0:
        return None
    return round(value * WAN, 2)


def load_fund_master(path: Path) -> FundMaster:
    """Read a ``fund_basic`` CSV (plain or gzipped) into bare code → minimum purchase in yuan."""
    if not path.exists():
        raise NotFoundError(f"fund master {path} does not exist")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"ts_code", "min_amount"} - set(frame.columns)
    if missing:
        raise UserError(f"{path}: header lacks {', '.join(sorted(missing))} (expected Tushare fund_basic columns)")
    minimums: dict[str, float] = {}
    problems: list[str] = []
    for i, (ts_code, raw) in enumerate(zip(frame["ts_code"], frame["min_amount"], strict=True), start=2):
        where = f"{path.name}:{i}"
        match = _CODE.match(ts_code.strip().upper())
        if match is None:
            problems.append(f"{where}: ts_code: {ts_code!r} is not a six-digit fund code")
            continue
        try:
            value = parse_min_amount(raw, where=where)
        except UserError as exc:
            problems.append(str(exc))
            continue
        if value is None:
            continue
        code = match.group(1)
        if code in minimums and minimums[code] != value:
            problems.append(
                f"{where}: min_amount: {code} listed again with ¥{value:,.2f} (kept ¥{minimums[code]:,.2f})"
            )
            continue
        minimums.setdefault(code, value)
    return FundMaster(minimums, tuple(problems))
