"""``render_video``: a diagnosis → a vertical 1080×1920 H.264/AAC MP4 (≤ 180 s) and its WebVTT subtitles.

Steps: plan the scenes from the brief (phrase-guarded), narrate each cue with espeak-ng and time the scenes by
the clips, draw each scene's frames (in parallel on the given batch runner), encode with ffmpeg. Tools are
checked first and everything is written in a temporary directory; the MP4 and VTT are moved into place only
when both are complete, so a failed render leaves no file and an existing one untouched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from tandem.compute import BatchRunner, SerialRunner
from tandem.core.errors import UserError
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.fonts import cjk_ttf_path
from tandem.diagnosis.render.video.encode import encode, start_audio, video_metadata, wait_audio
from tandem.diagnosis.render.video.frames import FrameJob
from tandem.diagnosis.render.video.inputs import VideoInputs
from tandem.diagnosis.render.video.models import Lang, Scene, VideoResult
from tandem.diagnosis.render.video.narration import narrate
from tandem.diagnosis.render.video.script import plan_scenes
from tandem.diagnosis.render.video.tools import VideoTools
from tandem.diagnosis.render.video.vtt import to_webvtt

MAX_SECONDS = 180.0


def vtt_path_for(out: Path) -> Path:
    """Where the WebVTT sidecar of ``out`` goes: same name, ``.vtt``."""
    return out.with_suffix(".vtt")


def render_video(
    diag: Diagnosis,
    out: Path,
    *,
    inputs: VideoInputs | None = None,
    lang: Lang = "zh",
    runner: BatchRunner | None = None,
    tools: VideoTools | None = None,
    fps: float | None = None,
    max_scenes: int | None = None,
    font_path: Path | None = None,
    max_seconds: float = MAX_SECONDS,
) -> VideoResult:
    """Render ``diag``'s video to ``out`` (and ``out`` with ``.vtt``); returns the result with its cues.

    ``inputs`` are the bars and Level-2 flow (:func:`~tandem.diagnosis.render.video.inputs.video_inputs`); without
    them the K-line scene shows only its evidence. ``runner`` draws scenes in parallel (default: this process).
    ``fps`` None encodes one frame per cue (variable rate); a number gives a constant rate. ``max_scenes`` keeps
    the first scenes and the closing card (short videos for tests and previews).
    """
    if out.suffix.lower() != ".mp4":
        raise UserError(f"video output {out} must end in .mp4")
    if not out.parent.is_dir():
        raise UserError(f"output directory {out.parent} does not exist; create it first")
    ffmpeg, espeak = (tools or VideoTools()).resolved()
    font = font_path or cjk_ttf_path()
    scenes = plan_scenes(diag, lang)
    if max_scenes is not None and len(scenes) > max_scenes:
        scenes = (*scenes[: max(max_scenes - 1, 1)], scenes[-1])
    with tempfile.TemporaryDirectory(prefix="tandem-video-", dir=out.parent) as tmp:
        work = Path(tmp)
        narration = narrate(scenes, espeak=espeak, lang=lang, work=work, max_s=max_seconds)
        audio = start_audio(ffmpeg, narration.wav, work / "narration.m4a")
        jobs = [
            FrameJob(diag=diag, scene=s, index=i, lang=lang, font_path=font, out_dir=work,
                     bars=inputs.bars if inputs and s.kind == "technical" else None,
                     flow=inputs.flow if inputs and s.kind == "capital_flow" else None)
            for i, s in enumerate(scenes)
        ]  # fmt: skip
        from tandem.diagnosis.render.video import worker  # matplotlib only when rendering (see worker's docstring)

        try:
            drawn = [
                [Path(p) for p in paths] for paths in (runner or SerialRunner()).map(worker.draw, jobs, chunksize=1)
            ]
        finally:
            wait_audio(audio)
        frames = _timed_frames(scenes, drawn, narration.scene_starts, [(c.start, c.scene) for c in narration.cues])
        vtt_text = to_webvtt(narration.cues)
        vtt_tmp = work / "subtitles.vtt"
        vtt_tmp.write_text(vtt_text, encoding="utf-8")
        metadata = video_metadata(diag, lang)
        mp4_tmp = work / "video.mp4"
        encode(
            ffmpeg=ffmpeg,
            frames=frames,
            audio=work / "narration.m4a",
            vtt=vtt_tmp,
            metadata=metadata,
            out=mp4_tmp,
            fps=fps,
        )
        duration = probe_duration(ffmpeg, mp4_tmp)
        vtt_final = vtt_path_for(out)
        os.replace(vtt_tmp, vtt_final)
        os.replace(mp4_tmp, out)
    return VideoResult(
        path=out, vtt_path=vtt_final, duration_s=duration, size_bytes=out.stat().st_size, scenes=scenes,
        cues=narration.cues, metadata=metadata, ai_labelled=diag.brief.ai_generated,
    )  # fmt: skip


def _timed_frames(
    scenes: tuple[Scene, ...], drawn: list[list[Path]], starts: tuple[float, ...], cue_starts: list[tuple[float, int]]
) -> list[tuple[Path, float]]:
    """Each frame with how long it is held: until the next cue of its scene, or the end of the scene."""
    frames: list[tuple[Path, float]] = []
    by_scene: dict[int, list[float]] = {}
    for t, s in cue_starts:
        by_scene.setdefault(s, []).append(t)
    for i, paths in enumerate(drawn):
        times = by_scene.get(i, [starts[i]])
        ends = [*times[1:], starts[i + 1]]
        frames += [(p, max(e - t, 0.04)) for p, t, e in zip(paths, times, ends, strict=True)]
    return frames


def probe_duration(ffmpeg: str, path: Path) -> float:
    """The container duration in seconds, read with ffprobe (next to ffmpeg) or ffmpeg's own banner."""
    ffprobe = str(Path(ffmpeg).with_name("ffprobe"))
    proc = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        return float(proc.stdout.strip())
    except ValueError:
        raise UserError(f"ffprobe could not read the duration of {path}: {proc.stderr.strip()[:200]}") from None
