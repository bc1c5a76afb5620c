"""Prices and CNY amounts in JSON responses rounded to the fen (0.01 yuan), at serialisation, in one place.

Float arithmetic leaves tails such as ``-0.8300000000000001``; the API shows what a broker would. Schema fields
annotate their type (``close: Fen``, ``close: FenList``) and pydantic rounds when it writes JSON; Python-side
dumps (``model_dump()``) keep full precision for computation. Fund NAVs and unit counts are not CNY amounts and keep
their own precision (NAVs are quoted to four decimals).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import PlainSerializer


def _fen(value: float) -> float:
    return round(value, 2)


def _fen_optional(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _fen_list(values: list[float]) -> list[float]:
    out: list[float] = np.round(np.asarray(values, dtype=np.float64), 2).tolist()
    return out


def _fen_list_optional(values: list[float | None]) -> list[float | None]:
    arr = np.round(np.asarray(values, dtype=np.float64), 2)  # None → NaN → None again below
    out: list[float | None] = arr.tolist()
    return [None if v != v else v for v in out] if np.isnan(arr).any() else out


def _fen_curve(points: list[tuple[str, float | None]]) -> list[tuple[str, float | None]]:
    return [(day, None if v is None else round(v, 2)) for day, v in points]


Fen = Annotated[float, PlainSerializer(_fen, return_type=float, when_used="json")]
FenOptional = Annotated[float | None, PlainSerializer(_fen_optional, return_type=float | None, when_used="json")]
FenList = Annotated[list[float], PlainSerializer(_fen_list, return_type=list[float], when_used="json")]
FenListOptional = Annotated[
    list[float | None], PlainSerializer(_fen_list_optional, return_type=list[float | None], when_used="json")
]
FenCurve = Annotated[
    list[tuple[str, float | None]],
    PlainSerializer(_fen_curve, return_type=list[tuple[str, float | None]], when_used="json"),
]
