"""Split a message into numbered parts that each fit WeCom's byte limit, without breaking what must stay whole.

WeCom counts UTF-8 bytes (application text and markdown ≤ 2,048; customer mass-send text ≤ 4,000; group-robot
markdown ≤ 4,096, errcode 40058 above it). Parts are cut at line ends first; a line longer than a part is cut
between characters (never inside a UTF-8 sequence), but never inside a number (``12.5%``, ``-3,200``,
``600519``), and a protected passage — the risk disclaimer — always travels whole in one part. Each part of a
multi-part message starts with ``(i/n)`` on its own line; stripping those headers and concatenating gives back
the text exactly (:func:`join_parts`). A text that cannot be split this way (a disclaimer or a number longer
than a part) is refused with :class:`SplitError` before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tandem.core.errors import UserError

APP_TEXT_LIMIT = 2048
CUSTOMER_TEXT_LIMIT = 4000  # add_msg_template text.content: at most 4,000 bytes (document/path/92135)
ROBOT_MARKDOWN_LIMIT = 4096
_NUM = set("0123456789.,%")
_HEADER = re.compile(r"^\((\d+)/(\d+)\)\n")


class SplitError(UserError):
    """The message cannot be cut into parts within the limit without breaking a number or a protected passage."""


def _nbytes(s: str) -> int:
    return len(s.encode("utf-8"))


def _header(i: int, n: int) -> str:
    return f"({i}/{n})\n"


def _cut_allowed(text: str, i: int) -> bool:
    """Whether text may be cut between ``text[i-1]`` and ``text[i]`` (not inside a number)."""
    a, b = text[i - 1], text[i]
    if a in _NUM and b in _NUM:
        return False
    return not (a in "+-" and b.isdigit())


def _units(text: str, protected: Sequence[str]) -> list[tuple[str, bool]]:
    """The text as (piece, whole) units: protected passages whole, everything else line by line."""
    spans: list[tuple[int, int]] = []
    for p in protected:
        if not p:
            continue
        start = text.find(p)
        while start != -1:
            spans.append((start, start + len(p)))
            start = text.find(p, start + len(p))
    spans.sort()
    out: list[tuple[str, bool]] = []
    pos = 0
    for s, e in spans:
        if s < pos:
            continue
        out += [(line, False) for line in text[pos:s].splitlines(keepends=True)]
        out.append((text[s:e], True))
        pos = e
    out += [(line, False) for line in text[pos:].splitlines(keepends=True)]
    return out


def _break_line(line: str, budget: int) -> list[str]:
    """Cut one over-long line into pieces of at most ``budget`` bytes at allowed positions."""
    pieces: list[str] = []
    start = 0
    while _nbytes(line[start:]) > budget:
        used, end, last_ok = 0, start, -1
        while end < len(line) and used + _nbytes(line[end]) <= budget:
            used += _nbytes(line[end])
            end += 1
            if end < len(line) and _cut_allowed(line, end):
                last_ok = end
        if last_ok <= start:
            raise SplitError(
                f"cannot split the message within {budget} bytes a part: the text near "
                f"{line[start : start + 24]!r} has no place to cut outside a number; shorten it"
            )
        pieces.append(line[start:last_ok])
        start = last_ok
    pieces.append(line[start:])
    return pieces


def _pack(units: list[tuple[str, bool]], budget: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece, whole in units:
        if _nbytes(piece) > budget:
            if whole:
                raise SplitError(
                    f"a protected passage (the risk disclaimer) is {_nbytes(piece)} bytes, more than the "
                    f"{budget} bytes one part can hold; it cannot be sent on this channel"
                )
            pieces = _break_line(piece, budget)
        else:
            pieces = [piece]
        for p in pieces:
            if current and _nbytes(current) + _nbytes(p) > budget:
                parts.append(current)
                current = ""
            current += p
    if current:
        parts.append(current)
    return parts


def split_message(text: str, *, limit: int, protected: Sequence[str] = ()) -> list[str]:
    """``text`` as one part when it fits ``limit`` bytes, else as numbered parts that each fit."""
    if not text:
        raise SplitError("the message is empty; there is nothing to send")
    if _nbytes(text) <= limit:
        return [text]
    n_guess = 2
    while True:
        budget = limit - _nbytes(_header(n_guess, n_guess))
        if budget <= 0:
            raise SplitError(f"a limit of {limit} bytes leaves no room for the part number")
        parts = _pack(_units(text, protected), budget)
        if len(str(len(parts))) <= len(str(n_guess)):
            n = len(parts)
            return [_header(i + 1, n) + p for i, p in enumerate(parts)]
        n_guess = len(parts)


def join_parts(parts: Sequence[str]) -> str:
    """The original text from the parts :func:`split_message` made (headers removed)."""
    if len(parts) == 1 and not _HEADER.match(parts[0]):
        return parts[0]
    return "".join(_HEADER.sub("", p, count=1) for p in parts)
