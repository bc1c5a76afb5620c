"""Shared CLI plumbing: settings and the market store, built once per command invocation."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from tandem.core.settings import Settings, load_settings
from tandem.marketdata.store import MarketStore

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    """Settings from the environment (TANDEM_*)."""
    return load_settings()


def market_store(s: Settings | None = None) -> MarketStore:
    """The market store under the data home."""
    return MarketStore.open((s or settings()).market_dir)


def print_json(obj: Any) -> None:
    """Machine-readable output: UTF-8 JSON on stdout, Chinese kept readable."""
    typer_out = json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    print(typer_out)
