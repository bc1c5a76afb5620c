"""WebVTT: the subtitle track as a sidecar file (for an HTML ``<track>``) with the same cues burned into frames."""

from __future__ import annotations

from collections.abc import Iterable

from tandem.diagnosis.render.video.models import TimedCue


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def to_webvtt(cues: Iterable[TimedCue]) -> str:
    """A WebVTT document with one numbered cue per narration cue."""
    parts = ["WEBVTT", ""]
    for i, cue in enumerate(cues, start=1):
        parts += [str(i), f"{_stamp(cue.start)} --> {_stamp(cue.end)}", cue.text, ""]
    return "\n".join(parts)


def cue_texts(vtt: str) -> list[str]:
    """The cue payload lines of a WebVTT document (header, cue numbers and timing lines dropped)."""
    blocks = vtt.replace("\r\n", "\n").split("\n\n")
    out: list[str] = []
    for block in blocks[1:]:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is not None:
            out += lines[timing + 1 :]
    return out
