"""Helpers of the multi-process tests: the environment a child process of the test gets."""

from __future__ import annotations

import os
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def child_env(**tandem: str) -> dict[str, str]:
    """The environment of a child process: this one's, the source on PYTHONPATH, no inherited TANDEM_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_") or k.startswith("TANDEM_TEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update({f"TANDEM_{k.upper()}": v for k, v in tandem.items()})
    return env
