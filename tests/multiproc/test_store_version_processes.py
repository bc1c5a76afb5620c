"""A new market store version reaches every worker: announced on Redis by ``tandem data import``, or read from disk.

The listening worker below never reads the store, so the only way it can drop its caches is the message the
importing process (a real ``tandem data import``) publishes after its commit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from multiproc_helpers import child_env

from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

DATA = Path(__file__).resolve().parents[1] / "marketdata" / "data"
LISTENER = Path(__file__).with_name("version_listener_proc.py")


@pytest.mark.redis
def test_an_import_in_one_process_drops_the_caches_of_another_at_once(tmp_path: Path, redis_url: str) -> None:
    home = tmp_path / "home"
    first = import_paths(home / "market", [DATA / "instruments" / "abu_2017"]).version
    assert first is not None
    worker = subprocess.Popen(
        [sys.executable, str(LISTENER), redis_url, str(home / "market")],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert json.loads(worker.stdout.readline()) == {"ready": first}
        imported = subprocess.run(
            [sys.executable, "-m", "tandem", "data", "import", str(DATA / "daily" / "qfq_baostock_5stocks_to_2026")],
            env=child_env(home=str(home), redis_url=redis_url),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr[-2000:]
        second = MarketStore.open(home / "market").current_version()  # without Redis: the next read sees it
        assert second is not None and second != first and second in imported.stdout
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1]) == {"new_version": second}
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()
