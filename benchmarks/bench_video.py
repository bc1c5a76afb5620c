"""个股三分钟 video: time to render one full video on 2 cores, its length and file size (goals: < 20 s, < 8 MB / 3 min).

Runs on the bundled real-data sample (imported into a temporary home unless $TANDEM_HOME has a store). The
diagnosis itself is not timed (see bench_diagnosis.py); the timed span is ``render_video``: planning, espeak-ng
narration, frames on a fresh 2-process pool (pool start-up included) or in this process, ffmpeg encoding. Usage:

    .venv/bin/python benchmarks/bench_video.py [--code 600519.SH] [--repeat 1] [--lang zh]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from tandem.compute import BatchRunner, LocalPoolRunner, SerialRunner
from tandem.diagnosis.render.video import render_video, video_inputs
from tandem.diagnosis.render.video.models import VideoResult
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data"
GOAL_S, GOAL_MB_PER_3MIN = 20.0, 8.0


def _store(tmp: Path) -> MarketStore:
    home = os.environ.get("TANDEM_HOME")
    if home and MarketStore.open(Path(home) / "market").current_version() is not None:
        return MarketStore.open(Path(home) / "market")
    import_paths(tmp / "market", [SAMPLE])
    return MarketStore.open(tmp / "market")


def _run(
    make_runner: type[BatchRunner] | None, args: argparse.Namespace, store: MarketStore, out: Path
) -> tuple[float, VideoResult]:
    diag = DiagnosisService(store).diagnose(args.code)
    inputs = video_inputs(store, diag)
    times: list[float] = []
    result = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        runner: BatchRunner = SerialRunner()
        if make_runner != "serial":
            runner = LocalPoolRunner(2, start_method=make_runner)  # type: ignore[arg-type]
        with runner:
            result = render_video(diag, out, inputs=inputs, lang=args.lang, runner=runner)
        times.append(time.perf_counter() - t)
    assert result is not None
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", default="600519.SH")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        store = _store(Path(tmp))
        load0 = os.getloadavg()[0]
        rows = []
        kinds = (
            ("2-process pool, fork (what the CLI uses)", "fork"),
            ("2-process pool, forkserver (the runner's default)", "forkserver"),
            ("this process (SerialRunner)", "serial"),
        )
        for name, kind in kinds:
            seconds, res = _run(kind, args, store, Path(tmp) / "v.mp4")
            mb = res.size_bytes / 1e6
            rows.append(
                (name, seconds, res.duration_s, mb, mb * 180.0 / res.duration_s, len(res.cues), len(res.scenes))
            )
        load1 = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; load average {load0:.1f} → {load1:.1f}")
    print(f"video of {args.code} ({args.lang}), median of {args.repeat}")
    print("| frames drawn on | render s | video s | MB | MB per 3 min | cues | scenes |")
    print("|---|---|---|---|---|---|---|")
    for name, s, dur, mb, per3, cues, scenes in rows:
        print(f"| {name} | {s:.1f} | {dur:.1f} | {mb:.2f} | {per3:.2f} | {cues} | {scenes} |")
    worst = max(r[1] for r in rows)
    per3 = max(r[4] for r in rows)
    print(f"goal < {GOAL_S:.0f} s (both ways): {'met' if worst < GOAL_S else 'NOT met'} (slowest {worst:.1f} s)")
    print(
        f"goal < {GOAL_MB_PER_3MIN:.0f} MB per 3 min: {'met' if per3 < GOAL_MB_PER_3MIN else 'NOT met'} ({per3:.2f} MB)"
    )


if __name__ == "__main__":
    main()
