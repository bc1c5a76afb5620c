"""Records of a diagnosis: evidence items, dimension scores, the composite and the whole report.

Every number a user sees is an :class:`Evidence` item (value, the dataset it came from, the date it is valid
for) or a score computed from them, so a brief can be checked against its evidence number by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number behind a score: ``display`` is exactly how it is printed anywhere (brief, PDF, card).

    ``period`` is the report period of the financial statement the number comes from (None for market data).
    Fields of one stock can come from different reports (revenue may lag ROE by a quarter), so every
    fundamentals-based item names its own period and every renderer prints it.
    """

    key: str
    label_zh: str
    label_en: str
    value: float | int | str | bool
    display: str
    source: str
    as_of: date
    period: date | None = None

    def when(self, lang: str = "zh") -> str:
        """The date(s) to print next to the number: ``报告期 2023-03-31``, or the day plus the report period."""
        if self.period is None:
            return self.as_of.isoformat()
        word = "报告期" if lang == "zh" else "report"
        if self.period == self.as_of:
            return f"{word} {self.period.isoformat()}"
        sep = "，" if lang == "zh" else ", "
        return f"{self.as_of.isoformat()}{sep}{word} {self.period.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        """API shape: value, display, source, as_of (ISO), report_period (ISO or null), plus the key and labels."""
        return {
            "key": self.key,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "value": self.value,
            "display": self.display,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "report_period": self.period.isoformat() if self.period else None,
        }


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """One dimension's verdict: score 0–100 (None when missing, with ``missing`` saying which data and why).

    ``missing_zh`` is the same reason in Chinese for the reports (``missing`` stays English for the API and logs).
    """

    key: str
    label_zh: str
    label_en: str
    score: int | None
    verdict_zh: str
    verdict_en: str
    evidence: tuple[Evidence, ...] = ()
    missing: str | None = None
    weight: float = 0.0
    is_proxy: bool = False
    missing_zh: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """API shape of the dimension."""
        return {
            "key": self.key,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "score": self.score,
            "verdict": {"zh": self.verdict_zh, "en": self.verdict_en},
            "weight": round(self.weight, 4),
            "is_proxy": self.is_proxy,
            "missing": self.missing,
            "missing_zh": self.missing_zh,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Composite:
    """Weighted mean over the available dimensions and its rank among every stock scored that day."""

    score: int | None
    rank: int | None
    universe: int
    weights_note_zh: str
    weights_note_en: str

    def to_dict(self) -> dict[str, Any]:
        """API shape of the composite."""
        return {
            "score": self.score,
            "rank": self.rank,
            "universe": self.universe,
            "weights_note": {"zh": self.weights_note_zh, "en": self.weights_note_en},
        }


@dataclass(frozen=True, slots=True)
class Brief:
    """The three-minute brief in both languages; ``ai_generated`` when a model rewrote the Chinese text."""

    zh: str
    en: str
    ai_generated: bool = False


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A full point-in-time diagnosis of one stock."""

    code: str
    name: str
    industry: str | None
    board: str
    as_of: date
    data_date: date
    composite: Composite
    dimensions: tuple[DimensionScore, ...]
    brief: Brief
    disclaimer_zh: str
    disclaimer_en: str
    notes: tuple[str, ...] = field(default=())
    price_history: tuple[tuple[date, float], ...] = field(default=())
    industry_basis_zh: str = ""
    industry_basis_en: str = ""
    """Which dated classification list ``industry`` comes from, flagged when that list postdates ``as_of``."""

    def title(self, lang: str = "zh") -> str:
        """``贵州茅台（600519.SH）``, or just the code when the store has no name for it."""
        if not self.name or self.name == self.code:
            return self.code
        return f"{self.name}（{self.code}）" if lang == "zh" else f"{self.name} ({self.code})"

    def dimension(self, key: str) -> DimensionScore:
        """The dimension with ``key`` (KeyError naming the known keys otherwise)."""
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(f"no dimension {key!r}; known: {', '.join(d.key for d in self.dimensions)}")

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Every evidence item of every dimension."""
        return tuple(e for d in self.dimensions for e in d.evidence)
