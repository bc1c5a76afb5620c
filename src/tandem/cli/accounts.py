"""``tandem accounts``: demo accounts for the web app.

The web package is loaded by name at run time (like ``tandem serve`` loads the app factory), so the CLI layer keeps
no static import of ``tandem.web`` (the two are independent siblings in the layer contract).
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer
from rich.table import Table

from tandem.cli.context import console, print_json, settings

app = typer.Typer(help="Accounts of the web app (demo seeding).", no_args_is_help=True)


@app.command("seed-demo")
def seed_demo(
    password: Annotated[str | None, typer.Option("--password", help="Demo password (default: documented)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Create (or reset and unlock) the demo accounts and print them with the demo password."""
    seeding = importlib.import_module("tandem.web.seeding")
    s = settings()
    pw, accounts = seeding.seed_demo(s, password) if password else seeding.seed_demo(s)
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
