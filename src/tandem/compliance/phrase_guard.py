"""Phrase guard: reject text that promises returns or denies risk (保证收益, 稳赚, guaranteed return …).

Fund marketing rules (《公开募集证券投资基金销售机构监督管理办法》 and the AMAC sales rules) forbid promising
returns or saying a product has no risk. Diagnosis briefs and wealth explanations pass through
:func:`find_forbidden_phrases` before they are shown. A phrase directly negated (``不保证收益``, ``not
guaranteed``) is a disclaimer, not a promise, and is not flagged; technical terms such as 无风险利率 /
risk-free rate are masked first. Extend by passing your own ``phrases`` tuple.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tandem.core.errors import UserError

FORBIDDEN_PHRASES: tuple[str, ...] = (
    "保证收益",
    "保证盈利",
    "保本保收益",
    "保本",
    "稳赚不赔",
    "稳赚",
    "只赚不赔",
    "必涨",
    "零风险",
    "无风险",
    "没有风险",
    "收益有保障",
    "翻倍",
    "guaranteed return",
    "guaranteed returns",
    "guaranteed profit",
    "guarantee a return",
    "guaranteed income",
    "risk-free",
    "risk free",
    "no risk",
    "can't lose",
    "cannot lose",
    "sure win",
    "double your money",
)

TECHNICAL_TERMS: tuple[str, ...] = ("无风险利率", "无风险收益率", "risk-free rate", "risk free rate")
_ZH_NEGATIONS = ("不", "非", "无法", "不能", "并不", "不会", "未")
_EN_NEGATIONS = re.compile(r"(?:\bnot|\bno|\bnever|\bwithout|n't)\s+(?:a\s+|an\s+|be\s+)?$", re.IGNORECASE)


class PhraseGuardError(UserError):
    """Text contains a forbidden promise; ``phrases`` lists the offending phrases."""

    def __init__(self, message: str, phrases: list[str]) -> None:
        super().__init__(message)
        self.phrases = phrases


@lru_cache(maxsize=8)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered), re.IGNORECASE)


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start]
    if any(before.endswith(n) for n in _ZH_NEGATIONS):
        return True
    return _EN_NEGATIONS.search(before) is not None


def find_forbidden_phrases(text: str, *, phrases: Sequence[str] = FORBIDDEN_PHRASES) -> list[str]:
    """Return the forbidden phrases in ``text`` (as written, in order of appearance); empty when clean."""
    masked = text
    for term in TECHNICAL_TERMS:
        masked = re.sub(re.escape(term), lambda m: "□" * len(m.group(0)), masked, flags=re.IGNORECASE)
    hits: list[str] = []
    for match in _pattern(tuple(phrases)).finditer(masked):
        if not _negated(masked, match.start()):
            hits.append(text[match.start() : match.end()])
    return hits


def ensure_no_forbidden_phrases(text: str, *, where: str, phrases: Sequence[str] = FORBIDDEN_PHRASES) -> None:
    """Raise :class:`PhraseGuardError` naming ``where`` and every offending phrase, if any."""
    hits = find_forbidden_phrases(text, phrases=phrases)
    if hits:
        raise PhraseGuardError(
            f"{where}: text promises returns or denies risk ({', '.join(repr(h) for h in hits)}); "
            "rewrite it without these phrases",
            hits,
        )
