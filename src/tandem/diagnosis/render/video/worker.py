"""The scene-drawing entry point for worker processes, with its heavy imports at the top on purpose.

A process pool started with ``forkserver`` preloads the module of the function it runs; importing matplotlib and
Pillow here means the fork server pays for them once and every worker starts with them loaded, instead of each
worker importing matplotlib when it draws its first chart. :mod:`render` imports this module only when it renders
(the CLI's start-up does not pay for matplotlib).
"""

from __future__ import annotations

import matplotlib.figure
import matplotlib.font_manager  # noqa: F401
from PIL import Image  # noqa: F401

from tandem.diagnosis.render.video.frames import FrameJob, render_scene


def draw(job: FrameJob) -> list[str]:
    """Draw one scene's frames (see :func:`~tandem.diagnosis.render.video.frames.render_scene`); returns paths."""
    return [str(p) for p in render_scene(job)]
