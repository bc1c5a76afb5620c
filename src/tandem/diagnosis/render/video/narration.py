"""Narration with espeak-ng (offline; Mandarin voice ``cmn``): one WAV clip per cue, timed by its real length.

Each cue is synthesized on its own so its subtitle starts and ends with its words; the clips' measured lengths
(from the WAV headers) set the timeline. When the whole narration would run past the length limit, every clip is
synthesized again at the speaking rate that fits (up to ``MAX_RATE`` words per minute), so a long brief speeds up
rather than being cut.
"""

from __future__ import annotations

import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tandem.core.errors import UserError
from tandem.diagnosis.render.video.models import Lang, Scene, TimedCue

VOICES: dict[Lang, str] = {"zh": "cmn", "en": "en-us"}
RATE = 190
"""espeak-ng's words per minute to start from (its default is 175)."""
MAX_RATE = 320
GAP_S = 0.25
"""Silence after each cue, so sentences do not run together."""
MIN_SCENE_S = 2.0
"""A scene with nothing to say is still shown this long."""


@dataclass(frozen=True, slots=True)
class Narration:
    """The timed cues, the scene boundaries (start of each scene, then the end) and the joined WAV file."""

    cues: tuple[TimedCue, ...]
    scene_starts: tuple[float, ...]
    wav: Path
    rate: int


def _synth(espeak: str, voice: str, rate: int, text: str, out: Path) -> float:
    cmd = [espeak, "-v", voice, "-s", str(rate), "-w", str(out), text]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not out.is_file():
        raise UserError(
            f"espeak-ng failed on {text[:30]!r} (exit {proc.returncode}): {proc.stderr.strip()[:200]}; "
            f"check that the voice {voice!r} is installed (`espeak-ng --voices={voice}`; Debian package espeak-ng-data)"
        )
    with wave.open(str(out), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def _synth_all(espeak: str, lang: Lang, rate: int, texts: list[str], work: Path) -> list[float]:
    paths = [work / f"cue{i:03d}.wav" for i in range(len(texts))]
    with ThreadPoolExecutor(max_workers=4) as pool:  # each call is a short subprocess
        return list(pool.map(lambda a: _synth(espeak, VOICES[lang], rate, a[0], a[1]), zip(texts, paths, strict=True)))


def _join(clips: list[Path], lengths: list[float], scene_of: list[int], n_scenes: int, out: Path) -> None:
    """Concatenate clips with ``GAP_S`` silence after each and ``MIN_SCENE_S`` for a scene without clips."""
    params = None
    frames: list[bytes] = []
    for clip in clips:
        with wave.open(str(clip), "rb") as w:
            params = params or w.getparams()
            frames.append(w.readframes(w.getnframes()))
    if params is None:
        raise UserError("nothing to narrate: the video has no cues")
    rate, width = params.framerate, params.sampwidth * params.nchannels
    gap = b"\0" * (int(rate * GAP_S) * width)
    silent_scene = b"\0" * (int(rate * MIN_SCENE_S) * width)
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        i = 0
        for s in range(n_scenes):
            mine = [k for k in range(len(clips)) if scene_of[k] == s]
            if not mine:
                w.writeframes(silent_scene)
            for k in mine:
                w.writeframes(frames[k] + gap)
                i += 1


def narrate(scenes: tuple[Scene, ...], *, espeak: str, lang: Lang, work: Path, max_s: float) -> Narration:
    """Synthesize every cue, fit the total under ``max_s`` by raising the rate, and lay out the timeline."""
    texts = [c for s in scenes for c in s.cues]
    scene_of = [i for i, s in enumerate(scenes) for _ in s.cues]
    rate = RATE
    lengths = _synth_all(espeak, lang, rate, texts, work)
    silent = MIN_SCENE_S * sum(1 for s in scenes if not s.cues)
    total = sum(lengths) + GAP_S * len(lengths) + silent
    if total > max_s:
        speech = max_s - GAP_S * len(lengths) - silent
        rate = min(MAX_RATE, int(rate * sum(lengths) / max(speech, 1.0) * 1.04) + 1)
        lengths = _synth_all(espeak, lang, rate, texts, work)
        total = sum(lengths) + GAP_S * len(lengths) + silent
        if total > max_s:
            raise UserError(
                f"the narration takes {total:.0f} s even at {rate} words per minute, over the {max_s:.0f} s limit; "
                "shorten the brief"
            )
    cues: list[TimedCue] = []
    starts: list[float] = []
    t = 0.0
    k = 0
    for i, scene in enumerate(scenes):
        starts.append(t)
        if not scene.cues:
            t += MIN_SCENE_S
        for text in scene.cues:
            cues.append(TimedCue(start=t, end=t + lengths[k], text=text, scene=i))
            t += lengths[k] + GAP_S
            k += 1
    starts.append(t)
    wav = work / "narration.wav"
    _join([work / f"cue{i:03d}.wav" for i in range(len(texts))], lengths, scene_of, len(scenes), wav)
    return Narration(cues=tuple(cues), scene_starts=tuple(starts), wav=wav, rate=rate)
