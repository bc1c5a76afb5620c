"""A 1080-px-wide PNG share card for mobile and WeCom: score, radar, brief, disclaimer."""

from __future__ import annotations

import io
import re
import unicodedata

from tandem.compliance.disclaimers import ai_content_label
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.charts import draw_radar
from tandem.diagnosis.render.fonts import mpl_font_name

WIDTH_PX = 1080
DPI = 100


_UNIT = re.compile(r"[0-9A-Za-z.+\-%/_]+|\s|.", re.S)
_NO_LINE_START = frozenset("，。、；：！？）》」』】%,.;:!?)")
_NO_LINE_END = frozenset("（《「『【(")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _units(text: str) -> list[str]:
    """Unbreakable pieces of ``text`` for line breaking (CJK line rules).

    A piece is a run of ASCII letters/digits (numbers, dates, ranges) or one character; closing punctuation is
    glued to the piece before it and opening punctuation to the piece after it.
    """
    units: list[str] = []
    for tok in _UNIT.findall(text):
        if units and (tok[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += tok
        else:
            units.append(tok)
    return units


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` display columns (CJK characters count two).

    Numbers, dates and ranges are never split, and no line starts with closing punctuation (，。）%) or ends with
    an opening bracket; a single piece wider than a line is cut by columns as a last resort.
    """
    lines: list[str] = []
    cur, used = "", 0
    for unit in _units(text):
        w = _width(unit)
        if cur and used + w > width:
            lines.append(cur.rstrip())
            cur, used = "", 0
            if unit.isspace():
                continue
        while w > width:  # longer than a whole line: cut by columns
            head, rest = _cut(unit, width - used)
            lines.append((cur + head).rstrip())
            cur, used, unit = "", 0, rest
            w = _width(unit)
        cur += unit
        used += w
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def _cut(unit: str, room: int) -> tuple[str, str]:
    used = 0
    for i, ch in enumerate(unit):
        used += _width(ch)
        if used > room:
            return unit[:i], unit[i:]
    return unit, ""


def to_png(diag: Diagnosis) -> bytes:
    """The share card as PNG bytes, exactly 1080 px wide."""
    from matplotlib.figure import Figure

    font = mpl_font_name()
    brief_lines = wrap(diag.brief.zh, 60)
    disclaimer = wrap(diag.disclaimer.render("zh").replace("\n", " "), 100)
    height_in = 7.6 + 0.42 * len(brief_lines) + 0.3 * len(disclaimer)
    fig = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI, facecolor="white")
    top = 1.0 - 0.9 / height_in
    fig.text(0.06, top, diag.title(), fontfamily=font, fontsize=34)
    fig.text(0.06, top - 0.5 / height_in, f"{diag.industry or '未分类'} · 数据日期 {diag.data_date}",
             fontfamily=font, fontsize=16, color="#666")  # fmt: skip
    c = diag.composite
    fig.text(0.70, top - 0.1 / height_in, str(c.score) if c.score is not None else "—", fontfamily=font,
             fontsize=60, color="#c0392b")  # fmt: skip
    if c.rank is not None:
        fig.text(0.70, top - 0.55 / height_in, f"综合评分 · 第{c.rank}/{c.universe}名", fontfamily=font, fontsize=16)
    radar_h = 5.0 / height_in
    ax = fig.add_axes((0.2, 1.0 - 1.6 / height_in - radar_h, 0.6, radar_h), projection="polar")
    draw_radar(ax, diag)
    y = 1.0 - 7.3 / height_in
    if diag.brief.ai_generated:
        fig.text(0.06, y, ai_content_label("zh"), fontfamily=font, fontsize=16, color="#c0392b")
        y -= 0.42 / height_in
    for line in brief_lines:
        fig.text(0.06, y, line, fontfamily=font, fontsize=21)
        y -= 0.42 / height_in
    y -= 0.1 / height_in
    for line in disclaimer:
        fig.text(0.06, y, line, fontfamily=font, fontsize=13, color="#888")
        y -= 0.3 / height_in
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
