from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path("/work/shared/data/level2/dolphindb_tutorials_cn")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_level2() -> Path:
    if not SHARED.exists():
        pytest.skip("/work/shared level-2 data not present (full-day checks only run where it is)")
    return SHARED
