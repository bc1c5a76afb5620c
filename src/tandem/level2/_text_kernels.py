"""numba kernels that turn Arrow string columns (offsets + UTF-8 bytes) into the integers the engine takes.

Why not let pyarrow or NumPy convert: a price such as ``1801.00999999999999`` parsed as a float and scaled by 100
depends on binary rounding; here the decimal digits themselves are rounded to the 0.01 tick, exactly, so no float
ever touches a price. Time stamps (``09:15:00.020`` or DolphinDB's ``2023.02.01T09:25:00.940``) become
milliseconds since midnight without building Python strings. Each kernel fills ``out`` and returns ``-1``, or the
index of the first row it could not read so the caller can name the file, line and field.

The rounding and truncation rules reproduce :func:`tandem.level2.schema.to_ticks` (``rint``: half to even; empty
price = 0) and :func:`tandem.level2.schema.parse_time_ms` (``pd.to_timedelta`` then whole milliseconds: extra
fraction digits are truncated) on every well-formed value.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

U8 = npt.NDArray[np.uint8]
_SPACE, _PLUS, _MINUS, _DOT, _COLON, _T, _ZERO, _NINE = 32, 43, 45, 46, 58, 84, 48, 57
MAX_INT_DIGITS = 15  # 10^15 CNY in ticks stays far inside int64


@njit(cache=True, inline="always")
def _ticks_one(data: U8, a: int, b: int) -> tuple[bool, int]:
    while a < b and data[a] == _SPACE:
        a += 1
    while b > a and data[b - 1] == _SPACE:
        b -= 1
    if a == b:
        return True, 0  # empty price: market orders and cancels carry none (read as 0, like NaN before)
    neg = False
    if data[a] == _PLUS or data[a] == _MINUS:
        neg = data[a] == _MINUS
        a += 1
    whole, n_int, i = 0, 0, a
    while i < b and _ZERO <= data[i] <= _NINE:
        whole = whole * 10 + (data[i] - _ZERO)
        n_int += 1
        i += 1
    frac, n_frac, first_rest, rest_nonzero = 0, 0, -1, False
    if i < b and data[i] == _DOT:
        i += 1
        while i < b and _ZERO <= data[i] <= _NINE:
            d = data[i] - _ZERO
            if n_frac < 2:
                frac = frac * 10 + d
            elif n_frac == 2:
                first_rest = d
            elif d != 0:
                rest_nonzero = True
            n_frac += 1
            i += 1
    if i != b or n_int + n_frac == 0 or n_int > MAX_INT_DIGITS:
        return False, 0
    if n_frac == 1:
        frac *= 10
    ticks = whole * 100 + frac
    if first_rest > 5 or (first_rest == 5 and (rest_nonzero or ticks % 2 == 1)):
        ticks += 1  # round half to even on the exact decimal value, as np.rint does on an exact binary one
    return True, -ticks if neg else ticks


@njit(cache=True)
def ticks_from_text(offsets: npt.NDArray[np.int64], data: U8, out: npt.NDArray[np.int64]) -> int:
    """Decimal CNY strings to int64 ticks of 0.01 (exact, half to even); ``-1`` or the first unreadable row."""
    for r in range(out.shape[0]):
        ok, v = _ticks_one(data, offsets[r], offsets[r + 1])
        if not ok:
            return r
        out[r] = v
    return -1


@njit(cache=True, inline="always")
def _digits(data: U8, a: int, n: int) -> int:
    v = 0
    for i in range(a, a + n):
        d = data[i] - _ZERO
        if d < 0 or d > 9:
            return -1
        v = v * 10 + d
    return v


@njit(cache=True, inline="always")
def _ms_one(data: U8, a: int, b: int) -> int:
    while a < b and data[a] == _SPACE:
        a += 1
    while b > a and data[b - 1] == _SPACE:
        b -= 1
    for i in range(b - 1, a - 1, -1):  # DolphinDB DATETIME: keep the part after the last 'T'
        if data[i] == _T:
            a = i + 1
            break
    c = a
    while c < b and data[c] != _COLON:
        c += 1
    n_h = c - a
    if n_h < 1 or n_h > 2 or c + 6 > b or data[c + 3] != _COLON:
        return -1
    h, m, s = _digits(data, a, n_h), _digits(data, c + 1, 2), _digits(data, c + 4, 2)
    if h < 0 or m < 0 or s < 0 or m > 59 or s > 59:
        return -1
    ms, i = 0, c + 6
    if i < b:
        if data[i] != _DOT or i + 1 == b:
            return -1
        scale = 100
        for j in range(i + 1, b):
            d = data[j] - _ZERO
            if d < 0 or d > 9:
                return -1
            ms += d * scale  # digits past the millisecond are truncated (timedelta64[ms] does the same)
            scale //= 10
    return ((h * 60 + m) * 60 + s) * 1000 + ms


@njit(cache=True)
def ms_from_text(offsets: npt.NDArray[np.int64], data: U8, out: npt.NDArray[np.int32]) -> int:
    """``[date T]HH:MM:SS[.fff]`` strings to milliseconds since midnight; ``-1`` or the first unreadable row."""
    for r in range(out.shape[0]):
        v = _ms_one(data, offsets[r], offsets[r + 1])
        if v < 0:
            return r
        out[r] = v
    return -1
