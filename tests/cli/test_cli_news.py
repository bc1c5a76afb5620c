"""``tandem data import-news`` run as a user would: a real process, real 快讯 files, a temp data home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FLASH = Path(__file__).resolve().parents[1] / "marketdata" / "data" / "news" / "eastmoney_newsflash_2026_02"


def tandem(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_import_news_then_again_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "h"
    r = tandem(home, "data", "import-news", str(FLASH))
    assert r.returncode == 0, r.stderr
    assert "imported: 3 file(s), 20 item(s), 18 distinct article(s)" in " ".join(r.stdout.split())
    again = tandem(home, "data", "import-news", str(FLASH))
    assert again.returncode == 0 and "no change (already imported)" in again.stdout
    info = json.loads(tandem(home, "data", "info", "--format", "json").stdout)
    assert info["tables"]["news"] == 18


def test_a_missing_field_exits_2_naming_file_and_item_and_imports_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "eastmoney_newsflash_2026_02"
    shutil.copytree(FLASH, folder)
    path = folder / "ssgs_eastmoney_news_2026-02-16.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    del items[4]["url"]
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    home = tmp_path / "h"
    r = tandem(home, "data", "import-news", str(folder))
    assert r.returncode == 2
    assert "ssgs_eastmoney_news_2026-02-16.json:item 5: url: missing" in r.stderr and "nothing was imported" in r.stderr
    assert not (home / "market" / "CURRENT").exists()


def test_the_generic_import_points_to_import_news(tmp_path: Path) -> None:
    r = tandem(tmp_path / "h", "data", "import", str(FLASH))
    assert r.returncode == 2 and "tandem data import-news" in r.stderr
