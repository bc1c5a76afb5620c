"""Number formatting shared by evidence, brief and renderers: one spelling per number, language-neutral.

The brief may only print numbers that appear, spelled exactly so, in an evidence item's ``display``; routing every
number through these helpers is what makes that check hold.
"""

from __future__ import annotations

import math
from typing import TypeGuard


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a signed-when-negative percentage: 0.1234 → ``12.3%``."""
    return f"{x * 100:.{digits}f}%"


def signed_pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage with an explicit sign: 0.05 → ``+5.0%``."""
    return f"{x * 100:+.{digits}f}%"


def num(x: float, digits: int = 2) -> str:
    """A plain number with fixed decimals."""
    return f"{x:.{digits}f}"


def yi(x: float) -> str:
    """An amount in CNY as 亿 (1e8) with one decimal, without the unit: 2.5e11 → ``2500.0``."""
    return f"{x / 1e8:.1f}"


def is_num(x: object) -> TypeGuard[float]:
    """True for a finite float/int (NaN and None are not numbers here)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x))
