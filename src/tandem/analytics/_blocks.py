"""Moving a block of panel columns into contiguous scratch rows and back, for the column kernels.

The panels are C-ordered (date × code), so a column is strided: walking one down the rows jumps a whole
row — about one memory page on 500 codes — per value. The kernels therefore take :data:`BLOCK` adjacent
columns at a time, copy them row by row (contiguous reads) into a ``(BLOCK, n_rows)`` scratch array whose
rows are the columns, run the plain per-column recurrence on those contiguous rows with its state in
registers (as TA-Lib does on its own contiguous input), and copy the results back row by row. Blocks are
the ``prange`` work items, so both cores get several. Per column the arithmetic is unchanged.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray

BLOCK = 32
"""Columns per block: 32 columns × 2,500 rows of scratch (640 KB) stay in a core's 1 MB L2 cache."""


def n_blocks(n_cols: int) -> int:
    """Return the number of column blocks covering ``n_cols`` columns (the ``prange`` extent)."""
    return (n_cols + BLOCK - 1) // BLOCK


@numba.njit(cache=True, nogil=True)
def load_block(x: FloatArray, blk: int) -> FloatArray:
    """Return columns ``blk*BLOCK ...`` of ``x`` as the rows of a new contiguous array."""
    n_rows, n_cols = x.shape
    j0 = blk * BLOCK
    w = min(BLOCK, n_cols - j0)
    buf = np.empty((w, n_rows))
    for i in range(n_rows):
        for c in range(w):
            buf[c, i] = x[i, j0 + c]
    return buf


@numba.njit(cache=True, nogil=True)
def store_block(buf: FloatArray, out: FloatArray, blk: int) -> None:
    """Write the rows of ``buf`` back as columns ``blk*BLOCK ...`` of ``out`` (the inverse of load_block)."""
    w, n_rows = buf.shape
    j0 = blk * BLOCK
    for i in range(n_rows):
        for c in range(w):
            out[i, j0 + c] = buf[c, i]


n_blocks_jit = numba.njit(cache=True, nogil=True)(n_blocks)
