"""The API shape of a diagnosis (``GET /api/v1/stocks/{code}/diagnosis`` and ``tandem diagnose --format json``)."""

from __future__ import annotations

from typing import Any

from tandem.compliance.disclaimers import ai_content_label
from tandem.diagnosis.models import Diagnosis


def to_dict(diag: Diagnosis) -> dict[str, Any]:
    """code, name, as_of, composite{score, rank}, dimensions[{key, label, score, evidence}], brief, disclaimer."""
    return {
        "code": diag.code,
        "name": diag.name,
        "industry": diag.industry,
        "industry_basis": {"zh": diag.industry_basis_zh, "en": diag.industry_basis_en},
        "board": diag.board,
        "as_of": diag.as_of.isoformat(),
        "data_date": diag.data_date.isoformat(),
        "composite": diag.composite.to_dict(),
        "dimensions": [d.to_dict() for d in diag.dimensions],
        "missing_dimensions": [
            {"key": d.key, "reason": d.missing, "reason_zh": d.missing_zh} for d in diag.dimensions if d.score is None
        ],
        "brief": {
            "zh": diag.brief.zh,
            "en": diag.brief.en,
            "ai_generated": diag.brief.ai_generated,
            "ai_label": ai_content_label("zh") if diag.brief.ai_generated else None,
        },
        "disclaimer": {"zh": diag.disclaimer_zh, "en": diag.disclaimer_en},
        "notes": list(diag.notes),
    }
