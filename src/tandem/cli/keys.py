"""``tandem keys status|rotate|reencrypt|retire``: rotate the personal-data key while the app keeps serving.

The order is: ``rotate`` (a new primary; every worker picks it up from the keyring file at its next request),
``reencrypt`` (batches of compare-and-set updates; repeat until it reports nothing left), ``retire KEY`` (refused
while any stored value still needs that key). Take a ``tandem backup`` after retiring: older backups hold the old
keyring and still restore.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tandem.cli.context import console, print_json, settings
from tandem.core.db import make_engine, make_sessionmaker
from tandem.identity import derived_pii_key, keyring_path, keys_for, load_secret
from tandem.identity.key_rotation import encrypted_columns, key_usage, reencrypt, retire
from tandem.identity.keyring import add_primary
from tandem.migrations.migrate import migrate_app_db

app = typer.Typer(help="Personal-data encryption keys: status, rotation without downtime.", no_args_is_help=True)
Format = Annotated[str, typer.Option("--format", help="text or json.")]


@app.command("status")
def status_cmd(fmt: Format = "text") -> None:
    """The keys of the keyring, which one encrypts, and how many stored values each one decrypts."""
    s = settings()
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    try:
        cipher = keys_for(s).fernet
        ring = cipher.keyring
        usage = key_usage(make_sessionmaker(engine), cipher)
    finally:
        engine.dispose()
    rows = [
        {"id": e.id, "primary": e.id == ring.primary, "source": "app secret" if e.derived else "keyring",
         "created_at": e.created_at or None, "values": usage.get(e.id, 0)}
        for e in ring.entries
    ]  # fmt: skip
    unreadable = usage.get(None, 0)
    if fmt == "json":
        print_json({"keys": rows, "unreadable": unreadable, "columns": [c.name for c in encrypted_columns()]})
        return
    table = Table(title="personal-data keys")
    for col in ("id", "primary", "source", "created_at", "values"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), "yes" if r["primary"] else "", str(r["source"]), str(r["created_at"] or ""),
                      str(r["values"]))  # fmt: skip
    console.print(table)
    if unreadable:
        console.print(f"[red]{unreadable} stored value(s) decrypt with no key of the ring: restore the keyring[/red]")


@app.command("rotate")
def rotate_cmd() -> None:
    """Add a new random primary key; older keys stay readable until retired."""
    s = settings()
    s.home.mkdir(parents=True, exist_ok=True)
    new = add_primary(keyring_path(s), derived_pii_key(load_secret(s)))
    console.print(f"key {new.id} is now the primary; run `tandem keys reencrypt` to move stored data to it")


@app.command("reencrypt")
def reencrypt_cmd(
    batch: Annotated[int, typer.Option("--batch", min=1, max=10_000, help="Rows per transaction.")] = 500,
) -> None:
    """Re-encrypt every stored personal-data value under the primary key, in short transactions."""
    s = settings()
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    try:
        report = reencrypt(make_sessionmaker(engine), keys_for(s).fernet, batch=batch)
    finally:
        engine.dispose()
    for name in sorted(set(report.rewritten) | set(report.current) | set(report.raced) | set(report.unreadable)):
        console.print(
            f"{name}: {report.rewritten[name]} re-encrypted, {report.current[name]} already current, "
            f"{report.raced[name]} changed meanwhile, {report.unreadable[name]} unreadable"
        )
    if not report.done:
        console.print("not finished: run `tandem keys reencrypt` again (rows changed meanwhile or unreadable)")
        raise typer.Exit(1)
    console.print("every stored value is under the primary key")


@app.command("retire")
def retire_cmd(key_id: Annotated[int, typer.Argument(help="The key id to remove (see `tandem keys status`).")]) -> None:
    """Remove an old key once no stored value needs it."""
    s = settings()
    migrate_app_db(s)
    engine = make_engine(s.sqlalchemy_url)
    try:
        secret = load_secret(s)
        retire(make_sessionmaker(engine), keys_for(s).fernet, keyring_path(s), derived_pii_key(secret), key_id)
    finally:
        engine.dispose()
    console.print(f"key {key_id} retired; take a new `tandem backup` (older backups keep their own keyring)")
