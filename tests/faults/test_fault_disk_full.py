"""The disk fills up during a market-data import: the store stays exactly as it was and the error says what to do.

The store lives on a tiny tmpfs (mounted for the test when it runs as root) that a filler file leaves almost full,
so the real write call gets ``ENOSPC`` from the kernel. Where mounting is not permitted the same ``OSError`` is
raised from the partition write after it has written part of the new version, which is what the kernel does.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import tandem.marketdata.versioned as versioned
from tandem.core.errors import UserError
from tandem.marketdata.importing import import_paths
from tandem.marketdata.versioned import VersionedStore

DATA = Path(__file__).resolve().parents[1] / "marketdata" / "data"
BASE = [DATA / "daily/hfq_baostock_2012_2023_subset40"]
BATCH = [DATA / "daily/csi300_baostock_raw_2020_2025", DATA / "index"]
FREE_BYTES = 24 * 1024
"""Room left on the disk: enough for the staging directory and a partition or two, not for the version."""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 16 MiB tmpfs at a fresh directory, or None when this process may not mount one."""
    where = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    where.mkdir()
    mounted = os.geteuid() == 0 and (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)], check=False).returncode == 0
    )
    try:
        yield where if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], check=True)


def _fill(disk: Path, *, leave: int) -> Path:
    """Write a filler file until the disk is full, then give back ``leave`` bytes."""
    filler = disk / "filler"
    block = b"\0" * 65536
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(block)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under the store (but the writer's lock) with a hash of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _enospc_after_first_write(monkeypatch: pytest.MonkeyPatch) -> None:
    real = versioned._write_partition
    calls = {"n": 0}

    def write(job: tuple[object, Path]) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            job[1].write_bytes(b"PAR1 half a partition")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(job[1]))
        real(job)  # type: ignore[arg-type]

    monkeypatch.setattr(versioned, "_write_partition", write)


def test_disk_full_during_import_leaves_the_store_as_it_was(
    small_disk: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = (small_disk or tmp_path) / "market"
    import_paths(root, BASE)
    before = _snapshot(root)
    current = (root / "CURRENT").read_text()
    if small_disk is not None:
        filler = _fill(small_disk, leave=FREE_BYTES)
    else:
        _enospc_after_first_write(monkeypatch)

    with pytest.raises(UserError) as info:
        import_paths(root, BATCH)
    message = str(info.value)
    assert "no space left" in message.lower() and str(root) in message  # what happened, where
    assert f"still at version {current.strip()}" in message  # what state the store is in
    assert "free" in message.lower() and "run the import again" in message  # how to fix it
    assert (root / "CURRENT").read_text() == current
    assert _snapshot(root) == before  # no half-written version left behind either

    if small_disk is not None:
        filler.unlink()
    else:
        monkeypatch.undo()
    report = import_paths(root, BATCH)  # once there is room, the same import succeeds
    assert report.changed and (root / "CURRENT").read_text() != current
    assert set(VersionedStore(root).read("daily_bars")["code"].unique()) >= {"600519.SH", "000792.SZ"}
