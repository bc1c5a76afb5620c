"""MovieLens 100K in RecBole's atomic format, read from wherever the caller keeps it (never copied into the repo).

Used by the benchmark and the ``tandem engagement evaluate --movielens`` command to run the same evaluation code
as the synthetic population under RecBole's default protocol (every rating an implicit positive).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.core.errors import UserError

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Interactions:
    """Interactions as dense indices, with the id of each index kept for reporting."""

    users: Ints
    items: Ints
    timestamps: npt.NDArray[np.float64]
    n_users: int
    n_items: int


def load_recbole_inter(path: Path) -> Interactions:
    """Read a RecBole ``.inter`` file (``user_id:token item_id:token rating:float timestamp:float``), gz or not."""
    if path.is_dir():
        candidates = sorted(path.glob("*.inter.gz")) + sorted(path.glob("*.inter"))
        if not candidates:
            raise UserError(f"{path}: no .inter or .inter.gz file; point at the ml-100k folder of ../shared/data")
        path = candidates[0]
    if not path.exists():
        raise UserError(f"{path}: not found; the MovieLens file lives in ../shared/data/recsys/ml-100k/")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, sep="\t")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    missing = {"user_id", "item_id", "timestamp"} - set(frame.columns)
    if missing:
        raise UserError(f"{path}:1: header lacks {sorted(missing)}; expected RecBole's atomic .inter columns")
    users, user_index = pd.factorize(frame["user_id"])
    items, item_index = pd.factorize(frame["item_id"])
    return Interactions(
        users.astype(np.int64),
        items.astype(np.int64),
        frame["timestamp"].to_numpy(dtype=np.float64),
        len(user_index),
        len(item_index),
    )
