"""Scored market tables on disk, shared by every process of one data home.

Why: the first diagnosis in a fresh web worker used to build the day's market table itself — about 2.5 s on
the bundled sample, most of it loading the cached numba kernels of the indicator scorers (~2 s, including a
SciPy import numba's BLAS check pulls in), then the whole-market snapshot (~1 s) and the in-memory bar copy
(~0.5 s). Every worker of every host repeated that. The table of a (store version, session) is a pure function
of the store's files and the scoring code, so the first process that builds it writes it here and every later
process maps it instead: the first request in a worker costs a file read, not a scoring run.

Layout under ``folder`` (``<home>/diagnosis/table-cache``: a cache, so backups leave it out)::

    <fingerprint>-<store version>/
        index.npz                 the version's stock sessions and each stock's first/last bar day
        <session>/                one scored table (written to a temp dir, fsynced, renamed into place)
            panels.npy            the snapshot's date × code float panels, stacked (memory-mapped on load)
            flags.npy             its two boolean panels (ST, suspended)
            frames.pickle         everything else: per-dimension tables, scores, composite, reference,
                                  fundamentals, capital flow, benchmark, axes

``frames.pickle`` is pickle because the scorer tables hold object columns (tuples of missing-field names) that
no columnar format round-trips exactly; the files are written only by Tandem into its own data home, which
also holds the database and the key material, so they are as trusted as the code that reads them. A file
that fails to load (truncated, written by another version) is ignored and rebuilt, never trusted partially.

The directory name carries a fingerprint of the scoring code (sizes and modification times of the diagnosis,
analytics and rulebook sources, and the numpy/pandas versions), so editing a scorer or upgrading pandas makes
every stored table stale at once; only the newest few versions are kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import structlog

from tandem.diagnosis.results import results_dir
from tandem.diagnosis.snapshot import PANELS, Snapshot
from tandem.diagnosis.table import MarketTable

log = structlog.get_logger(__name__)

FORMAT = 1
"""Bumped when the layout above changes."""
KEEP_VERSIONS = 3
"""Store versions whose tables are kept (the live one and a couple of older ones still being served)."""
_BOOL_PANELS = ("is_st", "suspended")
_FLOAT_PANELS = tuple(p for p in PANELS if p not in _BOOL_PANELS)
_SOURCES = ("diagnosis", "analytics", "core/rulebook.py", "marketdata/pit.py")


@dataclass(frozen=True, slots=True)
class VersionIndex:
    """What a diagnosis needs to know about a store version before it has a table: sessions and bar spans."""

    sessions: npt.NDArray[np.datetime64]
    """Sorted distinct days with a bar of any stock."""
    codes: npt.NDArray[np.str_]
    """Sorted stock codes with at least one bar."""
    first: npt.NDArray[np.datetime64]
    last: npt.NDArray[np.datetime64]

    def span(self, code: str) -> tuple[date, date] | None:
        """First and last bar day of ``code`` (None when it has no bars)."""
        i = int(np.searchsorted(self.codes, code))
        if i >= len(self.codes) or self.codes[i] != code:
            return None
        return self.first[i].astype(object), self.last[i].astype(object)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A short hash of the scoring code and the libraries its numbers depend on (computed once per process)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"{FORMAT}|{np.__version__}|{pd.__version__}".encode())
    for rel in _SOURCES:
        path = root / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            st = f.stat()
            h.update(f"{f.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:12]


class TableFiles:
    """Read and write scored market tables and version indexes under one folder (atomic, cross-process)."""

    def __init__(self, folder: Path, *, keep_versions: int = KEEP_VERSIONS) -> None:
        self.folder = folder
        self.keep_versions = keep_versions

    @classmethod
    def under(cls, home: Path) -> TableFiles:
        """The data home's shared tables, beside the stored daily scores."""
        return cls(results_dir(home) / "table-cache")

    # ------------------------------------------------------------------ paths
    def _version_dir(self, version: str) -> Path:
        return self.folder / f"{code_fingerprint()}-{version}"

    def _table_dir(self, version: str, session: date) -> Path:
        return self._version_dir(version) / session.isoformat()

    # ------------------------------------------------------------------ version index
    def load_index(self, version: str) -> VersionIndex | None:
        """The stored index of ``version``, or None when absent or unreadable."""
        path = self._version_dir(version) / "index.npz"
        try:
            with np.load(path, allow_pickle=False) as z:
                return VersionIndex(
                    sessions=z["sessions"], codes=z["codes"].astype(str), first=z["first"], last=z["last"]
                )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError) as exc:
            log.warning("diagnosis.table_files.index_unreadable", path=str(path), error=str(exc))
            return None

    def save_index(self, version: str, index: VersionIndex) -> None:
        """Write ``index`` atomically (temp file, fsync, rename) and drop the tables of old versions."""
        folder = self._version_dir(version)
        tmp = folder / f".index.{uuid.uuid4().hex}.npz"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                np.savez(fh, sessions=index.sessions, codes=index.codes.astype("U"), first=index.first, last=index.last)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, folder / "index.npz")
            self._prune(keep=folder)
        except OSError as exc:  # the cache is an optimisation: a full or read-only disk must not fail a request
            with suppress(OSError):
                tmp.unlink()
            log.warning("diagnosis.table_files.write_failed", path=str(folder), error=str(exc))

    # ------------------------------------------------------------------ tables
    def load(self, version: str, session: date) -> MarketTable | None:
        """The stored table of (``version``, ``session``), or None when absent or unreadable."""
        folder = self._table_dir(version, session)
        if not (folder / "frames.pickle").is_file():
            return None
        try:
            return _read_table(folder)
        except Exception as exc:  # any damage means "not stored": rebuild rather than half-trust
            log.warning("diagnosis.table_files.table_unreadable", path=str(folder), error=repr(exc))
            return None

    def load_or_build(self, version: str, session: date, build: Callable[[], MarketTable]) -> MarketTable:
        """The stored table, or ``build()`` it under a cross-process lock and store it for every other process.

        Two workers asking for the same new day at once: the second waits on the lock and then maps what the
        first wrote, so the day is scored once per data home, not once per worker.
        """
        table = self.load(version, session)
        if table is not None:
            return table
        folder = self._table_dir(version, session)
        with ExitStack() as held:
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
                held.enter_context(_locked(folder.parent / f".{session.isoformat()}.lock"))
            except OSError as exc:  # the cache is an optimisation: an unusable folder must not fail a request
                log.warning("diagnosis.table_files.write_failed", path=str(folder), error=str(exc))
                return build()
            table = self.load(version, session)
            if table is not None:
                return table
            table = build()
            try:
                if folder.exists():  # unreadable (checked under the lock): replace it, never serve it
                    shutil.rmtree(folder)
                _write_table(folder, table)
            except OSError as exc:  # a full disk must not fail the request: the table is still served from memory
                log.warning("diagnosis.table_files.write_failed", path=str(folder), error=str(exc))
            return table

    def _prune(self, *, keep: Path) -> None:
        """Remove the folders of all but the newest ``keep_versions`` versions (``keep`` always stays)."""
        dirs = sorted((p for p in self.folder.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
        for old in dirs[: max(0, len(dirs) - (self.keep_versions - 1))]:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write_table(folder: Path, table: MarketTable) -> None:
    """Write ``table`` into a temp folder beside ``folder``, fsync every file, then rename it into place."""
    snap = table.snapshot
    tmp = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        first = getattr(snap, _FLOAT_PANELS[0])
        floats = np.stack([getattr(snap, p).to_numpy(dtype=np.float64) for p in _FLOAT_PANELS])
        flags = np.stack([getattr(snap, p).to_numpy(dtype=bool) for p in _BOOL_PANELS])
        others = {f.name: getattr(snap, f.name) for f in fields(Snapshot) if f.name not in PANELS}
        frames = {
            "snapshot": others,
            "index": first.index,
            "columns": first.columns,
            "tables": table.tables,
            "scores": table.scores,
            "composite": table.composite,
        }
        np.save(tmp / "panels.npy", floats)
        np.save(tmp / "flags.npy", flags)
        with open(tmp / "frames.pickle", "wb") as fh:
            pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for name in ("panels.npy", "flags.npy", "frames.pickle"):
            with open(tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / "frames.pickle").is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process stored the same table first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _read_table(folder: Path) -> MarketTable:
    """Map the panels (no copy until touched) and unpickle the small frames."""
    with open(folder / "frames.pickle", "rb") as fh:
        frames = pickle.load(fh)  # Tandem's own files in its own data home (see the module docstring)
    floats = np.load(folder / "panels.npy", mmap_mode="r")
    flags = np.load(folder / "flags.npy", mmap_mode="r")
    index, columns = frames["index"], frames["columns"]
    if floats.shape != (len(_FLOAT_PANELS), len(index), len(columns)) or flags.shape[1:] != floats.shape[1:]:
        raise ValueError(f"panel shape {floats.shape} does not match the stored axes")
    panels = {p: pd.DataFrame(floats[i], index=index, columns=columns, copy=False) for i, p in enumerate(_FLOAT_PANELS)}
    panels |= {p: pd.DataFrame(flags[i], index=index, columns=columns, copy=False) for i, p in enumerate(_BOOL_PANELS)}
    parts: dict[str, Any] = {**frames["snapshot"], **panels}
    snap = Snapshot(**parts)
    return MarketTable(snap, frames["tables"], frames["scores"], frames["composite"])
