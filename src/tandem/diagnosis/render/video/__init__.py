"""个股三分钟 as a short video: a narrated, subtitled, evidence-bound vertical MP4 (see :func:`render_video`)."""

from tandem.diagnosis.render.video.inputs import VideoInputs, video_inputs
from tandem.diagnosis.render.video.models import Scene, TimedCue, VideoResult
from tandem.diagnosis.render.video.render import render_video, vtt_path_for
from tandem.diagnosis.render.video.tools import ToolMissingError, VideoTools

__all__ = [
    "Scene",
    "TimedCue",
    "ToolMissingError",
    "VideoInputs",
    "VideoResult",
    "VideoTools",
    "render_video",
    "video_inputs",
    "vtt_path_for",
]
