"""Atomic, versioned Parquet tables: an import either lands whole or not at all.

Layout under the store root::

    CURRENT                 one line: the id of the live version
    versions/<id>/          manifest.json + one Parquet file per table (or per table-year partition)
    .lock                   held (flock) by the one writer

A writer stages a complete new version in ``versions/<id>.tmp``, hard-linking every partition it did not change,
fsyncs it, renames the directory, and only then swaps ``CURRENT`` with an atomic ``os.replace``. A crash or SIGKILL
at any point before that swap leaves ``CURRENT`` pointing at the old, untouched version; leftovers are swept by
the next writer. A write that fails (the disk full, most often) removes its own staging directory at once, so the
store's files are exactly what they were, and a full disk is reported as such with the fix. Readers never see a
half-written table. A commit whose merged tables equal the current ones
writes nothing, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from tandem.core.errors import ConflictError, UserError
from tandem.marketdata.tables import TableSpec, spec

_KEEP_VERSIONS = 2


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StoreDiskFullError(UserError):
    """The disk under the store filled up during a write; the write was rolled back."""


def _disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT from Python, or the same errno wrapped in a polars/Arrow error's text."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text


NO_ROOM_BYTES = 64 * 1024
"""Free space under which a failed write is taken to be the disk filling up (less than one partition file)."""


def _no_room_left(path: Path) -> bool:
    """True when the disk under ``path`` has (almost) nothing free, right after a write failed there."""
    try:
        return shutil.disk_usage(path).free < NO_ROOM_BYTES
    except OSError:
        return False


def _write_partition(job: tuple[pl.DataFrame, Path]) -> None:
    """Write one partition durably (zstd level 1: fast to write, still ~4x smaller than raw)."""
    frame, dst = job
    frame.write_parquet(dst, compression="zstd", compression_level=1, statistics=True)
    with open(dst, "rb") as fh:
        os.fsync(fh.fileno())


def strictly_sorted(frame: pl.DataFrame, keys: list[str]) -> bool:
    """True when rows are in strictly increasing key order (so also unique by key); one cheap pass, no sort.

    Nulls in a key count as unsorted, so callers fall back to their general path.
    """
    if frame.height < 2:
        return True
    ahead = pl.col(keys[-1]) > pl.col(keys[-1]).shift(1)
    for k in reversed(keys[:-1]):
        col, prev = pl.col(k), pl.col(k).shift(1)
        ahead = (col > prev) | ((col == prev) & ahead)
    return bool(frame.select(ahead.slice(1).fill_null(False).all()).item())


def _partition_name(table: TableSpec, year: int | None) -> str:
    return f"{table.name}/year={year}.parquet" if year is not None else f"{table.name}.parquet"


class VersionedStore:
    """The on-disk side of the market store: current version, its files, and transactions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._current_path = os.fspath(root / "CURRENT")
        self._seen: tuple[tuple[int, int, int, int, int], str | None] | None = None

    def current_version(self) -> str | None:
        """Id of the live version, or None for an empty store.

        Every cache derived from the store asks this on every web request, so it costs one ``stat``: the text of
        ``CURRENT`` is re-read only when the file's identity (inode, device, size, modification and change times)
        differs from the last read. Writers only ever swap ``CURRENT`` with ``os.replace`` of a new file, which
        changes the inode and the change time, so a new version is seen on the first call after the swap, in this
        process and in every other one.
        """
        try:
            st = os.stat(self._current_path)
        except FileNotFoundError:
            return None
        ident = (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        seen = self._seen
        if seen is not None and seen[0] == ident:
            return seen[1]
        try:
            with open(self._current_path, encoding="utf-8") as fh:
                version = fh.read().strip() or None
        except FileNotFoundError:
            return None
        self._seen = (ident, version)  # read after the stat: the text is never older than the identity it is kept under
        return version

    def manifest(self, version: str | None = None) -> dict[str, object]:
        """The manifest of a version (tables → partition files, and the import log)."""
        vid = version or self.current_version()
        if vid is None:
            return {"tables": {}, "imports": []}
        data: dict[str, object] = json.loads((self.root / "versions" / vid / "manifest.json").read_text("utf-8"))
        return data

    def files(self, table: str, version: str | None = None) -> list[Path]:
        """Parquet files holding ``table`` in a version (empty list if the table has no rows yet)."""
        vid = version or self.current_version()
        if vid is None:
            return []
        tables = self.manifest(vid)["tables"]
        assert isinstance(tables, dict)
        return [self.root / "versions" / vid / rel for rel in tables.get(table, [])]

    def read(self, table: str, version: str | None = None) -> pl.DataFrame:
        """Whole table as a polars frame with the declared schema (empty frame if absent)."""
        sp = spec(table)
        files = self.files(table, version)
        if not files:
            return pl.from_arrow(sp.schema.empty_table())  # type: ignore[return-value]
        return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Exclusive write transaction; commits on clean exit, discards everything on any exception."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "versions").mkdir(exist_ok=True)
        lock = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the transaction's life
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConflictError(
                    f"another import is writing to {self.root}; wait for it to finish and try again"
                ) from None
            self._sweep()
            tx = Transaction(self)
            yield tx
            tx.commit()
        finally:
            lock.close()

    def _sweep(self) -> None:
        """Remove staging leftovers of crashed writers and versions older than the last few."""
        versions = self.root / "versions"
        live = self.current_version()
        for d in versions.iterdir():
            if d.name.endswith(".tmp"):
                shutil.rmtree(d, ignore_errors=True)
        done = sorted((d for d in versions.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime)
        for d in done[:-_KEEP_VERSIONS]:
            if d.name != live:
                shutil.rmtree(d, ignore_errors=True)


class Transaction:
    """Staged upserts against one base version; nothing is visible until :meth:`commit`."""

    def __init__(self, store: VersionedStore) -> None:
        self._store = store
        self._base = store.current_version()
        self._staged: dict[str, pl.DataFrame] = {}
        self._pending: dict[str, list[pl.DataFrame]] = {}
        self._imports: list[dict[str, object]] = []
        self._base_manifest = store.manifest(self._base)
        self._base_cache: dict[str, dict[str, pl.DataFrame]] = {}
        self.changed = False
        self.committed_version: str | None = None

    def table(self, name: str) -> pl.DataFrame:
        """The table as this transaction sees it (base version plus staged changes)."""
        self._materialize(name)
        if name in self._staged:
            return self._staged[name]
        return self._base_table(name)

    def _base_parts(self, name: str) -> dict[str, pl.DataFrame]:
        """The base version's partitions of a table, read once per transaction (the base never changes)."""
        if name not in self._base_cache:
            tables: dict[str, list[str]] = self._base_manifest["tables"]  # type: ignore[assignment]
            base_dir = self._store.root / "versions" / str(self._base)
            self._base_cache[name] = {rel: pl.read_parquet(base_dir / rel) for rel in tables.get(name, [])}
        return self._base_cache[name]

    def _base_table(self, name: str) -> pl.DataFrame:
        parts = list(self._base_parts(name).values())
        if not parts:
            return pl.from_arrow(spec(name).schema.empty_table())  # type: ignore[return-value]
        return pl.concat(parts, how="vertical_relaxed")

    def upsert(self, name: str, rows: pl.DataFrame) -> int:
        """Insert or replace rows by the table's key; for patch tables fill only the non-null fields.

        Rows are cast to the declared schema (a column the schema lacks is an error) and merged lazily, so many
        upserts into one table cost one sort. Later rows win over earlier ones with the same key.
        """
        sp = spec(name)
        extra = set(rows.columns) - set(sp.schema.names)
        if extra:
            raise ValueError(f"table {name}: unknown columns {sorted(extra)}")
        target = pl.from_arrow(sp.schema.empty_table())
        assert isinstance(target, pl.DataFrame)
        if sp.patch:
            self._materialize(name)
        new = rows.with_columns(
            [pl.lit(None).cast(target.schema[c]).alias(c) for c in sp.schema.names if c not in rows.columns]
        ).select([pl.col(c).cast(target.schema[c]) for c in sp.schema.names])
        if sp.patch:
            self._merge(name, [new])
        else:
            self._pending.setdefault(name, []).append(new)
        return rows.height

    def replace(self, name: str, rows: pl.DataFrame) -> int:
        """Stage ``rows`` as the whole table (for small derived tables rebuilt from others, e.g. ``st_periods``).

        An upsert cannot drop a row whose key disappeared (an ST period that now starts on another day), so derived
        tables are replaced outright; unchanged content writes nothing at commit, like any other table.
        """
        sp = spec(name)
        extra = set(rows.columns) - set(sp.schema.names)
        if extra:
            raise ValueError(f"table {name}: unknown columns {sorted(extra)}")
        target = pl.from_arrow(sp.schema.empty_table())
        assert isinstance(target, pl.DataFrame)
        self._pending.pop(name, None)
        self._staged[name] = (
            rows.with_columns(
                [pl.lit(None).cast(target.schema[c]).alias(c) for c in sp.schema.names if c not in rows.columns]
            )
            .select([pl.col(c).cast(target.schema[c]) for c in sp.schema.names])
            .unique(subset=list(sp.keys), keep="last", maintain_order=True)
            .sort(list(sp.keys))
        )
        return rows.height

    def _materialize(self, name: str) -> None:
        pending = self._pending.pop(name, [])
        if pending:
            self._merge(name, pending)

    def _merge(self, name: str, frames: list[pl.DataFrame]) -> None:
        sp = spec(name)
        keys = list(sp.keys)
        new = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
        # a frame in strictly increasing key order has no duplicate key, so needs no unique(); one sort usually
        # gets it there (vendor bars come one code per file, in file-name order)
        ordered = strictly_sorted(new, keys)
        if not ordered:
            by_key = new.sort(keys)
            ordered = strictly_sorted(by_key, keys)
            new = by_key if ordered else new.unique(subset=keys, keep="last", maintain_order=True)
        old = self._staged[name] if name in self._staged else self._base_table(name)
        if old.height == 0 and ordered:
            self._staged[name] = new
            return
        if sp.patch and old.height:
            joined = new.join(old, on=keys, how="left", suffix="__old")
            new = joined.select(
                keys + [pl.coalesce(pl.col(c), pl.col(f"{c}__old")).alias(c) for c in sp.schema.names if c not in keys]
            ).select(sp.schema.names)
        merged = pl.concat([old.join(new.select(keys), on=keys, how="anti"), new], how="vertical_relaxed")
        self._staged[name] = merged.sort(keys)

    def log_import(self, entry: dict[str, object]) -> None:
        """Record what was imported (file, sha256, rows) in the new version's manifest."""
        self._imports.append(entry)

    def _partitions(self, name: str, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        sp = spec(name)
        if frame.height == 0:
            return {}
        if sp.partition_by_year is None:
            return {_partition_name(sp, None): frame}
        parts = frame.with_columns(pl.col(sp.partition_by_year).dt.year().alias("__year")).partition_by(
            "__year", as_dict=True, maintain_order=True, include_key=False
        )
        return {_partition_name(sp, int(y)): parts[(y,)] for (y,) in sorted(parts, key=lambda k: k[0])}

    def commit(self) -> bool:
        """Write the new version and swap it live; returns False (and writes nothing) when nothing changed."""
        store = self._store
        for name in list(self._pending):
            self._materialize(name)
        base_manifest = self._base_manifest
        base_tables: dict[str, list[str]] = dict(base_manifest["tables"])  # type: ignore[call-overload]
        base_dir = store.root / "versions" / self._base if self._base else None
        new_tables: dict[str, list[str]] = {n: list(r) for n, r in base_tables.items()}
        writes: dict[str, pl.DataFrame] = {}
        for name, frame in self._staged.items():
            base_parts = self._base_parts(name)
            new_parts = self._partitions(name, frame)
            for rel, part in new_parts.items():
                old = base_parts.get(rel)
                if old is None or not part.equals(old):
                    writes[rel] = part
            if set(new_parts) != set(base_parts):
                writes.update({rel: new_parts[rel] for rel in set(new_parts) - set(base_parts)})
            if new_parts or base_tables.get(name):
                new_tables[name] = sorted(new_parts)
        if not writes and new_tables == base_tables:
            self.changed = False
            return False
        vid = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
        stage = store.root / "versions" / f"{vid}.tmp"
        try:
            self._write_version(vid, stage, new_tables, writes, base_dir, base_manifest)
        except Exception as exc:
            # Read before the leftovers go: polars does not always carry the errno of a failed write in its error
            # (a full disk mid-file can surface as "Invalid thrift: transport error"), but the disk is still full.
            full = _disk_full(exc) or _no_room_left(store.root)
            for leftover in (stage, store.root / "versions" / vid):
                shutil.rmtree(leftover, ignore_errors=True)
            (store.root / "CURRENT.tmp").unlink(missing_ok=True)
            if full:
                free_mb = shutil.disk_usage(store.root).free / 2**20
                raise StoreDiskFullError(
                    f"no space left on the disk holding the market store {store.root} ({type(exc).__name__}: "
                    f"{exc}); the import was rolled back and the store is still at version {self._base or '(none)'}; "
                    f"free some space there ({free_mb:.1f} MB free now) or move TANDEM_HOME to a larger disk, then "
                    "run the import again"
                ) from exc
            raise
        _fsync_dir(store.root)
        self.changed = True
        self.committed_version = vid
        return True

    def _write_version(
        self,
        vid: str,
        stage: Path,
        new_tables: dict[str, list[str]],
        writes: dict[str, pl.DataFrame],
        base_dir: Path | None,
        base_manifest: dict[str, object],
    ) -> None:
        """Stage every partition and the manifest, rename the version into place, then swap ``CURRENT``."""
        store = self._store
        stage.mkdir(parents=True)
        jobs: list[tuple[pl.DataFrame, Path]] = []
        for rels in new_tables.values():
            for rel in rels:
                dst = stage / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                if rel in writes:
                    jobs.append((writes[rel], dst))
                else:
                    if base_dir is None:
                        raise RuntimeError(f"partition {rel} expected in the base version but there is none")
                    try:
                        os.link(base_dir / rel, dst)
                    except OSError:
                        shutil.copy2(base_dir / rel, dst)
        with ThreadPoolExecutor(max_workers=min(4, max(1, len(jobs)))) as pool:
            list(pool.map(_write_partition, jobs))
        imports = list(base_manifest.get("imports", [])) + self._imports  # type: ignore[call-overload]
        manifest = {"version": vid, "base": self._base, "tables": new_tables, "imports": imports}
        (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), "utf-8")
        with open(stage / "manifest.json", "rb") as fh:
            os.fsync(fh.fileno())
        final = store.root / "versions" / vid
        os.rename(stage, final)
        _fsync_dir(store.root / "versions")
        tmp = store.root / "CURRENT.tmp"
        tmp.write_text(vid + "\n", encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, store.root / "CURRENT")  # the last step: after it, nothing may roll the version back
