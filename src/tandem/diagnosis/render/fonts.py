"""The CJK fonts shipped by ``mplfonts``, located through importlib.resources (no system font needed).

reportlab embeds TrueType outlines only, so PDFs use SimHei.ttf; matplotlib uses the same file for charts and
cards so every output shows the same glyphs (no tofu boxes).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from tandem.core.errors import UserError

CJK_TTF = "SimHei.ttf"


@cache
def cjk_ttf_path() -> Path:
    """Path of the SimHei TrueType font inside the installed mplfonts package."""
    path = Path(str(resources.files("mplfonts").joinpath("fonts", CJK_TTF)))
    if not path.is_file():
        raise UserError(f"CJK font {CJK_TTF} not found under mplfonts/fonts; reinstall with `pip install mplfonts`")
    return path


@cache
def mpl_font_name() -> str:
    """Register the CJK font with matplotlib once and return its family name."""
    from matplotlib import font_manager

    path = cjk_ttf_path()
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())
