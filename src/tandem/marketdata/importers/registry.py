"""Which importer handles which file: by the dataset folder it sits in, then by its header.

Adding a source: write an importer (``load(path) -> LoadResult``) and register it under its dataset folder name in
``_BY_FOLDER``, or add a header signature to ``_BY_HEADER`` for loose files.
"""

from __future__ import annotations

from pathlib import Path

from tandem.marketdata.csvio import read_bytes
from tandem.marketdata.importers.baostock import BaostockDaily
from tandem.marketdata.importers.base import Importer
from tandem.marketdata.importers.tandem_parquet import TandemParquet

_DATA_SUFFIXES = (".csv", ".gz", ".zip", ".txt", ".json", ".parquet")

_BY_FOLDER: dict[str, Importer] = {
    "csi300_baostock_raw_2020_2025": BaostockDaily(),
    "hfq_baostock_2012_2023_subset40": BaostockDaily(),
    "sample_data": TandemParquet(),
}

_BY_HEADER: list[tuple[frozenset[str], Importer]] = [
    (frozenset({"date", "code", "open", "high", "low", "close", "preclose", "adjustflag"}), BaostockDaily()),
]


def register(folder: str, importer: Importer) -> None:
    """Register an importer for every file inside a dataset folder named ``folder``."""
    _BY_FOLDER[folder] = importer


def register_header(columns: frozenset[str], importer: Importer) -> None:
    """Register an importer for loose files whose header contains ``columns``."""
    _BY_HEADER.append((columns, importer))


def discover(path: Path) -> list[Path]:
    """Data files under ``path`` (a file or a folder), in a stable order; licences and docs are left out."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.name.lower().endswith(_DATA_SUFFIXES)
        and not p.name.upper().startswith(("LICENSE", "README", "PROVENANCE", "SHA256"))
    )


def importer_for(path: Path) -> Importer | None:
    """The importer for ``path``, or None when no importer recognises it."""
    for parent in path.parents:
        if parent.name in _BY_FOLDER:
            return _BY_FOLDER[parent.name]
    if path.suffix in (".csv", ".gz"):
        try:
            head = read_bytes(path)[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
        except (OSError, IndexError, ValueError):
            return None
        cols = {c.strip() for c in head.split(",")}
        for sig, imp in _BY_HEADER:
            if sig <= cols:
                return imp
    return None
