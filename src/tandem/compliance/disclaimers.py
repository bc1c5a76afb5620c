"""Fixed compliance texts: the risk disclaimers, the AI-generated-content label and the data-date line.

There are two risk disclaimers because the products differ: ``kind="fund"`` is the fund-sales wording
(基金有风险…基金过往业绩不代表未来表现) for advisory plans; ``kind="stock"`` is the securities-research wording
(股市有风险…本报告基于公开数据和模型计算) for stock diagnoses and other single-stock reports. Callers name the kind.

The AI label follows the CAC 《人工智能生成合成内容标识办法》 (in force 2025-09-01): text produced by a model
must carry an explicit label; ``AI_CONTENT_LABEL`` is the wording the diagnosis brief and any model-rewritten
explanation must show. Template-generated text (e.g. wealth plan explanations) is not AI content and does not
carry it. The texts live in the catalogue (:mod:`tandem.core.i18n_compliance`), so a legal review changes one
file.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from tandem.core.i18n import LANGS, Joined, Lang, Message, translate

__all__ = [
    "AI_CONTENT_LABEL",
    "RISK_DISCLAIMER",
    "STOCK_RISK_DISCLAIMER",
    "SYNTHETIC_LABEL",
    "DisclaimerKind",
    "Lang",
    "ai_content_label",
    "data_date_line",
    "data_date_message",
    "footer",
    "footer_text",
    "risk_disclaimer",
]

DisclaimerKind = Literal["fund", "stock"]

_KINDS: Final[dict[DisclaimerKind, str]] = {"fund": "disclaimer.fund", "stock": "disclaimer.stock"}

RISK_DISCLAIMER: Final[dict[Lang, str]] = {lang: translate(lang, "disclaimer.fund") for lang in LANGS}
STOCK_RISK_DISCLAIMER: Final[dict[Lang, str]] = {lang: translate(lang, "disclaimer.stock") for lang in LANGS}
AI_CONTENT_LABEL: Final[dict[Lang, str]] = {lang: translate(lang, "disclaimer.ai") for lang in LANGS}
SYNTHETIC_LABEL: Final[dict[Lang, str]] = {lang: translate(lang, "disclaimer.synthetic") for lang in LANGS}


def risk_disclaimer(lang: Lang = "zh", *, kind: DisclaimerKind = "fund") -> str:
    """Return the risk disclaimer for ``kind`` of content (fund plans or stock reports) in ``lang``."""
    if kind not in _KINDS or lang not in LANGS:
        known = "kinds: fund, stock; langs: zh, en"
        raise ValueError(f"no risk disclaimer for kind={kind!r}, lang={lang!r}; {known}")
    return translate(lang, _KINDS[kind])


def ai_content_label(lang: Lang = "zh") -> str:
    """Return the explicit label required on AI-generated text."""
    return translate(lang, "disclaimer.ai")


def data_date_message(as_of: date, *, start: date | None = None) -> Message:
    """Which data the content rests on, as a sentence: ``数据截至 2020-12-31`` or a start–end range."""
    if start is not None:
        return Message("disclaimer.data_range", {"start": start.isoformat(), "end": as_of.isoformat()})
    return Message("disclaimer.data_asof", {"day": as_of.isoformat()})


def data_date_line(as_of: date, lang: Lang = "zh", *, start: date | None = None) -> str:
    """State which data the content rests on: ``数据截至 2020-12-31`` or a start–end range."""
    return data_date_message(as_of, start=start).render(lang)


def footer_text(
    *, as_of: date, ai_generated: bool = False, start: date | None = None, kind: DisclaimerKind = "fund"
) -> Joined:
    """Disclaimer for ``kind``, data-date line and (when the text came from a model) the AI label, one per line.

    Records carry this and the edge renders it in the reader's language (:func:`footer` is the rendered form).
    """
    if kind not in _KINDS:
        raise ValueError(f"no risk disclaimer for kind={kind!r}; kinds: fund, stock")
    lines: list[Message] = [Message(_KINDS[kind]), data_date_message(as_of, start=start)]
    if ai_generated:
        lines.append(Message("disclaimer.ai"))
    return Joined(tuple(lines), "sep.line")


def footer(
    *,
    as_of: date,
    lang: Lang = "zh",
    ai_generated: bool = False,
    start: date | None = None,
    kind: DisclaimerKind = "fund",
) -> str:
    """Disclaimer for ``kind``, data-date line and (when the text came from a model) the AI label, one per line."""
    return footer_text(as_of=as_of, ai_generated=ai_generated, start=start, kind=kind).render(lang)
