"""Records of a video: the scene plan (what is shown and said), timed cues, and the finished file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]
SceneKind = Literal["title", "overview", "technical", "dimension", "capital_flow", "risk", "missing", "closing"]


@dataclass(frozen=True, slots=True)
class Scene:
    """One screen: its kind, the dimension it shows (for dimension scenes), and the lines spoken over it.

    ``cues`` are subtitle-sized pieces of the narration, in order; each is spoken as one clip and shown as one
    subtitle, so the scene lasts as long as its clips.
    """

    kind: SceneKind
    cues: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class TimedCue:
    """A cue with its place on the timeline (seconds) and the scene it belongs to."""

    start: float
    end: float
    text: str
    scene: int


@dataclass(frozen=True, slots=True)
class VideoResult:
    """A rendered video: the MP4, its WebVTT sidecar, the cues, and the metadata written into the file."""

    path: Path
    vtt_path: Path
    duration_s: float
    size_bytes: int
    scenes: tuple[Scene, ...]
    cues: tuple[TimedCue, ...]
    metadata: dict[str, str]
    ai_labelled: bool
