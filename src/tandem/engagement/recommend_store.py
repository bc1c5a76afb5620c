"""Saving and loading a fitted :class:`EngagementRanker` (one ``.npz`` plus JSON, replaced atomically)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np

from tandem.core.errors import UserError
from tandem.engagement.recommend_models import EASERanker
from tandem.engagement.recommend_train import Blend, EngagementRanker

FORMAT = "tandem-engagement-ranker/v1"


def save_ranker(ranker: EngagementRanker, path: Path) -> Path:
    """Write the learned state to ``path`` (``.npz``) via a temporary file and a rename."""
    meta = {
        "format": FORMAT,
        "blend": [ranker.blend_.regularization, ranker.blend_.history, ranker.blend_.recency],
        "item_ids": ranker.item_ids_,
        "categories": sorted(ranker.category_popularity_),
    }
    buf = io.BytesIO()
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        "weights": ranker.ease_.weights_,
        "popularity": ranker.popularity_,
        **{f"cat_{c}": v for c, v in ranker.category_popularity_.items()},
    }
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds like allow_pickle
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)
    return path


def load_ranker(path: Path) -> EngagementRanker:
    """Read a ranker written by :func:`save_ranker`; serving needs no training data."""
    if not path.exists():
        raise UserError(f"{path}: no trained ranker; run `tandem engagement train` first")
    with np.load(path) as z:
        meta = json.loads(z["meta"].tobytes().decode())
        if meta.get("format") != FORMAT:
            raise UserError(f"{path}: format {meta.get('format')!r} is not {FORMAT}; retrain with this version")
        ranker = EngagementRanker()
        lam, history, recency = meta["blend"]
        ranker.blend_ = Blend(lam, history, recency)
        ease = EASERanker(regularization=lam)
        ease.weights_ = np.asarray(z["weights"], dtype=np.float64)
        ranker.ease_ = ease
        ranker.popularity_ = np.asarray(z["popularity"], dtype=np.float64)
        ranker.category_popularity_ = {c: np.asarray(z[f"cat_{c}"], dtype=np.float64) for c in meta["categories"]}
        ranker.item_ids_ = list(meta["item_ids"])
    return ranker
