"""Number tokens in text, and the set of tokens a diagnosis may print (its evidence, scores and dates).

A brief is evidence-bound when every number token it contains is in :func:`traceable_tokens`; an LLM rewrite is
accepted only when its number tokens equal the deterministic brief's (same multiset: none lost, none invented).
"""

from __future__ import annotations

import re
from collections import Counter

from tandem.core.i18n import LANGS
from tandem.diagnosis.models import Diagnosis

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|[+-]?\d+(?:\.\d+)?%?")


def number_tokens(text: str) -> list[str]:
    """Dates (``2023-06-30``) and numbers with optional sign and percent sign, in order of appearance."""
    return _TOKEN.findall(text)


def traceable_tokens(diag: Diagnosis) -> set[str]:
    """Tokens that may appear in a brief: evidence displays, labels and dates, scores, rank, universe, code."""
    texts = [diag.code, diag.as_of.isoformat(), diag.data_date.isoformat()]
    for d in diag.dimensions:
        if d.score is not None:
            texts.append(str(d.score))
        for e in d.evidence:
            texts += [e.display, *(e.label.render(lang) for lang in LANGS), e.as_of.isoformat()]
    c = diag.composite
    texts += [str(x) for x in (c.score, c.rank, c.universe) if x is not None]
    return {t for text in texts for t in number_tokens(text)}


def untraceable(text: str, diag: Diagnosis) -> list[str]:
    """Number tokens of ``text`` that no evidence item, score or date of ``diag`` accounts for."""
    allowed = traceable_tokens(diag)
    return [t for t in number_tokens(text) if t not in allowed]


def same_numbers(reference: str, candidate: str) -> bool:
    """True when ``candidate`` carries exactly the number tokens of ``reference`` (as a multiset)."""
    return Counter(number_tokens(reference)) == Counter(number_tokens(candidate))
