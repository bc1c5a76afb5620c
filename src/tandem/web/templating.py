"""Jinja2 environment for the pages: autoescaping on, the i18n helper and cache-busted static URLs as globals."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from tandem.core.i18n import Joined, Lang, Message, translate

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(name: str) -> str:
    """``/static/<name>?v=<content hash>`` so assets can be cached for a year and still update on deploy."""
    path = STATIC_DIR / name
    try:
        version = _digest(str(path), path.stat().st_mtime_ns)
    except OSError:
        version = "missing"
    return f"/static/{name}?v={version}"


def make_templates() -> Jinja2Templates:
    """The template renderer (autoescape is on for .html, so user text is always escaped)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["asset_url"] = asset_url
    return templates


def render(
    templates: Jinja2Templates, request: Request, name: str, lang: Lang, status_code: int = 200, **context: Any
) -> Response:
    """Render ``name`` with the translation function ``t`` bound to the request's language.

    ``t`` takes a catalogue key (with ``{name}`` values as keywords) or a :class:`Message`/:class:`Joined` a record
    carries, so templates render records' sentences in the request's language too.
    """

    def t(key: str | Message | Joined, **params: object) -> str:
        if isinstance(key, Message | Joined):
            return key.render(lang)
        return translate(lang, key, **params)

    context.update({"t": t, "lang": lang})
    return templates.TemplateResponse(request, name, context, status_code=status_code)
