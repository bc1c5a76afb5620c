"""SIGKILL in the middle of writing a new version leaves the store exactly as it was; the next import succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tandem.marketdata.importing import import_paths
from tandem.marketdata.versioned import VersionedStore

DATA = Path(__file__).parent / "data"

# The child imports a batch and is slowed down *after* its first Parquet partition is on disk, so the parent can
# kill it while the staging directory is half written. The slowdown only widens the window; the kill is real.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import tandem.marketdata.versioned as v
    real = v._write_partition
    def slow(job):
        real(job)
        time.sleep(60)
    v._write_partition = slow
    from tandem.marketdata.importing import import_paths
    import_paths(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
    """
)


def _tables(root: Path) -> dict[str, object]:
    store = VersionedStore(root)
    return {t: store.read(t).to_dicts() for t in ("daily_bars", "vendor_adjusted_bars", "index_bars")}


def test_sigkill_mid_write_leaves_store_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "store"
    import_paths(root, [DATA / "daily/hfq_baostock_2012_2023_subset40"])
    current = (root / "CURRENT").read_bytes()
    tables = _tables(root)

    batch = [DATA / "daily/csi300_baostock_raw_2020_2025", DATA / "index"]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), *map(str, batch)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 30
        staging: list[Path] = []
        while time.monotonic() < deadline and not staging:
            staging = [p for p in (root / "versions").glob("*.tmp") if any(p.rglob("*.parquet"))]
            time.sleep(0.01)
        assert staging, "the child never started writing a version"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    assert (root / "CURRENT").read_bytes() == current
    assert _tables(root) == tables
    assert staging[0].exists()  # the half-written version is still there, invisible to readers

    report = import_paths(root, batch)
    assert report.changed and not staging[0].exists()  # swept by the next writer
    assert sorted(p.name for p in (root / "versions").iterdir() if p.name.endswith(".tmp")) == []
    assert set(VersionedStore(root).read("daily_bars")["code"].unique()) >= {"600519.SH", "000792.SZ"}
