"""Records of a diagnosis: evidence items, dimension scores, the composite and the whole report.

Every number a user sees is an :class:`Evidence` item (value, the dataset it came from, the date it is valid
for) or a score computed from them, so a brief can be checked against its evidence number by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tandem.core.i18n import LANGS, Joined, Lang, Message, translate


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number behind a score: ``display`` is exactly how it is printed anywhere (brief, PDF, card).

    ``period`` is the report period of the financial statement the number comes from (None for market data).
    Fields of one stock can come from different reports (revenue may lag ROE by a quarter), so every
    fundamentals-based item names its own period and every renderer prints it.
    """

    key: str
    label: Message
    value: float | int | str | bool
    display: str
    source: str
    as_of: date
    period: date | None = None

    def when(self, lang: Lang = "zh") -> str:
        """The date(s) to print next to the number: ``报告期 2023-03-31``, or the day plus the report period."""
        if self.period is None:
            return self.as_of.isoformat()
        if self.period == self.as_of:
            return translate(lang, "diag.when.report", period=self.period.isoformat())
        return translate(lang, "diag.when.day_report", day=self.as_of.isoformat(), period=self.period.isoformat())


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """One dimension's verdict: score 0–100 (None when missing, with ``missing`` saying which data and why).

    ``missing`` is the scorer's reason in English (the API and logs show it as is); ``missing_reason`` is the same
    reason as a catalogue sentence for the reports, so a Chinese reader never sees the English text.
    """

    key: str
    label: Message
    score: int | None
    verdict: Message | Joined
    evidence: tuple[Evidence, ...] = ()
    missing: str | None = None
    weight: float = 0.0
    is_proxy: bool = False
    missing_reason: Message | None = None


@dataclass(frozen=True, slots=True)
class Composite:
    """Weighted mean over the available dimensions and its rank among every stock scored that day."""

    score: int | None
    rank: int | None
    universe: int
    weights_note: Message


@dataclass(frozen=True, slots=True)
class Brief:
    """The three-minute brief in both languages; ``ai_generated`` when a model rewrote the Chinese text."""

    zh: str
    en: str
    ai_generated: bool = False

    def text(self, lang: Lang) -> str:
        """The brief in ``lang``."""
        return (self.zh, self.en)[LANGS.index(lang)]


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
    disclaimer: Joined
    """The stock risk disclaimer, the data-date line and (when a model wrote the brief) the AI label, one per line."""
    notes: tuple[str, ...] = field(default=())
    price_history: tuple[tuple[date, float], ...] = field(default=())
    industry_basis: Message | None = None
    """Which dated classification list ``industry`` comes from, flagged when that list postdates ``as_of``."""

    def title(self, lang: Lang = "zh") -> str:
        """``贵州茅台（600519.SH）``, or just the code when the store has no name for it."""
        if not self.name or self.name == self.code:
            return self.code
        return translate(lang, "diag.stock_title", name=self.name, code=self.code)

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
