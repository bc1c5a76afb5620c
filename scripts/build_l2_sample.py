"""Cut the bundled Level-2 sample: 600519.SH on 2023-02-01, every order and trade of the day, as Parquet.

Read with Tandem's own SSE readers from the real DolphinDB tutorial file (see ../shared/data/PROVENANCE.md,
section level2) and written unchanged in the normalised event schema (tandem.level2.schema), zstd-compressed.
Run from the repo root: ``.venv/bin/python scripts/build_l2_sample.py [/path/to/20230201.zip]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq

from tandem.level2.readers import read_events

SOURCE = Path("../shared/data/level2/dolphindb_tutorials_cn/data/dolphinscheduler_integration/20230201.zip")
OUT = Path("src/tandem/sample_data/level2/600519.SH_20230201.parquet")


def main() -> None:
    """Read, normalise, write."""
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    batch = read_events([src])["600519.SH"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(batch.to_arrow(), OUT, compression="zstd", compression_level=19)
    sys.stdout.write(f"{OUT}: {len(batch)} events ({batch.n_orders} orders, {batch.n_trades} trades), "
                     f"{OUT.stat().st_size} bytes\n")  # fmt: skip


if __name__ == "__main__":
    main()
