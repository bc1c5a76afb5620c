"""Radar of dimension scores and the price line, drawn with matplotlib (Agg) as PNG or SVG bytes."""

from __future__ import annotations

import io
import math

from tandem.core.i18n import Lang, translate
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.fonts import mpl_font_name


def _figure(width_in: float, height_in: float):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in))
    return fig


def _save(fig, fmt: str, dpi: int) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def draw_radar(ax, diag: Diagnosis, lang: Lang = "zh") -> None:  # type: ignore[no-untyped-def]
    """Dimension scores on a polar axis; missing dimensions are drawn at 0 and marked with a dash."""
    font = mpl_font_name()
    dims = diag.dimensions
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    values = [float(d.score) if d.score is not None else 0.0 for d in dims]
    ax.plot([*angles, angles[0]], [*values, values[0]], color="#c0392b", linewidth=2)
    ax.fill([*angles, angles[0]], [*values, values[0]], color="#c0392b", alpha=0.25)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels([])
    ax.set_xticks(angles)
    labels = [f"{d.label.render(lang)}\n{d.score if d.score is not None else '—'}" for d in dims]
    ax.set_xticklabels(labels, fontfamily=font, fontsize=10)


def draw_price(ax, diag: Diagnosis, lang: Lang = "zh") -> None:  # type: ignore[no-untyped-def]
    """The last year of forward-adjusted closes."""
    font = mpl_font_name()
    if not diag.price_history:
        ax.text(0.5, 0.5, translate(lang, "chart.no_prices"), ha="center", fontfamily=font)
        return
    days = [d for d, _ in diag.price_history]
    closes = [c for _, c in diag.price_history]
    ax.plot(days, closes, color="#2c3e50", linewidth=1.4)
    ax.set_title(translate(lang, "chart.close_qfq"), fontfamily=font, fontsize=11)
    ax.grid(alpha=0.3)
    for label in ax.get_xticklabels():
        label.set_fontsize(8)
    ax.tick_params(axis="x", labelrotation=30)


def radar_image(diag: Diagnosis, fmt: str = "png", lang: Lang = "zh") -> bytes:
    """The radar alone, as PNG or SVG bytes."""
    fig = _figure(5.0, 5.0)
    draw_radar(fig.add_subplot(projection="polar"), diag, lang)
    return _save(fig, fmt, 120)


def price_image(diag: Diagnosis, fmt: str = "png", lang: Lang = "zh") -> bytes:
    """The price line alone, as PNG or SVG bytes."""
    fig = _figure(7.0, 3.2)
    draw_price(fig.add_subplot(), diag, lang)
    return _save(fig, fmt, 120)
