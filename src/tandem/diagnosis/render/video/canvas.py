"""A 1080×1920 frame canvas that draws text with the bundled CJK font and refuses glyphs the font lacks.

A font without a glyph draws a box (tofu) and nothing fails; so every string is checked against the font's
character map before it is drawn, and :class:`MissingGlyphError` names the characters. The canvas also keeps
every string it drew, so tests can check that each number on screen is in the report's evidence.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tandem.core.errors import UserError

WIDTH, HEIGHT = 1080, 1920
MARGIN = 60
INK, GREY, RED, PALE = (33, 37, 41), (110, 110, 110), (192, 57, 43), (244, 244, 244)


class MissingGlyphError(UserError):
    """The frame font has no glyph for some characters (they would render as boxes)."""


@cache
def _codepoints(font_path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(font_path, lazy=True) as tt:
        return frozenset(tt.getBestCmap() or {})


@cache
def font(font_path: str, size: int) -> ImageFont.FreeTypeFont:
    """The TrueType font at ``size`` pixels (cached per process)."""
    return ImageFont.truetype(font_path, size)


def missing_glyphs(font_path: str, text: str) -> list[str]:
    """Characters of ``text`` (whitespace aside) that ``font_path`` has no glyph for."""
    cmap = _codepoints(font_path)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


class Canvas:
    """One frame being drawn: white background, text through :meth:`text`, images through :meth:`paste`."""

    def __init__(self, font_path: Path) -> None:
        self.font_path = str(font_path)
        self.image = Image.new("RGB", (WIDTH, HEIGHT), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.texts: list[str] = []

    def text(self, xy: tuple[int, int], text: str, size: int, fill: tuple[int, int, int] = INK) -> int:
        """Draw ``text`` with its top-left at ``xy``; returns the y just below it."""
        lacking = missing_glyphs(self.font_path, text)
        if lacking:
            raise MissingGlyphError(
                f"font {Path(self.font_path).name} has no glyph for {''.join(lacking)!r} (in {text[:40]!r}); "
                "frames must use the bundled CJK font (tandem.diagnosis.render.fonts.cjk_ttf_path)"
            )
        f = font(self.font_path, size)
        self.draw.text(xy, text, font=f, fill=fill)
        self.texts.append(text)
        return xy[1] + int(size * 1.35)

    def centered(self, y: int, text: str, size: int, fill: tuple[int, int, int] = INK) -> int:
        """Draw ``text`` centred horizontally at height ``y``; returns the y below it."""
        w = self.draw.textlength(text, font=font(self.font_path, size)) if text else 0
        return self.text((int((WIDTH - w) / 2), y), text, size, fill)

    def paste(self, png: bytes, xy: tuple[int, int]) -> int:
        """Paste a PNG image with its top-left at ``xy``; returns the y below it."""
        import io

        img = Image.open(io.BytesIO(png)).convert("RGB")
        self.image.paste(img, xy)
        return xy[1] + img.height

    def box(self, top: int, bottom: int, fill: tuple[int, int, int] = PALE) -> None:
        """A full-width band (the subtitle background)."""
        self.draw.rectangle((0, top, WIDTH, bottom), fill=fill)

    def rule(self, y: int) -> None:
        """A thin horizontal line between the header and the content."""
        self.draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=(220, 220, 220), width=3)
