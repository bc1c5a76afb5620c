"""The backtest builder's plain form fields as a :class:`~tandem.backtest.spec.StrategySpec` (data, never code).

Blank fields take the builder's defaults; pydantic's errors become one readable :class:`UserError` naming each
field, so the page can show them inline.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from tandem.backtest.spec import StrategySpec
from tandem.core.errors import UserError


def spec_from_form(form: Mapping[str, str]) -> StrategySpec:
    """The builder's fields as a spec (pydantic errors become one readable UserError)."""
    codes = [c for c in str(form.get("universe") or "").replace(",", " ").split() if c]
    raw = {
        "name": form.get("name") or "我的策略",
        "universe": codes or None,
        "screen": form.get("screen") or None,
        "rank_by": form.get("rank_by") or None,
        "ascending": form.get("order", "asc") == "asc",
        "max_positions": form.get("max_positions") or 10,
        "rebalance": form.get("rebalance") or "monthly",
        "sizing": form.get("sizing") or "equal",
        "start": form.get("start") or None,
        "end": form.get("end") or None,
        "benchmark": form.get("benchmark") or None,
        "execution": {
            "fill_at": form.get("fill_at") or "next_open",
            "slippage_bps": form.get("slippage_bps") or 0,
        },
    }
    try:
        return StrategySpec.model_validate(raw)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        raise UserError("; ".join(parts)) from exc
