"""One stock's video rendered on first request and kept: the file is named by the fingerprint of what it shows.

The stock page's play button and the API ask for the same file; a second request (or another worker) finds it
done. A new store version that changes nothing the video shows keeps the same name, so nothing is re-rendered;
one changed number gives a new name. Concurrent requests for the same video wait for one render (a file lock).
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from tandem.core.i18n import Lang
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.video.batch import fingerprint
from tandem.diagnosis.render.video.inputs import VideoInputs
from tandem.diagnosis.render.video.render import render_video, vtt_path_for


def video_file(diag: Diagnosis, inputs: VideoInputs, root: Path, *, lang: Lang) -> Path:
    """The MP4 for ``diag`` under ``root/<lang>/`` (rendered now if this exact content has none yet)."""
    folder = root / lang
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{diag.code}-{fingerprint(diag, lang)[:16]}.mp4"
    if out.exists() and vtt_path_for(out).exists():
        return out
    with open(folder / f".{diag.code}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out.exists() and vtt_path_for(out).exists()):
            for stale in folder.glob(f"{diag.code}-*.mp4"):
                stale.unlink(missing_ok=True)
                vtt_path_for(stale).unlink(missing_ok=True)
            render_video(diag, out, inputs=inputs, lang=lang)
    return out
