"""``tandem diagnose CODE --format mp4`` and the cached whole-universe batch of videos."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tandem.cli.main import main
from tandem.compute import SerialRunner
from tandem.diagnosis.render.video.batch import MANIFEST, render_universe
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

HAVE_TOOLS = shutil.which("ffmpeg") is not None and shutil.which("espeak-ng") is not None
needs_tools = pytest.mark.skipif(not HAVE_TOOLS, reason="ffmpeg/espeak-ng not installed (scripts/system_deps.sh)")
CODES = ["600519.SH", "600036.SH"]


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tandem", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def home(diag_store: MarketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home whose market store is the session's fixture store (read through a symlink)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "market").symlink_to(Path(diag_store.root))
    monkeypatch.setenv("TANDEM_HOME", str(home))
    monkeypatch.setenv("TANDEM_COMPUTE_WORKERS", "1")
    return home


def test_unknown_code_exits_2_and_writes_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "x.mp4"
    rc, _, err = run(monkeypatch, capsys, "diagnose", "999999.SH", "--format", "mp4", "--output", str(out))
    assert rc == 2 and "no instrument 999999" in err and not out.exists()


def test_bad_language_exits_2(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(monkeypatch, capsys, "diagnose", "600519.SH", "--format", "mp4", "--lang", "fr")
    assert rc == 2 and "--lang must be zh or en" in err


def test_missing_ffmpeg_exits_2_naming_the_package(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither ffmpeg nor espeak-ng on PATH
    out = tmp_path / "x.mp4"
    rc, _, err = run(monkeypatch, capsys, "diagnose", "600519.SH", "--format", "mp4", "--output", str(out))
    assert rc == 2 and "apt-get install -y ffmpeg" in err and not out.exists()


@needs_tools
def test_batch_renders_each_stock_once_per_store_version_and_only_what_changed(
    tmp_path: Path, make_store: Callable[..., MarketStore]
) -> None:
    store = make_store(tmp_path / "market")
    out_dir = tmp_path / "videos"
    first = render_universe(DiagnosisService(store), out_dir, runner=SerialRunner(), codes=CODES, max_scenes=2)
    assert sorted(first.rendered) == sorted(CODES) and not first.cached and (out_dir / MANIFEST).is_file()
    stamps = {c: (out_dir / f"{c}.mp4").stat().st_mtime_ns for c in CODES}
    again = render_universe(DiagnosisService(store), out_dir, runner=SerialRunner(), codes=CODES, max_scenes=2)
    assert again.rendered == [] and sorted(again.cached) == sorted(CODES)
    # a new store version that changes neither stock's report: re-diagnosed, nothing re-rendered
    row = {"code": "000001.SZ", "date": date(2015, 1, 5), "threshold_set": "t", "class": "large",
           "buy_amount": 1.0, "sell_amount": 1.0, "net_amount": 0.0, "source": "test"}  # fmt: skip
    assert store.write_capital_flow(pl.DataFrame([row]))
    assert store.current_version() != first.version
    (out_dir / "600036.SH.mp4").unlink()  # a lost file is rendered again
    third = render_universe(DiagnosisService(store), out_dir, runner=SerialRunner(), codes=CODES, max_scenes=2)
    assert third.rendered == ["600036.SH"] and third.cached == ["600519.SH"]
    assert (out_dir / "600519.SH.mp4").stat().st_mtime_ns == stamps["600519.SH"]
    longer = render_universe(DiagnosisService(store), out_dir, runner=SerialRunner(), codes=CODES, max_scenes=3)
    assert sorted(longer.rendered) == sorted(CODES)  # what the video shows changed: both re-rendered


@pytest.mark.slow
@needs_tools
def test_cli_renders_the_video_and_its_subtitles(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "moutai.mp4"
    rc, _, err = run(monkeypatch, capsys, "diagnose", "600519.SH", "--format", "mp4", "--output", str(out))
    assert rc == 0, err
    assert out.stat().st_size > 100_000 and out.with_suffix(".vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert "wrote" in err
