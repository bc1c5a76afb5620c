"""Matplotlib charts (PNG bytes) for tear sheets and sweep heatmaps, with a CJK font from mplfonts.

The font is registered from the mplfonts package files on first use (not at import time), so Chinese
labels render without a system font.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd


@cache
def _font_family() -> str:
    """Register Noto Sans CJK SC (or SimHei) from mplfonts and return its family name."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    try:
        import mplfonts

        root = Path(mplfonts.__file__).parent / "fonts"
    except ImportError:  # pragma: no cover - mplfonts is a dependency
        return "DejaVu Sans"
    for name in ("NotoSansCJKsc-Regular.otf", "SimHei.ttf"):
        path = root / name
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
    return "DejaVu Sans"


def _png(fig: object) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buf.getvalue()


def _figure(w: float, h: float) -> tuple[object, object]:
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = [_font_family(), "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(w, h))  # type: ignore[no-any-return]


def equity_chart(equity: pd.Series, benchmark: pd.Series | None) -> bytes:
    """Strategy equity (normalised to 1) against the benchmark."""
    fig, ax = _figure(9, 3.2)
    (equity / equity.iloc[0]).plot(ax=ax, label="策略 strategy", color="#c0392b")
    if benchmark is not None and len(benchmark.dropna()):
        b = benchmark.dropna()
        (b / b.iloc[0]).plot(ax=ax, label="基准 benchmark", color="#7f8c8d")
    ax.set_title("净值 Equity")  # type: ignore[attr-defined]
    ax.legend()  # type: ignore[attr-defined]
    return _png(fig)


def drawdown_chart(equity: pd.Series) -> bytes:
    """Running drawdown from the peak."""
    fig, ax = _figure(9, 2.4)
    dd = equity / equity.cummax() - 1.0
    ax.fill_between(dd.index, dd.to_numpy(), 0.0, color="#2c3e50", alpha=0.5)  # type: ignore[attr-defined]
    ax.set_title("回撤 Drawdown")  # type: ignore[attr-defined]
    return _png(fig)


def monthly_heatmap(returns: pd.Series) -> bytes:
    """Monthly returns, years × months."""
    idx = pd.DatetimeIndex(returns.index)
    m = (1.0 + returns).groupby([idx.year, idx.month]).prod() - 1.0
    table = m.unstack().reindex(columns=range(1, 13))
    fig, ax = _figure(9, 0.5 + 0.45 * len(table))
    v = np.nanmax(np.abs(table.to_numpy())) if np.isfinite(table.to_numpy()).any() else 0.1
    ax.imshow(table.to_numpy(), cmap="RdYlGn_r", vmin=-v, vmax=v, aspect="auto")  # type: ignore[attr-defined]
    ax.set_xticks(range(12), [f"{i}月" for i in range(1, 13)])  # type: ignore[attr-defined]
    ax.set_yticks(range(len(table)), [str(y) for y in table.index])  # type: ignore[attr-defined]
    for (i, j), x in np.ndenumerate(table.to_numpy()):
        if np.isfinite(x):
            ax.text(j, i, f"{x:.1%}", ha="center", va="center", fontsize=7)  # type: ignore[attr-defined]
    ax.set_title("月度收益 Monthly returns")  # type: ignore[attr-defined]
    return _png(fig)


def heatmap(table: pd.DataFrame, title: str) -> bytes:
    """A parameter-sweep heatmap: rows × columns of one metric."""
    fig, ax = _figure(1.2 + 0.6 * table.shape[1], 1.0 + 0.45 * table.shape[0])
    im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis", aspect="auto")  # type: ignore[attr-defined]
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])  # type: ignore[attr-defined]
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])  # type: ignore[attr-defined]
    ax.set_xlabel(str(table.columns.name or ""))  # type: ignore[attr-defined]
    ax.set_ylabel(str(table.index.name or ""))  # type: ignore[attr-defined]
    ax.set_title(title)  # type: ignore[attr-defined]
    fig.colorbar(im)  # type: ignore[attr-defined]
    return _png(fig)
