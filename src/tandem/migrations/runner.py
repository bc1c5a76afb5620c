"""Run Alembic programmatically: no alembic.ini to hand-edit, the URL comes from settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


def alembic_config(url: str, metadata: MetaData | None = None) -> Config:
    """An Alembic config for ``url``; ``metadata`` is only needed for autogenerate and drift checks."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if metadata is not None:
        cfg.attributes["target_metadata"] = metadata
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (idempotent)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Step the database at ``url`` back to ``revision`` (``base`` removes every table)."""
    command.downgrade(alembic_config(url), revision)
