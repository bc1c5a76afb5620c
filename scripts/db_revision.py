"""Developer tool: autogenerate an Alembic revision from every model module (review the result by hand).

Usage: .venv/bin/python scripts/db_revision.py "message"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from tandem.core.db import Base
from tandem.migrations.runner import alembic_config, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from model_registry import import_all_models


def main() -> int:
    import_all_models()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/rev.db"
        upgrade(url)
        command.revision(alembic_config(url, Base.metadata), message=sys.argv[1], autogenerate=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
