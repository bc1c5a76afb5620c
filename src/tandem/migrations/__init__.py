"""Alembic migrations for the application database (SQLite by default, PostgreSQL when configured).

The migration scripts spell out their DDL and import no application layer; the model metadata used by
autogenerate and by the drift test is handed in by the caller (``tandem.cli.db``) through ``config.attributes``.
"""
