"""Logging set-up for the composition roots: structlog, with personal data masked before anything is written.

Phone and resident-ID numbers are masked in every string value of every log event (and in messages from the standard
``logging`` module routed through structlog), so no handler or later processor ever sees them in clear.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d{10})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Mask every mainland mobile number and resident ID number found in free text."""
    text = ID_RE.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(3)}", text)
    return PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_log_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Structlog processor: mask phone and ID numbers in every string value of a log event."""
    for k, v in list(event.items()):
        if isinstance(v, str):
            event[k] = mask_text(v)
    return event


class _MaskingFilter(logging.Filter):
    """Masks personal data in records of the standard library loggers (uvicorn, sqlalchemy …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at emit time.

    A plain ``StreamHandler`` keeps the stream it was created with; when that stream is later replaced and closed
    (test capture, a daemonised server), every record fails and ``logging`` prints a traceback of the failing call
    — source line and unmasked arguments included — to the new stderr. Resolving the stream per record avoids it.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current stderr; assignments (``setStream``, ``__init__``) are ignored."""


_BASE_FACTORY = logging.getLogRecordFactory()


def _mask_arg(value: object) -> object:
    return mask_text(value) if isinstance(value, str) else value


def _masking_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Mask every stdlib record when it is created.

    Handlers that never reach the root logger (uvicorn's own, with ``propagate=False``) cannot write personal data
    either. String arguments are masked in place, keeping the argument structure that formatters such as uvicorn's
    access formatter unpack; only when personal data would still appear (a number or object argument) is the
    message collapsed to its masked text.
    """
    record = _BASE_FACTORY(*args, **kwargs)
    if isinstance(record.msg, str):
        record.msg = mask_text(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_mask_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _mask_arg(v) for k, v in record.args.items()}
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed format: let the handler report it as logging does
        return record
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, None
    return record


def configure_logging(level: str = "INFO") -> None:
    """Configure structlog and the root logger once per process (called by ``cli.main`` and ``web.app``)."""
    lvl = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_log_event,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(lvl),
        cache_logger_on_first_use=True,
    )
    logging.setLogRecordFactory(_masking_record_factory)
    root = logging.getLogger()
    if not any(isinstance(h, _CurrentStderrHandler) for h in root.handlers):
        handler = _CurrentStderrHandler()
        handler.addFilter(_MaskingFilter())
        root.addHandler(handler)
    root.setLevel(lvl)
