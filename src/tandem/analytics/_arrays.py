"""Input checks shared by the indicator and metric functions.

Every public function accepts a 1-D series or a 2-D date × code panel. Internally the kernels only see
2-D float64 arrays, so these helpers lift a 1-D input to one column and drop the column again on the way
out. Bad input (wrong rank, mismatched shapes, a period below its minimum) is a mistake a caller can fix,
so it raises :class:`tandem.core.errors.ValidationFailed` with the argument name in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from tandem.core.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]
"""A float64 array of any rank: the type every analytics function returns."""

IntArray = npt.NDArray[np.int64]
"""An int64 array (row positions in the kernels)."""

ArrayLike = npt.ArrayLike

_F = TypeVar("_F", bound=Callable[..., Any])


def kernel(fn: _F) -> _F:
    """Compile ``fn`` with numba (nopython, cached on disk, parallel over column blocks via ``prange``).

    The wrapper exists so mypy sees the original signature; numba compiles lazily on the first call,
    so importing a module with kernels does no work.
    """
    return cast(_F, numba.njit(cache=True, parallel=True, nogil=True)(fn))


def serial_kernel(fn: _F) -> _F:
    """Compile ``fn`` with numba (nopython, cached on disk) to run on the calling thread only.

    For kernels that finish in about a millisecond (the metrics: a few SIMD passes over the panel),
    handing work to a second thread costs more than it saves whenever other processes share the cores:
    the call then waits for that thread to be scheduled, which measured 10-50x slower than one thread.
    """
    return cast(_F, numba.njit(cache=True, nogil=True)(fn))


def as_panel(x: ArrayLike, name: str) -> tuple[FloatArray, bool]:
    """Return ``x`` as a 2-D float64 array and whether it was 1-D.

    A 1-D input becomes a single column. Anything with another rank is refused.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        return arr.reshape(-1, 1), True
    if arr.ndim == 2:
        return arr, False
    raise ValidationFailed(
        f"{name}: expected a 1-D series or a 2-D date × code array, got {arr.ndim} dimensions "
        f"with shape {arr.shape}; pass one column per code"
    )


def same_shape(ref: FloatArray, other: ArrayLike, name: str, ref_name: str) -> FloatArray:
    """Return ``other`` as a 2-D float64 array shaped like ``ref`` (a 2-D panel), or raise."""
    arr, _ = as_panel(other, name)
    if arr.shape != ref.shape:
        raise ValidationFailed(
            f"{name}: shape {arr.shape} does not match {ref_name} shape {ref.shape}; "
            "align both on the same dates and codes first"
        )
    return arr


def bench_panel(ref: FloatArray, bench: ArrayLike, name: str) -> FloatArray:
    """Return a benchmark as a 2-D array matching ``ref``: a 1-D series becomes a read-only zero-stride view."""
    arr = np.asarray(bench, dtype=np.float64)
    if arr.ndim == 1:
        if arr.shape[0] != ref.shape[0]:
            raise ValidationFailed(
                f"{name}: {arr.shape[0]} rows but the returns have {ref.shape[0]}; align both on the same dates"
            )
        return np.broadcast_to(arr.reshape(-1, 1), ref.shape)
    return same_shape(ref, arr, name, "returns")


def check_period(value: int, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is at least ``minimum``, else raise ValidationFailed."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValidationFailed(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def restore(out: FloatArray, was_1d: bool) -> FloatArray:
    """Undo :func:`as_panel`: a result computed on one lifted column goes back to 1-D."""
    return out[:, 0] if was_1d else out
