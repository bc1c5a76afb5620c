"""A 1080-px-wide PNG share card for mobile and WeCom: score, radar, brief, disclaimer."""

from __future__ import annotations

import io
import unicodedata

from tandem.compliance.disclaimers import ai_content_label
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.charts import draw_radar
from tandem.diagnosis.render.fonts import mpl_font_name

WIDTH_PX = 1080
DPI = 100


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` display columns (CJK characters count two), never splitting a number oddly."""
    lines: list[str] = []
    cur, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            lines.append(cur)
            cur, used = "", 0
        cur += ch
        used += w
    if cur:
        lines.append(cur)
    return lines


def to_png(diag: Diagnosis) -> bytes:
    """The share card as PNG bytes, exactly 1080 px wide."""
    from matplotlib.figure import Figure

    font = mpl_font_name()
    brief_lines = wrap(diag.brief.zh, 60)
    disclaimer = wrap(diag.disclaimer_zh.replace("\n", " "), 100)
    height_in = 7.6 + 0.42 * len(brief_lines) + 0.3 * len(disclaimer)
    fig = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI, facecolor="white")
    top = 1.0 - 0.9 / height_in
    fig.text(0.06, top, f"{diag.name}（{diag.code}）", fontfamily=font, fontsize=34)
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
