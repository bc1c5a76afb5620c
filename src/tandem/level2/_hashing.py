"""Open-addressing int64 → int32 hash table in plain arrays, usable from numba kernels.

Order numbers are channel-wide (SSE order numbers for one stock reach 10^7), so arrays indexed directly by
order number would waste memory; a Python dict per message would be far too slow. Keys are positive
integers (0 marks an empty slot), the table is never shrunk, and the caller doubles it (:func:`rehash`)
before the load factor passes one half, so probes stay short.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tandem.level2.schema import I32, I64

_MULT = 0x9E3779B97F4A7C15 >> 1  # Fibonacci hashing constant, kept in int64 range


@njit(cache=True, inline="always")
def hash_find(keys: I64, key: int) -> int:
    """Index of ``key`` in ``keys`` or of the empty slot where it would go (always terminates: load < 1)."""
    mask = keys.shape[0] - 1
    i = (key * _MULT) & mask
    while keys[i] != 0 and keys[i] != key:
        i = (i + 1) & mask
    return int(i)


@njit(cache=True)
def rehash(keys: I64, vals: I32, new_cap: int) -> tuple[I64, I32]:
    """A table of ``new_cap`` slots (a power of two) holding every entry of ``keys``/``vals``."""
    nk = np.zeros(new_cap, dtype=np.int64)
    nv = np.full(new_cap, -1, dtype=np.int32)
    for j in range(keys.shape[0]):
        k = keys[j]
        if k != 0:
            i = hash_find(nk, k)
            nk[i] = k
            nv[i] = vals[j]
    return nk, nv


def new_table(cap: int = 1 << 12) -> tuple[I64, I32]:
    """An empty table with ``cap`` slots (rounded up to a power of two)."""
    size = 1 << max(4, int(cap - 1).bit_length())
    return np.zeros(size, dtype=np.int64), np.full(size, -1, dtype=np.int32)


def ensure_room(keys: I64, vals: I32, used: int, extra: int) -> tuple[I64, I32]:
    """The same table, or a bigger copy, such that ``used + extra`` entries keep the load at most one half."""
    need = 2 * (used + extra)
    if need <= keys.shape[0]:
        return keys, vals
    cap = 1 << int(need - 1).bit_length()
    return rehash(keys, vals, cap)  # type: ignore[no-any-return]
