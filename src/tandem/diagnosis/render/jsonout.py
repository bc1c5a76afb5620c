"""The API shape of a diagnosis (``GET /api/v1/stocks/{code}/diagnosis`` and ``tandem diagnose --format json``).

The record carries sentences as catalogue messages; this renderer shows each in both languages side by side
(``{"zh": …, "en": …}``, plus ``missing_zh``/``reason_zh``), the shape the API has always had.
"""

from __future__ import annotations

from typing import Any

from tandem.compliance.disclaimers import ai_content_label
from tandem.core.i18n import bilingual
from tandem.diagnosis.models import Composite, Diagnosis, DimensionScore, Evidence


def evidence_dict(e: Evidence) -> dict[str, Any]:
    """API shape: value, display, source, as_of (ISO), report_period (ISO or null), plus the key and labels."""
    return {
        "key": e.key,
        "label": bilingual(e.label),
        "value": e.value,
        "display": e.display,
        "source": e.source,
        "as_of": e.as_of.isoformat(),
        "report_period": e.period.isoformat() if e.period else None,
    }


def _reason_in_chinese(d: DimensionScore) -> str | None:
    return d.missing_reason.render("zh") if d.missing_reason is not None else None


def dimension_dict(d: DimensionScore) -> dict[str, Any]:
    """API shape of the dimension."""
    return {
        "key": d.key,
        "label": bilingual(d.label),
        "score": d.score,
        "verdict": bilingual(d.verdict),
        "weight": round(d.weight, 4),
        "is_proxy": d.is_proxy,
        "missing": d.missing,
        "missing_zh": _reason_in_chinese(d),
        "evidence": [evidence_dict(e) for e in d.evidence],
    }


def composite_dict(c: Composite) -> dict[str, Any]:
    """API shape of the composite."""
    return {"score": c.score, "rank": c.rank, "universe": c.universe, "weights_note": bilingual(c.weights_note)}


def to_dict(diag: Diagnosis) -> dict[str, Any]:
    """code, name, as_of, composite{score, rank}, dimensions[{key, label, score, evidence}], brief, disclaimer."""
    basis = bilingual(diag.industry_basis) if diag.industry_basis is not None else {"zh": "", "en": ""}
    return {
        "code": diag.code,
        "name": diag.name,
        "industry": diag.industry,
        "industry_basis": basis,
        "board": diag.board,
        "as_of": diag.as_of.isoformat(),
        "data_date": diag.data_date.isoformat(),
        "composite": composite_dict(diag.composite),
        "dimensions": [dimension_dict(d) for d in diag.dimensions],
        "missing_dimensions": [
            {"key": d.key, "reason": d.missing, "reason_zh": _reason_in_chinese(d)}
            for d in diag.dimensions
            if d.score is None
        ],
        "brief": {
            "zh": diag.brief.zh,
            "en": diag.brief.en,
            "ai_generated": diag.brief.ai_generated,
            "ai_label": ai_content_label("zh") if diag.brief.ai_generated else None,
        },
        "disclaimer": bilingual(diag.disclaimer),
        "notes": list(diag.notes),
    }
