"""Static assets with long-lived cache headers, and the CJK web font served from the installed mplfonts package.

Font decision: the app's CSS lists system CJK fonts first and maps the "Tandem CJK" face to them via ``local()``, so
a phone or desktop with Chinese fonts never downloads anything. Only a machine without any CJK font (a bare server,
the headless test browser) fetches ``/fonts/tandem-cjk``: the 2.5 MB WOFF subset (GB2312 + the app's own words)
that ``scripts/vendor_js.sh`` builds from mplfonts' NotoSansCJKsc-Regular.otf, or — when the subset was not built —
the 16 MB full font served as-is from the installed package. Either way it is cached for a year.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tandem.core.errors import NotFoundError

YEAR = "public, max-age=31536000, immutable"
VENDOR_FILES = ("vendor/echarts.min.js", "vendor/htmx.min.js", "vendor/swagger-ui-bundle.js", "vendor/swagger-ui.css")
CJK_FONT = "NotoSansCJKsc-Regular.otf"
CJK_SUBSET = "vendor/tandem-cjk.woff"


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose responses may be cached for a year (URLs carry a content hash)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve the file with a one-year immutable Cache-Control."""
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = YEAR
        return response


def missing_vendor_files(static_dir: Path) -> list[str]:
    """Vendored JS files that are not there (``scripts/vendor_js.sh`` puts them in place)."""
    return [name for name in VENDOR_FILES if not (static_dir / name).is_file()]


def cjk_font_path(static_dir: Path) -> Path | None:
    """The built subset if present, else the full CJK font inside the installed mplfonts package, if present."""
    if (static_dir / CJK_SUBSET).is_file():
        return static_dir / CJK_SUBSET
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT
    return path if path.is_file() else None


def font_response(path: Path | None) -> Response:
    """The font file with year-long caching, or a clear 404 saying how to get it."""
    if path is None:
        raise NotFoundError("the CJK web font is not installed; pip install mplfonts (a Tandem dependency)")
    media = "font/woff" if path.suffix == ".woff" else "font/otf"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
