"""``tandem accounts``: demo accounts for the web app.

The accounts live in :mod:`tandem.identity`, below the CLI, so this imports them directly; like the web app's
start-up, seeding first brings the DB to the latest migration.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tandem.advisor.demo import seed_advisor_demo
from tandem.cli.context import console, print_json, settings
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.identity import DEMO_PASSWORD, DemoAccount, keys_for, seed_demo_accounts
from tandem.migrations.migrate import migrate_app_db

app = typer.Typer(help="Accounts of the web app (demo seeding).", no_args_is_help=True)


def _seed(s: Settings, password: str) -> list[DemoAccount]:
    """Migrate the application DB named by ``s``, then create or reset the demo accounts (idempotent)."""
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    try:
        keys = keys_for(s)
        with make_sessionmaker(engine)() as db:
            accounts = seed_demo_accounts(db, keys, password=password)
            seed_advisor_demo(db, keys, password=password)
            db.commit()
    finally:
        engine.dispose()
    return accounts


@app.command("seed-demo")
def seed_demo(
    password: Annotated[str | None, typer.Option("--password", help="Demo password (default: documented)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Create (or reset and unlock) the demo accounts and print them with the demo password."""
    pw = password or DEMO_PASSWORD
    accounts = _seed(settings(), pw)
    rows = [{"username": a.username, "role": a.role, "name": a.display_name} for a in accounts]
    if fmt == "json":
        print_json({"password": pw, "accounts": rows})
        return
    table = Table(title="Tandem demo accounts (for the demo only)")
    for col in ("username", "role", "name"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["username"], r["role"], r["name"])
    console.print(table)
    console.print(f"demo password: [bold]{pw}[/bold]")
