"""The video's charts as PNG bytes: the adjusted K-line with the brief's moving averages, the radar, Level-2 flow.

Charts carry no axis numbers: the only numbers on screen are evidence displays (the legend of each moving average
is its evidence value), so every number a viewer sees can be traced to the report.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from tandem.core.i18n import translate
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.charts import draw_radar
from tandem.diagnosis.render.fonts import cjk_ttf_path, mpl_font_name
from tandem.diagnosis.render.video.models import Lang

DPI = 100
UP, DOWN = "#c0392b", "#27ae60"  # A-share convention: red up, green down
KLINE_DAYS = 120


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def kline_png(bars: pd.DataFrame, mas: dict[int, str], lang: Lang, size: tuple[int, int]) -> bytes:
    """Candles of the last ``KLINE_DAYS`` forward-adjusted bars and the moving averages in ``mas``.

    ``mas`` maps a period to the evidence display of its last value (the legend text); the lines are computed
    from the same adjusted closes over the whole of ``bars`` so the last point equals the evidence.
    """
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor="white")
    ax = fig.add_axes((0.02, 0.04, 0.96, 0.92))
    traded = bars[bars["volume"] > 0] if "volume" in bars else bars
    close = traded["close"].astype(float).reset_index(drop=True)
    shown = traded.tail(KLINE_DAYS).reset_index(drop=True)
    x = np.arange(len(shown))
    o, c = shown["open"].to_numpy(float), shown["close"].to_numpy(float)
    colors = [UP if up else DOWN for up in c >= o]
    ax.vlines(x, shown["low"].to_numpy(float), shown["high"].to_numpy(float), colors=colors, linewidth=1.2)
    height = np.maximum(np.abs(c - o), np.nanmax(c) * 0.0015)
    ax.bar(x, height, bottom=np.minimum(o, c), color=colors, width=0.7)
    palette = {5: "#8e44ad", 20: "#e67e22", 60: "#2980b9"}
    for period, display in sorted(mas.items()):
        line = close.rolling(period).mean().tail(len(shown)).to_numpy()
        label = translate(lang, "video.ma", p=period, display=display)
        ax.plot(x, line, color=palette.get(period, "#555"), linewidth=2.4, label=label)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if mas:
        ax.legend(loc="upper left", prop=FontProperties(fname=str(cjk_ttf_path()), size=22), frameon=False)
    return _png(fig)


def radar_png(diag: Diagnosis, lang: Lang, size: int) -> bytes:
    """The dimension radar (same drawing as the card and the PDF), square, with larger labels."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size / DPI, size / DPI), dpi=DPI, facecolor="white")
    ax = fig.add_axes((0.15, 0.12, 0.7, 0.76), projection="polar")
    draw_radar(ax, diag, lang)
    for label in ax.get_xticklabels():
        label.set_fontsize(20)
        label.set_fontfamily(mpl_font_name())
    return _png(fig)


def flow_png(daily_net: pd.Series, size: tuple[int, int]) -> bytes:
    """Main-force net inflow per Level-2 session as red (in) / green (out) bars, without axis numbers."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor="white")
    ax = fig.add_axes((0.04, 0.06, 0.92, 0.88))
    values = daily_net.to_numpy(float)
    ax.bar(np.arange(len(values)), values, color=np.where(values >= 0, UP, DOWN), width=0.6)
    ax.axhline(0.0, color="#999", linewidth=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)
