"""The two programs a video needs, found on PATH or at a given path: ffmpeg (encoding) and espeak-ng (narration).

Both come from Debian packages (``scripts/system_deps.sh`` installs them); a missing one is a
:class:`ToolMissingError` naming the package, raised before any work starts so a failed request writes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tandem.core.errors import UserError

PACKAGES = {"ffmpeg": "ffmpeg", "espeak-ng": "espeak-ng"}
"""Program → the Debian package that ships it."""


class ToolMissingError(UserError):
    """A program the video renderer runs is not installed; the message names the Debian package."""


@dataclass(frozen=True, slots=True)
class VideoTools:
    """Where ffmpeg and espeak-ng are: a name looked up on PATH, or an explicit path."""

    ffmpeg: str = "ffmpeg"
    espeak: str = "espeak-ng"

    def resolved(self) -> tuple[str, str]:
        """Absolute paths of (ffmpeg, espeak-ng); :class:`ToolMissingError` for the first one missing."""
        return _find(self.ffmpeg, "ffmpeg"), _find(self.espeak, "espeak-ng")


def _find(name: str, program: str) -> str:
    found = shutil.which(name)
    if found is None or not Path(found).is_file():
        package = PACKAGES[program]
        raise ToolMissingError(
            f"{program} not found (looked for {name!r}); the video renderer needs it: install Debian's package "
            f"with `apt-get install -y {package}` (or run `bash scripts/system_deps.sh` as root)"
        )
    return found
