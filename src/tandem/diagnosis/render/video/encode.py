"""ffmpeg: still frames (one per cue, held for its duration) + the narration → H.264/AAC MP4 with labels.

Frames go in through the concat demuxer with their durations and come out at a variable frame rate (one encoded
frame per cue) unless ``fps`` asks for a constant rate: a slide video needs no more, and encoding ~30 frames
instead of 4,500 keeps a three-minute video within seconds on two cores and a few megabytes.

The implicit label (《人工智能生成合成内容标识办法》 art. 5, field names of GB 45438-2025 §metadata): when any
text was machine-written the file carries an ``AIGC`` metadata key whose value is the standard's JSON
(``Label`` "1" = AI-generated content, ``ContentProducer``, ``ProduceID``, ``ReservedCode1``,
``ContentPropagator``, ``PropagateID``, ``ReservedCode2``). MP4 only keeps arbitrary keys with
``-movflags use_metadata_tags`` (an ``mdta`` key in ``moov/udta/meta``); the same statement is repeated in the
standard ``comment`` tag, which every player shows and which survives tools that drop unknown keys.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tandem.core.errors import UserError
from tandem.core.i18n import Lang
from tandem.diagnosis.models import Diagnosis

PRODUCER = "Tandem"
CRF = 27
_ISO639: dict[Lang, str] = {"zh": "chi", "en": "eng"}
"""The MP4 ``language`` tag (ISO 639-2) of each app language."""


def produce_id(diag: Diagnosis, lang: Lang) -> str:
    """A stable content number: the same report in the same language always gets the same ID."""
    basis = f"{diag.code}|{diag.data_date.isoformat()}|{lang}|{diag.brief.text(lang)}"
    return "tandem-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def video_metadata(diag: Diagnosis, lang: Lang) -> dict[str, str]:
    """The MP4 metadata tags: title, data date, provenance, and the AIGC implicit label when text is AI-written."""
    pid = produce_id(diag, lang)
    text_source = "model-rewritten" if diag.brief.ai_generated else "template"
    meta = {
        "title": f"{diag.name} {diag.code} 个股三分钟",
        "artist": PRODUCER,
        "date": diag.data_date.isoformat(),
        "language": _ISO639[lang],
        "description": (
            f"data date {diag.data_date.isoformat()}; narration text: {text_source}; voice: espeak-ng (rule-based "
            f"speech synthesis); content id {pid}"
        ),
    }
    if diag.brief.ai_generated:
        label = {
            "Label": "1",
            "ContentProducer": PRODUCER,
            "ProduceID": pid,
            "ReservedCode1": "",
            "ContentPropagator": PRODUCER,
            "PropagateID": pid,
            "ReservedCode2": "",
        }
        meta["AIGC"] = json.dumps(label, ensure_ascii=False, separators=(",", ":"))
        meta["comment"] = f"本内容由人工智能生成 (AIGC Label=1, ContentProducer={PRODUCER}, ProduceID={pid})"
    else:
        meta["comment"] = f"模板生成文字，非人工智能生成 (ProduceID={pid})"
    return meta


def concat_list(frames: Sequence[tuple[Path, float]]) -> str:
    """The concat demuxer script: each frame with its duration, the last repeated (the demuxer needs it)."""
    lines = ["ffconcat version 1.0"]
    for path, duration in frames:
        lines += [f"file '{path.name}'", f"duration {duration:.3f}"]
    lines.append(f"file '{frames[-1][0].name}'")
    return "\n".join(lines) + "\n"


def start_audio(ffmpeg: str, wav: Path, out: Path) -> subprocess.Popen[bytes]:
    """Start encoding the narration to AAC in the background (it runs while the frames are drawn).

    ffmpeg's default AAC coder spends ~10 s on three minutes of speech; the ``fast`` coder at 48 kb/s mono takes
    about 1.5 s and is transparent for a synthetic voice.
    """
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "aac", "-aac_coder", "fast",
           "-b:a", "48k", "-ac", "1", "-f", "mp4", str(out)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_audio(proc: subprocess.Popen[bytes]) -> None:
    """Wait for :func:`start_audio`; a failure is a :class:`UserError` with ffmpeg's message."""
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise UserError(f"ffmpeg could not encode the narration (exit {proc.returncode}): {err.decode()[-400:]}")


def encode(
    *,
    ffmpeg: str,
    frames: Sequence[tuple[Path, float]],
    audio: Path,
    vtt: Path,
    metadata: dict[str, str],
    out: Path,
    fps: float | None,
) -> None:
    """Mux frames (encoded here), the AAC narration (copied) and the subtitles into ``out``.

    The frames must share one directory (the concat script is written there).
    """
    listing = frames[0][0].parent / "frames.ffconcat"
    listing.write_text(concat_list(frames), encoding="utf-8")
    video_filter = "format=yuv420p" if fps is None else f"fps={fps},format=yuv420p"
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
           "-i", str(audio), "-i", str(vtt), "-map", "0:v", "-map", "1:a", "-map", "2:s",
           "-vf", video_filter, *(["-fps_mode", "vfr"] if fps is None else []),
           "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", str(CRF),
           "-c:a", "copy", "-c:s", "mov_text", "-metadata:s:s:0",
           f"language={metadata['language']}", "-movflags", "+faststart+use_metadata_tags"]  # fmt: skip
    for key, value in metadata.items():
        cmd += ["-metadata", f"{key}={value}"]
    cmd += ["-f", "mp4", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UserError(f"ffmpeg could not encode the video (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
